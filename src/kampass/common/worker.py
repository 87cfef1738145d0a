"""The background task worker that survives its database: django-tasks' database worker, extended.

django-tasks' ``db_worker`` loop dies on the first ``OperationalError`` it does not expect: on SQLite
a ``BEGIN`` that waits longer than the busy timeout for another process's write lock (a CLI import)
raises "database is locked" outside its guard, on PostgreSQL a lost connection does the same, and
the worker process exits while tasks stay queued. :class:`ResilientWorker` keeps the upstream loop
and wraps it:

* an ``OperationalError``/``InterfaceError`` anywhere in the loop is logged as a warning, the
  connection is closed and the loop resumes after a back-off (exponential with jitter, capped);
* a claimed task is never run twice (a claim is committed with the fetch, or not at all) and its
  outcome is not lost: recording it is retried until the database takes it;
* a :class:`Heartbeat` thread records every few seconds that the process is alive, on its own
  connection and short transaction, so a long task does not look like a dead worker and a locked
  database only costs a missed beat.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from kampass.common.models import WorkerHeartbeat
from kampass.common.schedule import Scheduler

logger = logging.getLogger("kampass.worker")

worker_started = Signal()
"""Sent when a worker starts, before it fetches tasks: the contexts tidy up after a crashed run
(e.g. the commercial context deletes uploaded files whose import is long over)."""

# The errors after which the database may work again: locks, lost connections, a restarting server.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

# Rows of workers not seen for this long are removed when a worker starts.
FORGET_AFTER = timedelta(days=7)


class Backoff:
    """Delays between retries: ``initial`` doubling up to ``cap``, each with up to 50 % jitter.

    Failures more than ``reset_after`` seconds apart count as a new series (start at ``initial``).

    >>> b = Backoff(initial=0.5, cap=30.0, jitter=0.0)
    >>> [b.next_delay() for _ in range(8)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    """

    def __init__(
        self, *, initial: float = 0.5, cap: float = 30.0, jitter: float = 0.5, reset_after: float = 120.0
    ) -> None:
        self.initial = initial
        self.cap = cap
        self.jitter = jitter
        self.reset_after = reset_after
        self._attempt = 0
        self._last = 0.0

    def next_delay(self) -> float:
        now = time.monotonic()
        if self._attempt and now - self._last > self.reset_after:
            self._attempt = 0
        self._last = now
        delay = min(self.cap, self.initial * 2 ** min(self._attempt, 30))
        self._attempt += 1
        return delay * (1 - self.jitter * random.random())  # noqa: S311 (jitter, not cryptography)


def _close_connection() -> None:
    """Drop this thread's database connection; the next query opens a fresh one.

    Not inside a transaction someone else opened (the worker's own are over when an error reaches its
    handlers; a test's is rolled back by the test): closing would break that transaction's owner.
    """
    if connection.in_atomic_block:
        return
    with contextlib.suppress(DatabaseError):  # closing a broken connection may fail too; it is gone either way
        connection.close()


class Heartbeat:
    """Records in :class:`WorkerHeartbeat` that the worker process ``worker_id`` is alive.

    :meth:`beat` writes once (a missed beat is logged, never raised); :meth:`start` beats every
    ``interval`` seconds in a daemon thread with its own connection until :meth:`stop`.
    """

    # On SQLite a beat waits at most this long for the write lock (the beat after it tries again).
    LOCK_WAIT_MS = 2000

    def __init__(self, *, worker_id: str, interval: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> bool:
        """Write the heartbeat in a short transaction; whether it was written."""
        try:
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA busy_timeout = {self.LOCK_WAIT_MS}")
            with transaction.atomic():
                WorkerHeartbeat.objects.update_or_create(
                    worker_id=self.worker_id,
                    defaults={"last_seen": timezone.now()},
                    create_defaults={
                        "last_seen": timezone.now(),
                        "started_at": self.started_at,
                        "hostname": socket.gethostname()[:255],
                        "pid": os.getpid(),
                    },
                )
        except DatabaseError as exc:
            logger.warning("Worker %s missed a heartbeat: %s", self.worker_id, exc)
            _close_connection()
            return False
        return True

    def forget_old(self) -> None:
        """Remove the rows of workers not seen for :data:`FORGET_AFTER`."""
        try:
            WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - FORGET_AFTER).delete()
        except DatabaseError as exc:
            logger.warning("Could not remove old worker heartbeats: %s", exc)
            _close_connection()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kampass-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + self.LOCK_WAIT_MS / 1000 + 1)

    def _run(self) -> None:
        self.forget_old()
        self.beat()
        while not self._stop.wait(self.interval):
            self.beat()
        _close_connection()


class ResilientWorker(Worker):
    """django-tasks' database worker that survives transient database errors and beats a heartbeat.

    Takes the upstream worker's keyword arguments plus ``heartbeat_interval`` (seconds), ``backoff``
    (the delays between retries) and ``schedule_interval`` (seconds between checks of the daily
    schedule, :mod:`kampass.common.schedule`; ``None``: no schedule).
    """

    def __init__(
        self,
        *,
        heartbeat_interval: float,
        backoff: Backoff | None = None,
        schedule_interval: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.heartbeat = Heartbeat(worker_id=self.worker_id, interval=heartbeat_interval)
        self.backoff = backoff or Backoff()
        self.scheduler = Scheduler(interval=schedule_interval) if schedule_interval else None

    def run(self) -> None:
        for receiver, result in worker_started.send_robust(sender=type(self)):
            if isinstance(result, Exception):
                logger.warning("start-up hook %s failed: %s", getattr(receiver, "__name__", receiver), result)
        self.heartbeat.start()
        if self.scheduler is not None:
            self.scheduler.start()
        try:
            while True:
                try:
                    super().run()
                    return
                except TRANSIENT_ERRORS as exc:
                    # the upstream loop left: its transaction is rolled back (a claim with it), no task
                    # was running (run_task records every outcome itself); resume after a pause
                    self._pause(exc, "fetching tasks")
                    self.startup_delay = False
                    if not self.running:
                        return
        finally:
            if self.scheduler is not None:
                self.scheduler.stop()
            self.heartbeat.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # The task has run when its outcome is recorded: retry recording it until the database takes it,
        # else the task would stay "running" for ever (and is never run a second time).
        db_task_result.set_successful = self._until_recorded(db_task_result.set_successful)
        db_task_result.set_failed = self._until_recorded(db_task_result.set_failed)
        super().run_task(db_task_result)

    def _until_recorded(self, record: Callable[[Any], None]) -> Callable[[Any], None]:
        def recorded(value: Any) -> None:
            while True:
                try:
                    record(value)
                    return
                except TRANSIENT_ERRORS as exc:
                    self._pause(exc, "recording a task's outcome")

        return recorded

    def _pause(self, exc: Exception, doing: str) -> None:
        delay = self.backoff.next_delay()
        logger.warning(
            "Task worker %s: database error while %s (%s); retrying in %.1f s", self.worker_id, doing, exc, delay
        )
        _close_connection()
        time.sleep(delay)
