"""The customer-link endpoints: which account a customer number belongs to, and what that does to the figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.conftest import World, expected, money

Api = Callable[..., Any]


def figures_of(api: Api, user, account_id: int | None) -> dict[str, Any] | None:
    doc = api(user, "get", "/profitability").json()
    return next((r for r in doc["accounts"] if r["account_id"] == account_id), None)


# ---------------------------------------------------------------- list


def test_head_lists_every_link(api: Api, head, world: World):
    # when
    doc = api(head, "get", "/customer-links").json()
    # then
    assert doc["count"] == 5
    assert [i["customer_id"] for i in doc["items"]] == ["F1", "G1", "N1", "N2", "S1"]
    assert doc["items"][2] | {"created_at": None} == {
        "customer_id": "N1", "account_id": world.north.pk, "account": "Group North", "created_at": None,
        "version": 1,
    }  # fmt: skip


def test_links_are_searched_and_paged(api: Api, head, world: World):
    # when
    by_account = api(head, "get", "/customer-links?q=north").json()
    by_number = api(head, "get", "/customer-links?q=f1").json()
    by_id = api(head, "get", f"/customer-links?account_id={world.south.pk}").json()
    page = api(head, "get", "/customer-links?limit=2&offset=2").json()
    # then
    assert [i["customer_id"] for i in by_account["items"]] == ["N1", "N2"]
    assert [i["customer_id"] for i in by_number["items"]] == ["F1"]
    assert [i["customer_id"] for i in by_id["items"]] == ["S1"]
    assert (page["count"], [i["customer_id"] for i in page["items"]]) == (5, ["N1", "N2"])


def test_kam_lists_the_links_of_their_accounts(api: Api, kam, world: World):
    # when
    doc = api(kam, "get", "/customer-links").json()
    # then
    assert [i["customer_id"] for i in doc["items"]] == ["G1", "N1", "N2", "S1"]


# ---------------------------------------------------------------- link


def test_kam_links_an_unassigned_customer_to_own_account(api: Api, kam, world: World):
    # given: the figures have been read once (the analytics store is in sync)
    before = figures_of(api, kam, world.south.pk)
    # when
    response = api(kam, "put", "/customer-links/U9", {"account_id": world.south.pk})
    # then
    assert response.status_code == 200
    assert response.json()["account_id"] == world.south.pk
    assert CustomerLink.objects.get(customer_id="U9").account == world.south
    after = figures_of(api, kam, world.south.pk)
    rows = world.rows_of(world.south) + [r for r in world.rows if r["customer_id"] == "U9"]
    assert before is not None
    assert after is not None
    assert after["lines"] == before["lines"] + 1 == len(rows)
    assert after["pocket_revenue"] == money(expected(rows).pocket)


def test_moving_a_link_moves_the_figures(api: Api, head, world: World):
    # given: the figures have been read once (the analytics store is in sync)
    figures_of(api, head, world.north.pk)
    # when
    response = api(head, "put", "/customer-links/N2", {"account_id": world.south.pk})
    # then
    assert response.status_code == 200
    south = figures_of(api, head, world.south.pk)
    rows = world.rows_of(world.south) + [r for r in world.rows if r["customer_id"] == "N2"]
    assert south is not None
    assert south["pocket_revenue"] == money(expected(rows).pocket)


def test_viewer_and_controller_cannot_link(api: Api, request, world: World):
    for role in ("viewer", "controller"):
        # when
        response = api(request.getfixturevalue(role), "put", "/customer-links/U9", {"account_id": world.south.pk})
        # then
        assert response.status_code == 403
    assert not CustomerLink.objects.filter(customer_id="U9").exists()


def test_kam_cannot_link_to_a_foreign_account(api: Api, kam, world: World):
    # when
    response = api(kam, "put", "/customer-links/U9", {"account_id": world.foreign.pk})
    # then
    assert response.status_code == 403
    assert not CustomerLink.objects.filter(customer_id="U9").exists()


def test_kam_cannot_take_over_the_customer_of_a_foreign_account(api: Api, kam, world: World):
    # when
    response = api(kam, "put", "/customer-links/F1", {"account_id": world.group.pk})
    # then
    assert response.status_code == 403
    assert CustomerLink.objects.get(customer_id="F1").account == world.foreign


def test_link_to_unknown_account_is_422(api: Api, head, world: World):
    # when
    response = api(head, "put", "/customer-links/U9", {"account_id": 999999})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["account_id"]


def test_link_without_credentials_is_401(api: Api, world: World):
    # when
    response = api(None, "put", "/customer-links/U9", {"account_id": world.south.pk})
    # then
    assert response.status_code == 401
    assert not CustomerLink.objects.filter(customer_id="U9").exists()


# ---------------------------------------------------------------- unlink


def test_head_removes_a_link_and_its_lines_become_unassigned(api: Api, head, world: World):
    # given
    figures_of(api, head, None)
    # when
    response = api(head, "delete", "/customer-links/N2")
    # then
    assert response.status_code == 204
    assert not CustomerLink.objects.filter(customer_id="N2").exists()
    unassigned = figures_of(api, head, None)
    rows = world.unassigned_rows + [r for r in world.rows if r["customer_id"] == "N2"]
    assert unassigned is not None
    assert unassigned["lines"] == len(rows)
    assert unassigned["pocket_revenue"] == money(expected(rows).pocket)


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_and_admin_remove_links(api: Api, request, world: World, role: str):
    # when
    response = api(request.getfixturevalue(role), "delete", "/customer-links/N2")
    # then
    assert response.status_code == 403
    assert CustomerLink.objects.filter(customer_id="N2").exists()


def test_admin_removes_a_link(api: Api, admin_user, world: World):
    # when
    response = api(admin_user, "delete", "/customer-links/G1")
    # then
    assert response.status_code == 204


def test_remove_unknown_link_is_404(api: Api, head, world: World):
    # when
    response = api(head, "delete", "/customer-links/NOPE")
    # then
    assert response.status_code == 404
