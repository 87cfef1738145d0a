"""The account plan's services: creation from the template, sections with optimistic concurrency,
the life cycle with sign-off, new versions, relationship history, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.core import planning as core
from kampass.planning import facade
from kampass.planning.models import AccountPlan, PlanSection, PlanStatus, RelationshipStageEntry
from kampass.planning.services import (
    plan_comment_add,
    plan_create,
    plan_new_version,
    plan_relationship_set,
    plan_section_save,
    plan_transition,
)
from kampass.planning.tests.factories import FILLED, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


def test_a_new_plan_has_the_default_templates_sections(kam, account):
    plan = plan_create(
        actor=kam, account_id=account.pk, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31)
    )

    assert plan.status == PlanStatus.DRAFT
    assert plan.number == 1
    assert [s.key for s in plan.sections.order_by("pk")] == [s.key for s in core.DEFAULT_SECTIONS]


def test_a_second_plan_for_the_same_period_is_refused(kam, account):
    make_plan(account=account, actor=kam)

    with pytest.raises(ValidationError) as exc:
        plan_create(
            actor=kam, account_id=account.pk, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31)
        )
    assert "period_start" in exc.value.message_dict


def test_a_kam_off_the_team_may_not_plan_the_account(kam2, account):
    with pytest.raises(PermissionDenied):
        plan_create(
            actor=kam2, account_id=account.pk, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31)
        )


def test_the_second_save_of_a_section_based_on_the_same_version_is_refused(kam, account):
    plan = make_plan(account=account, actor=kam, filled=False)
    loaded = PlanSection.objects.get(plan=plan, key="situation").version
    plan_section_save(actor=kam, plan=plan, key="situation", content={"business": "first"}, version=loaded)

    with pytest.raises(ConcurrentEdit):
        plan_section_save(actor=kam, plan=plan, key="situation", content={"business": "second"}, version=loaded)
    assert PlanSection.objects.get(plan=plan, key="situation").content == {"business": "first"}


def test_unknown_section_fields_are_refused(kam, account):
    plan = make_plan(account=account, actor=kam, filled=False)

    with pytest.raises(ValidationError) as exc:
        plan_section_save(actor=kam, plan=plan, key="situation", content={"bogus": "x"}, version=None)
    assert "bogus" in str(exc.value)


def test_review_needs_the_required_fields_and_names_the_missing_ones(kam, account):
    plan = make_plan(account=account, actor=kam, filled=False)

    with pytest.raises(ValidationError) as exc:
        plan_transition(actor=kam, plan=plan, target=PlanStatus.IN_REVIEW)
    assert "Value drivers" in str(exc.value)


def test_only_the_head_or_the_executive_sponsor_signs_off(kam, kam2, account, head):
    plan = make_plan(account=account, actor=kam)
    plan = plan_transition(actor=kam, plan=plan, target=PlanStatus.IN_REVIEW)

    with pytest.raises(PermissionDenied):
        plan_transition(actor=kam, plan=plan, target=PlanStatus.APPROVED)
    TeamMemberFactory(account=account, user=kam2, role="executive_sponsor")
    approved = plan_transition(actor=kam2, plan=plan, target=PlanStatus.APPROVED, comment="Go")
    assert approved.status == PlanStatus.APPROVED
    assert approved.approved_by == kam2
    assert approved.approval_comment == "Go"


def test_an_approved_plan_is_immutable_and_a_new_version_starts_from_it(kam, account):
    approved = make_plan(account=account, status=PlanStatus.APPROVED)

    with pytest.raises(ValidationError):
        plan_section_save(actor=kam, plan=approved, key="situation", content={"business": "changed"}, version=None)
    new = plan_new_version(actor=kam, plan=approved)
    assert (new.number, new.status, new.based_on_id) == (2, PlanStatus.DRAFT, approved.pk)
    assert PlanSection.objects.get(plan=new, key="situation").content == FILLED["situation"]
    with pytest.raises(ValidationError):
        plan_new_version(actor=kam, plan=approved)  # version 2 is still open


def test_activating_a_version_supersedes_the_one_in_force(kam, head, account):
    first = make_plan(account=account, status=PlanStatus.ACTIVE)
    second = plan_new_version(actor=kam, plan=first)
    for target in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED, PlanStatus.ACTIVE):
        second = plan_transition(actor=head, plan=second, target=target)

    first.refresh_from_db()
    assert (first.status, second.status) == (PlanStatus.SUPERSEDED, PlanStatus.ACTIVE)


def test_moves_outside_the_life_cycle_are_refused(head, account):
    plan = make_plan(account=account, status=PlanStatus.ACTIVE)

    with pytest.raises(ValidationError):
        plan_transition(actor=head, plan=plan, target=PlanStatus.DRAFT)


def test_the_relationship_stage_keeps_its_history(kam, account):
    plan = make_plan(account=account, actor=kam)
    plan_relationship_set(actor=kam, plan=plan, now="basic", target="cooperative")
    plan_relationship_set(actor=kam, plan=plan, now="basic", target="cooperative")  # unchanged: no entry
    plan_relationship_set(actor=kam, plan=plan, now="cooperative", target="interdependent")

    stages = list(RelationshipStageEntry.objects.filter(account=account).values_list("stage", flat=True))
    assert stages == ["basic", "cooperative"]
    with pytest.raises(ValidationError):
        plan_relationship_set(actor=kam, plan=plan, now="friends")


def test_viewers_may_not_comment(viewer, kam, account):
    plan = make_plan(account=account, actor=kam)

    assert plan_comment_add(actor=kam, plan=plan, body="Check the value drivers", section_key="situation").pk
    with pytest.raises(PermissionDenied):
        plan_comment_add(actor=viewer, plan=plan, body="x")


def test_the_plan_share_counts_key_accounts_with_a_current_signed_off_plan(kam, account):
    other = AccountFactory(kam_status="key_account")
    AccountFactory(kam_status="prospect")  # no key account: not counted
    make_plan(account=account, status=PlanStatus.APPROVED)
    draft = make_plan(account=other, status=PlanStatus.IN_REVIEW)
    assert facade.programme_signals()["tool_usage_share"] == 0.0  # only the head wrote so far
    TeamMemberFactory(account=other, user=kam)
    plan_section_save(actor=kam, plan=draft, key="resources", content={"team": "kam"}, version=None)

    signals = facade.programme_signals()
    assert signals["accounts_with_plan_share"] == pytest.approx(1 / 2)
    # kam edited sections of a plan in the last 30 days: the only KAM on a key account is active
    assert signals["tool_usage_share"] == 1.0


def test_a_plan_approved_long_ago_is_not_current(account, settings):
    plan = make_plan(account=account, status=PlanStatus.APPROVED)
    assert plan.approved_at is not None
    AccountPlan.objects.filter(pk=plan.pk).update(approved_at=plan.approved_at - dt.timedelta(days=400))

    facts = facade.account_plan_facts([account.pk])[account.pk]
    assert facts.plan_id == plan.pk
    assert not facts.current
    assert (facts.age_months or 0) > 12
    settings.KAMPASS_PLAN_MAX_AGE_MONTHS = 24
    assert facade.account_plan_facts([account.pk])[account.pk].current
