"""The wallet endpoints: list and recompute, potential estimates and the optimism table, with the denials."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.screening import services_wallet
from kampass.screening.models import PotentialEstimate, WalletEstimate
from kampass.screening.tests.factories_wallet import wallet_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    return wallet_world()


def test_everybody_signed_in_lists_the_wallets_with_share_and_potential(api, world, head, viewer):
    services_wallet.wallet_estimates_compute(actor=head)
    r = api(viewer, "get", "/wallet-estimates?limit=500")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(world.accounts) == len(body["items"])
    g = next(i for i in body["items"] if i["account_id"] == world.group.pk)
    e = WalletEstimate.objects.get(account=world.group)
    assert g["wallet"] == str(e.wallet)
    assert g["subtree"]["wallet"] == str(e.subtree_wallet)
    assert g["share_of_wallet"] == pytest.approx(float(e.revenue / e.wallet))
    assert Decimal(g["potential"]) == max(e.wallet - e.revenue, Decimal(0))
    one = api(viewer, "get", f"/wallet-estimates?account_id={world.group.pk}").json()
    assert [i["account_id"] for i in one["items"]] == [world.group.pk]
    assert api(None, "get", "/wallet-estimates").status_code == 401


def test_recompute_is_for_the_head_of_kam(api, world, head, kam, controller):
    assert api(kam, "post", "/wallet-estimates/recompute", {}).status_code == 403
    assert api(controller, "post", "/wallet-estimates/recompute", {}).status_code == 403
    assert not WalletEstimate.objects.exists()
    r = api(head, "post", "/wallet-estimates/recompute", {"q": 0.9})
    assert r.status_code == 200
    assert r.json()["count"] == len(world.accounts)
    assert {i["q"] for i in r.json()["items"]} == {0.9}
    assert api(head, "post", "/wallet-estimates/recompute", {"q": 1.5}).status_code == 422


def test_potential_estimates_by_the_accounts_kam_only(api, world, head, kam, kam2, controller):
    services_wallet.wallet_estimates_compute(actor=head)
    TeamMemberFactory(account=world.group, user=kam)
    body = {"account_id": world.group.pk, "wallet": "12345.00", "currency": "GBP", "reason": "New plant"}
    assert api(kam2, "post", "/potential-estimates", body).status_code == 403
    assert api(controller, "post", "/potential-estimates", body).status_code == 403
    r = api(kam, "post", "/potential-estimates", body)
    assert r.status_code == 201
    assert r.json()["model_wallet"] == str(WalletEstimate.objects.get(account=world.group).subtree_wallet)
    assert api(kam, "post", "/potential-estimates", {**body, "reason": " "}).status_code == 422
    assert PotentialEstimate.objects.count() == 1
    # the KAM sees their own, another KAM nothing, the controller everything
    assert api(kam, "get", "/potential-estimates").json()["count"] == 1
    assert api(kam2, "get", "/potential-estimates").json()["count"] == 0
    assert api(controller, "get", "/potential-estimates").json()["count"] == 1
    rows = api(controller, "get", "/potential-estimates/optimism").json()["items"]
    assert [r["user_id"] for r in rows] == [kam.pk]
    assert api(kam2, "get", "/potential-estimates/optimism").json()["count"] == 0


def test_a_floored_wallet_on_a_short_history_is_noted_in_the_api(api, settings, head, viewer):
    # given: a short history in which the last account buys far more than its peers
    from kampass.screening.tests.factories_wallet import short_history_world

    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    world = short_history_world(span_days=60)
    services_wallet.wallet_estimates_compute(actor=head)
    # when
    body = api(viewer, "get", "/wallet-estimates?limit=500").json()
    # then: the additional keys say which wallets were raised to the revenue and that revenues are annualised
    items = {i["account_id"]: i for i in body["items"]}
    big, small = items[world.accounts[-1].pk], items[world.accounts[0].pk]
    assert (big["floored"], big["subtree"]["floored"], big["share_of_wallet"]) == (True, True, 1.0)
    assert big["wallet"] == big["revenue"]
    assert small["floored"] is False
    assert (big["window_days"], big["revenue_annualised"]) == (30, True)
