"""The pipeline components of the account health score: coverage of the gap to the account's target by
the open pipeline, and the owners' forecast bias, checked against hand computations."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline import facade
from kampass.pipeline.models import Opportunity
from kampass.pipeline.services import target_create
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def closed(account, stage_name, closed_on, **fields):
    """A deal closed (won or lost) on ``closed_on``."""
    opp = make_opportunity(account=account, stage_name=stage_name, **fields)
    Opportunity.objects.filter(pk=opp.pk).update(closed_on=closed_on)
    return opp


def test_coverage_is_the_open_pipeline_of_the_year_over_the_gap_to_the_target(head):
    # given a group with a subsidiary, a yearly target of 1000 and 400 won this year
    group = AccountFactory(name="Group")
    child = AccountFactory(name="Child", parent=group)
    target_create(actor=head, scope="account", account=group, period="year", year=2026, amount=Decimal(1000))
    closed(child, "Closed Won", dt.date(2026, 3, 1), amount=400)
    closed(group, "Closed Won", dt.date(2025, 3, 1), amount=900)  # last year
    opened = dt.date(2026, 1, 10)
    make_opportunity(account=group, amount=300, expected_close_date=dt.date(2026, 9, 30), created_on=opened)
    make_opportunity(account=child, amount=600, expected_close_date=dt.date(2026, 11, 30), created_on=opened)
    make_opportunity(account=child, amount=5000, expected_close_date=dt.date(2027, 2, 1), created_on=opened)

    # when
    got = facade.pipeline_coverage([group.pk, child.pk], today=TODAY)

    # then open 900 against a gap of 600
    assert got[group.pk].target == Decimal("1000.00")
    assert got[group.pk].won == Decimal("400.00")
    assert got[group.pk].open_pipeline == Decimal("900.00")
    assert got[group.pk].ratio == pytest.approx(1.5)
    assert got[child.pk].ratio is None  # the child has no target of its own


def test_coverage_as_of_a_past_day_counts_only_the_deals_won_and_open_then(head):
    # given a yearly target of 1000; as of TODAY: 200 won, 300 open (one of them lost since)
    account = AccountFactory()
    target_create(actor=head, scope="account", account=account, period="year", year=2026, amount=Decimal(1000))
    closed(account, "Closed Won", dt.date(2026, 3, 1), amount=200)
    opened = dt.date(2026, 2, 1)
    make_opportunity(account=account, amount=100, expected_close_date=dt.date(2026, 9, 30), created_on=opened)
    lost = closed(account, "Closed Lost", dt.date(2026, 7, 1), amount=200, created_on=opened)
    Opportunity.objects.filter(pk=lost.pk).update(expected_close_date=dt.date(2026, 8, 31))
    before = facade.pipeline_coverage([account.pk], today=TODAY)[account.pk]

    # when facts dated after TODAY are added: a deal won and a deal opened after it
    closed(account, "Closed Won", dt.date(2026, 6, 20), amount=500, created_on=opened)
    make_opportunity(account=account, amount=700, expected_close_date=dt.date(2026, 10, 31),
                     created_on=dt.date(2026, 6, 16))  # fmt: skip
    got = facade.pipeline_coverage([account.pk], today=TODAY)[account.pk]

    # then the coverage as of TODAY is unchanged: 300 open (the later lost deal still open then) over 800
    assert (got.won, got.open_pipeline) == (Decimal("200.00"), Decimal("300.00"))
    assert got.ratio == pytest.approx(300 / 800)
    assert got == before
    # and they count on a day after both (the lost deal still open then too)
    later = facade.pipeline_coverage([account.pk], today=dt.date(2026, 6, 30))[account.pk]
    assert (later.won, later.open_pipeline) == (Decimal("700.00"), Decimal("1000.00"))


def test_quarter_targets_add_up_and_a_met_target_is_unbounded(head):
    account = AccountFactory()
    for quarter in (1, 2):
        target_create(
            actor=head,
            scope="account",
            account=account,
            period="quarter",
            year=2026,
            number=quarter,
            amount=Decimal(100),
        )
    closed(account, "Closed Won", dt.date(2026, 2, 1), amount=250)

    got = facade.pipeline_coverage([account.pk], today=TODAY)[account.pk]

    assert got.target == Decimal("200.00")
    assert got.ratio is not None
    assert math.isinf(got.ratio)


def test_forecast_bias_is_the_mean_owner_probability_minus_the_win_rate(head):
    account = AccountFactory()
    for p, stage in ((80, "Closed Won"), (70, "Closed Lost"), (60, "Closed Lost"), (90, "Closed Won")):
        closed(account, stage, dt.date(2026, 1, 10), owner_probability=p)

    got = facade.forecast_bias([account.pk], today=TODAY)[account.pk]

    assert got.deals == 4
    assert got.bias == pytest.approx((0.8 + 0.7 + 0.6 + 0.9) / 4 - 0.5)


def test_forecast_bias_needs_three_closed_deals(head):
    account = AccountFactory()
    closed(account, "Closed Won", dt.date(2026, 1, 10), owner_probability=50)

    assert facade.forecast_bias([account.pk], today=TODAY)[account.pk].bias is None
