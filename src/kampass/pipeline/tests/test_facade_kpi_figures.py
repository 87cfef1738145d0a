"""The pipeline facade's figures for the account KPIs and the review events: open weighted pipeline,
the sales target of the next period, won and lost counts in a window, and large losses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.accounts.tests.factories import AccountFactory
from kampass.common import fx
from kampass.pipeline import facade
from kampass.pipeline.models import Opportunity, Target, TargetPeriod, TargetScope
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def _closed(opportunity: Opportunity, day: dt.date) -> None:
    Opportunity.objects.filter(pk=opportunity.pk).update(closed_on=day)


def test_open_weighted_pipeline_weights_by_probability_and_converts_at_the_close_date():
    # given: an owner's probability, a stage default, a calibrated probability, and a won deal (not open)
    account = AccountFactory()
    make_opportunity(account=account, amount="1000", stage_name="Value Proposition", owner_probability=40)
    make_opportunity(account=account, amount="2000", stage_name="Needs Analysis")
    c = make_opportunity(
        account=account, amount="500", currency="USD", stage_name="Qualification",
        expected_close_date=dt.date(2026, 1, 30),
    )  # fmt: skip
    Opportunity.objects.filter(pk=c.pk).update(probability=0.5)
    make_opportunity(account=account, amount="9999", stage_name="Closed Won")
    # when
    got = facade.weighted_open_pipeline([account.pk], currency="EUR", today=TODAY)
    # then: independent sum (the USD deal converted at its past close date's rate)
    usd = fx.convert(Decimal("500"), "USD", "EUR", dt.date(2026, 1, 30))
    want = (
        Decimal("1000") * Decimal("0.4")
        + Decimal("2000") * Decimal("0.2")
        + (usd * Decimal("0.5")).quantize(Decimal("0.01"))
    )
    assert got == {account.pk: want}


def test_the_next_target_is_the_first_not_yet_ended_period_and_the_quarter_wins_over_the_year():
    account = AccountFactory()
    for period, number, amount in [(TargetPeriod.QUARTER, 1, "100"), (TargetPeriod.QUARTER, 2, "200"),
                                   (TargetPeriod.YEAR, 1, "900"), (TargetPeriod.QUARTER, 3, "300")]:  # fmt: skip
        Target.objects.create(
            scope=TargetScope.ACCOUNT, account=account, period=period, year=2026, number=number, amount=Decimal(amount)
        )

    got = facade.next_account_targets([account.pk], today=TODAY)

    assert got[account.pk].label == "2026-Q2"
    assert got[account.pk].amount == Decimal("200")
    assert facade.next_account_targets([account.pk], today=dt.date(2027, 1, 1)) == {}


def test_closed_counts_count_only_deals_closed_in_the_window():
    account = AccountFactory()
    _closed(make_opportunity(account=account, stage_name="Closed Won"), dt.date(2026, 3, 1))
    _closed(make_opportunity(account=account, stage_name="Closed Won"), dt.date(2025, 3, 1))
    _closed(make_opportunity(account=account, stage_name="Closed Lost"), dt.date(2026, 5, 1))
    _closed(make_opportunity(account=account, stage_name="Closed Lost"), dt.date(2026, 6, 1))
    make_opportunity(account=account)

    got = facade.closed_counts_between([account.pk], start=dt.date(2025, 6, 16), end=TODAY)

    assert got == {account.pk: (1, 2)}


def test_large_losses_are_the_lost_deals_since_the_day_above_the_threshold():
    account = AccountFactory()
    big = make_opportunity(account=account, name="Big", amount="250000", stage_name="Closed Lost")
    _closed(big, dt.date(2026, 6, 1))
    _closed(make_opportunity(account=account, amount="5000", stage_name="Closed Lost"), dt.date(2026, 6, 1))
    _closed(make_opportunity(account=account, amount="300000", stage_name="Closed Lost"), dt.date(2025, 1, 1))

    got = facade.lost_opportunities_since(since=dt.date(2026, 3, 1), min_amount=Decimal("100000"), currency="EUR")

    assert [(o.id, o.name, o.converted) for o in got] == [(big.pk, "Big", Decimal("250000.00"))]
