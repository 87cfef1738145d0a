"""MEDDPICC qualification and the late-stage flags."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.pipeline.selectors import qualification_flags, qualification_rows
from kampass.pipeline.services import opportunity_change_stage, qualification_set
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def test_all_eight_elements_are_listed_missing_by_default(kam, group):
    opp = make_opportunity(account=group)
    rows = qualification_rows(opp)
    assert [r.element for r in rows] == [
        "metrics", "economic_buyer", "decision_criteria", "decision_process",
        "paper_process", "identified_pain", "champion", "competition",
    ]  # fmt: skip
    assert {r.status for r in rows} == {"missing"}
    assert not any(r.flagged for r in rows)


def test_confirmed_needs_evidence_and_unknown_values_are_refused(kam, group):
    opp = make_opportunity(account=group)
    with pytest.raises(ValidationError) as exc:
        qualification_set(actor=kam, opportunity=opp, element="champion", status="confirmed")
    assert "evidence" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        qualification_set(actor=kam, opportunity=opp, element="budget", status="sure")
    assert {"element", "status"} <= set(exc.value.message_dict)


def test_unconfirmed_economic_buyer_or_champion_is_flagged_in_a_late_stage(kam, group):
    # given an opportunity in an early stage with a partly known champion
    opp = make_opportunity(account=group, stage_name="Needs Analysis")
    qualification_set(actor=kam, opportunity=opp, element="champion", status="partial", evidence="Head of R&D likes us")
    assert qualification_flags(opp) == []
    # when it moves to a late stage (default probability >= 50 %)
    opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Value Proposition"))
    opp.refresh_from_db()
    # then both are flagged until confirmed
    assert qualification_flags(opp) == ["economic_buyer", "champion"]
    qualification_set(actor=kam, opportunity=opp, element="economic_buyer", status="confirmed", evidence="CFO signs")
    assert qualification_flags(opp) == ["champion"]


def test_a_stage_flagged_late_counts_even_below_the_probability(kam, group):
    s = stage("Needs Analysis")
    s.late = True
    s.save()
    opp = make_opportunity(account=group, stage_name="Needs Analysis")
    assert qualification_flags(opp) == ["economic_buyer", "champion"]


def test_qualification_is_denied_to_other_teams_and_readers(kam2, viewer, group):
    opp = make_opportunity(account=group)
    for actor in (kam2, viewer):
        with pytest.raises(PermissionDenied):
            qualification_set(actor=actor, opportunity=opp, element="metrics", status="missing")
