"""The admin site for users, org units and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse

from kampass.users.models import ApiToken, OrgUnit, Role, User
from kampass.users.services import token_authenticate, token_create, user_create


@pytest.fixture
def site_admin(db) -> User:
    """An administrator as ``kampass createuser --role admin`` makes one (staff and superuser)."""
    return user_create(username="site_admin", password="irrelevant", role=Role.ADMIN, validate=False)


def test_users_org_units_and_tokens_are_registered():
    # then
    for model in (User, OrgUnit, ApiToken):
        assert admin.site.is_registered(model)


def test_the_user_list_shows_and_filters_by_role(client, site_admin, kam, viewer):
    # given
    client.force_login(site_admin)

    # when
    everyone = client.get(reverse("admin:users_user_changelist"))
    kams = client.get(reverse("admin:users_user_changelist"), {"role__exact": Role.KAM})

    # then
    assert everyone.status_code == 200
    assert {u.username for u in everyone.context["cl"].result_list} == {"site_admin", kam.username, viewer.username}
    assert [u.username for u in kams.context["cl"].result_list] == [kam.username]


def test_the_user_form_edits_role_and_language(client, site_admin, kam):
    # given
    client.force_login(site_admin)
    url = reverse("admin:users_user_change", args=[kam.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions")}
    data.update(
        {
            "role": Role.HEAD,
            "language": "de",
            "date_joined_0": kam.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": kam.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    # when
    response = client.post(url, data)

    # then
    assert "role" in form.fields
    assert "language" in form.fields
    assert response.status_code == 302, response.context["adminform"].form.errors
    kam.refresh_from_db()
    assert (kam.role, kam.language) == (Role.HEAD, "de")


def test_the_token_admin_never_shows_the_hash(client, site_admin, kam):
    # given
    token, _ = token_create(user=kam, name="laptop")
    client.force_login(site_admin)

    # when
    listing = client.get(reverse("admin:users_apitoken_changelist"))
    change = client.get(reverse("admin:users_apitoken_change", args=[token.pk]))

    # then
    assert token.prefix in listing.content.decode()
    assert "token_hash" not in change.context["adminform"].form.fields
    assert token.token_hash not in change.content.decode()
    assert token.token_hash not in listing.content.decode()


def test_org_units_are_searched_by_name_or_code(client, site_admin):
    # given
    OrgUnit.objects.create(name="Schweiz", code="CH01", country="CH")
    OrgUnit.objects.create(name="Deutschland", code="DE01", country="DE")
    client.force_login(site_admin)

    # when
    by_code = client.get(reverse("admin:users_orgunit_changelist"), {"q": "de01"})

    # then
    assert [u.name for u in by_code.context["cl"].result_list] == ["Deutschland"]


def test_a_kam_without_staff_status_is_sent_to_the_admin_login(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.get(reverse("admin:users_user_changelist"))

    # then
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_adding_a_user_in_the_admin_refuses_a_short_password(client, site_admin):
    # given
    client.force_login(site_admin)
    url = reverse("admin:users_user_add")
    data = {"username": "anna", "usable_password": "true", "password1": "Tr0ub4dor&3", "password2": "Tr0ub4dor&3"}

    # when
    short = client.post(url, data)
    strong = client.post(url, data | {"password1": "Tr0ub4dor&3x", "password2": "Tr0ub4dor&3x"})

    # then: 11 characters are refused with the reason; 12 are taken
    assert short.status_code == 200
    assert "at least 12 characters" in " ".join(short.context["adminform"].form.errors["password2"])
    assert strong.status_code == 302
    assert User.objects.get(username="anna").check_password("Tr0ub4dor&3x")


def test_changing_a_password_in_the_admin_refuses_a_short_password(client, site_admin, kam):
    # given
    client.force_login(site_admin)
    url = reverse("admin:auth_user_password_change", args=[kam.pk])

    # when
    response = client.post(url, {"password1": "Tr0ub4dor&3", "password2": "Tr0ub4dor&3"})

    # then
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    kam.refresh_from_db()
    assert not kam.check_password("Tr0ub4dor&3")


def test_a_token_added_in_the_admin_gets_its_lifetime_and_is_shown_once(client, site_admin, kam):
    # given
    client.force_login(site_admin)

    # when
    form = client.get(reverse("admin:users_apitoken_add"))
    response = client.post(
        reverse("admin:users_apitoken_add"), {"user": kam.pk, "name": "laptop", "days": "14"}, follow=True
    )

    # then: the form offers the default lifetime; the token works and expires in 14 days
    assert form.context["adminform"].form.fields["days"].initial() == 90
    token = ApiToken.objects.get(user=kam)
    assert token.expires_at is not None
    assert abs(token.expires_at - token.created_at - timedelta(days=14)) < timedelta(seconds=5)
    shown = [str(m) for m in response.context["messages"]]
    raw = shown[0].rsplit(" ", 1)[-1]
    assert token_authenticate(raw) == kam
    assert raw.startswith(token.prefix)
    listing = client.get(reverse("admin:users_apitoken_changelist")).content.decode()
    assert raw not in listing
