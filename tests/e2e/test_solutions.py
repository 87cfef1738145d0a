"""End to end: the head of KAM adds a solution and links it to a key account; a key account manager
moves a co-creation initiative on the board with the keyboard (select and button, no dragging); a
viewer reads the board without move controls and is refused the forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_library_link_and_keyboard_move_on_the_board(
    live_server: Any, new_page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.tests.factories import TeamMemberFactory
    from kampass.solutions.models import Initiative, SolutionUse
    from kampass.solutions.tests.factories import key_account, make_initiative

    head = make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam")
    make_user("viewer_e2e", "viewer")
    globex = key_account("Globex")
    TeamMemberFactory(account=globex, user=kam)
    initiative = make_initiative(accounts=[globex], actor=head, name="Portal pilot", starts=dt.date(2026, 1, 5))
    base = live_server.url

    # the head of KAM adds a solution through the form and links it to Globex as a reference
    page = new_page()
    login(page, "head_e2e")
    page.goto(f"{base}/solutions/")
    page.click("[data-testid=new-solution]")
    page.fill("#id_name", "Spare-parts pool")
    page.fill("#id_segments", "Machinery, Food")
    with page.expect_navigation():
        page.click("[data-testid=main-form] button[type=submit]")
    expect(page.locator("[data-testid=solution-name]")).to_contain_text("Spare-parts pool")
    page.select_option("#id_account", label="Globex")
    page.check("#id_reference")
    with page.expect_navigation():
        page.click("[data-testid=link-use]")
    expect(page.locator("[data-testid=use-table]")).to_contain_text("Globex")
    assert SolutionUse.objects.filter(account=globex, reference=True).count() == 1
    # the library lists it with where it is used, and the search narrows the list (HTMX)
    page.goto(f"{base}/solutions/")
    page.fill("[data-testid=solution-search]", "pool")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=solution-table]")).to_contain_text("Globex")

    # the key account manager moves the initiative to the pilot stage by keyboard only
    kam_page = new_page()
    login(kam_page, "kam_e2e")
    kam_page.goto(f"{base}/solutions/initiatives/")
    select = kam_page.locator(f"#move-{initiative.pk}")
    select.focus()
    select.select_option("pilot")
    kam_page.keyboard.press("Tab")
    expect(kam_page.locator(f"[data-testid=move-{initiative.pk}]")).to_be_focused()
    with kam_page.expect_navigation():
        kam_page.keyboard.press("Enter")
    expect(kam_page.locator("section[data-stage=pilot]")).to_contain_text("Portal pilot")
    assert Initiative.objects.get(pk=initiative.pk).stage == "pilot"

    # a viewer reads the board without move controls and is refused the forms
    viewer_page = new_page()
    login(viewer_page, "viewer_e2e")
    viewer_page.goto(f"{base}/solutions/initiatives/")
    expect(viewer_page.locator("section[data-stage=pilot]")).to_contain_text("Portal pilot")
    assert viewer_page.locator(f"[data-testid=move-{initiative.pk}]").count() == 0
    response = viewer_page.goto(f"{base}/solutions/new/")
    assert response is not None
    assert response.status == 403
