"""End to end: a service engineer sees the overdue action assigned to them on the start page and marks it
done through its progress form; the key account manager sees the account's health on the account page,
opens its decomposition with the trend chart and the scorecard lists the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_owner_progresses_an_action_and_the_kam_reads_the_health(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from django.utils import timezone

    from kampass.accounts.models import Account, TeamMember
    from kampass.planning.action_services import action_create
    from kampass.planning.models import HealthSnapshot, PlanAction, PlanStatus
    from kampass.planning.tests.factories import make_plan

    kam = make_user("kam_e2e", "kam")
    engineer = make_user("service_e2e", "viewer", first_name="Sven", last_name="Service")
    account = Account.objects.create(name="Kone Elevators", kam_status="key_account")
    TeamMember.objects.create(account=account, user=kam, role="kam")
    TeamMember.objects.create(account=account, user=engineer, role="service")
    plan = make_plan(account=account, status=PlanStatus.ACTIVE)
    today = timezone.localdate()
    action_create(
        actor=kam, plan=plan, title="Replace the drive at plant 3", owner_id=engineer.pk,
        due_date=today - dt.timedelta(days=3),
    )  # fmt: skip
    for months_back, score in ((2, 80.0), (1, 75.0)):
        HealthSnapshot.objects.create(account=account, day=today - dt.timedelta(days=30 * months_back), score=score)
    base = live_server.url

    # the engineer: the overdue action on the start page, marked done through its progress form
    login(page, "service_e2e")
    actions = page.get_by_test_id("dashboard-actions")
    expect(actions).to_contain_text("Replace the drive at plant 3")
    expect(actions).to_contain_text("overdue")
    actions.get_by_role("link", name="Replace the drive at plant 3").click()
    expect(page.locator("input[name=title]")).to_have_count(0)
    page.select_option("select[name=status]", "done")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("action-list-empty")).to_be_visible()
    assert PlanAction.objects.get().status == "done"

    # the KAM: health on the account page, decomposition and trend, the scorecard
    page.context.clear_cookies()
    login(page, "kam_e2e")
    page.goto(f"{base}/accounts/{account.pk}/")
    expect(page.get_by_test_id("account-health-panel")).to_be_visible()
    page.get_by_test_id("open-health").click()
    expect(page.get_by_test_id("health-components")).to_contain_text("Plan freshness")
    expect(page.locator("[data-testid=health-trend] svg").first).to_be_visible()
    page.goto(f"{base}/scorecard/")
    expect(page.get_by_test_id("scorecard-row")).to_contain_text("Kone Elevators")
