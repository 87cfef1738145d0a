"""The plan's situation section shows the realistic wallet, share of wallet and potential of the plan's
account with its subsidiaries (the screening context's newest estimate on or before the plan date, read
through ``common.account_facts``: planning does not import screening), in English and German."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return make_plan(account=account, actor=kam, filled=False)


def _estimate(account, as_of: dt.date, *, subtree_floored: bool = False, window_days: int = 365, wallet="400000"):
    """A stored wallet estimate (the screening context's model, reached without importing it): revenue
    100,000 and ``wallet`` for the account with its subsidiaries, the band 300,000 .. 800,000."""
    estimate = apps.get_model("screening", "WalletEstimate")
    return estimate.objects.create(
        account=account, as_of=as_of, q=Decimal("0.80"), currency="EUR",
        revenue=Decimal("60000"), wallet=Decimal("200000"), wallet_low=Decimal("150000"),
        wallet_high=Decimal("500000"), subtree_revenue=Decimal("100000"), subtree_wallet=Decimal(wallet),
        subtree_wallet_low=Decimal("300000"), subtree_wallet_high=Decimal("800000"),
        subtree_floored=subtree_floored, window_days=window_days,
        peers=40, model_version="wallet-knn-1", computed_at=timezone.now(),
    )  # fmt: skip


def test_the_situation_shows_wallet_share_and_potential_of_the_subtree_as_of_the_plan_date(client, kam, plan):
    # given: an estimate before the plan date and a newer one after it
    _estimate(plan.account, plan.as_of - dt.timedelta(days=10))
    _estimate(plan.account, plan.as_of + dt.timedelta(days=10), wallet="999999")
    client.force_login(kam)
    # when
    page = client.get(reverse("plan-detail", args=[plan.pk]))
    # then: the figures of the estimate on or before the plan date, with the subsidiaries
    wallet = page.context["situation"].wallet
    assert wallet.as_of == plan.as_of - dt.timedelta(days=10)
    assert wallet.wallet == Decimal("400000")
    assert wallet.share == pytest.approx(0.25)
    assert wallet.potential == Decimal("300000")
    assert (wallet.potential_low, wallet.potential_high) == (Decimal("200000"), Decimal("700000"))
    body = page.content.decode()
    assert 'data-testid="situation-wallet"' in body
    assert "Realistic wallet (incl. subsidiaries)" in body
    assert "400,000 EUR" in body
    assert 'data-testid="situation-share">25%' in body
    assert "300,000 EUR" in body
    assert 'data-testid="situation-no-wallet"' not in body
    assert 'data-testid="situation-floored"' not in body


def test_the_situation_speaks_german_and_notes_annualised_and_floored_wallets(client, kam, plan, settings):
    # given: an estimate from a short history in which a subsidiary's wallet was raised to its revenue
    _estimate(plan.account, plan.as_of, subtree_floored=True, window_days=187)
    client.force_login(kam)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    # when
    body = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    # then
    assert "Realistisches Kundenpotenzial (inkl. Tochtergesellschaften)" in body
    assert 'data-testid="situation-share">25\u00a0%' in body
    assert "Potenzial" in body
    assert "Umsatz der letzten 187 Tage, auf ein Jahr hochgerechnet" in body
    assert 'data-testid="situation-floored"' in body


@pytest.mark.parametrize("language", ["en", "de"])
def test_without_an_estimate_the_situation_says_so(client, kam, plan, settings, language):
    # given: an estimate only after the plan date
    _estimate(plan.account, plan.as_of + dt.timedelta(days=1))
    client.force_login(kam)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # when
    page = client.get(reverse("plan-detail", args=[plan.pk]))
    # then
    assert page.context["situation"].wallet is None
    body = page.content.decode()
    assert 'data-testid="situation-wallet"' not in body
    expected = {
        "en": "No wallet estimate on or before the plan date.",
        "de": "Keine Schätzung des Kundenpotenzials zum oder vor dem Plandatum.",
    }[language]
    assert expected in body
