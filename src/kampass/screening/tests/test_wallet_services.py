"""Computing the wallets from kampass's facts and recording KAMs' potential estimates: figures checked
against plain computations over the same rows, the hierarchy roll-up, the KPI and the permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.screening import facade, selectors_wallet, services_wallet
from kampass.screening.models import PotentialEstimate, WalletEstimate
from kampass.screening.tests.factories_wallet import (
    NEWEST,
    demo_like_world,
    short_history_world,
    trailing_revenue,
    wallet_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    return wallet_world()


def test_head_computes_the_wallets_of_all_accounts_as_of_the_newest_invoice_day(world, head):
    stored = services_wallet.wallet_estimates_compute(actor=head)
    by = {e.account_id: e for e in stored}
    assert set(by) == {a.pk for a in world.accounts}
    for i, account in enumerate(world.accounts):
        e = by[account.pk]
        assert e.as_of == NEWEST
        assert e.currency == "GBP"
        assert e.q == Decimal("0.80")
        assert e.revenue == trailing_revenue(world.rows, f"C{i}")
        assert e.wallet_low <= e.wallet <= e.wallet_high
        assert e.peers == len(world.accounts)
    # the group's subtree figures add up the group and its two subsidiaries
    tree = [world.group, *world.children]
    g = by[world.group.pk]
    assert g.subtree_revenue == sum(by[a.pk].revenue for a in tree)
    assert g.subtree_wallet == sum(by[a.pk].wallet for a in tree)
    assert g.subtree_wallet_high == sum(by[a.pk].wallet_high for a in tree)
    assert by[world.children[0].pk].subtree_wallet == by[world.children[0].pk].wallet


def test_recomputing_replaces_the_estimates_of_the_same_day_and_quantile(world, head):
    services_wallet.wallet_estimates_compute(actor=head)
    services_wallet.wallet_estimates_compute(actor=head)
    services_wallet.wallet_estimates_compute(actor=head, q=0.9)
    assert WalletEstimate.objects.filter(q=Decimal("0.80")).count() == len(world.accounts)
    assert WalletEstimate.objects.filter(q=Decimal("0.90")).count() == len(world.accounts)


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_recompute(world, who, request):
    with pytest.raises(PermissionDenied):
        services_wallet.wallet_estimates_compute(actor=request.getfixturevalue(who))
    assert not WalletEstimate.objects.exists()


def test_too_few_accounts_with_invoices_is_a_clear_error(head):
    with pytest.raises(ValidationError, match="Too few accounts"):
        services_wallet.wallet_estimates_compute(actor=head)


def test_the_facade_reads_the_newest_estimate_with_subsidiaries(world, head):
    services_wallet.wallet_estimates_compute(actor=head)
    e = WalletEstimate.objects.get(account=world.group)
    expected = float(e.subtree_revenue / e.subtree_wallet)
    assert facade.share_of_wallet([world.group.pk])[world.group.pk] == pytest.approx(expected)
    p = facade.potential([world.group.pk])[world.group.pk]
    assert p.potential == max(e.subtree_wallet - e.subtree_revenue, Decimal(0))
    # before the estimate's day there is none
    assert facade.potential([world.group.pk], as_of=NEWEST - dt.timedelta(days=1)) == {}


def test_a_kam_estimates_the_potential_of_their_account_and_the_model_wallet_is_kept(world, head, kam):
    services_wallet.wallet_estimates_compute(actor=head)
    TeamMemberFactory(account=world.group, user=kam)
    model = WalletEstimate.objects.get(account=world.group).subtree_wallet
    est = services_wallet.potential_estimate_create(
        actor=kam, account_id=world.group.pk, wallet=model * Decimal("1.5"), currency="GBP", reason="Plant opens"
    )
    assert est.model_wallet == model
    assert est.model_currency == "GBP"
    # a subsidiary is on the team's subtree too
    services_wallet.potential_estimate_create(
        actor=kam, account_id=world.children[0].pk, wallet=Decimal(10), currency="GBP", reason="Small"
    )
    rows = selectors_wallet.kam_optimism(user=kam)
    assert [r.user_id for r in rows] == [kam.pk]
    child_model = WalletEstimate.objects.get(account=world.children[0]).subtree_wallet
    expected = ((float(model * Decimal("1.5") / model) - 1) + (float(Decimal(10) / child_model) - 1)) / 2
    assert rows[0].against_model == pytest.approx(expected, abs=1e-6)


def test_potential_estimates_are_refused_off_the_team_and_without_reason(world, kam, kam2):
    TeamMemberFactory(account=world.group, user=kam)
    with pytest.raises(PermissionDenied):
        services_wallet.potential_estimate_create(
            actor=kam2, account_id=world.group.pk, wallet=Decimal(1), currency="GBP", reason="x"
        )
    with pytest.raises(ValidationError) as exc:
        services_wallet.potential_estimate_create(
            actor=kam, account_id=world.group.pk, wallet=Decimal(-1), currency="XXX", reason="  "
        )
    assert set(exc.value.message_dict) == {"reason", "wallet", "currency"}
    assert not PotentialEstimate.objects.exists()


def test_optimism_against_the_outcome_once_the_following_year_is_invoiced(world, kam, kam2, controller):
    TeamMemberFactory(account=world.accounts[5], user=kam)
    TeamMemberFactory(account=world.accounts[6], user=kam2)
    as_of = NEWEST - dt.timedelta(days=366)
    services_wallet.potential_estimate_create(
        actor=kam, account_id=world.accounts[5].pk, wallet=Decimal("3000"), currency="GBP", reason="r", as_of=as_of
    )
    services_wallet.potential_estimate_create(
        actor=kam2, account_id=world.accounts[6].pk, wallet=Decimal("100"), currency="GBP", reason="r"
    )
    # independent: revenue of C5 in the 365 days after as_of
    outcome = sum(
        r["amount"]
        for r in world.rows
        if r["customer_id"] == "C5" and r["amount"] > 0 and 1 <= (r["invoice_date"].date() - as_of).days <= 365
    )
    rows = {r.user_id: r for r in selectors_wallet.kam_optimism(user=controller)}
    assert set(rows) == {kam.pk, kam2.pk}  # a controller reads every person
    assert rows[kam.pk].against_outcome == pytest.approx(float(Decimal(3000) / outcome) - 1, abs=1e-6)
    assert rows[kam.pk].against_model is None  # no model estimate existed on that day
    assert rows[kam2.pk].against_outcome is None  # its twelve months are still to come
    assert [r.user_id for r in selectors_wallet.kam_optimism(user=kam2)] == [kam2.pk]


def test_a_short_history_learns_for_half_of_it_annualised_and_floors_the_wallet_at_the_revenue(settings, head):
    # given: 60 days of invoices, and one account buying 50 times as much as its alike peers in the last 30
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    world = short_history_world(span_days=60)
    big = world.accounts[-1]
    # when: the head computes the wallets
    by = {e.account_id: e for e in services_wallet.wallet_estimates_compute(actor=head)}
    # then: the wallets are learnt for the last 30 days, their revenue annualised to twelve months
    assert {e.window_days for e in by.values()} == {30}
    window_revenue = sum(
        (
            r["amount"]
            for r in world.rows
            if r["customer_id"] == "S13" and (NEWEST - r["invoice_date"].date()).days < 30
        ),
        Decimal(0),
    )
    e = by[big.pk]
    assert e.revenue == (window_revenue * 365 / 30).quantize(Decimal("0.01"))
    # and: the big account's wallet is its revenue (its peers' quantile lies far below), flagged as floored
    assert e.floored
    assert e.subtree_floored
    assert e.wallet == e.wallet_low == e.revenue
    found = selectors_wallet.account_wallet(big.pk)
    assert found is not None
    own = found.own
    assert own.share == own.share_high == 1.0
    assert own.potential == 0
    # and: an ordinary account is not floored
    assert not by[world.accounts[0].pk].floored


def test_no_share_of_wallet_above_one_on_a_demo_like_year_of_invoices(settings, head):
    # given: a year and nine days of heavy-tailed purchases (the demo's Online Retail extract is like this)
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    demo_like_world(span_days=374)
    # when: the head computes the wallets
    stored = services_wallet.wallet_estimates_compute(actor=head)
    # then: they are learnt for half the history, and no share of wallet (nor its band) exceeds 100 %
    assert {e.window_days for e in stored} == {187}
    wallets = selectors_wallet.account_wallets()
    shares = [s for w in wallets for p in (w.own, w.subtree) for s in (p.share, p.share_low, p.share_high)]
    assert shares
    assert all(s is None or s <= 1.0 for s in shares)
    # and: the largest buyers are floored at their revenue, not stated at thousands of per cent
    assert any(e.floored for e in stored)
    assert all(e.wallet >= e.revenue for e in stored)
