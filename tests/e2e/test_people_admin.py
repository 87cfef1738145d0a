"""End to end: an administrator invites a user in the browser; the user opens the link of the invitation
mail, sets a password, is logged in, and later logs in with it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Blue-Harbour-Lantern-7"
E2E_PASSWORD = "e2e-Pass-word-93"  # the password of conftest's make_user


def test_admin_invites_a_user_who_sets_a_password_and_logs_in(
    live_server: Any, page: Any, new_page: Any, make_user: Any, login: Any
) -> None:
    from django.core import mail

    from kampass.users.models import OrgUnit, User

    make_user("admin_e2e", "admin")
    make_user("head_e2e", "head", first_name="Hanna", last_name="Head")
    OrgUnit.objects.create(name="Switzerland", code="CH", country="CH")

    # the administrator reaches the users from the main navigation and invites Nina
    login(page, "admin_e2e")
    page.click("[data-testid=nav-users]")
    expect(page.locator("h1")).to_have_text("Users")
    page.click("[data-testid=invite-user]")
    page.fill("#id_username", "nina")
    page.fill("#id_first_name", "Nina")
    page.fill("#id_last_name", "Neu")
    page.fill("#id_email", "nina@example.com")
    page.select_option("#id_role", "kam")
    page.select_option("#id_org_unit", label="Switzerland")
    page.select_option("#id_manager", label="Hanna Head")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("invited by e-mail to nina@example.com")
    nina = User.objects.get(username="nina")
    row = page.locator(f"[data-testid=user-{nina.pk}]")
    expect(row).to_contain_text("Hanna Head")
    expect(row).to_contain_text("invited")

    # Nina opens the link of her invitation mail in her own browser and sets her password
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/organisation/invitation/\S+/", mail.outbox[0].body)
    assert link is not None
    assert link.group(0).startswith(live_server.url)
    guest = new_page()
    guest.goto(link.group(0))
    guest.fill("#id_new_password1", "short")
    guest.fill("#id_new_password2", "short")
    with guest.expect_navigation():
        guest.click("[data-testid=set-password]")
    expect(guest.locator("main")).to_contain_text("at least 12 characters")
    guest.fill("#id_new_password1", NEW_PASSWORD)
    guest.fill("#id_new_password2", NEW_PASSWORD)
    with guest.expect_navigation():
        guest.click("[data-testid=set-password]")
    expect(guest.locator("[data-testid=my-settings]")).to_have_text("Nina Neu")

    # the link is used up; Nina logs in again with her password
    guest.click("[data-testid=logout]")
    guest.goto(link.group(0))
    expect(guest.locator("[data-testid=invitation-invalid]")).to_be_visible()
    login(guest, "nina", NEW_PASSWORD)
    expect(guest.locator("[data-testid=my-settings]")).to_have_text("Nina Neu")


def test_a_deactivated_user_cannot_log_in(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    make_user("admin_e2e", "admin")
    kam = make_user("kam_e2e", "kam", first_name="Karla", last_name="Kammer")

    login(page, "admin_e2e")
    page.goto(f"{live_server.url}/organisation/users/{kam.pk}/edit/")
    page.uncheck("#id_is_active")
    with page.expect_navigation():
        page.click("main form:has(#id_is_active) button[type=submit]")
    expect(page.locator(f"[data-testid=user-{kam.pk}]")).to_contain_text("deactivated")

    page.click("[data-testid=logout]")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "kam_e2e")
    page.fill("#id_password", E2E_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login/" in page.url
    expect(page.locator("[data-testid=logout]")).to_have_count(0)
