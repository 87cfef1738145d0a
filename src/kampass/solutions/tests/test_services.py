"""Services of the solutions context: the library, uses at accounts, initiatives and their permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.pipeline.tests.factories import make_opportunity
from kampass.solutions import services
from kampass.solutions.models import Solution, SolutionUse, Stage, StageChange
from kampass.solutions.tests.factories import SolutionFactory, key_account, make_initiative

pytestmark = pytest.mark.django_db


def test_a_kam_creates_a_solution_with_tidy_segments_and_history(kam):
    # when
    s = services.solution_create(actor=kam, name="  Spare-parts pool ", segments="Machinery, , machinery,Food")
    # then
    assert (s.name, s.segments, s.status, s.created_by) == ("Spare-parts pool", "Machinery, Food", "active", kam)
    assert s.history.first().history_user == kam


@pytest.mark.parametrize("role", ["viewer", "controller"])
def test_readers_cannot_create_solutions(role, request):
    with pytest.raises(PermissionDenied):
        services.solution_create(actor=request.getfixturevalue(role), name="X")
    assert not Solution.objects.exists()


def test_a_duplicate_name_is_refused(head):
    services.solution_create(actor=head, name="Portal")
    with pytest.raises(ValidationError) as exc:
        services.solution_create(actor=head, name="portal")
    assert "name" in exc.value.message_dict


def test_a_stale_version_is_refused_and_nothing_is_written(head):
    # given a solution edited by someone else since version 1 was loaded
    s = services.solution_create(actor=head, name="Portal")
    services.solution_update(actor=head, solution=s, version=1, problem="new")
    # when / then
    with pytest.raises(ConcurrentEdit):
        services.solution_update(actor=head, solution=s, version=1, problem="mine")
    assert Solution.objects.get(pk=s.pk).problem == "new"


def test_retired_solutions_take_no_new_uses(head):
    # given
    s = services.solution_create(actor=head, name="Legacy")
    account = key_account()
    services.solution_retire(actor=head, solution=s)
    # when / then
    with pytest.raises(ValidationError):
        services.solution_use_link(actor=head, solution=s, account_id=account.pk)
    assert Solution.objects.get(pk=s.pk).status == "retired"


def test_a_kam_links_uses_only_at_accounts_on_their_team(kam):
    # given
    mine, other = key_account("Mine"), key_account("Other")
    TeamMemberFactory(account=mine, user=kam)
    s = SolutionFactory()
    # when
    use = services.solution_use_link(actor=kam, solution=s, account_id=mine.pk, note="pilot", reference=True)
    # then
    assert (use.account_id, use.note, use.reference, use.created_by) == (mine.pk, "pilot", True, kam)
    with pytest.raises(PermissionDenied):
        services.solution_use_link(actor=kam, solution=s, account_id=other.pk)
    assert SolutionUse.objects.count() == 1


def test_a_kam_on_a_parents_team_links_at_the_subsidiary(kam):
    group = key_account("Group")
    site = AccountFactory(name="Site", parent=group)
    TeamMemberFactory(account=group, user=kam)
    services.solution_use_link(actor=kam, solution=SolutionFactory(), account_id=site.pk)
    assert SolutionUse.objects.filter(account=site).exists()


def test_linking_the_same_use_twice_keeps_one(head):
    s, account = SolutionFactory(), key_account()
    services.solution_use_link(actor=head, solution=s, account_id=account.pk, plan_id=7)
    services.solution_use_link(actor=head, solution=s, account_id=account.pk, plan_id=7, note="again")
    assert list(SolutionUse.objects.values_list("plan_id", "note")) == [(7, "again")]


def test_an_opportunity_of_another_account_is_refused(head):
    s, account, foreign = SolutionFactory(), key_account("A"), key_account("B")
    opp = make_opportunity(account=foreign)
    with pytest.raises(ValidationError) as exc:
        services.solution_use_link(actor=head, solution=s, account_id=account.pk, opportunity_id=opp.pk)
    assert "opportunity_id" in exc.value.message_dict


def test_a_kam_unlinks_only_at_their_accounts(kam, head):
    mine, other = key_account("Mine"), key_account("Other")
    TeamMemberFactory(account=mine, user=kam)
    s = SolutionFactory()
    use_mine = services.solution_use_link(actor=head, solution=s, account_id=mine.pk)
    use_other = services.solution_use_link(actor=head, solution=s, account_id=other.pk)
    services.solution_use_unlink(actor=kam, use=use_mine)
    with pytest.raises(PermissionDenied):
        services.solution_use_unlink(actor=kam, use=use_other)
    assert list(SolutionUse.objects.values_list("pk", flat=True)) == [use_other.pk]


def test_an_initiative_records_its_first_stage_and_each_move_with_its_day(head):
    # given
    account = key_account()
    i = make_initiative(accounts=[account], actor=head, starts=dt.date(2026, 1, 10))
    # when
    services.initiative_move(actor=head, initiative=i, stage=Stage.PILOT, on=dt.date(2026, 3, 1))
    i = services.initiative_move(actor=head, initiative=i, stage=Stage.STOPPED, on=dt.date(2026, 5, 1))
    # then
    changes = list(StageChange.objects.filter(initiative=i).values_list("from_stage", "to_stage", "on"))
    assert changes == [
        ("", "idea", dt.date(2026, 1, 10)),
        ("idea", "pilot", dt.date(2026, 3, 1)),
        ("pilot", "stopped", dt.date(2026, 5, 1)),
    ]
    assert (i.stage, i.stage_since, i.ends) == ("stopped", dt.date(2026, 5, 1), dt.date(2026, 5, 1))


def test_a_move_before_the_current_stage_began_is_refused(head):
    i = make_initiative(accounts=[key_account()], actor=head, starts=dt.date(2026, 1, 10))
    with pytest.raises(ValidationError):
        services.initiative_move(actor=head, initiative=i, stage=Stage.PILOT, on=dt.date(2026, 1, 1))


def test_initiatives_need_key_accounts(head):
    prospect = AccountFactory(name="Prospect")
    with pytest.raises(ValidationError) as exc:
        make_initiative(accounts=[prospect], actor=head)
    assert "account_ids" in exc.value.message_dict


def test_an_end_before_the_start_is_refused(head):
    with pytest.raises(ValidationError) as exc:
        make_initiative(accounts=[key_account()], actor=head, starts=dt.date(2026, 2, 1), ends=dt.date(2026, 1, 1))
    assert "ends" in exc.value.message_dict


def test_a_kam_adds_only_key_accounts_on_their_team_and_edits_initiatives_they_are_involved_in(kam, kam2, head):
    # given
    mine, other = key_account("Mine"), key_account("Other")
    TeamMemberFactory(account=mine, user=kam)
    # when / then: a KAM may not start an initiative with another KAM's account
    with pytest.raises(ValidationError):
        make_initiative(accounts=[other], actor=kam)
    i = make_initiative(accounts=[mine], actor=kam, effort_cost=Decimal("10"))
    services.initiative_update(actor=kam, initiative=i, effort_cost=Decimal("20"))
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=kam2, initiative=i, effort_cost=Decimal("30"))
    with pytest.raises(PermissionDenied):
        services.initiative_delete(actor=kam, initiative=i)
    # the head of KAM adds any key account
    services.initiative_update(actor=head, initiative=i, account_ids=[mine.pk, other.pk])
    assert sorted(i.accounts.values_list("name", flat=True)) == ["Mine", "Other"]


def test_linked_opportunities_must_belong_to_the_initiatives_accounts(head):
    account, foreign = key_account("A"), key_account("B")
    opp = make_opportunity(account=foreign)
    with pytest.raises(ValidationError) as exc:
        make_initiative(accounts=[account], actor=head, opportunity_ids=[opp.pk])
    assert "opportunity_ids" in exc.value.message_dict
