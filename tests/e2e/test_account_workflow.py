"""End to end: a head of KAM builds up a key account in the browser; the account list (search, filter,
sort, pages)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FORM = "[data-testid=main-form]"


def submit_main_form(page: Any, url_pattern: re.Pattern[str]) -> None:
    """Submit the page's main form (HTMX) and wait for the HX-Redirect navigation to ``url_pattern``.

    If the server answers with the form again (validation errors), fail with those errors.
    """
    page.click(f"{FORM} button[type=submit]")
    try:
        page.wait_for_url(url_pattern)
    except PlaywrightTimeoutError:
        errors = page.locator(f"{FORM} .field-error, {FORM} .error").all_inner_texts()
        pytest.fail(f"form was not accepted (still on {page.url}); errors shown: {errors}")
    page.wait_for_load_state("load")


def cockpit_url(pk: int) -> re.Pattern[str]:
    return re.compile(rf"/accounts/{pk}/(#[\w-]*)?$")


def test_head_of_kam_builds_up_a_key_account(
    live_server: Any, page: Any, new_page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.models import Account, Contact, TeamMember

    head = make_user("head_e2e", "head", first_name="Hanna", last_name="Head")
    kam = make_user("kam_e2e", "kam", first_name="Karla", last_name="Kammer")
    base = live_server.url

    login(page, "head_e2e")

    # ---- new top-level account from the account list
    page.goto(f"{base}/accounts/")
    page.click("[data-testid=new-account]")
    page.wait_for_url(re.compile(r"/accounts/new/$"))
    page.fill("#id_name", "Helvetia Industrie Gruppe")
    page.select_option("#id_kam_status", "key_account")
    submit_main_form(page, re.compile(r"/accounts/\d+/$"))
    group = Account.objects.get(name="Helvetia Industrie Gruppe", parent=None)
    assert group.kam_status == "key_account"
    assert page.url.endswith(f"/accounts/{group.pk}/")
    expect(page.locator("[data-testid=account-name]")).to_contain_text("Helvetia Industrie Gruppe")
    expect(page.locator("[data-testid=account-name]")).to_contain_text("Key account")

    # ---- two subsidiaries through "Add subsidiary" (the parent is pre-filled)
    for name in ("Helvetia Industrie AG", "Helvetia Deutschland GmbH"):
        page.goto(f"{base}/accounts/{group.pk}/")
        page.click("[data-testid=add-subsidiary]")
        page.wait_for_url(re.compile(rf"/accounts/new/\?parent={group.pk}$"))
        expect(page.locator("#id_parent")).to_have_value(str(group.pk))
        expect(page.locator("#id_parent_search")).to_have_value("Helvetia Industrie Gruppe")
        page.fill("#id_name", name)
        submit_main_form(page, re.compile(r"/accounts/\d+/$"))
        child = Account.objects.get(name=name)
        assert child.parent_id == group.pk
        assert page.url.endswith(f"/accounts/{child.pk}/")
        expect(page.locator("[data-testid=account-name]")).to_contain_text(name)

    page.goto(f"{base}/accounts/{group.pk}/")
    subtree = page.locator("[data-testid=subtree] tbody")
    expect(subtree.locator("tr")).to_have_count(3)
    expect(subtree).to_contain_text("Helvetia Industrie Gruppe")
    expect(subtree).to_contain_text("Helvetia Industrie AG")
    expect(subtree).to_contain_text("Helvetia Deutschland GmbH")

    # ---- two contacts in the buying centre of the group
    page.click("[data-testid=add-contact]")
    page.wait_for_url(re.compile(rf"/accounts/{group.pk}/contacts/new/$"))
    page.fill("#id_first_name", "Clara")
    page.fill("#id_last_name", "Chef")
    page.fill("#id_title", "CEO")
    expect(page.locator("#id_in_buying_centre")).to_be_checked()
    page.check("input[name=roles][value=decider]")
    page.check("input[name=roles][value=economic_buyer]")
    page.fill("#id_influence", "9")
    submit_main_form(page, cockpit_url(group.pk))
    ceo = Contact.objects.get(last_name="Chef")

    page.click("[data-testid=add-contact]")
    page.wait_for_url(re.compile(rf"/accounts/{group.pk}/contacts/new/$"))
    page.fill("#id_first_name", "Paul")
    page.fill("#id_last_name", "Einkauf")
    page.fill("#id_title", "Head of Purchasing")
    page.select_option("#id_reports_to", str(ceo.pk))
    page.check("input[name=roles][value=buyer]")
    page.fill("#id_influence", "8")
    submit_main_form(page, cockpit_url(group.pk))
    purchasing = Contact.objects.get(last_name="Einkauf")
    assert purchasing.positions.get(account=group).reports_to_id == ceo.pk

    bc = page.locator("[data-testid=buying-centre]")
    expect(bc.locator(f"[data-testid=person-{ceo.pk}]")).to_contain_text("Decider")
    expect(bc.locator(f"[data-testid=person-{ceo.pk}]")).to_contain_text("Economic buyer")
    expect(bc.locator(f"[data-testid=person-{purchasing.pk}]")).to_contain_text("Clara Chef")  # reports to

    # ---- the relationship map draws, and both high-influence contacts are coverage gaps
    chart = page.locator("[data-testid=relationship-map]")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart.locator("svg").first).to_be_visible()
    gaps = page.locator("[data-testid=coverage-gaps]")
    expect(gaps.locator("li")).to_have_count(2)
    expect(gaps.locator("li", has_text="Clara Chef")).to_contain_text("nobody covers this contact")
    expect(gaps.locator("li", has_text="Paul Einkauf")).to_contain_text("nobody covers this contact")

    # ---- a key account manager joins the team and covers the CEO
    page.click("[data-testid=add-team-member]")
    page.wait_for_url(re.compile(rf"/accounts/{group.pk}/team/new/$"))
    page.select_option("#id_user", str(kam.pk))
    page.select_option("#id_role", "kam")
    submit_main_form(page, cockpit_url(group.pk))
    member = TeamMember.objects.get(account=group, user=kam)
    assert member.role == "kam"
    expect(page.locator("#team")).to_contain_text("Karla Kammer")

    page.click("[data-testid=add-coverage]")
    page.wait_for_url(re.compile(rf"/accounts/{group.pk}/coverage/new/$"))
    page.select_option("#id_team_member", str(member.pk))
    page.select_option("#id_contact", str(ceo.pk))
    page.select_option("#id_level_now", "4")
    page.select_option("#id_level_target", "4")
    submit_main_form(page, cockpit_url(group.pk))

    gaps = page.locator("[data-testid=coverage-gaps]")
    expect(gaps.locator("li")).to_have_count(1)
    expect(gaps).to_contain_text("Paul Einkauf")
    expect(gaps).not_to_contain_text("Clara Chef")
    expect(page.locator("#coverage")).to_contain_text("Trusted advisor")
    expect(page.locator("[data-testid=relationship-map]")).to_have_attribute("data-ready", "1")

    # ---- the change history records what happened (account, positions, buying centre, team, coverage)
    history = page.locator("[data-testid=history]")
    expect(history).to_be_visible()
    assert history.locator("tbody tr").count() >= 7
    expect(history).to_contain_text("Hanna Head")
    expect(history).to_contain_text("Clara Chef")
    expect(history).to_contain_text("Karla Kammer")

    # ---- switch the UI to German with the header button; the choice is stored on the user
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.click("[data-testid=lang-de]")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert page.evaluate("document.documentElement.lang") == "de"
    assert re.search(rf"/accounts/{group.pk}/", page.url)  # back on the same page
    expect(page.locator("[data-testid=lang-de]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-testid=logout]")).to_have_text("Abmelden")
    expect(page.locator("nav.mainnav")).to_contain_text("Accounts")
    expect(page.locator("#buying-centre h2")).to_contain_text("Buying Center")
    head.refresh_from_db()
    assert head.language == "de"

    response = page.reload()
    assert response is not None
    assert response.headers.get("content-language") == "de"
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.goto(f"{base}/accounts/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    # stored per user, not only in the cookie: a fresh browser context (English, no cookie) gets German after login
    other = new_page()
    login(other, "head_e2e")
    expect(other.locator("html")).to_have_attribute("lang", "de")

    # ---- log out and land on the login page
    with page.expect_navigation():
        page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r"/login/"))
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("[data-testid=logout]")).to_have_count(0)


# ---------------------------------------------------------------- account list

N_PLAIN = 57  # "Account 001" .. "Account 057"
ZEPHYRS = ("Zephyr Alpha", "Zephyr Beta", "Zephyr Gamma")
TOTAL = N_PLAIN + len(ZEPHYRS)  # 60 accounts -> 3 pages of 25
STRATEGIC = {f"Account {i:03d}" for i in range(5, N_PLAIN + 1, 10)}  # Account 005, 015, ..., 055: 6 accounts


@pytest.fixture
def many_accounts(make_user: Any) -> Any:
    from kampass.accounts import services

    admin = make_user("admin_e2e", "admin")
    for i in range(1, N_PLAIN + 1):
        name = f"Account {i:03d}"
        services.account_create(
            actor=admin,
            name=name,
            kam_status="strategic" if name in STRATEGIC else "prospect",
            industry="Chemicals" if i % 2 else "Machinery",
            country="CH" if i % 3 else "DE",
        )
    for name in ZEPHYRS:
        services.account_create(actor=admin, name=name, kam_status="candidate", legal_name=f"{name} AG")
    return admin


def first_names(page: Any) -> list[str]:
    return page.locator("[data-testid=account-table] tbody tr td:first-child a").all_inner_texts()


def test_account_list_search_filter_sort_and_pages(live_server: Any, page: Any, many_accounts: Any, login: Any) -> None:
    login(page, "admin_e2e")
    page.goto(f"{live_server.url}/accounts/")
    count = page.locator("#results p.count")
    rows = page.locator("[data-testid=account-table] tbody tr")
    pager = page.locator("#results nav.pager")

    expect(count).to_have_text(f"{TOTAL} accounts")
    expect(rows).to_have_count(25)
    expect(pager).to_contain_text("page 1 of 3")

    # ---- search narrows the table without a page load
    page.evaluate("window.__same_document = true")
    page.fill("main input[name=q]", "zephyr")
    expect(count).to_have_text("3 accounts")
    expect(rows).to_have_count(3)
    assert sorted(first_names(page)) == sorted(ZEPHYRS)
    expect(pager).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]q=zephyr"))
    assert page.evaluate("window.__same_document") is True, "the search reloaded the page instead of using HTMX"

    page.fill("main input[name=q]", "Account 04")
    expect(count).to_have_text("10 accounts")
    page.fill("main input[name=q]", "")
    expect(count).to_have_text(f"{TOTAL} accounts")

    # ---- status filter
    page.select_option("select[name=status]", "strategic")
    expect(count).to_have_text(f"{len(STRATEGIC)} accounts")
    assert set(first_names(page)) == STRATEGIC
    expect(page).to_have_url(re.compile(r"[?&]status=strategic"))
    page.select_option("select[name=status]", "")
    expect(count).to_have_text(f"{TOTAL} accounts")
    assert page.evaluate("window.__same_document") is True

    # ---- sorting by name: the list starts ascending; the header toggles the direction
    name_header = page.locator("[data-testid=account-table] thead th").first.locator("a")
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    assert first_names(page)[0] == "Account 001"
    name_header.click()
    expect(name_header).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Zephyr Gamma")
    assert first_names(page)[:4] == ["Zephyr Gamma", "Zephyr Beta", "Zephyr Alpha", "Account 057"]
    expect(page).to_have_url(re.compile(r"sort=name&dir=desc"))
    name_header = page.locator("[data-testid=account-table] thead th").first.locator("a")
    name_header.click()
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_contain_text("Account 001")
    name_header.click()
    expect(name_header).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Zephyr Gamma")

    # ---- pagination (descending by name): page 2 of 3 starts with the 26th name
    expect(pager).to_contain_text("page 1 of 3")
    expect(pager.locator("a[rel=prev]")).to_have_count(0)
    pager.locator("a[rel=next]").click()
    expect(pager).to_contain_text("page 2 of 3")
    expect(rows).to_have_count(25)
    expected = sorted([f"Account {i:03d}" for i in range(1, N_PLAIN + 1)], reverse=True)
    assert first_names(page) == expected[22:47]
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(page).to_have_url(re.compile(r"dir=desc"))
    assert page.evaluate("window.__same_document") is True

    # the pushed URL is a real page: reloading shows the same state
    page.reload()
    expect(pager).to_contain_text("page 2 of 3")
    assert first_names(page) == expected[22:47]
    pager.locator("a[rel=next]").click()
    expect(pager).to_contain_text("page 3 of 3")
    expect(rows).to_have_count(TOTAL - 50)
    expect(pager.locator("a[rel=next]")).to_have_count(0)
