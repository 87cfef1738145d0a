"""End to end: what a key account manager and a viewer may see and do in the browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EDIT_CONTROLS = ("edit-account", "add-contact", "add-team-member", "change-status")


@pytest.fixture
def two_accounts(make_user: Any) -> dict[str, Any]:
    """Accounts A (the KAM is on its team) and B (the KAM is not), created by an administrator."""
    from kampass.accounts import services

    admin = make_user("admin_e2e", "admin")
    kam = make_user("kam_e2e", "kam", first_name="Karla", last_name="Kammer")
    a = services.account_create(actor=admin, name="Alpha Werke", kam_status="key_account")
    b = services.account_create(actor=admin, name="Beta Chemie", kam_status="strategic")
    services.team_member_set(actor=admin, account=a, user=kam, role="kam")
    return {"admin": admin, "kam": kam, "a": a, "b": b}


def test_kam_sees_edit_controls_only_on_own_accounts(
    live_server: Any, page: Any, two_accounts: dict[str, Any], login: Any
) -> None:
    a, b = two_accounts["a"], two_accounts["b"]
    login(page, "kam_e2e")

    page.goto(f"{live_server.url}/accounts/{b.pk}/")
    expect(page.locator("[data-testid=account-name]")).to_contain_text("Beta Chemie")
    expect(page.locator("[data-testid=restricted]")).to_be_visible()
    for testid in EDIT_CONTROLS:
        expect(page.locator(f"[data-testid={testid}]")).to_have_count(0)
    expect(page.locator("[data-testid=history]")).to_have_count(0)
    expect(page.locator("[data-testid=relationship-map]")).to_have_count(0)

    page.goto(f"{live_server.url}/accounts/{a.pk}/")
    expect(page.locator("[data-testid=account-name]")).to_contain_text("Alpha Werke")
    expect(page.locator("[data-testid=restricted]")).to_have_count(0)
    for testid in EDIT_CONTROLS:
        expect(page.locator(f"[data-testid={testid}]")).to_be_visible()


def test_kam_cannot_post_edits_to_a_foreign_account(
    live_server: Any, page: Any, two_accounts: dict[str, Any], login: Any, csrf_token: Any
) -> None:
    from kampass.accounts.models import Account

    a, b = two_accounts["a"], two_accounts["b"]
    login(page, "kam_e2e")
    page.goto(f"{live_server.url}/accounts/{a.pk}/")
    token = csrf_token(page)
    headers = {"X-CSRFToken": token, "Referer": page.url}

    # the forged edit of B is refused by the permission check ...
    resp = page.request.post(
        f"{live_server.url}/accounts/{b.pk}/edit/",
        form={"name": "Beta Chemie (hacked)", "currency": "EUR"},
        headers=headers,
        max_redirects=0,
    )
    assert resp.status == 403, resp.text()[:500]
    assert "You do not have permission to do this." in resp.text()  # our 403 page, not a CSRF failure
    b.refresh_from_db()
    assert b.name == "Beta Chemie"
    assert Account.objects.filter(name__icontains="hacked").count() == 0

    # ... while the same request (same session and token) on A, whose team the KAM is on, goes through
    resp = page.request.post(
        f"{live_server.url}/accounts/{a.pk}/edit/",
        form={"name": "Alpha Werke Holding", "currency": "EUR"},
        headers=headers,
        max_redirects=0,
    )
    assert resp.status == 302, resp.text()[:500]
    assert resp.headers["location"] == f"/accounts/{a.pk}/"
    a.refresh_from_db()
    assert a.name == "Alpha Werke Holding"


def test_viewer_cannot_create_accounts(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    from kampass.accounts import services

    admin = make_user("admin_e2e", "admin")
    services.account_create(actor=admin, name="Gamma Logistik")
    make_user("viewer_e2e", "viewer")
    login(page, "viewer_e2e")

    page.goto(f"{live_server.url}/accounts/")
    expect(page.locator("[data-testid=account-table]")).to_contain_text("Gamma Logistik")
    expect(page.locator("[data-testid=new-account]")).to_have_count(0)

    resp = page.goto(f"{live_server.url}/accounts/new/")
    assert resp is not None
    assert resp.status == 403
    expect(page.locator("main")).to_contain_text("You do not have permission to do this.")
    assert re.search(r"/accounts/new/$", page.url)
