"""Authentication and the denials of the JSON API: the same permissions as the UI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from kampass.accounts.models import Account, BuyingCentreMember, TeamMember
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
    PositionFactory,
    TeamMemberFactory,
)
from kampass.users.services import token_create, token_revoke

Api = Callable[..., Any]


@pytest.fixture
def foreign(admin_user):
    """An account with a contact in its buying centre, on whose team ``kam`` is not."""
    account = AccountFactory(name="Foreign", industry="Pharma")
    contact = PositionFactory(account=account, contact=ContactFactory(last_name="Cramer")).contact
    BuyingCentreMemberFactory(account=account, contact=contact, roles=["decider"], influence=8)
    return account


@pytest.fixture
def own(admin_user, kam):
    """A group ``kam`` works on, with a subsidiary."""
    group = AccountFactory(name="Own group")
    TeamMemberFactory(account=group, user=kam)
    AccountFactory(name="Own subsidiary", parent=group)
    return group


# ---------------------------------------------------------------- authentication


def test_request_without_credentials_is_401(client, foreign):
    # when
    response = client.get("/api/v1/accounts")
    # then
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("header", ["Bearer kp_not-a-real-token", "Bearer ", "Token abc", "kp_abc"])
def test_invalid_token_is_401(client, foreign, header):
    # when
    response = client.get("/api/v1/accounts", headers={"Authorization": header})
    # then
    assert response.status_code == 401


def test_invalid_token_on_a_write_is_401_and_nothing_saved(client, foreign):
    # when
    response = client.post(
        "/api/v1/accounts",
        {"name": "Sneaky"},
        content_type="application/json",
        headers={"Authorization": "Bearer kp_wrong"},
    )
    # then
    assert response.status_code == 401
    assert not Account.objects.filter(name="Sneaky").exists()


def test_revoked_token_is_401(client, viewer, foreign):
    # given
    token, raw = token_create(user=viewer)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/accounts", headers=headers).status_code == 200
    # when
    token_revoke(token=token)
    response = client.get("/api/v1/accounts", headers=headers)
    # then
    assert response.status_code == 401


def test_token_of_deactivated_user_is_401(client, viewer, foreign):
    # given
    _, raw = token_create(user=viewer)
    viewer.is_active = False
    viewer.save()
    # when
    response = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {raw}"})
    # then
    assert response.status_code == 401


def test_session_reads_without_csrf_but_writes_need_it(viewer, head, foreign):
    # given: browser clients that enforce CSRF like a real browser session
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(viewer)
    writer = Client(enforce_csrf_checks=True)
    writer.force_login(head)
    # when
    read = reader.get("/api/v1/accounts")
    without_csrf = writer.post("/api/v1/accounts", {"name": "No CSRF"}, content_type="application/json")
    secret = get_random_string(32)
    writer.cookies["csrftoken"] = secret
    with_csrf = writer.post(
        "/api/v1/accounts", {"name": "With CSRF"}, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    # then
    assert read.status_code == 200
    assert without_csrf.status_code == 403
    assert not Account.objects.filter(name="No CSRF").exists()
    assert with_csrf.status_code == 201
    assert Account.objects.get(name="With CSRF").history.get().history_user == head


# ---------------------------------------------------------------- key account manager


def test_kam_lists_all_accounts_as_master_data(api, kam, own, foreign):
    # when
    response = api(kam, "get", "/accounts")
    # then
    assert response.json()["count"] == 3
    assert api(kam, "get", f"/accounts/{foreign.pk}").status_code == 200


def test_kam_cannot_patch_foreign_account(api, kam, foreign):
    # when
    response = api(kam, "patch", f"/accounts/{foreign.pk}", {"name": "Hijacked", "industry": "Other"})
    # then
    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)
    foreign.refresh_from_db()
    assert (foreign.name, foreign.industry) == ("Foreign", "Pharma")
    assert foreign.history.count() == 1


def test_kam_cannot_change_status_of_foreign_account(api, kam, foreign):
    # when
    response = api(kam, "patch", f"/accounts/{foreign.pk}", {"kam_status": "key_account", "status_reason": "Mine"})
    # then
    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.kam_status == "prospect"
    assert foreign.status_changes.count() == 1


def test_kam_cannot_move_own_account_below_foreign_one(api, kam, own, foreign):
    # when
    response = api(kam, "patch", f"/accounts/{own.pk}", {"parent_id": foreign.pk})
    # then
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.parent_id is None


def test_kam_cannot_delete_foreign_account(api, kam, foreign):
    # when
    response = api(kam, "delete", f"/accounts/{foreign.pk}")
    # then
    assert response.status_code == 403
    assert Account.objects.filter(pk=foreign.pk).exists()


def test_kam_cannot_add_child_to_foreign_account(api, kam, foreign):
    # when
    response = api(kam, "post", "/accounts", {"name": "Branch", "parent_id": foreign.pk})
    # then
    assert response.status_code == 403
    assert not foreign.children.exists()


def test_kam_edits_own_subsidiary_through_the_group_team(api, kam, own):
    # given
    subsidiary = own.children.get()
    # when
    response = api(kam, "patch", f"/accounts/{subsidiary.pk}", {"industry": "Chemicals"})
    # then
    assert response.status_code == 200
    subsidiary.refresh_from_db()
    assert subsidiary.industry == "Chemicals"


@pytest.mark.parametrize("detail", ["buying-centre", "positions", "team", "coverage", "status-history"])
def test_kam_cannot_read_details_of_foreign_account(api, kam, foreign, detail):
    # when
    response = api(kam, "get", f"/accounts/{foreign.pk}/{detail}")
    # then
    assert response.status_code == 403


@pytest.mark.parametrize("detail", ["buying-centre", "positions", "team", "coverage", "status-history"])
def test_kam_reads_details_of_own_subsidiary(api, kam, own, detail):
    # when
    response = api(kam, "get", f"/accounts/{own.children.get().pk}/{detail}")
    # then
    assert response.status_code == 200


def test_kam_cannot_change_buying_centre_of_foreign_account(api, kam, foreign):
    # given
    contact = foreign.positions.get().contact
    # when
    put = api(kam, "put", f"/accounts/{foreign.pk}/buying-centre/{contact.pk}", {"roles": ["blocker"], "influence": 1})
    delete = api(kam, "delete", f"/accounts/{foreign.pk}/buying-centre/{contact.pk}")
    # then
    assert put.status_code == 403
    assert delete.status_code == 403
    member = BuyingCentreMember.objects.get(account=foreign)
    assert (member.roles, member.influence) == (["decider"], 8)


def test_kam_cannot_join_team_of_foreign_account(api, kam, foreign):
    # when
    response = api(kam, "put", f"/accounts/{foreign.pk}/team/{kam.pk}", {"role": "kam"})
    # then
    assert response.status_code == 403
    assert not TeamMember.objects.filter(account=foreign).exists()


# ---------------------------------------------------------------- controller and viewer


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_cannot_create_change_or_delete_accounts(api, request, foreign, role):
    # given
    user = request.getfixturevalue(role)
    # when
    created = api(user, "post", "/accounts", {"name": "New"})
    changed = api(user, "patch", f"/accounts/{foreign.pk}", {"name": "Renamed"})
    status = api(user, "patch", f"/accounts/{foreign.pk}", {"kam_status": "demoted", "status_reason": "x"})
    deleted = api(user, "delete", f"/accounts/{foreign.pk}")
    # then
    assert [r.status_code for r in (created, changed, status, deleted)] == [403, 403, 403, 403]
    foreign.refresh_from_db()
    assert (foreign.name, foreign.kam_status) == ("Foreign", "prospect")
    assert list(Account.objects.values_list("name", flat=True)) == ["Foreign"]


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_cannot_change_people_or_team(api, request, foreign, role):
    # given
    user = request.getfixturevalue(role)
    contact = foreign.positions.get().contact
    # when
    responses = [
        api(user, "post", "/contacts", {"last_name": "New"}),
        api(user, "patch", f"/contacts/{contact.pk}", {"last_name": "Renamed"}),
        api(user, "delete", f"/contacts/{contact.pk}"),
        api(user, "put", f"/accounts/{foreign.pk}/buying-centre/{contact.pk}", {"roles": ["user"]}),
        api(user, "put", f"/accounts/{foreign.pk}/team/{user.pk}", {"role": "sales"}),
        api(user, "delete", f"/positions/{foreign.positions.get().pk}"),
    ]
    # then
    assert [r.status_code for r in responses] == [403] * 6
    contact.refresh_from_db()
    assert contact.last_name == "Cramer"
    assert BuyingCentreMember.objects.get(account=foreign).roles == ["decider"]
    assert not TeamMember.objects.filter(account=foreign).exists()


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_read_all_details(api, request, foreign, role):
    # when
    response = api(request.getfixturevalue(role), "get", f"/accounts/{foreign.pk}/buying-centre")
    # then
    assert response.status_code == 200
    assert response.json()[0]["roles"] == ["decider"]
