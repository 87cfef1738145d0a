"""Accepted recommendations become planned initiatives, once per round and logic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kampass.roadmap.facade import InitiativeProposal, initiatives_from_recommendations
from kampass.roadmap.models import Initiative


def proposal(logic: str, timing: str = "now", rank: int = 1, **kw) -> InitiativeProposal:
    defaults = {
        "commercialisation": ("leakage_share", 0.08, "max"),
        "facts_strategy": ("findings_with_action_share", 0.7, "min"),
        "tools": ("accounts_with_plan_share", 0.8, "min"),
    }[logic]
    return InitiativeProposal(
        logic=logic,
        rank=rank,
        title=kw.get("title", f"{logic} title"),
        guardrail_key=defaults[0],
        guardrail_threshold=kw.get("threshold", defaults[1]),
        guardrail_direction=defaults[2],
        timing=timing,
    )


def test_creates_one_planned_initiative_per_proposal_with_dates_by_timing(head):
    # given
    today = timezone.localdate()
    # when
    ids = initiatives_from_recommendations(
        actor=head,
        round_id=7,
        proposals=[proposal("facts_strategy"), proposal("tools", "next", 2), proposal("commercialisation", "later", 3)],
    ).created
    # then
    got = {i.logic: i for i in Initiative.objects.filter(pk__in=ids)}
    assert len(ids) == 3
    assert set(got) == {"facts_strategy", "tools", "commercialisation"}
    assert all(i.status == "planned" and i.round_id == 7 for i in got.values())
    assert got["facts_strategy"].starts == today
    tools_starts, commercialisation_starts = got["tools"].starts, got["commercialisation"].starts
    assert tools_starts is not None
    assert commercialisation_starts is not None
    assert tools_starts > today
    assert tools_starts.day == 1
    assert commercialisation_starts > tools_starts
    assert all(i.ends is not None and i.starts is not None and i.ends > i.starts for i in got.values())
    assert got["facts_strategy"].title == "facts_strategy title"
    assert (got["facts_strategy"].guardrail_direction, got["facts_strategy"].guardrail_threshold) == ("min", 0.7)


def test_next_starts_three_months_on(head):
    ids = initiatives_from_recommendations(actor=head, round_id=1, proposals=[proposal("tools", "next")]).created
    starts = Initiative.objects.get(pk=ids[0]).starts
    assert starts is not None
    today = timezone.localdate()
    months = (starts.year - today.year) * 12 + starts.month - today.month
    assert months == 3
    assert starts == dt.date(starts.year, starts.month, 1)


def test_idempotent_per_round_and_logic(head):
    # given
    first = initiatives_from_recommendations(actor=head, round_id=3, proposals=[proposal("tools")])
    # when: the same round again, with a changed threshold and another logic added
    second = initiatives_from_recommendations(
        actor=head, round_id=3, proposals=[proposal("tools", threshold=0.5), proposal("commercialisation")]
    )
    # then
    assert second.ids[1] == first.created[0]
    assert [s.logic for s in second.skipped] == ["tools"]
    assert Initiative.objects.count() == 2
    assert Initiative.objects.get(pk=first.created[0]).guardrail_threshold == 0.8
    # and a third call creates nothing
    third = initiatives_from_recommendations(
        actor=head, round_id=3, proposals=[proposal("tools"), proposal("commercialisation")]
    )
    assert third.created == ()
    assert Initiative.objects.count() == 2


def test_a_logic_with_an_open_initiative_of_another_round_is_skipped_not_duplicated(head):
    # given: Facts & Strategy accepted from round 3 and Tools planned by hand (both still open)
    earlier = initiatives_from_recommendations(actor=head, round_id=3, proposals=[proposal("facts_strategy")])
    by_hand = Initiative.objects.create(
        logic="tools",
        title="Account plans everywhere",
        status="active",
        guardrail_key="accounts_with_plan_share",
        guardrail_threshold=0.8,
        guardrail_direction="min",
    )
    # when: round 4 recommends both again, and Commercialisation
    outcome = initiatives_from_recommendations(
        actor=head,
        round_id=4,
        proposals=[proposal("facts_strategy"), proposal("tools"), proposal("commercialisation")],
    )
    # then: only Commercialisation is new; the others are reported with the initiative pursuing them
    assert Initiative.objects.filter(logic="facts_strategy").count() == 1
    assert Initiative.objects.filter(logic="tools").count() == 1
    [created] = outcome.created
    assert Initiative.objects.get(pk=created).logic == "commercialisation"
    assert {(s.logic, s.initiative_id, s.status) for s in outcome.skipped} == {
        ("facts_strategy", earlier.created[0], "planned"),
        ("tools", by_hand.pk, "active"),
    }
    assert next(s for s in outcome.skipped if s.logic == "tools").title == "Account plans everywhere"


@pytest.mark.parametrize("status", ["done", "abandoned"])
def test_a_logic_whose_initiatives_are_closed_gets_a_new_one(head, status):
    # given
    [old] = initiatives_from_recommendations(actor=head, round_id=3, proposals=[proposal("tools")]).created
    Initiative.objects.filter(pk=old).update(status=status)
    # when
    outcome = initiatives_from_recommendations(actor=head, round_id=4, proposals=[proposal("tools")])
    # then
    assert outcome.skipped == ()
    assert len(outcome.created) == 1
    assert outcome.created[0] != old


@pytest.mark.parametrize("status", ["planned", "active", "paused"])
def test_open_statuses_block_a_duplicate(head, status):
    [old] = initiatives_from_recommendations(actor=head, round_id=3, proposals=[proposal("tools")]).created
    Initiative.objects.filter(pk=old).update(status=status)
    outcome = initiatives_from_recommendations(actor=head, round_id=4, proposals=[proposal("tools")])
    assert outcome.created == ()
    assert [s.initiative_id for s in outcome.skipped] == [old]


def test_without_round_reuses_an_open_initiative_of_the_logic(head):
    a = initiatives_from_recommendations(actor=head, round_id=None, proposals=[proposal("tools")])
    b = initiatives_from_recommendations(actor=head, round_id=None, proposals=[proposal("tools")])
    assert a.ids == b.ids
    assert b.created == ()


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_or_admin(request, role):
    with pytest.raises(PermissionDenied):
        initiatives_from_recommendations(actor=request.getfixturevalue(role), round_id=1, proposals=[proposal("tools")])
    assert not Initiative.objects.exists()
