"""The contact and position endpoints of the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kampass.accounts.models import BuyingCentreMember, Contact, Position
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
    PositionFactory,
    TeamMemberFactory,
)
from kampass.users.models import User

Api = Callable[..., Any]


@pytest.fixture
def landscape(admin_user, kam) -> dict[str, Any]:
    """``kam`` works on Group (and so on its subsidiary); Foreign belongs to somebody else."""
    group = AccountFactory(name="Group")
    subsidiary = AccountFactory(name="Subsidiary", parent=group)
    foreign = AccountFactory(name="Foreign")
    TeamMemberFactory(account=group, user=kam)
    at_group = PositionFactory(account=group, contact=ContactFactory(last_name="Albers")).contact
    at_subsidiary = PositionFactory(account=subsidiary, contact=ContactFactory(last_name="Berger")).contact
    at_foreign = PositionFactory(account=foreign, contact=ContactFactory(last_name="Cramer")).contact
    unplaced = ContactFactory(last_name="Dorn")
    at_both = PositionFactory(account=foreign, contact=ContactFactory(last_name="Eck")).contact
    PositionFactory(account=group, contact=at_both)
    return {
        "group": group,
        "subsidiary": subsidiary,
        "foreign": foreign,
        "at_group": at_group,
        "at_subsidiary": at_subsidiary,
        "at_foreign": at_foreign,
        "unplaced": unplaced,
        "at_both": at_both,
    }


# ---------------------------------------------------------------- list


def test_contact_list_returns_items_and_count_with_positions(api, controller, landscape):
    # when
    response = api(controller, "get", "/contacts?limit=2")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [c["last_name"] for c in body["items"]] == ["Albers", "Berger"]
    assert body["items"][0]["positions"] == [
        {
            "id": landscape["at_group"].positions.get().pk,
            "account_id": landscape["group"].pk,
            "account_name": "Group",
            "title": "Head of Purchasing",
            "department": "",
            "reports_to_id": None,
        }
    ]


def test_contact_list_searches_and_filters_by_account(api, controller, landscape):
    # when
    by_name = api(controller, "get", "/contacts?q=cram").json()
    by_account = api(controller, "get", f"/contacts?account_id={landscape['foreign'].pk}").json()
    # then
    assert [c["last_name"] for c in by_name["items"]] == ["Cramer"]
    assert [c["last_name"] for c in by_account["items"]] == ["Cramer", "Eck"]
    assert by_account["count"] == 2


def test_kam_lists_exactly_the_contacts_they_may_view(api, kam, landscape):
    # when
    response = api(kam, "get", "/contacts")
    # then: the same contacts the permission rule allows, one by one
    listed = {c["id"] for c in response.json()["items"]}
    fresh = User.objects.get(pk=kam.pk)
    allowed = {c.pk for c in Contact.objects.all() if fresh.has_perm("accounts.view_contact", c)}
    assert listed == allowed
    assert listed == {landscape[k].pk for k in ("at_group", "at_subsidiary", "unplaced", "at_both")}
    assert response.json()["count"] == 4


def test_kam_without_team_sees_only_contacts_without_positions(api, kam2, landscape):
    # when
    response = api(kam2, "get", "/contacts")
    # then
    assert [c["id"] for c in response.json()["items"]] == [landscape["unplaced"].pk]


@pytest.mark.parametrize("role", ["admin_user", "head", "controller", "viewer"])
def test_other_roles_list_all_contacts(api, request, landscape, role):
    # when
    response = api(request.getfixturevalue(role), "get", "/contacts")
    # then
    assert response.json()["count"] == Contact.objects.count() == 5


# ---------------------------------------------------------------- detail, create, update, delete


def test_kam_reads_team_contact_but_not_a_foreign_one(api, kam, landscape):
    # when
    own = api(kam, "get", f"/contacts/{landscape['at_subsidiary'].pk}")
    foreign = api(kam, "get", f"/contacts/{landscape['at_foreign'].pk}")
    # then
    assert own.status_code == 200
    assert own.json()["last_name"] == "Berger"
    assert foreign.status_code == 403
    assert isinstance(foreign.json()["detail"], str)


def test_create_contact_with_first_position(api, kam, landscape):
    # given
    boss = landscape["at_group"]
    # when
    response = api(
        kam,
        "post",
        "/contacts",
        {
            "first_name": "Eva",
            "last_name": "Frey",
            "email": "eva.frey@example.com",
            "account_id": landscape["group"].pk,
            "title": "Category manager",
            "department": "Purchasing",
            "reports_to_id": boss.pk,
        },
    )
    # then
    assert response.status_code == 201
    contact = Contact.objects.get(pk=response.json()["id"])
    position = contact.positions.get()
    assert (position.account, position.title, position.department, position.reports_to) == (
        landscape["group"],
        "Category manager",
        "Purchasing",
        boss,
    )
    assert response.json()["positions"][0]["account_name"] == "Group"


def test_create_contact_without_account(api, kam):
    # when
    response = api(kam, "post", "/contacts", {"last_name": "Solo"})
    # then
    assert response.status_code == 201
    assert response.json()["positions"] == []


def test_create_contact_reporting_to_an_outsider_is_422_and_nothing_saved(api, admin_user, landscape):
    # given
    before = Contact.objects.count()
    # when
    response = api(
        admin_user,
        "post",
        "/contacts",
        {
            "last_name": "Frey",
            "account_id": landscape["group"].pk,
            "reports_to_id": landscape["at_foreign"].pk,
        },
    )
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["reports_to_id"]
    assert Contact.objects.count() == before


def test_create_contact_with_invalid_email_is_422(api, admin_user):
    # when
    response = api(admin_user, "post", "/contacts", {"last_name": "Frey", "email": "nope"})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["email"]
    assert not Contact.objects.exists()


def test_kam_cannot_create_contact_at_foreign_account(api, kam, landscape):
    # given
    before = Contact.objects.count()
    # when
    response = api(kam, "post", "/contacts", {"last_name": "Frey", "account_id": landscape["foreign"].pk})
    # then
    assert response.status_code == 403
    assert Contact.objects.count() == before


def test_patch_contact(api, kam, landscape):
    # given
    contact = landscape["at_group"]
    # when
    response = api(kam, "patch", f"/contacts/{contact.pk}", {"phone": "+41 44 000 00 00"})
    # then
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.phone == "+41 44 000 00 00"
    assert contact.last_name == "Albers"


def test_kam_cannot_patch_foreign_contact(api, kam, landscape):
    # given
    contact = landscape["at_foreign"]
    # when
    response = api(kam, "patch", f"/contacts/{contact.pk}", {"last_name": "Hijacked"})
    # then
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.last_name == "Cramer"


def test_delete_contact(api, head, kam, landscape):
    # given
    contact = landscape["at_group"]
    # when
    by_kam = api(kam, "delete", f"/contacts/{contact.pk}")
    by_head = api(head, "delete", f"/contacts/{contact.pk}")
    # then
    assert by_kam.status_code == 403
    assert by_head.status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()


# ---------------------------------------------------------------- positions


def test_list_positions_of_an_account(api, kam, landscape):
    # when
    response = api(kam, "get", f"/accounts/{landscape['group'].pk}/positions")
    # then
    assert response.status_code == 200
    assert [p["contact_name"].split()[-1] for p in response.json()] == ["Albers", "Eck"]


def test_add_and_change_a_position(api, kam, landscape):
    # given
    contact = landscape["unplaced"]
    url = f"/accounts/{landscape['subsidiary'].pk}/positions"
    # when
    created = api(kam, "post", url, {"contact_id": contact.pk, "title": "CFO"})
    changed = api(kam, "post", url, {"contact_id": contact.pk, "title": "CEO"})
    # then
    assert created.status_code == 201
    assert changed.status_code == 201
    assert created.json()["id"] == changed.json()["id"]
    assert Position.objects.get(contact=contact).title == "CEO"


def test_add_position_for_unknown_contact_is_422(api, kam, landscape):
    # when
    response = api(kam, "post", f"/accounts/{landscape['group'].pk}/positions", {"contact_id": 999999})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["contact_id"]


def test_kam_cannot_add_position_at_foreign_account(api, kam, landscape):
    # when
    response = api(
        kam, "post", f"/accounts/{landscape['foreign'].pk}/positions", {"contact_id": landscape["unplaced"].pk}
    )
    # then
    assert response.status_code == 403
    assert not Position.objects.filter(contact=landscape["unplaced"]).exists()


def test_delete_position_also_leaves_the_buying_centre(api, kam, landscape):
    # given
    contact, account = landscape["at_group"], landscape["group"]
    BuyingCentreMemberFactory(account=account, contact=contact)
    position = Position.objects.get(contact=contact, account=account)
    # when
    response = api(kam, "delete", f"/positions/{position.pk}")
    # then
    assert response.status_code == 204
    assert not Position.objects.filter(pk=position.pk).exists()
    assert not BuyingCentreMember.objects.filter(account=account, contact=contact).exists()
    removal = BuyingCentreMember.history.filter(history_type="-").get()
    assert removal.history_user == kam


def test_kam_cannot_delete_position_at_foreign_account(api, kam, landscape):
    # given
    position = Position.objects.get(contact=landscape["at_foreign"])
    # when
    response = api(kam, "delete", f"/positions/{position.pk}")
    # then
    assert response.status_code == 403
    assert Position.objects.filter(pk=position.pk).exists()
