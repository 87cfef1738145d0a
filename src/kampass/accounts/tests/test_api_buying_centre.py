"""The buying-centre, team and coverage endpoints of the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kampass.accounts.models import BuyingCentreMember, Coverage, TeamMember
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
    PositionFactory,
    TeamMemberFactory,
    UserFactory,
)
from kampass.users.models import OrgUnit

Api = Callable[..., Any]


@pytest.fixture
def account(admin_user, kam):
    """An account ``kam`` works on, with one contact holding a position there."""
    acc = AccountFactory(name="Acme")
    TeamMemberFactory(account=acc, user=kam)
    return acc


@pytest.fixture
def contact(account):
    return PositionFactory(account=account, contact=ContactFactory(first_name="Petra", last_name="Keller")).contact


# ---------------------------------------------------------------- buying centre


def test_put_adds_contact_to_buying_centre_and_get_lists_it(api, kam, account, contact):
    # when
    put = api(
        kam,
        "put",
        f"/accounts/{account.pk}/buying-centre/{contact.pk}",
        {
            "roles": ["decider", "economic_buyer"],
            "influence": 9,
            "attitude": 1,
            "political_status": "inner_circle",
            "notes": "Signs every frame contract",
        },
    )
    listed = api(kam, "get", f"/accounts/{account.pk}/buying-centre")
    # then
    assert put.status_code == 200
    assert put.json()["contact_name"] == "Petra Keller"
    member = BuyingCentreMember.objects.get(account=account, contact=contact)
    assert (member.roles, member.influence, member.attitude, member.political_status) == (
        ["decider", "economic_buyer"],
        9,
        1,
        "inner_circle",
    )
    assert listed.status_code == 200
    assert [(m["contact_id"], m["roles"], m["influence"]) for m in listed.json()] == [
        (contact.pk, ["decider", "economic_buyer"], 9)
    ]


def test_put_again_updates_the_entry(api, kam, account, contact):
    # given
    BuyingCentreMemberFactory(account=account, contact=contact, roles=["user"], influence=3)
    # when
    response = api(kam, "put", f"/accounts/{account.pk}/buying-centre/{contact.pk}", {"roles": ["buyer"]})
    # then
    assert response.status_code == 200
    member = BuyingCentreMember.objects.get(account=account, contact=contact)
    assert member.roles == ["buyer"]
    assert member.influence == 5


def test_influence_11_is_422_naming_the_field_and_nothing_saved(api, kam, account, contact):
    # when
    response = api(
        kam, "put", f"/accounts/{account.pk}/buying-centre/{contact.pk}", {"roles": ["decider"], "influence": 11}
    )
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["influence"]
    assert not BuyingCentreMember.objects.exists()


def test_influence_11_on_an_existing_entry_leaves_it_unchanged(api, kam, account, contact):
    # given
    BuyingCentreMemberFactory(account=account, contact=contact, roles=["user"], influence=4)
    # when
    response = api(
        kam, "put", f"/accounts/{account.pk}/buying-centre/{contact.pk}", {"roles": ["decider"], "influence": 11}
    )
    # then
    assert response.status_code == 422
    member = BuyingCentreMember.objects.get()
    assert (member.roles, member.influence) == (["user"], 4)


def test_unknown_role_is_422_naming_the_field_and_nothing_saved(api, kam, account, contact):
    # when
    response = api(
        kam,
        "put",
        f"/accounts/{account.pk}/buying-centre/{contact.pk}",
        {"roles": ["decider", "kingmaker"], "influence": 8},
    )
    # then
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["roles"]
    assert "kingmaker" in error["msg"]
    assert not BuyingCentreMember.objects.exists()


def test_attitude_out_of_range_is_422(api, kam, account, contact):
    # when
    response = api(kam, "put", f"/accounts/{account.pk}/buying-centre/{contact.pk}", {"attitude": 3})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["attitude"]
    assert not BuyingCentreMember.objects.exists()


def test_contact_without_position_cannot_join_the_buying_centre(api, kam, account):
    # given
    outsider = ContactFactory()
    # when
    response = api(kam, "put", f"/accounts/{account.pk}/buying-centre/{outsider.pk}", {"roles": ["user"]})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["contact_id"]


def test_delete_removes_contact_from_buying_centre(api, kam, account, contact):
    # given
    BuyingCentreMemberFactory(account=account, contact=contact)
    # when
    response = api(kam, "delete", f"/accounts/{account.pk}/buying-centre/{contact.pk}")
    again = api(kam, "delete", f"/accounts/{account.pk}/buying-centre/{contact.pk}")
    # then
    assert response.status_code == 204
    assert again.status_code == 404
    assert not BuyingCentreMember.objects.exists()


# ---------------------------------------------------------------- team


def test_team_put_get_and_delete(api, kam, account):
    # given
    colleague = UserFactory(first_name="Tom", last_name="Service")
    unit = OrgUnit.objects.create(name="Switzerland")
    # when
    put = api(kam, "put", f"/accounts/{account.pk}/team/{colleague.pk}", {"role": "service", "org_unit_id": unit.pk})
    team = api(kam, "get", f"/accounts/{account.pk}/team")
    # then
    assert put.status_code == 200
    assert put.json()["user_name"] == "Tom Service"
    assert put.json()["org_unit_id"] == unit.pk
    assert {(m["user_id"], m["role"]) for m in team.json()} == {(kam.pk, "kam"), (colleague.pk, "service")}
    # when
    deleted = api(kam, "delete", f"/accounts/{account.pk}/team/{colleague.pk}")
    # then
    assert deleted.status_code == 204
    assert not TeamMember.objects.filter(account=account, user=colleague).exists()


def test_team_unknown_role_is_422(api, kam, account):
    # given
    colleague = UserFactory()
    # when
    response = api(kam, "put", f"/accounts/{account.pk}/team/{colleague.pk}", {"role": "mascot"})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["role"]
    assert not TeamMember.objects.filter(user=colleague).exists()


def test_team_unknown_user_is_404(api, kam, account):
    # when
    response = api(kam, "put", f"/accounts/{account.pk}/team/999999", {"role": "sales"})
    # then
    assert response.status_code == 404


# ---------------------------------------------------------------- coverage


def test_coverage_put_get_and_delete(api, kam, account, contact):
    # when
    put = api(
        kam,
        "put",
        f"/accounts/{account.pk}/coverage",
        {"team_user_id": kam.pk, "contact_id": contact.pk, "level_now": 2, "level_target": 4},
    )
    again = api(
        kam,
        "put",
        f"/accounts/{account.pk}/coverage",
        {"team_user_id": kam.pk, "contact_id": contact.pk, "level_now": 3, "level_target": 4},
    )
    listed = api(kam, "get", f"/accounts/{account.pk}/coverage")
    # then
    assert put.status_code == 200
    assert again.json()["id"] == put.json()["id"]
    assert [(c["team_user_id"], c["contact_id"], c["level_now"], c["level_target"]) for c in listed.json()] == [
        (kam.pk, contact.pk, 3, 4)
    ]
    # when
    deleted = api(kam, "delete", f"/coverage/{put.json()['id']}")
    # then
    assert deleted.status_code == 204
    assert not Coverage.objects.exists()


def test_coverage_level_out_of_range_is_422(api, kam, account, contact):
    # when
    response = api(
        kam,
        "put",
        f"/accounts/{account.pk}/coverage",
        {"team_user_id": kam.pk, "contact_id": contact.pk, "level_now": 5, "level_target": 3},
    )
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["level_now"]
    assert not Coverage.objects.exists()


def test_coverage_by_user_off_the_team_is_422(api, kam, kam2, account, contact):
    # when
    response = api(
        kam,
        "put",
        f"/accounts/{account.pk}/coverage",
        {"team_user_id": kam2.pk, "contact_id": contact.pk, "level_now": 1, "level_target": 3},
    )
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["team_user_id"]
    assert not Coverage.objects.exists()
