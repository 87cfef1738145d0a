"""End to end: the head of KAM sets a KPI target through its form, the KPI matrix shows the key account
with its traffic light, and "Recompute now" on the scorecard queues a background run with its progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_head_sets_a_target_reads_the_matrix_and_queues_a_recompute(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from django.utils import timezone

    from kampass.accounts.models import Account, TeamMember
    from kampass.common.cli import system_actor
    from kampass.planning.health_services import health_snapshots_record
    from kampass.planning.models import HealthRun, KpiTarget

    make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam")
    account = Account.objects.create(name="Kone Elevators", kam_status="key_account")
    TeamMember.objects.create(account=account, user=kam, role="kam")
    # yesterday's snapshot, as the daily run stores it (without one the scorecard queues today's run itself)
    health_snapshots_record(actor=system_actor(), day=timezone.localdate() - dt.timedelta(days=1), notify=False)
    base = live_server.url

    login(page, "head_e2e")
    page.goto(f"{base}/scorecard/")
    page.get_by_test_id("kpi-matrix-link").click()
    page.get_by_test_id("edit-kpi-targets").click()
    page.select_option("select[name=kpi_key]", "decision_makers_covered")
    page.fill("input[name=green]", "2")
    page.fill("input[name=amber]", "1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("kpi-target-row")).to_contain_text("Decision makers covered")
    assert KpiTarget.objects.get().kpi_key == "decision_makers_covered"

    page.goto(f"{base}/scorecard/kpis/")
    row = page.get_by_test_id("kpi-matrix-row")
    expect(row).to_contain_text("Kone Elevators")
    expect(row.locator("[data-kpi=decision_makers_covered]")).to_have_attribute("data-light", "red")

    page.goto(f"{base}/scorecard/")
    page.get_by_test_id("recompute").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("Queued")  # no worker in this test
    assert HealthRun.objects.get().status == "queued"
