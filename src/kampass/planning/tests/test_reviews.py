"""Account reviews: planned, held (the snapshot of KPIs and objectives is frozen and the review no longer
changes), cancelled; raised by events once each; the facts the health score and the programme read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning import facade
from kampass.planning.models import AccountReview, ReviewKind, ReviewStatus, ReviewTrigger
from kampass.planning.services import plan_relationship_set
from kampass.planning.services_objectives import manual_kpi_record, objective_create
from kampass.planning.services_reviews import (
    REVIEW_EVENT_SOURCES,
    ReviewEvent,
    review_cadence_set,
    review_cancel,
    review_hold,
    review_plan,
    review_update,
    reviews_raise_events,
)
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


def today():
    return timezone.localdate()


def test_holding_a_review_freezes_planned_vs_actual_and_locks_it(kam, account):
    plan = make_plan(account=account, actor=kam, period_start=today() - dt.timedelta(days=30),
                     period_end=today() + dt.timedelta(days=330))  # fmt: skip
    objective_create(actor=kam, plan=plan, title="CSAT", kpi_key="customer_satisfaction", baseline="6", target="8",
                     due_on=plan.period_end)  # fmt: skip
    manual_kpi_record(actor=kam, account_id=account.pk, kpi_key="customer_satisfaction", value="7", measured_on=today())
    review = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=today(), plan_id=plan.pk)

    held = review_hold(actor=kam, review=review, version=review.version, held_on=today(), participants="KAM, CFO",
                       decisions="Pilot the service contract")  # fmt: skip

    assert (held.status, held.held_on, held.held_by) == (ReviewStatus.HELD, today(), kam)
    [snap] = held.snapshot["objectives"]
    assert (snap["title"], snap["baseline"], snap["target"], snap["actual"]) == ("CSAT", "6.0000", "8.0000", "7.0000")
    assert snap["progress"] == 0.5
    assert held.snapshot["kpis"]["customer_satisfaction"]["value"] == "7.0000"
    # later values do not change the snapshot, and the held review no longer changes
    manual_kpi_record(actor=kam, account_id=account.pk, kpi_key="customer_satisfaction", value="8", measured_on=today())
    held.refresh_from_db()
    assert held.snapshot["objectives"][0]["actual"] == "7.0000"
    for change in (
        lambda: review_update(actor=kam, review=held, version=None, due_on=today(), notes="x"),
        lambda: review_hold(actor=kam, review=held, version=None, held_on=today(), participants="again"),
        lambda: review_cancel(actor=kam, review=held, version=None),
    ):
        with pytest.raises(ValidationError):
            change()


def test_a_review_is_not_held_in_the_future_nor_without_participants(kam, account):
    review = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.STRATEGIC, due_on=today())

    with pytest.raises(ValidationError) as exc:
        review_hold(actor=kam, review=review, version=None, held_on=today() + dt.timedelta(days=1), participants="A")
    assert "held_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        review_hold(actor=kam, review=review, version=None, held_on=today(), participants=" ")
    assert "participants" in exc.value.message_dict
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED


def test_only_the_accounts_kam_and_the_head_plan_hold_and_cancel(kam, kam2, viewer, controller, head, account):
    for user in (kam2, viewer, controller):
        with pytest.raises(PermissionDenied):
            review_plan(actor=user, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=today())
    review = review_plan(actor=head, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=today())
    for user in (kam2, viewer, controller):
        with pytest.raises(PermissionDenied):
            review_hold(actor=user, review=review, version=None, held_on=today(), participants="A")
        with pytest.raises(PermissionDenied):
            review_cancel(actor=user, review=review, version=None)
        with pytest.raises(PermissionDenied):
            review_cadence_set(actor=user, account_id=account.pk, cadence="monthly")
    cancelled = review_cancel(actor=kam, review=review, version=review.version, reason="Customer postponed")
    assert cancelled.status == ReviewStatus.CANCELLED
    assert "Customer postponed" in cancelled.notes


def test_events_raise_one_review_each_however_often_they_run(kam, account, settings):
    settings.KAMPASS_REVIEW_LARGE_LOSS = "100000"
    settings.KAMPASS_REVIEW_LEAKAGE_SHARE = 0.08
    day = today()
    # a large loss of a subsidiary (belongs to the key account), a small one, an old large one
    child = AccountFactory(parent=account)
    big = make_opportunity(account=child, name="Tunnel lifts", amount="250000", stage_name="Closed Lost")
    small = make_opportunity(account=account, amount="5000", stage_name="Closed Lost")
    old = make_opportunity(account=account, amount="900000", stage_name="Closed Lost")
    Opportunity.objects.filter(pk__in=[big.pk, small.pk]).update(closed_on=day - dt.timedelta(days=3))
    Opportunity.objects.filter(pk=old.pk).update(closed_on=day - dt.timedelta(days=400))
    # leakage 20 % of the last 12 months
    CustomerLink.objects.create(customer_id="S1", account=account)
    insert_lines([line("1", "S1", "10", "100.00", date=day - dt.timedelta(days=10)),
                  line("1", "S1", "1", "-200.00", "discounts", date=day - dt.timedelta(days=10))])  # fmt: skip
    # the relationship stage dropped from integrated to basic
    plan = make_plan(account=account, actor=kam)
    plan_relationship_set(actor=kam, plan=plan, now="integrated")
    plan_relationship_set(actor=kam, plan=plan, now="basic")

    first = reviews_raise_events(today=day)
    second = reviews_raise_events(today=day)

    triggers = sorted((r.account_id, r.trigger) for r in first)
    assert triggers == sorted([
        (account.pk, ReviewTrigger.LARGE_LOSS), (account.pk, ReviewTrigger.LEAKAGE_BREACH),
        (account.pk, ReviewTrigger.RELATIONSHIP_DROP), (account.pk, ReviewTrigger.CADENCE),
    ])  # fmt: skip
    assert second == []
    loss = AccountReview.objects.get(trigger=ReviewTrigger.LARGE_LOSS)
    assert (loss.kind, loss.event_key, loss.due_on) == (
        ReviewKind.EVENT,
        f"large_loss:{big.pk}",
        day + dt.timedelta(days=14),
    )
    assert "Tunnel lifts" in loss.event_note
    # a second large loss of the account after the review was raised raises a new one
    later = make_opportunity(account=account, name="Escalators", amount="300000", stage_name="Closed Lost")
    Opportunity.objects.filter(pk=later.pk).update(closed_on=day)
    [again] = reviews_raise_events(today=day)
    assert (again.trigger, again.event_key) == (ReviewTrigger.LARGE_LOSS, f"large_loss:{later.pk}")
    assert AccountReview.objects.get(trigger=ReviewTrigger.CADENCE).kind == ReviewKind.CHECK_IN
    # next month the breach persists, but its review is still open: no second one
    assert reviews_raise_events(today=day + dt.timedelta(days=31)) == []


def test_large_losses_of_one_account_raise_one_review(kam, account):
    day = today()
    for name, amount in (("Lifts", "150000"), ("Doors", "400000")):
        lost = make_opportunity(account=account, name=name, amount=amount, stage_name="Closed Lost")
        Opportunity.objects.filter(pk=lost.pk).update(closed_on=day - dt.timedelta(days=2))

    raised = [r for r in reviews_raise_events(today=day) if r.trigger == ReviewTrigger.LARGE_LOSS]

    assert len(raised) == 1
    assert "Doors" in raised[0].event_note
    assert "2 large losses" in raised[0].event_note


def test_the_next_check_in_follows_the_accounts_cadence_after_the_last_one_held(kam, account):
    held_day = today() - dt.timedelta(days=10)
    review = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=held_day)
    review_hold(actor=kam, review=review, version=None, held_on=held_day, participants="KAM")
    review_cadence_set(actor=kam, account_id=account.pk, cadence="monthly")

    [raised] = reviews_raise_events(today=today())

    from kampass.core.kpis import add_months

    assert (raised.trigger, raised.due_on) == (ReviewTrigger.CADENCE, add_months(held_day, 1))


def test_registered_event_sources_raise_reviews_too(account):
    def health_drops(day):
        return [ReviewEvent(account.pk, ReviewTrigger.HEALTH_DROP, f"health_drop:{day}", "Health fell from 71 to 52.")]

    REVIEW_EVENT_SOURCES.append(health_drops)
    try:
        raised = reviews_raise_events(today=today())
    finally:
        REVIEW_EVENT_SOURCES.remove(health_drops)

    assert ReviewTrigger.HEALTH_DROP in {r.trigger for r in raised}


def test_facade_counts_reviews_held_and_gives_review_facts(kam, account):
    other = AccountFactory(kam_status="key_account")
    for days_ago in (10, 100, 400):
        r = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=today())
        AccountReview.objects.filter(pk=r.pk).update(
            status=ReviewStatus.HELD, held_on=today() - dt.timedelta(days=days_ago)
        )
    review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=today() - dt.timedelta(days=5))
    review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.STRATEGIC, due_on=today() + dt.timedelta(days=40))

    since = today() - dt.timedelta(days=365)
    assert facade.reviews_held([account.pk, other.pk], since=since) == {account.pk: 2, other.pk: 0}
    facts = facade.review_facts([account.pk, other.pk], today())
    mine = facts[account.pk]
    assert (mine.last_held_on, mine.days_since_last_held) == (today() - dt.timedelta(days=10), 10)
    assert (mine.next_due_on, mine.overdue, mine.held_last_12_months) == (today() - dt.timedelta(days=5), 1, 2)
    assert mine.cadence == "quarterly"
    assert facts[other.pk].last_held_on is None
    signals = facade.programme_signals()
    assert signals["reviews_held"] == 2.0
    assert {"accounts_with_plan_share", "tool_usage_share"} <= set(signals)
