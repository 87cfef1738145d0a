"""The pipeline's facts for the programme navigator (``facade.programme_signals``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kampass.pipeline.facade import programme_signals
from kampass.pipeline.models import Opportunity, QualificationElement
from kampass.pipeline.services import qualification_set, risk_create, risk_delete, risk_update
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


def test_without_opportunities_every_signal_is_unknown():
    assert programme_signals() == {
        "opportunities_qualified_share": None,
        "owner_forecast_bias": None,
        "risks_with_owner_share": None,
        "findings_with_action_share": None,
    }


def test_signals_are_counted_from_opportunities_and_risks(kam, group):
    # given three open opportunities, one of them fully qualified, one with key elements only partly known
    qualified, partial, bare = (make_opportunity(account=group, name=n, owner_probability=p) for n, p in
                                (("A", 80), ("B", 60), ("C", 30)))  # fmt: skip
    for element in QualificationElement.values:
        qualification_set(actor=kam, opportunity=qualified, element=element, status="confirmed", evidence="seen")
        qualification_set(actor=kam, opportunity=partial, element=element, status="partial", evidence="heard")
    # and model scores for two of them
    Opportunity.objects.filter(pk=qualified.pk).update(probability=0.5)
    Opportunity.objects.filter(pk=partial.pk).update(probability=0.7)
    # and four active risks: two with owner and mitigation, one with an owner only, one with neither
    for title, owner, mitigation in (("r1", kam, "plan"), ("r2", kam, "escalate"), ("r3", kam, ""), ("r4", None, "")):
        risk_create(actor=kam, opportunity=bare, title=title, category="technical", likelihood=2, impact=2,
                    owner=owner, mitigation=mitigation)  # fmt: skip

    signals = programme_signals()

    assert signals["opportunities_qualified_share"] == pytest.approx(1 / 3)
    # owner minus model: (0.80 - 0.50) and (0.60 - 0.70) -> mean 0.10
    assert signals["owner_forecast_bias"] == pytest.approx(0.10)
    assert signals["risks_with_owner_share"] == pytest.approx(3 / 4)
    assert signals["findings_with_action_share"] == pytest.approx(2 / 4)


def test_the_kept_signals_follow_every_change_they_are_made_of(kam, group):
    # given an open opportunity without qualification, with a risk without owner, its signals read once
    deal = make_opportunity(account=group, name="Kept", owner_probability=70)
    risk = risk_create(actor=kam, opportunity=deal, title="r", category="technical", likelihood=2, impact=2)
    first = programme_signals()
    assert (first["opportunities_qualified_share"], first["risks_with_owner_share"]) == (0.0, 0.0)
    # when it is fully qualified, then the kept signals are not used
    for element in QualificationElement.values:
        qualification_set(actor=kam, opportunity=deal, element=element, status="confirmed", evidence="seen")
    assert programme_signals()["opportunities_qualified_share"] == 1.0
    # when one element is changed back to missing (no new row: a change)
    qualification_set(actor=kam, opportunity=deal, element="champion", status="missing", evidence="")
    assert programme_signals()["opportunities_qualified_share"] == 0.0
    # when the risk gets an owner
    risk_update(actor=kam, risk=risk, owner=kam, mitigation="plan")
    assert programme_signals()["risks_with_owner_share"] == 1.0
    # when the deal is scored (a rescore writes no history, but a scoring time)
    Opportunity.objects.filter(pk=deal.pk).update(probability=0.5, scored_at=timezone.now())
    assert programme_signals()["owner_forecast_bias"] == pytest.approx(0.2)
    # when the risk is removed
    risk_delete(actor=kam, risk=risk)
    assert programme_signals()["risks_with_owner_share"] is None
