"""End to end: head of KAM starts the backtest on the model report, follows its progress (origins done of
all, polled) and sees the result table and chart once it is done; in English and German."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _default_stages() -> None:
    """The default sales process comes from a data migration; live-server tests flush the database."""
    from kampass.pipeline.models import Stage, StageSet

    if StageSet.objects.filter(is_default=True).exists():
        return
    migration = importlib.import_module("kampass.pipeline.migrations.0002_default_stage_set")
    stage_set = StageSet.objects.create(name="Standard sales process", is_default=True, late_probability=50)
    for i, (name, p, kind) in enumerate(migration.DEFAULT_STAGES, start=1):
        Stage.objects.create(stage_set=stage_set, name=name, order=i, probability=p, kind=kind)


def test_head_starts_a_backtest_follows_its_progress_and_sees_the_result(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from kampass.common.models import JobStatus
    from kampass.pipeline.models import BacktestRun
    from kampass.pipeline.services import backtest_run_execute
    from kampass.pipeline.tests.test_backtest_recorded import generate

    # given: a year of opportunities, some won, some lost, some open
    importlib.import_module("kampass.core.forecasting")  # warm up scikit-learn outside the live server
    _default_stages()
    generate(90)
    make_user("head_e2e", "head")
    login(page, "head_e2e")
    page.goto(f"{live_server.url}/pipeline/model/")
    expect(page.locator("[data-testid=no-backtest]")).to_be_visible()

    # when: the backtest is started
    page.click("[data-testid=backtest-start]")
    expect(page.locator("[data-testid=backtest-status]")).to_have_text("Queued")
    expect(page.locator("[data-testid=backtest-start]")).to_be_disabled()
    run = BacktestRun.objects.get()

    # then: the page polls its progress (the worker's origins done)
    BacktestRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING, origins_total=12, origins_done=5)
    expect(page.locator("[data-testid=backtest-origins-done]")).to_have_text("5 of 12 origins done")
    expect(page.locator("[data-testid=backtest-progress]")).to_have_attribute("value", "5")

    # and when the worker has run it, the page shows the result per origin and the chart. The worker runs while
    # no page polls the run: the tests' shared in-memory SQLite database refuses a write to a table a request of
    # the live server is reading ("database table is locked"), a clash a data directory on disk does not have
    BacktestRun.objects.filter(pk=run.pk).update(status=JobStatus.QUEUED, origins_total=0, origins_done=0)
    page.goto("about:blank")
    backtest_run_execute(str(run.pk))
    page.goto(f"{live_server.url}/pipeline/model/")
    table = page.locator("[data-testid=backtest-table]")
    expect(table).to_be_visible(timeout=15_000)
    origins = BacktestRun.objects.get().result["origins"]
    expect(table.locator("tbody tr")).to_have_count(len(origins))
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text(origins[0]["as_of"])
    expect(page.locator("[data-testid=backtest-pooled]")).to_contain_text("Stage win rate")
    expect(page.locator("[data-testid=backtest-chart][data-ready='1']")).to_be_visible(timeout=15_000)
    expect(page.locator("#backtest-spec-description table")).to_have_count(1)  # the chart's data for screen readers
    expect(page.locator("[data-testid=backtest-status]")).to_have_text("Done")

    # in German
    page.click("[data-testid=lang-de]")
    expect(page.locator("#backtest h2")).to_have_text("Backtest")
    expect(page.locator("[data-testid=backtest-start]")).to_have_text("Backtest starten")
    expect(page.locator("#backtest h3").first).to_contain_text("Letztes Ergebnis")
    expect(page.locator("[data-testid=backtest-pooled]")).to_contain_text("Gewinnquote je Phase")
