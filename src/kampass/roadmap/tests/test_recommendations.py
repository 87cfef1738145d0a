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
    )
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
    ids = initiatives_from_recommendations(actor=head, round_id=1, proposals=[proposal("tools", "next")])
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
    assert second[0] == first[0]
    assert Initiative.objects.count() == 2
    assert Initiative.objects.get(pk=first[0]).guardrail_threshold == 0.8
    # another round makes new initiatives
    third = initiatives_from_recommendations(actor=head, round_id=4, proposals=[proposal("tools")])
    assert third[0] != first[0]


def test_without_round_reuses_an_open_initiative_of_the_logic(head):
    a = initiatives_from_recommendations(actor=head, round_id=None, proposals=[proposal("tools")])
    b = initiatives_from_recommendations(actor=head, round_id=None, proposals=[proposal("tools")])
    assert a == b


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_or_admin(request, role):
    with pytest.raises(PermissionDenied):
        initiatives_from_recommendations(actor=request.getfixturevalue(role), round_id=1, proposals=[proposal("tools")])
    assert not Initiative.objects.exists()
