"""Selectors: conflicts of the function diagram, workload, lead units of international accounts, profiles."""

from __future__ import annotations

import pytest

from kampass.organisation import selectors
from kampass.organisation.models import RaciAssignment
from kampass.organisation.raci import Conflict
from kampass.organisation.tests.scenario import build


@pytest.fixture
def world(kam, kam2, head):
    return build(kam=kam, kam2=kam2, head=head)


def test_conflicts_of_the_function_diagram(world):
    # when
    matrix = selectors.raci_matrix()
    # then: only active activities are checked
    assert [a.key for a in matrix.activities] == ["x", "y", "z"]
    a = world.activities
    assert matrix.checks[a["X"].pk].conflicts == ()
    assert matrix.checks[a["Y"].pk].conflicts == (Conflict.SEVERAL_ACCOUNTABLE, Conflict.NO_RESPONSIBLE)
    assert matrix.checks[a["Z"].pk].conflicts == (Conflict.NO_ACCOUNTABLE, Conflict.NO_RESPONSIBLE)
    assert matrix.conflict_count == 2
    assert matrix.code(a["X"].pk, world.roles["Q"].pk) == "R"


def test_cells_of_an_inactive_role_do_not_count(world):
    # given: Y's second Accountable sits in role Q, which is switched off
    world.roles["Q"].active = False
    world.roles["Q"].save()
    # when
    check = selectors.activity_check(world.activities["Y"])
    # then
    assert check.accountable == 1
    assert check.conflicts == (Conflict.NO_RESPONSIBLE,)


def test_an_ar_cell_resolves_both_conflicts(world):
    RaciAssignment.objects.filter(activity=world.activities["Y"], role=world.roles["Q"]).update(code="C")
    RaciAssignment.objects.filter(activity=world.activities["Y"], role=world.roles["P"]).update(code="AR")
    assert selectors.activity_check(world.activities["Y"]).ok


def test_workload_flags_kams_above_the_threshold(world):
    # when
    rows = selectors.workload(threshold=2)
    # then: most loaded first; kam3 has no account but is listed; head is listed as KAM of A5
    by_user = {r.user_id: r for r in rows}
    assert rows[0].user_id == world.kam.pk
    assert (by_user[world.kam.pk].accounts, by_user[world.kam.pk].key_accounts) == (3, 2)
    assert by_user[world.kam.pk].over_threshold is True
    assert (by_user[world.kam2.pk].accounts, by_user[world.kam2.pk].over_threshold) == (1, False)
    assert by_user[world.kam3.pk].accounts == 0
    assert by_user[world.head.pk].accounts == 1
    assert [r.user_id for r in selectors.workload(threshold=3) if r.over_threshold] == []


def test_workload_threshold_defaults_to_the_settings(world, head):
    from kampass.organisation import services

    services.structure_settings_update(actor=head, max_accounts_per_kam=2)
    assert [r.user_id for r in selectors.workload() if r.over_threshold] == [world.kam.pk]


def test_lead_units_of_international_accounts(world):
    # when
    rows = selectors.international_accounts()
    # then: A1 (DE+FR, no lead unit) first, A4 (CH+US, lead unit); A3 stays in Germany
    assert [(r.name, r.countries, r.lead_unit_missing) for r in rows] == [
        ("A1", ("DE", "FR"), True),
        ("A4", ("CH", "US"), False),
    ]
    assert rows[1].lead_unit_name == "Sales Switzerland"
    assert rows[0].accounts == 2
    assert [r.name for r in selectors.international_accounts(only_missing=True)] == ["A1"]


def test_kam_load_counts_only_users_with_the_kam_role(world):
    load = selectors.kam_load()
    assert load.appointed == 2
    assert load.mean_accounts == pytest.approx(2.0)


def test_a_profile_uses_personal_targets_over_role_targets(world):
    # when
    profile = selectors.profile(world.kam2)
    # then: only the active competences C1, C2
    rows = {line.competence.key: line.row for line in profile.lines}
    assert set(rows) == {"c1", "c2"}
    assert (rows["c1"].level, rows["c1"].target, rows["c1"].gap) == (4, 4, 0)
    assert (rows["c2"].level, rows["c2"].target, rows["c2"].gap) == (3, 5, 2)
    assert profile.mean_gap == pytest.approx(1.0)
    assert profile.rated == 2


def test_profiles_are_visible_to_managers_and_to_oneself(world, controller):
    assert set(selectors.visible_profile_people(user=world.head)) >= {world.kam, world.kam2, world.kam3, world.head}
    assert list(selectors.visible_profile_people(user=world.kam)) == [world.kam]
    assert list(selectors.visible_profile_people(user=controller)) == []


def test_action_list_filters_and_visibility(world):
    assert selectors.action_list(user=world.head).count() == 6
    # a KAM sees their own actions and those they own
    assert selectors.action_list(user=world.kam).count() == 4
    blocked = selectors.action_list(user=world.head, filters=selectors.ActionFilters(blocked=True))
    assert {a.blocked_cause for a in blocked} == {"structure", "resources"}
    open_only = selectors.action_list(user=world.head, filters=selectors.ActionFilters(open_only=True))
    assert open_only.count() == 5
    by_cause = selectors.action_list(user=world.head, filters=selectors.ActionFilters(cause="resources"))
    assert [a.person for a in by_cause] == [world.kam2]


def test_action_counts(world):
    counts = selectors.action_counts()
    assert (counts.total, counts.open, counts.blocked) == (6, 5, 2)
    assert counts.blocked_by_cause == {"structure": 1, "resources": 1}
