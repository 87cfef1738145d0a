"""The facade's signals and summaries, against figures counted by hand from the scenario."""

from __future__ import annotations

import pytest

from kampass.organisation import facade
from kampass.organisation.tests.scenario import build, clear_catalogues


def test_programme_signals_match_the_hand_count(kam, kam2, head):
    # given (see scenario.build): kam has 3 accounts as KAM, kam2 1; head is KAM of A5 but has role head
    build(kam=kam, kam2=kam2, head=head)
    # when
    signals = facade.programme_signals()
    # then
    assert signals == {
        "kams_appointed": 2.0,
        "accounts_per_kam": pytest.approx((3 + 1) / 2),
        # Y (two Accountable, no Responsible) and Z (empty); X is fine; W is inactive
        "raci_conflicts": 2.0,
        # 5 open actions (planned or in progress), 2 of them blocked; the done one does not count
        "blocked_actions_share": pytest.approx(2 / 5),
        # kam C1 4-2=2, kam C2 3-4 -> 0, kam2 C1 4-4=0, kam2 C2 5-3=2 (personal target); head C1 has no
        # target; C3 is inactive
        "competence_gap": pytest.approx((2 + 0 + 0 + 2) / 4),
    }


def test_signals_without_data_are_none_or_zero(db):
    clear_catalogues()
    assert facade.programme_signals() == {
        "kams_appointed": 0.0,
        "accounts_per_kam": None,
        "raci_conflicts": 0.0,
        "blocked_actions_share": None,
        "competence_gap": None,
    }


def test_summaries(kam, kam2, head):
    world = build(kam=kam, kam2=kam2, head=head)
    raci = facade.raci_summary()
    assert (raci.activities, raci.roles, raci.cells_filled, raci.conflicts) == (3, 2, 4, 2)
    assert [(c.activity_id, c.conflicts) for c in raci.conflicting] == [
        (world.activities["Y"].pk, ("several_accountable", "no_responsible")),
        (world.activities["Z"].pk, ("no_accountable", "no_responsible")),
    ]
    structure = facade.structure_summary()
    assert (structure.kams_appointed, structure.international_accounts, structure.without_lead_unit) == (2, 2, 1)
    assert structure.kams_over_threshold == 0  # default threshold 6
    people = facade.people_summary()
    assert (people.open_actions, people.blocked_actions) == (5, 2)
    assert people.blocked_actions_share == pytest.approx(0.4)
    assert {b.cause: b.count for b in people.blocked_by_cause} == {
        "structure": 1,
        "process": 0,
        "resources": 1,
        "management": 0,
    }
    # kam, kam2, kam3 and head have profiles; kam, kam2 and head have ratings on active competences
    assert (people.profiles, people.rated_profiles) == (4, 3)
