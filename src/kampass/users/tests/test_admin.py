"""The admin site for users, org units and API tokens."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from kampass.users.models import ApiToken, OrgUnit, Role, User
from kampass.users.services import token_create, user_create


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
