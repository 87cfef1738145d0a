"""Phase confirmation (note required for an override, history) and accepting recommendations."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.programme import services
from kampass.programme.facade import current_phase
from kampass.programme.models import PhaseDecision, RecommendationAcceptance
from kampass.programme.selectors import phase_history, programme_assessment
from kampass.programme.tests.conftest import closed_round


@pytest.fixture
def round_(head, catalogue):
    return closed_round(head, catalogue, respondents=5)


def test_confirming_the_proposed_phase(head, round_):
    pa = programme_assessment(assessment_round=round_)
    assert pa is not None
    proposed = pa.proposal.phase
    d = services.phase_confirm(actor=head, phase=proposed, assessment_round=round_)
    assert d.proposed_phase == proposed
    assert not d.overridden
    assert d.reasons  # the evidence at that moment is kept
    assert current_phase() == proposed


def test_overriding_the_proposal_needs_a_note(head, round_, catalogue):
    pa = programme_assessment(assessment_round=round_)
    assert pa is not None
    proposed = pa.proposal.phase
    other = next(p.key for p in catalogue.phases if p.key != proposed)
    with pytest.raises(ValidationError) as exc:
        services.phase_confirm(actor=head, phase=other, assessment_round=round_)
    assert "note" in exc.value.message_dict
    d = services.phase_confirm(actor=head, phase=other, note="Board decision", assessment_round=round_)
    assert d.overridden
    assert current_phase() == other
    assert list(phase_history()) == [d]


def test_unknown_phase_is_refused(head, round_):
    with pytest.raises(ValidationError) as exc:
        services.phase_confirm(actor=head, phase="chaos", note="x", assessment_round=round_)
    assert "phase" in exc.value.message_dict


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_confirm_the_phase(request, who, round_):
    with pytest.raises(PermissionDenied):
        services.phase_confirm(actor=request.getfixturevalue(who), phase="install", note="x", assessment_round=round_)
    assert not PhaseDecision.objects.exists()


def test_current_phase_is_none_before_any_confirmation(db):
    assert current_phase() is None


def test_accepting_a_selection_creates_roadmap_initiatives(head, round_):
    pa = programme_assessment(assessment_round=round_)
    assert pa is not None
    recs = pa.recommendations
    chosen = [recs[1].logic, recs[0].logic]
    # when
    acceptance = services.recommendations_accept(actor=head, assessment_round=round_, logics=chosen)
    # then the initiatives come back from the roadmap in rank order
    assert acceptance.logics == [recs[0].logic, recs[1].logic]
    assert len(acceptance.initiative_ids) == 2
    from kampass.roadmap.facade import roadmap_summary

    logics = {i.logic for i in roadmap_summary().initiatives if i.id in acceptance.initiative_ids}
    assert logics == set(chosen)
    # accepting again does not duplicate: nothing new, both reported as already on the roadmap
    again = services.recommendations_accept(actor=head, assessment_round=round_, logics=chosen)
    assert again.initiative_ids == []
    assert sorted(s["initiative_id"] for s in again.skipped) == sorted(acceptance.initiative_ids)


def test_accepting_a_logic_already_pursued_on_the_roadmap_skips_it(head, round_, catalogue):
    # given: the roadmap already pursues the top recommended logic (planned by hand, active)
    from kampass.roadmap.facade import roadmap_summary
    from kampass.roadmap.models import Initiative

    pa = programme_assessment(assessment_round=round_)
    assert pa is not None
    first, second = pa.recommendations[0].logic, pa.recommendations[1].logic
    existing = Initiative.objects.create(
        logic=first,
        title="Already under way",
        status="active",
        guardrail_key="leakage_share",
        guardrail_threshold=0.08,
    )
    # when
    acceptance = services.recommendations_accept(actor=head, assessment_round=round_, logics=[first, second])
    # then: one initiative per logic on the roadmap, the skipped one named with its initiative
    logics = [i.logic for i in roadmap_summary().initiatives]
    assert sorted(logics) == sorted([first, second])
    assert acceptance.skipped == [
        {
            "logic": first,
            "initiative_id": existing.pk,
            "title": "Already under way",
            "status": "active",
            "round_id": None,
        }
    ]
    assert len(acceptance.initiative_ids) == 1


def test_accepting_unknown_logics_or_by_a_kam_is_refused(head, kam, round_):
    with pytest.raises(ValidationError):
        services.recommendations_accept(actor=head, assessment_round=round_, logics=["astrology"])
    with pytest.raises(PermissionDenied):
        services.recommendations_accept(actor=kam, assessment_round=round_)
    assert not RecommendationAcceptance.objects.exists()
