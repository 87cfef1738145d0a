"""Approval and guardrail notifications: a plan put in review asks the heads of KAM and the account's executive
sponsors to approve it, its approval or its return to draft tells whoever put it in review (never the actor);
a guardrail that goes from within to breached tells the heads of KAM once, and again after a recovery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from kampass.common.models import Notification
from kampass.common.notifications import notification_text
from kampass.planning.models import PlanStatus
from kampass.planning.services import plan_transition
from kampass.planning.tests.factories import make_plan
from kampass.roadmap import services as roadmap_services
from kampass.roadmap.tests.factories import InitiativeFactory
from kampass.users.models import Role

pytestmark = pytest.mark.django_db


def _approvals(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="approval").order_by("pk"))


def _guardrails(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="guardrail").order_by("pk"))


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


def test_putting_a_plan_in_review_asks_the_heads_and_the_sponsor_but_not_the_actor_or_others(kam, kam2, head, viewer):
    # given: a sponsor on the group's team, a second KAM on the account's team and a viewer
    sponsor = UserFactory(role=Role.KAM, username="sponsor_t")
    parent = AccountFactory(name="Kone Group", kam_status="key_account")
    account = AccountFactory(name="Kone", kam_status="key_account", parent=parent)
    TeamMemberFactory(account=account, user=kam)
    TeamMemberFactory(account=parent, user=sponsor, role="executive_sponsor")
    TeamMemberFactory(account=account, user=kam2)
    plan = make_plan(account=account, actor=kam)

    # when
    plan_transition(actor=kam, plan=plan, target=PlanStatus.IN_REVIEW)

    # then
    assert len(_approvals(head)) == 1
    assert len(_approvals(sponsor)) == 1
    assert _approvals(kam) == []
    assert _approvals(kam2) == []
    assert _approvals(viewer) == []
    n = _approvals(sponsor)[0]
    assert n.link == reverse("plan-detail", args=[plan.pk])
    assert notification_text(n) == "Kam_T Tester asks you to approve the account plan of Kone (2027-01 – 2027-12)."


def test_a_head_putting_a_plan_in_review_is_not_asked_themselves(kam, head, account):
    # given
    other_head = UserFactory(role=Role.HEAD, username="head2_t")
    plan = make_plan(account=account, actor=kam)

    # when
    plan_transition(actor=head, plan=plan, target=PlanStatus.IN_REVIEW)

    # then
    assert _approvals(head) == []
    assert len(_approvals(other_head)) == 1


def test_approving_tells_whoever_put_the_plan_in_review_once_and_not_the_approver(kam, kam2, head, account):
    # given: kam2 on the team puts it in review, the head approves
    TeamMemberFactory(account=account, user=kam2)
    plan = make_plan(account=account, actor=kam)
    plan = plan_transition(actor=kam2, plan=plan, target=PlanStatus.IN_REVIEW)

    # when
    plan = plan_transition(actor=head, plan=plan, target=PlanStatus.APPROVED, comment="Go")
    plan_transition(actor=head, plan=plan, target=PlanStatus.ACTIVE)

    # then
    assert [notification_text(n) for n in _approvals(kam2)] == [
        "Head_T Tester approved the account plan of Kone (2027-01 – 2027-12)."
    ]
    assert _approvals(kam) == []
    assert len(_approvals(head)) == 1  # only the request to approve, not their own approval


def test_sending_a_plan_back_tells_the_submitter_in_german(kam, head, account):
    # given
    plan = make_plan(account=account, actor=kam)
    plan = plan_transition(actor=kam, plan=plan, target=PlanStatus.IN_REVIEW)

    # when
    plan_transition(actor=head, plan=plan, target=PlanStatus.DRAFT, comment="Add the risks")

    # then
    (n,) = _approvals(kam)
    with translation.override("de"):
        text = notification_text(n)
    assert text == "Head_T Tester hat den Account-Plan von Kone (2027-01 – 2027-12) in den Entwurf zurückgeschickt."


def test_the_request_to_approve_is_german_for_a_german_reader(kam, head, account):
    plan = make_plan(account=account, actor=kam)
    plan_transition(actor=kam, plan=plan, target=PlanStatus.IN_REVIEW)

    with translation.override("de"):
        text = notification_text(_approvals(head)[0])

    assert text == "Kam_T Tester bittet Sie, den Account-Plan von Kone (2027-01 – 2027-12) freizugeben."


def _measure(initiative, value: float, minutes: int) -> None:
    when = timezone.now() - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes)
    roadmap_services.measurement_record(actor=None, initiative=initiative, value=value, measured_at=when)


def test_a_guardrail_breach_tells_the_heads_once_and_again_after_a_recovery(head, kam, admin_user):
    # given: leakage share may be at most 8 %
    initiative = InitiativeFactory(title="Stop the leakage", guardrail_threshold=0.08, guardrail_direction="max")
    _measure(initiative, 0.05, 0)

    # when: breached, still breached
    _measure(initiative, 0.10, 1)
    _measure(initiative, 0.12, 2)

    # then: told once
    assert len(_guardrails(head)) == 1
    n = _guardrails(head)[0]
    assert n.link == reverse("roadmap-initiative", args=[initiative.pk])
    with translation.override("en"):
        assert notification_text(n) == (
            "The guardrail of the initiative “Stop the leakage” is breached: 10.0% (threshold 8.0%)."
        )
    with translation.override("de"):
        assert notification_text(n) == (
            "Die Leitplanke der Initiative „Stop the leakage“ ist verletzt: 10,0\u00a0% (Schwelle 8,0\u00a0%)."
        )
    assert _guardrails(kam) == []
    assert _guardrails(admin_user) == []

    # when: recovered, then breached again
    _measure(initiative, 0.07, 3)
    assert len(_guardrails(head)) == 1
    _measure(initiative, 0.09, 4)

    # then: told again
    assert len(_guardrails(head)) == 2


def test_the_first_reading_beyond_the_threshold_is_a_breach_but_a_back_filled_older_one_is_not(head):
    # given
    initiative = InitiativeFactory(guardrail_threshold=0.5, guardrail_direction="min")

    # when: the first reading is below the minimum
    _measure(initiative, 0.4, 10)

    # then
    assert len(_guardrails(head)) == 1

    # when: a recovery, then an older reading beyond the threshold is back-filled before it
    _measure(initiative, 0.6, 20)
    _measure(initiative, 0.3, 0)

    # then: nobody is told of the old reading
    assert len(_guardrails(head)) == 1


def test_the_scheduled_measurement_tells_of_a_breach_once(head):
    # given
    InitiativeFactory(guardrail_key="leakage_share", guardrail_threshold=0.08, guardrail_direction="max")

    # when: the roadmap's measurement (the command and the task) runs twice with a value beyond the threshold
    roadmap_services.guardrails_measure(actor=None, values={"leakage_share": 0.2})
    roadmap_services.guardrails_measure(actor=None, values={"leakage_share": 0.25})

    # then
    assert len(_guardrails(head)) == 1
