"""End to end: two people edit the same account at once; the second save shows the conflict screen with both
versions instead of silently overwriting the first, and lets the user re-apply their entry."""

from __future__ import annotations

import re
from typing import Any

import pytest
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
