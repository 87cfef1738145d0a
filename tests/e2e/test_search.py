"""End to end: the global search from any page by keyboard. A key account manager presses "/" on the
contact list, types a query into the search field of the top bar, sees the live results grouped by type
(only what they may see), moves to a hit with the arrow keys and follows it with Enter; "/" typed into
another field stays there, Ctrl+K focuses the search field too, and without JavaScript the same query
gives the search page. No Content-Security-Policy violation on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
));
"""


def test_slash_focuses_the_search_and_the_keyboard_follows_a_grouped_hit(
    live_server: Any, new_page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.tests.factories import AccountFactory, ContactFactory, PositionFactory, TeamMemberFactory
    from kampass.pipeline.tests.factories import make_opportunity

    kam = make_user("kam_e2e", "kam")
    mine = AccountFactory(name="Falcon Mine", kam_status="key_account")
    other = AccountFactory(name="Falcon Other", kam_status="key_account")
    TeamMemberFactory(account=mine, user=kam)
    PositionFactory(contact=ContactFactory(first_name="Fay", last_name="Falconer"), account=mine)
    deal = make_opportunity(account=mine, name="Falcon retrofit")
    make_opportunity(account=other, name="Falcon secret deal")
    base = live_server.url

    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, "kam_e2e")
    page.goto(f"{base}/accounts/contacts/")

    # "/" typed into the page's own search field is text, not the shortcut
    page.locator("main input[name=q]").focus()
    page.keyboard.type("a/")
    expect(page.locator("main input[name=q]")).to_have_value("a/")
    expect(page.locator("#global-search")).not_to_be_focused()
    # the list's own search pushes its query into the address after a pause: wait for it, so that this
    # history entry cannot be taken for the navigation to the hit further down
    expect(page).to_have_url(re.compile(r"/accounts/contacts/\?q=a%2F$"))

    # "/" elsewhere focuses the search field of the top bar
    page.locator("h1").click()
    page.keyboard.press("/")
    field = page.locator("#global-search")
    expect(field).to_be_focused()
    page.keyboard.type("falc")

    results = page.locator("[data-testid=global-search-results]")
    expect(results.locator("[data-testid=search-group-opportunities]")).to_contain_text("Falcon retrofit")
    groups = results.locator("section.search-group h2")
    expect(groups).to_have_text(["Accounts", "Contacts", "Opportunities"])
    expect(results).not_to_contain_text("Falcon secret deal")  # not on this KAM's accounts
    expect(results.locator("[data-testid=search-group-contacts]")).to_contain_text("Fay Falconer")

    # the arrow keys move through the hits in order: two accounts, one contact, then the opportunity
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    expect(page.locator("a.search-hit:focus")).to_contain_text("Falcon retrofit")
    page.keyboard.press("ArrowUp")
    expect(page.locator("a.search-hit:focus")).to_contain_text("Fay Falconer")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/pipeline/opportunities/{deal.pk}/$"))

    # Ctrl+K focuses the field on any page; Escape closes the live results
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    expect(field).to_be_focused()
    page.keyboard.type("fa")
    expect(results.locator("[data-testid=search-group-accounts]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(results).to_be_empty()

    # Enter in the field (or no JavaScript at all) shows the search page with the same groups
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=fa"))
    expect(page.locator("#search-page-results [data-testid=search-group-opportunities]")).to_contain_text(
        "Falcon retrofit"
    )
    assert page.evaluate("window.__cspViolations") == []
