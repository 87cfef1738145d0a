"""Plan actions: created by the plan's editors, progressed by their owner, carried into new plan
versions, flagged when overdue, counted in the tool usage and the action completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning import action_selectors, facade
from kampass.planning.action_services import action_create, action_delete, action_update
from kampass.planning.models import ActionStatus, PlanAction, PlanStatus
from kampass.planning.services import plan_new_version
from kampass.planning.tests.factories import make_plan
from kampass.users.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_noon_of_today")]
TODAY = timezone.localdate()


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def member(account):
    user = UserFactory(username="service_t", role=Role.VIEWER)  # a service engineer on the team, not a KAM
    TeamMemberFactory(account=account, user=user, role="service")
    return user


@pytest.fixture
def plan(account, kam):
    return make_plan(account=account, actor=kam, status=PlanStatus.ACTIVE)


def test_the_kam_adds_an_action_with_an_owner_from_the_team_and_links(kam, member, plan):
    opp = make_opportunity(account=plan.account, name="Drive retrofit")

    action = action_create(
        actor=kam, plan=plan, title="Meet the plant manager", owner_id=member.pk, due_date=TODAY,
        links=[{"kind": "opportunity", "id": opp.pk}], topics="Service",
    )  # fmt: skip

    assert action.owner == member
    assert action.links == [{"kind": "opportunity", "id": opp.pk}]
    shown = action_selectors.links_shown([action])[action.pk]
    assert [(s.kind, s.name) for s in shown] == [("opportunity", "Drive retrofit")]


def test_an_owner_off_the_team_or_an_unknown_link_is_refused(kam, plan):
    outsider = UserFactory()
    with pytest.raises(ValidationError) as exc:
        action_create(actor=kam, plan=plan, title="x", owner_id=outsider.pk)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        action_create(actor=kam, plan=plan, title="x", links=[{"kind": "contact", "id": 999999}])
    assert "links" in exc.value.message_dict


def test_the_owner_may_change_status_and_notes_but_nothing_else(kam, member, plan):
    action = action_create(actor=kam, plan=plan, title="Call", owner_id=member.pk)

    done = action_update(actor=member, action=action, version=action.version, status=ActionStatus.DONE, notes="ok")

    assert done.status == ActionStatus.DONE
    assert done.completed_at is not None
    with pytest.raises(PermissionDenied):
        action_update(actor=member, action=done, version=done.version, title="Something else")
    with pytest.raises(PermissionDenied):
        action_delete(actor=member, action=done, version=done.version)


def test_a_team_member_may_not_change_actions_assigned_to_others(kam, member, plan, account):
    other = UserFactory(role=Role.VIEWER)
    TeamMemberFactory(account=account, user=other, role="technical")
    action = action_create(actor=kam, plan=plan, title="Call", owner_id=other.pk)

    with pytest.raises(PermissionDenied):
        action_update(actor=member, action=action, version=action.version, status=ActionStatus.DONE)


def test_viewers_and_other_kams_may_not_add_actions(viewer, kam2, plan):
    for user in (viewer, kam2):
        with pytest.raises(PermissionDenied):
            action_create(actor=user, plan=plan, title="Call")


def test_a_stale_version_is_refused(kam, plan):
    action = action_create(actor=kam, plan=plan, title="Call")
    action_update(actor=kam, action=action, version=action.version, title="Call again")

    with pytest.raises(ConcurrentEdit):
        action_update(actor=kam, action=action, version=action.version, title="Lost update")


def test_open_actions_are_carried_into_a_new_version_and_the_old_ones_no_longer_listed(kam, plan):
    open_one = action_create(actor=kam, plan=plan, title="Open", owner_id=kam.pk)
    action_create(actor=kam, plan=plan, title="Done", status=ActionStatus.DONE, owner_id=kam.pk)

    new = plan_new_version(actor=kam, plan=plan)

    copied = list(new.actions.all())
    assert [(a.title, a.copied_from_id) for a in copied] == [("Open", open_one.pk)]
    mine = action_selectors.action_list(user=kam, filters=action_selectors.ActionFilters(mine=True))
    assert [a.plan_id for a in mine] == [new.pk]


def test_superseded_versions_are_history(kam, plan):
    action = action_create(actor=kam, plan=plan, title="Open")
    type(plan).objects.filter(pk=plan.pk).update(status=PlanStatus.SUPERSEDED)
    plan.refresh_from_db()
    action.refresh_from_db()

    with pytest.raises(ValidationError):
        action_update(actor=kam, action=action, version=action.version, status=ActionStatus.DONE)


def test_overdue_and_completion_share(kam, plan):
    on_time = action_create(actor=kam, plan=plan, title="a", due_date=TODAY - dt.timedelta(days=5))
    action_update(actor=kam, action=on_time, version=None, status=ActionStatus.DONE)
    PlanAction.objects.filter(pk=on_time.pk).update(completed_at=timezone.now() - dt.timedelta(days=6))
    late = action_create(actor=kam, plan=plan, title="b", due_date=TODAY - dt.timedelta(days=20))
    action_update(actor=kam, action=late, version=None, status=ActionStatus.DONE)
    overdue = action_create(actor=kam, plan=plan, title="c", due_date=TODAY - dt.timedelta(days=1))
    action_create(actor=kam, plan=plan, title="d", due_date=TODAY + dt.timedelta(days=9))
    action_create(actor=kam, plan=plan, title="e", due_date=TODAY - dt.timedelta(days=3), status=ActionStatus.CANCELLED)

    got = action_selectors.action_completion([plan.account_id], today=TODAY)[plan.account_id]

    assert overdue.is_overdue(TODAY)
    assert (got.on_time, got.late, got.overdue) == (1, 1, 1)
    assert got.share == pytest.approx(1.5 / 3)


def test_action_edits_count_as_tool_usage(kam, plan):
    before = facade.programme_signals()["tool_usage_share"]
    assert before == 1.0  # making the plan already counted; now only the action
    type(plan).history.all().delete()
    plan.sections.model.history.all().delete()

    action_create(actor=kam, plan=plan, title="Call")

    assert facade.programme_signals()["tool_usage_share"] == 1.0
    PlanAction.history.all().delete()
    assert facade.programme_signals()["tool_usage_share"] == 0.0
