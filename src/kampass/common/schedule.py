"""The worker's daily schedule: jobs that a running worker enqueues once a day, without a human.

A context registers a daily job in its ``AppConfig.ready`` (:func:`register_daily`: a name and a
function that enqueues its task). Every worker process runs a :class:`Scheduler` thread that checks
every ``KAMPASS_SCHEDULE_CHECK_SECONDS`` whether a job is due (the local time has passed
``KAMPASS_DAILY_AT``, default 02:00) and has no :class:`~kampass.common.models.ScheduledRun` for today:
the row is claimed first (unique per job and day), then the task is enqueued in the same transaction,
so several workers, restarts or a missed check never enqueue a job twice on one day, and a worker that
was down at 02:00 catches up when it starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger("kampass.schedule")

#: the daily jobs: name -> a function that enqueues the job's task (and returns the task result)
DAILY_JOBS: dict[str, Callable[[], Any]] = {}


def register_daily(name: str, enqueue: Callable[[], Any]) -> None:
    """Add (or replace) the daily job ``name``; ``enqueue()`` enqueues its task."""
    DAILY_JOBS[name] = enqueue


def daily_at() -> dt.time:
    """The local time of day from which the daily jobs are due (``KAMPASS_DAILY_AT``, "HH:MM")."""
    return dt.time.fromisoformat(str(getattr(settings, "KAMPASS_DAILY_AT", "02:00")))


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every daily job that is due at ``now`` and was not enqueued today; the names enqueued."""
    from kampass.common.models import ScheduledRun

    moment = timezone.localtime(now or timezone.now())
    if moment.time() < daily_at():
        return []
    done = []
    for name, enqueue in sorted(DAILY_JOBS.items()):
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=name, day=moment.date())
                result = enqueue()
                run.task_id = str(getattr(result, "id", "") or "")[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # enqueued today already (by this or another worker)
        logger.info("Daily job %s enqueued for %s", name, moment.date())
        done.append(name)
    return done


class Scheduler:
    """A daemon thread of the worker process that calls :func:`enqueue_due` every ``interval`` seconds
    (a database error is logged and tried again at the next check)."""

    def __init__(self, *, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[str]:
        try:
            return enqueue_due()
        except DatabaseError as exc:
            logger.warning("The daily schedule could not be checked: %s", exc)
            return []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kampass-schedule", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        from django.db import connection

        self.check()
        while not self._stop.wait(self.interval):
            self.check()
        connection.close()
