"""Rules of the roadmap shown on other pages, defined once: which initiatives are open (for the
programme dashboard, through the facade) and which are flagged for lacking an owner."""

from __future__ import annotations

import pytest

from kampass.roadmap import selectors
from kampass.roadmap.facade import roadmap_summary
from kampass.roadmap.tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def test_open_initiatives_through_the_facade():
    # given: one initiative in each status
    for status in ("planned", "active", "paused", "done", "abandoned"):
        InitiativeFactory(title=status, status=status)
    # when
    summary = roadmap_summary()
    # then
    assert {i.title for i in summary.initiatives if i.is_open} == {"planned", "active", "paused"}


def test_planned_and_active_initiatives_without_owner_are_flagged(head):
    # given
    for status in ("planned", "active", "paused", "done"):
        InitiativeFactory(title=f"{status} nobody", status=status)
    InitiativeFactory(title="active owned", status="active", owner=head)
    # when
    flagged = selectors.initiatives_without_owner(selectors.initiative_list())
    # then
    assert {i.title for i in flagged} == {"planned nobody", "active nobody"}
