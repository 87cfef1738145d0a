"""The as-of features of the win model: a snapshot of a deal at a point in time sees nothing dated later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import PositionFactory, UserFactory
from kampass.pipeline.features import FEATURES, snapshot_row, snapshot_times, training_snapshots
from kampass.pipeline.models import Opportunity, OpportunityStageChange
from kampass.pipeline.services import (
    opportunity_change_stage,
    opportunity_contact_set,
    opportunity_update,
    qualification_set,
)
from kampass.pipeline.tests.factories import admin_actor, make_opportunity, stage

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _moved(o: Opportunity, name: str, day: dt.date, **kw) -> None:
    opportunity_change_stage(actor=admin_actor(), opportunity=o, stage=stage(name), at=_at(day), **kw)


def _later_facts(o: Opportunity, owner, later: dt.date, monkeypatch) -> None:
    """Everything that happens after the snapshot: a stage move, an amount change, a buying-centre
    link, a confirmed qualification element, a won deal of the same account and owner, an invoice."""
    from kampass.pipeline import features

    actor = admin_actor()
    _moved(o, "Proposal/Price Quote", later)
    OpportunityStageChange.objects.filter(opportunity=o, to_stage__name="Proposal/Price Quote").update(
        amount=Decimal("999999")
    )
    opportunity_update(actor=actor, opportunity=o, amount=Decimal("5"))
    contact = PositionFactory(account=o.account).contact
    opportunity_contact_set(actor=actor, opportunity=o, contact=contact, roles=["coach"])
    qualification_set(actor=actor, opportunity=o, element="champion", status="confirmed", evidence="Presents us")
    other = make_opportunity(account=o.account, name="Other", owner=owner, created_on=later)
    _moved(other, "Closed Won", later)
    monkeypatch.setattr(
        features,
        "_revenue_by_account",
        lambda ids: {o.account_id: ([later], [123456.0])},
    )


def test_a_snapshot_uses_nothing_dated_after_it(group, monkeypatch):
    # given a deal opened on 1 March, in Qualification from 10 March, with an earlier won deal of the account
    monkeypatch.setattr("kampass.pipeline.features._revenue_by_account", lambda ids: {})
    owner = UserFactory(username="owner-a")
    earlier = make_opportunity(account=group, name="Earlier", owner=owner, created_on=dt.date(2024, 1, 1))
    _moved(earlier, "Closed Won", dt.date(2024, 2, 1))
    o = make_opportunity(account=group, owner=owner, created_on=dt.date(2024, 3, 1), amount=Decimal("1000"))
    OpportunityStageChange.objects.filter(opportunity=o).update(changed_at=_at(dt.date(2024, 3, 1), 9))
    _moved(o, "Qualification", dt.date(2024, 3, 10))
    OpportunityStageChange.objects.filter(opportunity=o).update(amount=Decimal("1000"))
    o = Opportunity.objects.select_related("account", "stage", "owner").get(pk=o.pk)
    at = _at(dt.date(2024, 3, 20))
    before = snapshot_row(o, at)
    # when everything else happens later
    _later_facts(o, owner, dt.date(2024, 4, 15), monkeypatch)
    o = Opportunity.objects.select_related("account", "stage", "owner").get(pk=o.pk)
    after = snapshot_row(o, at)
    # then the snapshot of 20 March is unchanged, feature by feature
    assert set(before) == set(FEATURES)
    changed = {name: (before[name], after[name]) for name in FEATURES if before[name] != after[name]}
    assert changed == {}
    assert before["stage_order"] == stage("Qualification").order
    assert before["days_in_stage"] == 10
    assert before["age_days"] == 19
    assert before["amount"] == 1000.0
    assert (before["account_won"], before["account_lost"]) == (1, 0)
    assert (before["owner_won"], before["owner_closed"], before["owner_win_rate"]) == (1, 1, 1.0)
    assert before["contacts"] == before["qualified"] == 0
    assert before["account_revenue_365d"] == 0.0
    # and snapshots after the later facts do see them (the check above can fail)
    may = snapshot_row(o, _at(dt.date(2024, 5, 1)))
    assert may["stage_order"] == stage("Proposal/Price Quote").order
    assert may["amount"] == 999999.0  # the stage history's amount then
    assert may["account_won"] == 2
    assert may["owner_won"] == 2
    assert may["account_revenue_365d"] == 123456.0
    tomorrow = snapshot_row(o, timezone.now() + dt.timedelta(days=1))
    assert tomorrow["amount"] == 5.0  # the field history's newest value
    assert (tomorrow["contacts"], tomorrow["qualified"]) == (1, 1)


def test_training_snapshots_of_a_closed_deal_are_its_stage_entries_and_checkpoints(group):
    # given a deal opened on 1 Jan, moved on 5 Jan and 20 Feb, won on 1 April
    o = make_opportunity(account=group, created_on=dt.date(2024, 1, 1))
    OpportunityStageChange.objects.filter(opportunity=o).update(changed_at=_at(dt.date(2024, 1, 1), 9))
    _moved(o, "Qualification", dt.date(2024, 1, 5))
    _moved(o, "Negotiation/Review", dt.date(2024, 2, 20))
    _moved(o, "Closed Won", dt.date(2024, 4, 1))
    o = Opportunity.objects.select_related("account", "stage", "owner").get(pk=o.pk)
    # when
    snapshots, rows = training_snapshots([o])
    # then: opened (its first entry), the two later open entries, and the 30-day checkpoints before closing
    days = [timezone.localdate(s.at) for s in snapshots]
    assert days == [
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 20),
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 31),
    ]
    orders = [r["stage_order"] for r in rows]
    prospecting, qualification, negotiation = (
        stage(n).order for n in ("Prospecting", "Qualification", "Negotiation/Review")
    )
    assert orders == [prospecting, qualification, qualification, negotiation, negotiation, negotiation]
    assert rows[-1]["days_in_stage"] == (dt.date(2024, 3, 31) - dt.date(2024, 2, 20)).days
    assert o.closed_on is not None
    assert all(timezone.localdate(s.at) < o.closed_on for s in snapshots)
    # without a recorded entry on the opening day the deal is seen from the start of that day
    assert snapshot_times(o, [])[0] == timezone.make_aware(dt.datetime(2024, 1, 1))
