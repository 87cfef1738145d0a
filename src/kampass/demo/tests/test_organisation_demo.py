"""The demo data of the organisation context: conflicts on purpose, profiles, blocked actions; idempotent.

(Here, not in organisation/tests: it loads the whole demo data set, which sits above the contexts.)
"""

from __future__ import annotations

import pytest

from kampass.demo.services import demo_load
from kampass.organisation import facade
from kampass.organisation.demo import demo_organisation_load
from kampass.organisation.models import CompetenceRating, DevelopmentAction, RaciAssignment
from kampass.users.models import User


@pytest.fixture
def demo(db):
    demo_load(password="demo-pass-for-tests-1")


def test_the_demo_has_two_deliberate_raci_conflicts_profiles_and_blocked_actions(demo):
    # when
    created = demo_organisation_load()
    # then
    assert created > 0
    raci = facade.raci_summary()
    assert {c.conflicts for c in raci.conflicting} == {("several_accountable",), ("no_responsible",)}
    kam = User.objects.get(username="kam")
    assert CompetenceRating.objects.filter(user=kam, level__isnull=False).count() == 8
    assert CompetenceRating.objects.filter(user__username="kam2", self_level__isnull=False).count() == 8
    blocked = DevelopmentAction.objects.filter(blocked=True)
    assert {a.blocked_cause for a in blocked} == {"resources", "structure"}
    signals = facade.programme_signals()
    assert signals["raci_conflicts"] == 2
    assert signals["blocked_actions_share"] == pytest.approx(2 / 8)
    # kam looks after 5 accounts as KAM, above the demo threshold of 4
    assert facade.structure_summary().kams_over_threshold >= 1


def test_loading_twice_changes_nothing_and_reset_reloads(demo):
    demo_organisation_load()
    cells = RaciAssignment.objects.count()
    actions = DevelopmentAction.objects.count()
    # when
    assert demo_organisation_load() == 0
    # then
    assert (RaciAssignment.objects.count(), DevelopmentAction.objects.count()) == (cells, actions)
    # when the head of KAM edited the diagram and the demo is reset
    RaciAssignment.objects.all().delete()
    reloaded = demo_organisation_load(reset=True)
    assert reloaded > cells
    assert (RaciAssignment.objects.count(), DevelopmentAction.objects.count()) == (cells, actions)
