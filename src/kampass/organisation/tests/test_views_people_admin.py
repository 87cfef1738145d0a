"""The pages that administer users and org units (administrators only) and the public set-password
page of the invitation link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampass.users.models import OrgUnit, Role, User
from kampass.users.services import invitation_link, user_create

STRONG = "Blue-Harbour-Lantern-7"
PAGES: list[tuple[str, list[int]]] = [
    ("organisation-users", []),
    ("organisation-user-create", []),
    ("organisation-units", []),
    ("organisation-unit-create", []),
]


@pytest.fixture
def units(db) -> dict[str, OrgUnit]:
    europe = OrgUnit.objects.create(name="Europe", code="EU")
    return {
        "europe": europe,
        "swiss": OrgUnit.objects.create(name="Switzerland", code="CH", country="CH", parent=europe),
    }


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("role", ["head", "kam", "controller", "viewer"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_only_administrators_see_the_pages(client, request, role, name, args):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize("role", ["head", "kam"])
def test_others_cannot_change_or_invite(client, request, role, kam2, units):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("organisation-user-edit", args=[kam2.pk]), {"role": "admin"}).status_code == 403
    assert client.post(reverse("organisation-user-invite", args=[kam2.pk])).status_code == 403
    assert client.post(reverse("organisation-unit-edit", args=[units["europe"].pk]), {"name": "X"}).status_code == 403
    kam2.refresh_from_db()
    assert kam2.role == Role.KAM


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("organisation-users"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_links_are_shown_to_administrators_only(client, admin_user, head):
    client.force_login(admin_user)
    overview = client.get(reverse("organisation-overview")).content.decode()
    assert reverse("organisation-users") in overview
    assert reverse("organisation-units") in overview
    assert 'data-testid="nav-users"' in overview
    client.force_login(head)
    overview = client.get(reverse("organisation-overview")).content.decode()
    assert reverse("organisation-users") not in overview
    assert 'data-testid="nav-users"' not in overview


# ---------------------------------------------------------------- the user list


def _row(html: str, testid: str) -> str:
    """The cells of the table row ``data-testid=testid``."""
    found = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S)
    assert found is not None, testid
    return found.group(1)


def _rows(response) -> list[str]:
    return re.findall(r'data-testid="user-(\d+)"', response.content.decode())


def test_the_list_searches_and_filters(client, admin_user, head, kam, kam2, units):
    kam.org_unit, kam.manager, kam.email = units["swiss"], head, "karl@example.com"
    kam.save()
    kam2.is_active = False
    kam2.save()
    client.force_login(admin_user)
    url = reverse("organisation-users")

    assert _rows(client.get(url, {"q": "karl@"})) == [str(kam.pk)]
    assert _rows(client.get(url, {"q": "head_t"})) == [str(head.pk)]
    assert _rows(client.get(url, {"q": "kam2 tester"})) == [str(kam2.pk)]
    assert sorted(_rows(client.get(url, {"role": "kam"}))) == sorted([str(kam.pk), str(kam2.pk)])
    assert _rows(client.get(url, {"org_unit": units["swiss"].pk})) == [str(kam.pk)]
    assert str(kam.pk) not in _rows(client.get(url, {"org_unit": "0"}))
    assert _rows(client.get(url, {"active": "0"})) == [str(kam2.pk)]
    assert str(kam2.pk) not in _rows(client.get(url, {"active": "1"}))
    assert _rows(client.get(url, {"role": "wizard", "q": "kam2"})) == [str(kam2.pk)]  # unknown role: all roles


def test_the_list_shows_who_reports_to_whom_and_sorts(client, admin_user, head, kam, kam2):
    for person in (kam, kam2):
        person.manager = head
        person.save()
    client.force_login(admin_user)

    html = client.get(reverse("organisation-users"), {"role": "kam"}).content.decode()
    row = _row(html, f"user-{kam.pk}")
    assert str(head) in row
    head_row = client.get(reverse("organisation-users"), {"q": "head_t"}).content.decode()
    assert re.search(r"<td>2</td>", head_row)  # two direct reports

    by_username = _rows(client.get(reverse("organisation-users"), {"sort": "username"}))
    by_username_desc = _rows(client.get(reverse("organisation-users"), {"sort": "username", "dir": "desc"}))
    assert by_username == list(reversed(by_username_desc))
    assert by_username[0] == str(admin_user.pk)


def test_the_list_is_paginated(client, admin_user, settings):
    settings.KAMPASS_PAGE_SIZE = 2
    for i in range(4):
        user_create(username=f"u{i}", password=None)
    client.force_login(admin_user)

    first = _rows(client.get(reverse("organisation-users")))
    third = _rows(client.get(reverse("organisation-users"), {"page": 3}))
    assert len(first) == 2
    assert len(third) == 1
    assert not set(first) & set(third)


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("organisation-users")).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_query_count_does_not_grow_with_the_users(client, admin_user, units):
    manager = user_create(username="boss", password=None, org_unit=units["europe"])
    for i in range(3):
        user_create(username=f"a{i}", password=None, org_unit=units["swiss"], manager=manager)
    client.force_login(admin_user)
    _list_queries(client)  # the first request fills the caches (worker state, permissions)
    few = _list_queries(client)
    for i in range(12):
        user_create(username=f"b{i}", password=None, org_unit=units["swiss"], manager=manager)
    assert _list_queries(client) == few


# ---------------------------------------------------------------- invite and edit


def test_an_administrator_invites_a_user(client, admin_user, head, units):
    client.force_login(admin_user)
    response = client.post(
        reverse("organisation-user-create"),
        {
            "username": "nina",
            "first_name": "Nina",
            "last_name": "Neu",
            "email": "nina@example.com",
            "role": "kam",
            "org_unit": units["swiss"].pk,
            "manager": head.pk,
        },
    )

    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert (nina.role, nina.org_unit, nina.manager) == (Role.KAM, units["swiss"], head)
    assert not nina.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.com"]
    assert "http://testserver/organisation/invitation/" in mail.outbox[0].body


def test_the_invitation_link_starts_with_the_configured_address(client, admin_user, settings):
    settings.KAMPASS_BASE_URL = "https://kam.example.com"
    client.force_login(admin_user)
    client.post(reverse("organisation-user-create"), {"username": "nina", "email": "nina@example.com", "role": "kam"})
    assert "https://kam.example.com/organisation/invitation/" in mail.outbox[0].body


def test_the_invite_form_shows_what_is_wrong(client, admin_user, kam):
    client.force_login(admin_user)
    response = client.post(
        reverse("organisation-user-create"), {"username": kam.username, "email": "not-an-address", "role": "kam"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a valid email address." in html
    response = client.post(
        reverse("organisation-user-create"), {"username": kam.username, "email": "x@example.com", "role": "kam"}
    )
    assert response.status_code == 422
    assert "A user with that username already exists." in response.content.decode()
    assert mail.outbox == []


def test_an_administrator_changes_role_org_unit_and_manager_and_deactivates(client, admin_user, head, kam, units):
    client.force_login(admin_user)
    url = reverse("organisation-user-edit", args=[kam.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "username": kam.username,
            "first_name": "Karla",
            "last_name": "Tester",
            "email": "karla@example.com",
            "role": "head",
            "org_unit": units["europe"].pk,
            "manager": head.pk,
            "is_active": "",
        },
    )

    assert response.status_code == 302
    kam.refresh_from_db()
    assert (kam.first_name, kam.email, kam.role, kam.org_unit, kam.manager, kam.is_active) == (
        "Karla", "karla@example.com", Role.HEAD, units["europe"], head, False
    )  # fmt: skip


def test_the_edit_form_refuses_a_manager_cycle(client, admin_user, head, kam):
    kam.manager = head
    kam.save()
    client.force_login(admin_user)

    response = client.post(
        reverse("organisation-user-edit", args=[head.pk]),
        {"username": head.username, "role": "head", "manager": kam.pk, "is_active": "on"},
    )

    assert response.status_code == 422
    assert "that would make a cycle" in response.content.decode()
    head.refresh_from_db()
    assert head.manager is None


def test_an_administrator_cannot_deactivate_themselves_in_the_form(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("organisation-user-edit", args=[admin_user.pk]),
        {"username": admin_user.username, "role": "admin", "is_active": ""},
    )
    assert response.status_code == 422
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_invitation_is_sent_again_for_a_user_without_a_password(client, admin_user, kam):
    nina = user_create(username="nina", password=None, email="nina@example.com")
    client.force_login(admin_user)
    assert b"resend-invitation" in client.get(reverse("organisation-user-edit", args=[nina.pk])).content
    assert b"resend-invitation" not in client.get(reverse("organisation-user-edit", args=[kam.pk])).content

    response = client.post(reverse("organisation-user-invite", args=[nina.pk]), follow=True)

    assert "The invitation was sent again to nina@example.com." in response.content.decode()
    assert len(mail.outbox) == 1
    response = client.post(reverse("organisation-user-invite", args=[kam.pk]), follow=True)
    assert "has set a password already" in response.content.decode()
    assert len(mail.outbox) == 1
    assert client.get(reverse("organisation-user-invite", args=[nina.pk])).status_code == 405


# ---------------------------------------------------------------- org units


def test_org_units_with_their_team_sizes(client, admin_user, kam, kam2, units):
    for person in (kam, kam2):
        person.org_unit = units["swiss"]
        person.save()
    kam2.is_active = False
    kam2.save()
    client.force_login(admin_user)

    html = client.get(reverse("organisation-units")).content.decode()

    row = _row(html, f"unit-{units['swiss'].pk}")
    assert "Europe" in row  # the parent
    assert re.search(r">1</a></td>", row)  # one active member


def test_an_administrator_creates_and_edits_an_org_unit_and_a_cycle_is_refused(client, admin_user, units):
    client.force_login(admin_user)
    response = client.post(
        reverse("organisation-unit-create"),
        {"name": "Zurich", "code": "ZH", "country": "ch", "parent": units["swiss"].pk},
    )
    assert response.status_code == 302
    zurich = OrgUnit.objects.get(name="Zurich")
    assert (zurich.country, zurich.parent) == ("CH", units["swiss"])

    response = client.post(
        reverse("organisation-unit-edit", args=[units["europe"].pk]), {"name": "Europe", "parent": zurich.pk}
    )
    assert response.status_code == 422
    assert "that would make a cycle" in response.content.decode()
    units["europe"].refresh_from_db()
    assert units["europe"].parent is None

    response = client.post(reverse("organisation-unit-create"), {"name": "Europe"})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    response = client.post(reverse("organisation-unit-create"), {"name": "Nowhere", "country": "12"})
    assert response.status_code == 422
    assert "Two-letter ISO code" in response.content.decode()
    assert not OrgUnit.objects.filter(name="Nowhere").exists()


# ---------------------------------------------------------------- the set-password page


def test_the_link_sets_the_password_and_logs_in(client, db):
    nina = user_create(username="nina", password=None, email="nina@example.com")
    url = invitation_link(user=nina, base_url="")

    assert client.get(url).status_code == 200
    mismatch = client.post(url, {"new_password1": STRONG, "new_password2": STRONG + "x"})
    assert mismatch.status_code == 422
    weak = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 422
    assert "at least 12 characters" in weak.content.decode()

    response = client.post(url, {"new_password1": STRONG, "new_password2": STRONG})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(nina.pk)
    nina.refresh_from_db()
    assert nina.check_password(STRONG)
    client.logout()
    assert client.get(url).status_code == 410  # used up
    assert (
        client.post(url, {"new_password1": "Other-Long-Secret-9", "new_password2": "Other-Long-Secret-9"}).status_code
        == 410
    )


def test_an_invalid_link_shows_why(client, db):
    response = client.get(reverse("invitation-accept", args=["Mw", "bad-token"]))
    assert response.status_code == 410
    assert b"invitation-invalid" in response.content


def test_the_set_password_page_speaks_german(client, db):
    nina = user_create(username="nina", password=None, email="nina@example.com", language="de")
    response = client.get(invitation_link(user=nina, base_url=""), HTTP_ACCEPT_LANGUAGE="de")
    assert "Passwort setzen" in response.content.decode()
