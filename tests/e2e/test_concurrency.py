"""End to end: two people edit the same account at once; the second save shows the conflict screen with both
versions instead of silently overwriting the first, and lets the user re-apply their entry."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FORM = "[data-testid=main-form]"


def test_a_stale_save_shows_both_versions_and_can_be_reapplied(
    live_server: Any, new_page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.models import Account
    from kampass.accounts.services import account_create

    # given an account and two heads of KAM who both open its edit form
    anna = make_user("anna_head", "head")
    make_user("ben_head", "head")
    account = account_create(actor=anna, name="Helvetia AG", industry="Steel")
    edit_url = f"{live_server.url}/accounts/{account.pk}/edit/"
    first, second = new_page(), new_page()
    login(first, "anna_head")
    login(second, "ben_head")
    first.goto(edit_url)
    second.goto(edit_url)
    # when Ben saves his change first
    second.fill("#id_industry", "Automotive")
    second.click(f"{FORM} button[type=submit]")
    second.wait_for_url(re.compile(rf"/accounts/{account.pk}/$"))
    # and Anna then saves hers, based on the version she loaded
    first.fill("#id_industry", "Chemicals")
    first.click(f"{FORM} button[type=submit]")
    # then her save wrote nothing and she sees both versions, with who saved the newer one
    conflict = first.locator("[data-testid=conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone else changed this in the meantime")
    expect(conflict).to_contain_text("Ben Tester")
    row = first.locator("[data-testid=conflict-table] tr.differs", has_text="industry")
    expect(row.locator("[data-testid=mine]")).to_have_text("Chemicals")
    expect(row.locator("[data-testid=saved]")).to_have_text("Automotive")
    assert Account.objects.get(pk=account.pk).industry == "Automotive"
    expect(first.get_by_role("link", name="Discard my entry and edit the saved version")).to_have_attribute(
        "href", f"/accounts/{account.pk}/edit/"
    )
    # when she re-applies her entry, then it is saved over Ben's
    first.get_by_role("button", name="Save my entry anyway").click()
    first.wait_for_url(re.compile(rf"/accounts/{account.pk}/$"))
    assert Account.objects.get(pk=account.pk).industry == "Chemicals"


def test_a_stale_board_move_shows_both_versions_and_the_keyboard_chooses(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    import datetime as dt
    from decimal import Decimal

    from kampass.accounts.services import account_create, team_member_set
    from kampass.pipeline.models import Opportunity, Stage
    from kampass.pipeline.services import opportunity_change_stage, opportunity_create, opportunity_update

    # given a key account manager who loaded the pipeline board with two cards
    admin = make_user("admin_conc", "admin", first_name="Adele", last_name="Admin")
    kam = make_user("kam_conc", "kam", first_name="Karla", last_name="Kammer")
    account = account_create(actor=admin, name="Helvetia Lifts AG", currency="CHF")
    team_member_set(actor=admin, account=account, user=kam, role="kam")
    close = timezone.localdate() + dt.timedelta(days=40)
    retrofit = opportunity_create(
        actor=kam, account=account, name="Escalator retrofit", amount=Decimal("250000"), expected_close_date=close
    )
    service = opportunity_create(
        actor=kam, account=account, name="Service contract", amount=Decimal("80000"), expected_close_date=close
    )
    stages = Stage.objects.filter(stage_set=retrofit.stage_set, kind="open").order_by("order")
    first, qualification, third = stages[0], stages[1], stages[2]
    login(page, "kam_conc")
    page.goto(f"{live_server.url}/pipeline/")
    card = page.locator(f"#opp-{retrofit.pk}")
    expect(card).to_be_visible()

    # and an administrator who changed the card's amount after that
    opportunity_update(actor=admin, opportunity=retrofit, amount=Decimal("99000"))

    # when the KAM drags the card to the next stage
    card.drag_to(page.locator(f"[data-testid=stage-{qualification.pk}]"))

    # then the card stays, and both versions are shown side by side with who changed it
    conflict = page.locator("[data-testid=move-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone else changed this card in the meantime")
    expect(conflict).to_contain_text("Adele Admin")
    expect(conflict.locator("[data-testid=mine]")).to_have_text(qualification.name)
    expect(conflict.locator("[data-testid=saved]")).to_have_text(first.name)
    expect(conflict.locator("[data-testid=saved-amount]")).to_contain_text("99,000.00 CHF")
    expect(page.locator(f"[data-testid=stage-{first.pk}] #opp-{retrofit.pk}")).to_be_visible()
    assert Opportunity.objects.get(pk=retrofit.pk).stage_id == first.pk

    # when the KAM presses Enter (the focus is on "move it anyway")
    anyway = conflict.locator("[data-testid=move-anyway]")
    expect(anyway).to_be_focused()
    page.keyboard.press("Enter")

    # then the card moves and keeps the amount saved by the administrator
    expect(page.locator(f"[data-testid=stage-{qualification.pk}] #opp-{retrofit.pk}")).to_be_visible()
    expect(page.locator("[data-testid=move-conflict]")).to_have_count(0)
    saved = Opportunity.objects.get(pk=retrofit.pk)
    assert (saved.stage_id, saved.amount) == (qualification.pk, Decimal("99000"))

    # given the other card, moved by the administrator after the board was swapped in
    opportunity_change_stage(actor=admin, opportunity=service, stage=third)
    # when the KAM moves it with the keyboard (the card's stage select) and keeps the saved version
    service_card = page.locator(f"#opp-{service.pk}")
    service_card.locator("[data-testid=card-stage]").select_option(str(qualification.pk))
    service_card.locator("[data-testid=card-move]").focus()
    page.keyboard.press("Enter")
    conflict = page.locator("[data-testid=move-conflict]")
    expect(conflict.locator("[data-testid=saved]")).to_have_text(third.name)
    # (the swap puts the focus on "move it anyway" once it has settled; wait for that before moving it,
    # or the settle takes the focus back and Enter moves the card)
    expect(conflict.locator("[data-testid=move-anyway]")).to_be_focused()
    conflict.locator("[data-testid=keep-theirs]").focus()
    expect(conflict.locator("[data-testid=keep-theirs]")).to_be_focused()
    page.keyboard.press("Enter")
    # then the board shows the card where the administrator put it, and nothing was written
    expect(page.locator("[data-testid=move-conflict]")).to_have_count(0)
    expect(page.locator(f"[data-testid=stage-{third.pk}] #opp-{service.pk}")).to_be_visible()
    assert Opportunity.objects.get(pk=service.pk).stage_id == third.pk
