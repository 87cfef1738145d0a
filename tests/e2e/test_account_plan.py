"""End to end: a key account manager writes a section of the account plan (autosave), submits it for
review, the head of KAM approves it with a comment, a new version is started and compared with the
approved one; the page speaks German too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_autosave_submit_approve_and_compare(live_server: Any, new_page: Any, make_user: Any, login: Any) -> None:
    from kampass.accounts.services import account_create
    from kampass.accounts.tests.factories import TeamMemberFactory
    from kampass.planning.models import AccountPlan, PlanSection
    from kampass.planning.services import plan_create, plan_section_save

    # given a key account with a draft plan whose strategy is still empty
    head = make_user("hanna_head", "head")
    kam = make_user("karl_kam", "kam")
    account = account_create(actor=head, name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    plan = plan_create(actor=kam, account_id=account.pk, period_start=_day(2027), period_end=_day(2027, 12, 31))
    filled = {
        "situation": {"business": "Elevators", "value_drivers": "Uptime"},
        "objectives": {"ambition": "Preferred supplier"},
    }
    for key, content in filled.items():
        plan_section_save(actor=kam, plan=plan, key=key, content=content, version=None)
    kam_page, head_page = new_page(), new_page()
    login(kam_page, "karl_kam")
    login(head_page, "hanna_head")

    # when the kam types the strategy, it is saved without pressing a button
    kam_page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(kam_page.locator("[data-testid=missing-fields]")).to_contain_text("How we get there")
    kam_page.locator("[data-testid=field-strategies-strategy]").fill("Co-develop the next drive")
    expect(kam_page.locator("[data-testid=save-status-strategies]")).to_contain_text("Saved at")
    assert PlanSection.objects.get(plan=plan, key="strategies").content == {"strategy": "Co-develop the next drive"}
    # and a second edit right after goes on the new version (no conflict with their own save)
    kam_page.locator("[data-testid=field-strategies-strategy]").fill("Co-develop the next drive generation")
    expect(kam_page.locator("[data-testid=save-status-strategies]")).to_contain_text("Saved at")
    expect(kam_page.locator("[data-testid=conflict]")).to_have_count(0)

    # when they submit for review
    kam_page.reload()
    kam_page.locator("[data-testid=submit-review]").click()
    expect(kam_page.locator("[data-testid=plan-status]")).to_have_text("In review")

    # then the head of KAM approves it with a comment
    head_page.goto(f"{live_server.url}/plans/{plan.pk}/")
    head_page.locator("[data-testid=approval-comment]").fill("Sound plan")
    head_page.locator("[data-testid=approve]").click()
    expect(head_page.locator("[data-testid=plan-status]")).to_have_text("Approved")
    expect(head_page.locator("[data-testid=plan-approved]")).to_contain_text("Sound plan")
    expect(head_page.locator("[data-testid=editor-strategies]")).to_have_count(0)

    # when a new version is started and its ambition changed, the compare page shows the change and who made it
    head_page.locator("[data-testid=new-version]").click()
    head_page.wait_for_url(re.compile(r"/plans/\d+/$"))
    expect(head_page.locator("[data-testid=plan-version]")).to_have_text("2")
    head_page.locator("[data-testid=field-objectives-ambition]").fill("Sole supplier")
    expect(head_page.locator("[data-testid=save-status-objectives]")).to_contain_text("Saved at")
    head_page.locator("[data-testid=compare-link]").click()
    section = head_page.locator("[data-testid=compare-section-objectives]")
    expect(section.locator("[data-testid=before]")).to_have_text("Preferred supplier")
    expect(section.locator("[data-testid=after]")).to_have_text("Sole supplier")
    expect(section).to_contain_text("Hanna Tester")
    assert AccountPlan.objects.filter(account=account).count() == 2

    # and in German
    head_page.locator("[data-testid=lang-de]").click()
    expect(head_page.locator("h1")).to_have_text("Planversionen vergleichen")


def _day(year: int, month: int = 1, day: int = 1) -> Any:
    import datetime as dt

    return dt.date(year, month, day)
