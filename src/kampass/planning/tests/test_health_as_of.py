"""The health of a past day: each component counts only what was known on that day, so that a snapshot
recorded for it (a backfill, the demo's history) is what kampass would have computed then. A fact dated
after the day leaves the health of that day unchanged."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning import action_selectors, facade, health_selectors
from kampass.planning.action_services import action_create
from kampass.planning.health_services import health_snapshots_record
from kampass.planning.models import AccountPlan, ActionStatus, HealthSnapshot, Notice, PlanAction, PlanStatus
from kampass.planning.services_reviews import review_hold, review_plan
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return account


def approve_on(plan: AccountPlan, day: dt.date) -> None:
    AccountPlan.objects.filter(pk=plan.pk).update(approved_at=at(day))


def test_plan_facts_of_a_past_day_are_the_plan_signed_off_by_then(account):
    day = today() - dt.timedelta(days=60)
    # given a plan signed off a month before the day, superseded since by one signed off after the day
    old = make_plan(account=account, status=PlanStatus.ACTIVE, period_start=dt.date(2026, 1, 1),
                    period_end=dt.date(2026, 12, 31))  # fmt: skip
    approve_on(old, day - dt.timedelta(days=30))
    new = make_plan(account=account, status=PlanStatus.ACTIVE)
    approve_on(new, day + dt.timedelta(days=10))
    old.refresh_from_db()
    assert old.status == PlanStatus.SUPERSEDED

    # when
    then = facade.account_plan_facts([account.pk], today=day)[account.pk]
    now = facade.account_plan_facts([account.pk])[account.pk]

    # then on the day the old plan was in force (one month old, current); today the new one
    assert (then.plan_id, then.age_months, then.current) == (old.pk, 1.0, True)
    assert (now.plan_id, now.current) == (new.pk, True)


def test_a_plan_signed_off_after_the_day_does_not_count_on_it(account):
    day = today() - dt.timedelta(days=60)
    plan = make_plan(account=account, status=PlanStatus.ACTIVE)
    approve_on(plan, day + dt.timedelta(days=1))

    then = facade.account_plan_facts([account.pk], today=day)[account.pk]
    raw = health_selectors.raw_components([account.pk], today=day)[account.pk]

    assert (then.plan_id, then.current) == (None, False)
    assert raw["plan_freshness"] == math.inf
    assert health_selectors.raw_components([account.pk])[account.pk]["plan_freshness"] == pytest.approx(
        (today() - (day + dt.timedelta(days=1))).days / 30.44, abs=0.05
    )


def test_action_completion_of_a_past_day_ignores_later_actions_and_later_completions(kam, account):
    day = today() - dt.timedelta(days=40)
    plan = make_plan(account=account, status=PlanStatus.ACTIVE)

    def action(title, due, created, done=None):
        a = action_create(actor=kam, plan=plan, title=title, due_date=due, status=ActionStatus.OPEN)
        fields: dict[str, object] = {"created_at": at(created)}
        if done is not None:
            fields.update(status=ActionStatus.DONE, completed_at=at(done))
        PlanAction.objects.filter(pk=a.pk).update(**fields)

    # given: done on time before the day; done after the day (still open on it); created after the day
    action("on time", day - dt.timedelta(days=10), day - dt.timedelta(days=50), done=day - dt.timedelta(days=12))
    action("done later", day - dt.timedelta(days=5), day - dt.timedelta(days=50), done=day + dt.timedelta(days=3))
    action("planned later", day - dt.timedelta(days=3), day + dt.timedelta(days=5), done=day + dt.timedelta(days=6))

    # when
    then = action_selectors.action_completion([account.pk], today=day)[account.pk]
    now = action_selectors.action_completion([account.pk])[account.pk]

    # then on the day: one on time, one overdue; today: one on time and two done late
    assert (then.on_time, then.late, then.overdue) == (1, 0, 1)
    assert then.share == pytest.approx(0.5)
    assert (now.on_time, now.late, now.overdue) == (1, 2, 0)


def test_reviews_held_after_the_day_do_not_count_on_it(kam, account):
    day = today() - dt.timedelta(days=30)
    for held_on in (day - dt.timedelta(days=20), day + dt.timedelta(days=10)):
        review = review_plan(actor=kam, account_id=account.pk, kind="check_in", due_on=held_on)
        review_hold(actor=kam, review=review, version=None, held_on=held_on, participants="KAM")

    since = day - dt.timedelta(days=health_selectors.REVIEWS_WINDOW_DAYS)
    assert facade.reviews_held([account.pk], since=since, until=day) == {account.pk: 1}
    assert health_selectors.raw_components([account.pk], today=day)[account.pk]["reviews_held"] == 1.0
    assert health_selectors.raw_components([account.pk])[account.pk]["reviews_held"] == 2.0


def test_facts_dated_after_a_day_leave_its_health_unchanged(head, kam, account):
    # given an account with a plan, an action and a review before the day
    day = today() - dt.timedelta(days=45)
    plan = make_plan(account=account, status=PlanStatus.ACTIVE)
    approve_on(plan, day - dt.timedelta(days=100))
    a = action_create(actor=kam, plan=plan, title="Call", due_date=day - dt.timedelta(days=5))
    PlanAction.objects.filter(pk=a.pk).update(created_at=at(day - dt.timedelta(days=30)))
    review = review_plan(actor=kam, account_id=account.pk, kind="check_in", due_on=day - dt.timedelta(days=9))
    review_hold(actor=kam, review=review, version=None, held_on=day - dt.timedelta(days=9), participants="KAM")
    before = health_selectors.account_health([account.pk], today=day)[account.pk]
    today_before = health_selectors.account_health([account.pk])[account.pk]

    # when, after the day, a new plan is signed off, the action is done, another one planned, a review held
    newer = make_plan(account=account, status=PlanStatus.ACTIVE, period_start=dt.date(2028, 1, 1),
                      period_end=dt.date(2028, 12, 31))  # fmt: skip
    approve_on(newer, day + dt.timedelta(days=2))
    PlanAction.objects.filter(pk=a.pk).update(status=ActionStatus.DONE, completed_at=at(day + dt.timedelta(days=1)))
    later = action_create(actor=kam, plan=newer, title="Visit", due_date=day - dt.timedelta(days=2))
    PlanAction.objects.filter(pk=later.pk).update(created_at=at(day + dt.timedelta(days=3)))
    review = review_plan(actor=kam, account_id=account.pk, kind="check_in", due_on=day + dt.timedelta(days=4))
    review_hold(actor=kam, review=review, version=None, held_on=day + dt.timedelta(days=4), participants="KAM")

    # then the health of the day is the same, today's has changed
    after = health_selectors.account_health([account.pk], today=day)[account.pk]
    assert after == before
    assert health_selectors.account_health([account.pk])[account.pk] != today_before


def test_a_backfill_without_notices_records_the_drop_but_tells_nobody(head, kam, account):
    day = today() - dt.timedelta(days=30)
    HealthSnapshot.objects.create(account=account, day=day - dt.timedelta(days=30), score=90.0, components=[])

    quiet = health_snapshots_record(actor=head, day=day, account_ids=[account.pk], notify=False)

    assert (quiet.created, quiet.notices) == (1, 0)
    assert HealthSnapshot.objects.get(account=account, day=day).score == 0.0  # no plan: freshness 0
    assert not Notice.objects.exists()
    # the same drop recorded by the normal run tells the KAM and the head
    assert health_snapshots_record(actor=head, day=day, account_ids=[account.pk]).notices == 2
