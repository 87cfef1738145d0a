"""The own-opportunity backtest reads the live as-of snapshot features (the training's builder): a row at
an origin holds only what was known before it -- not an amount, a stage, or an account's record that
kampass learnt later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from kampass.core.forecasting.backtest import known_at, snapshot, training_rows
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome
from kampass.pipeline.recorded_history import recorded_deal_history
from kampass.pipeline.tests.factories import make_opportunity, stage
from kampass.pipeline.tests.test_backtest_recorded import backdate

pytestmark = pytest.mark.django_db

ORIGIN = dt.date(2024, 3, 1)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def deals(group):
    """Deal X opened in January and lost in May; kampass learnt of it only in September, from an import
    that recorded it with its amount then (7000) and a stage entry dated the import day. Deal Y of the same
    account, opened in January, was entered in kampass then; it moved to Negotiation in April and was won
    in April (after the origin)."""
    x = make_opportunity(account=group, name="X", amount=Decimal("7000"), stage_name="Prospecting")
    Opportunity.objects.filter(pk=x.pk).update(
        created_on=dt.date(2024, 1, 10), closed_on=dt.date(2024, 5, 2), outcome=Outcome.LOST
    )
    imported = _at(dt.date(2024, 9, 1))
    Opportunity.history.filter(id=x.pk).update(history_date=imported)
    OpportunityStageChange.objects.filter(opportunity_id=x.pk).update(changed_at=imported)
    y = make_opportunity(account=group, name="Y", amount=Decimal("5000"), stage_name="Prospecting")
    Opportunity.objects.filter(pk=y.pk).update(
        created_on=dt.date(2024, 1, 12), closed_on=dt.date(2024, 4, 20), outcome=Outcome.WON
    )
    backdate(y.pk, dt.date(2024, 1, 12))
    OpportunityStageChange.objects.create(
        opportunity_id=y.pk, from_stage=stage("Prospecting"), to_stage=stage("Negotiation/Review"),
        changed_at=_at(dt.date(2024, 4, 2)), amount=Decimal("9000"),
    )  # fmt: skip
    return x, y


def _rows_at(origin: dt.date, today: dt.date = dt.date(2024, 12, 31)) -> dict[str, dict]:
    # the history as read (on two deals the leakage guard would leave most columns out, see _prepared)
    history = recorded_deal_history(today=today).history
    rows, index = snapshot(history, np.datetime64(origin, "D"), 60)
    table = rows.features.to_pylist()
    return {history.ids[int(i)]: table[k] for k, i in enumerate(index)}


def test_a_value_known_only_after_the_origin_does_not_enter_its_row(deals):
    x, y = deals
    # when the backtest takes its rows at the origin (1 March)
    rows = _rows_at(ORIGIN)
    # then deal X's amount is unknown there: kampass first heard of it (and its amount) in September
    assert rows[str(x.pk)]["amount"] is None or np.isnan(rows[str(x.pk)]["amount"])
    # and deal Y is in the stage and at the amount it had then, not those of April
    assert rows[str(y.pk)]["stage_order"] == stage("Prospecting").order
    assert rows[str(y.pk)]["amount"] == 5000.0
    assert rows[str(y.pk)]["days_in_stage"] == (ORIGIN - dt.date(2024, 1, 12)).days
    # and neither counts the other's closing, which came after the origin
    assert rows[str(y.pk)]["account_won"] == 0
    assert rows[str(x.pk)]["account_won"] == 0


def test_after_the_origin_the_same_deals_read_what_was_learnt_meanwhile(deals):
    x, y = deals
    rows = _rows_at(dt.date(2024, 4, 25))
    # Y is closed by then; X is still open and sees Y's win; X's amount is still unknown (imported in September)
    assert str(y.pk) not in rows
    assert rows[str(x.pk)]["account_won"] == 1
    assert rows[str(x.pk)]["age_days"] == (dt.date(2024, 4, 25) - dt.date(2024, 1, 10)).days


def test_training_rows_before_an_origin_are_snapshots_as_of_their_own_day(deals):
    _x, y = deals
    history = recorded_deal_history(today=dt.date(2024, 12, 31)).history
    origin = np.datetime64("2024-07-01", "D")
    view = known_at(history, origin)
    train = training_rows(view, origin, 60)
    # the snapshot of 2 April, the day Y moved to Negotiation, does not see the move yet (known before the
    # day only), nor the amount of 9000 recorded with it
    rows = train.features.to_pylist()
    at_move = [
        rows[k]
        for k, (day, deal) in enumerate(zip(train.as_of, train.deals, strict=True))
        if str(day) == "2024-04-02" and view.ids[int(deal)] == str(y.pk)
    ]
    assert len(at_move) == 1
    assert at_move[0]["stage_order"] == stage("Prospecting").order
    assert at_move[0]["amount"] == 5000.0
