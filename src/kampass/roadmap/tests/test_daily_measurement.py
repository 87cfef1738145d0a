"""The worker's daily guardrail reading: registered in the daily schedule, enqueued once a day, one
reading per initiative and day (a reading taken by hand that day stands), and a breach it finds notifies
the heads of KAM."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kampass.common import schedule
from kampass.common.models import Notification, NotificationKind, ScheduledRun
from kampass.roadmap import services
from kampass.roadmap.models import GuardrailMeasurement
from kampass.roadmap.tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def leakage(monkeypatch):
    """The programme's live leakage share, as the daily run reads it."""
    from kampass.programme import facade as programme_facade

    value = {"leakage_share": 0.12}
    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: dict(value))
    return value


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def test_the_roadmap_registers_its_daily_guardrail_reading():
    assert "roadmap.measure_guardrails" in schedule.DAILY_JOBS


def test_enqueue_due_at_half_past_two_enqueues_the_roadmap_job_once_a_day(settings):
    settings.KAMPASS_DAILY_AT = "02:00"
    day = dt.date(2027, 3, 1)

    first = schedule.enqueue_due(_at(day, 2))
    again = schedule.enqueue_due(_at(day, 9))
    next_day = schedule.enqueue_due(_at(day + dt.timedelta(days=1), 2))

    assert "roadmap.measure_guardrails" in first
    assert "roadmap.measure_guardrails" not in again
    assert "roadmap.measure_guardrails" in next_day
    runs = ScheduledRun.objects.filter(name="roadmap.measure_guardrails").order_by("day")
    assert [r.day for r in runs] == [day, day + dt.timedelta(days=1)]
    assert all(r.task_id for r in runs)  # the queued task's id, as the database backend gave it
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path="kampass.roadmap.tasks.measure_guardrails")
    assert queued.count() == 2
    assert {str(r.pk) for r in queued} == {r.task_id for r in runs}
    assert all(r.args_kwargs == {"args": [], "kwargs": {"daily": True}} for r in queued)


def test_the_daily_run_notices_a_breach_and_notifies_the_heads_of_kam(
    head, leakage, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    # given: an active initiative watching the leakage share (warn above 8 %), now at 12 %
    settings.KAMPASS_DAILY_AT = "00:00"
    initiative = InitiativeFactory(guardrail_key="leakage_share", guardrail_threshold=0.08, guardrail_direction="max")

    # when: the worker's schedule is checked
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = schedule.enqueue_due(timezone.now())

    # then: one reading, a warning, and the head of KAM is told
    assert "roadmap.measure_guardrails" in enqueued
    reading = GuardrailMeasurement.objects.get(initiative=initiative)
    assert (reading.value, reading.warning, reading.measured_by) == (0.12, True, None)
    told = Notification.objects.filter(recipient=head, kind=NotificationKind.GUARDRAIL)
    assert told.count() == 1


def test_the_daily_run_leaves_an_initiative_measured_by_hand_that_day_alone(head, leakage):
    # given: two active initiatives; one was measured by hand this morning, the other yesterday
    by_hand = InitiativeFactory(guardrail_key="leakage_share", guardrail_threshold=0.08, guardrail_direction="max")
    other = InitiativeFactory(
        logic="facts_strategy", guardrail_key="leakage_share", guardrail_threshold=0.2, guardrail_direction="max"
    )
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    services.measurement_record(actor=head, initiative=by_hand, value=0.05, measured_at=midnight)
    services.measurement_record(actor=head, initiative=other, value=0.05, measured_at=midnight - dt.timedelta(hours=1))

    # when: the daily run, twice (a second worker's catch-up must not add a second point either)
    result = services.guardrails_measure(actor=None, once_a_day=True)
    second = services.guardrails_measure(actor=None, once_a_day=True)

    # then: only the initiative without a reading today got one; the hand reading stands
    assert (result.measured, result.already_measured) == (1, (by_hand.pk,))
    assert (second.measured, set(second.already_measured)) == (0, {by_hand.pk, other.pk})
    assert list(GuardrailMeasurement.objects.filter(initiative=by_hand).values_list("value", flat=True)) == [0.05]
    assert GuardrailMeasurement.objects.filter(initiative=other).count() == 2
    # measuring on request still stores a reading every time
    assert services.guardrails_measure(actor=head).measured == 2
