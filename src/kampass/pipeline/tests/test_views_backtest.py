"""The backtest on the model report: started as a background task (head of KAM and admin), its progress
(origins done of all) polled, the last result kept with its date (table per origin, scorers pooled,
chart over the origins with its data for screen readers), the verdict, and the drift view."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kampass.common.models import JobStatus
from kampass.pipeline.models import BacktestRun, ModelVersion, Opportunity, Outcome
from kampass.pipeline.services import backtest_run_execute
from kampass.pipeline.tests.test_backtest_recorded import generate

HX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db


def test_start_queues_one_backtest_and_the_page_follows_its_progress(client, head, django_capture_on_commit_callbacks):
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("model-backtest"))
    assert response.status_code == 302
    assert response.url.endswith("#backtest")
    assert len(callbacks) == 1
    run = BacktestRun.objects.get()
    assert run.created_by == head
    client.post(reverse("model-backtest"))
    assert BacktestRun.objects.count() == 1  # one at a time
    BacktestRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING, origins_total=12, origins_done=3)
    body = client.get(reverse("model-report")).content.decode()
    assert 'hx-get="{}?poll=1"'.format(reverse("backtest-run", args=[run.pk])) in body
    assert 'max="12" value="3"' in body
    assert "3 of 12 origins done" in body
    response = client.get(reverse("backtest-run", args=[run.pk]) + "?poll=1", headers=HX)
    assert "HX-Refresh" not in response
    BacktestRun.objects.filter(pk=run.pk).update(status=JobStatus.DONE, origins_done=12, finished_at=timezone.now())
    response = client.get(reverse("backtest-run", args=[run.pk]) + "?poll=1", headers=HX)
    assert response["HX-Refresh"] == "true"


def test_only_head_and_admin_may_start_a_backtest(client, kam, viewer, controller):
    for user in (kam, viewer, controller):
        client.force_login(user)
        assert client.post(reverse("model-backtest")).status_code == 403
    assert not BacktestRun.objects.exists()
    client.force_login(viewer)
    assert 'data-testid="backtest-start"' not in client.get(reverse("model-report")).content.decode()


def test_a_finished_run_shows_its_result_per_origin_with_the_chart_and_its_date(client, head):
    generate(90)
    run = BacktestRun.objects.create(created_by=head, horizon=60)
    run = backtest_run_execute(str(run.pk))
    assert run.status == JobStatus.DONE
    origins = run.result["origins"]
    assert run.origins_total == len(origins) == run.origins_done > 0
    assert set(run.result["pooled"]) >= {"kampass", "base_rate", "stage_rate", "naive_bayes"}
    client.force_login(head)
    body = client.get(reverse("model-report")).content.decode()
    assert 'data-testid="backtest-table"' in body
    for o in origins:
        assert f'<td class="nowrap">{o["as_of"]}</td>' in body
    assert 'data-testid="backtest-pooled"' in body
    assert "Stage win rate" in body
    assert "Trailing base rate" in body
    assert 'data-vega-spec="backtest-spec"' in body
    assert "Last result:" in body
    testid = "model-better" if run.result["verdict"]["model_better"] else "model-not-better"
    assert f'data-testid="{testid}"' in body
    # the switch follows the verdict
    assert bool(run.switch) is (not run.result["verdict"]["model_better"])


def test_the_page_in_german(client, head):
    BacktestRun.objects.create(status=JobStatus.RUNNING, origins_total=4, origins_done=1, created_by=head)
    client.force_login(head)
    with translation.override("de"):
        body = client.get(reverse("model-report"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1 von 4 Stichtagen fertig" in body
    assert "Backtest starten" in body


def test_drift_shows_win_rate_and_mean_predicted_per_quarter(client, head):
    deals = generate(60)
    closed = [d for d in deals if d["closed"] is not None]
    holdout = {str(d["pk"]): (0.8 if d["won"] else 0.1) for d in closed}
    ModelVersion.objects.create(
        version="wm-drift",
        trained_at=timezone.now(),
        training_rows=len(closed),
        model=b"",
        active=True,
        holdout=holdout,
    )
    client.force_login(head)
    response = client.get(reverse("model-report"))
    rows = {q.quarter: q for q in response.context["drift"]}
    # independently: per quarter of closing
    for d in closed:
        q = f"{d['closed'].year}-Q{(d['closed'].month - 1) // 3 + 1}"
        assert q in rows
    for q, row in rows.items():
        mine = [d for d in closed if f"{d['closed'].year}-Q{(d['closed'].month - 1) // 3 + 1}" == q]
        assert row.closed == len(mine)
        assert row.won == sum(d["won"] for d in mine)
        assert row.mean_predicted == pytest.approx(sum(0.8 if d["won"] else 0.1 for d in mine) / len(mine))
    assert 'data-testid="drift-table"' in response.content.decode()
    assert Opportunity.objects.filter(outcome=Outcome.OPEN).count() == len(deals) - len(closed)
