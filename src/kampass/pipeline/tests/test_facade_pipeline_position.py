"""``pipeline.facade.account_pipeline_position``: the pipeline of a group of accounts as of a day,
checked against the opportunities counted by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.accounts.tests.factories import AccountFactory, ContactFactory
from kampass.pipeline import facade
from kampass.pipeline.models import Opportunity, OpportunityContact, Outcome
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 30)


def _opp(account, amount, *, opened, closed=None, outcome=Outcome.OPEN):
    o = make_opportunity(account=account, amount=amount)
    Opportunity.objects.filter(pk=o.pk).update(created_on=opened, closed_on=closed, outcome=outcome)
    return Opportunity.objects.get(pk=o.pk)


def test_open_then_amount_win_rate_and_buying_centre(db):
    # given opportunities of two accounts opened and closed around the day, and one of another account
    a, b, other = AccountFactory(), AccountFactory(), AccountFactory()
    open_now = _opp(a, 1000, opened=dt.date(2026, 1, 1))
    _opp(b, 500, opened=dt.date(2026, 2, 1), closed=dt.date(2026, 8, 1), outcome=Outcome.WON)  # open on the day
    _opp(a, 300, opened=dt.date(2026, 7, 1))  # opened after the day
    _opp(a, 200, opened=dt.date(2025, 1, 1), closed=dt.date(2026, 3, 1), outcome=Outcome.WON)
    _opp(b, 200, opened=dt.date(2025, 1, 1), closed=dt.date(2026, 4, 1), outcome=Outcome.LOST)
    _opp(b, 200, opened=dt.date(2024, 1, 1), closed=dt.date(2025, 4, 1), outcome=Outcome.LOST)  # over a year before
    _opp(other, 9999, opened=dt.date(2026, 1, 1))
    OpportunityContact.objects.create(opportunity=open_now, contact=ContactFactory(), roles=["champion"])

    # when
    position = facade.account_pipeline_position([a.pk, b.pk], as_of=DAY, currency="EUR")

    # then: open on the day are the 1000 and the 500; one won and one lost in the year before
    assert position.open_count == 2
    assert position.open_amount == Decimal("1500.00")
    assert (position.won, position.lost) == (1, 1)
    assert position.win_rate == pytest.approx(0.5)
    assert position.buying_centre_contacts == 1
    assert position.buying_centre_coverage == pytest.approx(0.5)


def test_without_opportunities_there_is_no_rate(db):
    position = facade.account_pipeline_position([AccountFactory().pk], as_of=DAY)

    assert (position.open_count, position.win_rate, position.buying_centre_coverage) == (0, None, None)
