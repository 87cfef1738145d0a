"""The worker's daily schedule: a job is enqueued once a day from the daily hour, however often the
schedule is checked and by however many workers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kampass.common import schedule
from kampass.common.models import ScheduledRun

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


@pytest.fixture
def calls(monkeypatch):
    made: list[str] = []

    class Result:
        id = "task-1"

    def enqueue() -> Result:
        made.append("run")
        return Result()

    monkeypatch.setattr(schedule, "DAILY_JOBS", {"test.job": enqueue})
    return made


def test_a_daily_job_is_enqueued_once_a_day_from_the_daily_hour(calls, settings):
    settings.KAMPASS_DAILY_AT = "02:00"
    day = dt.date(2027, 3, 1)

    assert schedule.enqueue_due(_at(day, 1)) == []  # 01:30: not yet
    assert schedule.enqueue_due(_at(day, 2)) == ["test.job"]
    assert schedule.enqueue_due(_at(day, 14)) == []  # the same day again (another worker, a restart)
    assert schedule.enqueue_due(_at(day + dt.timedelta(days=1), 5)) == ["test.job"]

    assert len(calls) == 2
    assert list(ScheduledRun.objects.order_by("day").values_list("name", "day", "task_id")) == [
        ("test.job", day, "task-1"),
        ("test.job", day + dt.timedelta(days=1), "task-1"),
    ]


def test_a_failing_enqueue_claims_nothing_so_the_next_check_tries_again(monkeypatch):
    def broken() -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(schedule, "DAILY_JOBS", {"test.broken": broken})

    with pytest.raises(RuntimeError):
        schedule.enqueue_due(_at(dt.date(2027, 3, 1), 3))

    assert not ScheduledRun.objects.exists()


def test_the_planning_context_registers_its_daily_health_run():
    assert "planning.daily_health" in schedule.DAILY_JOBS
