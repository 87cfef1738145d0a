"""Reads: whether a background worker is alive and how much work waits for one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kampass.common.models import WorkerHeartbeat


@dataclass(frozen=True)
class WorkerHealth:
    """The background workers as seen now.

    ``last_seen``: the newest heartbeat of any worker (``None``: no worker has ever run);
    ``alive``: that heartbeat is at most ``stale_after`` old; ``queued``: tasks ready to run and
    waiting for a worker, ``oldest_queued_at`` when the longest-waiting one was queued.
    """

    now: datetime
    last_seen: datetime | None
    alive_workers: int
    stale_after: timedelta
    queued: int
    oldest_queued_at: datetime | None

    @property
    def alive(self) -> bool:
        return self.alive_workers > 0

    @property
    def last_seen_age(self) -> float | None:
        """Seconds since the newest heartbeat."""
        return None if self.last_seen is None else max(0.0, (self.now - self.last_seen).total_seconds())

    @property
    def oldest_queued_age(self) -> float | None:
        """Seconds the longest-waiting queued task has waited."""
        return None if self.oldest_queued_at is None else max(0.0, (self.now - self.oldest_queued_at).total_seconds())

    @property
    def stalled(self) -> bool:
        """Work is queued and no worker is alive to do it: the UI warns."""
        return self.queued > 0 and not self.alive


def worker_health(*, now: datetime | None = None) -> WorkerHealth:
    """The heartbeats and the queue (two small queries)."""
    now = now or timezone.now()
    return _with_heartbeats(now, _queue())


def stalled_workers(*, now: datetime | None = None) -> WorkerHealth | None:
    """:func:`worker_health` when work is queued and no worker is alive, else ``None``.

    For every page of a manager: one query while nothing is queued, two otherwise.
    """
    queue = _queue()
    if not queue["queued"]:
        return None
    health = _with_heartbeats(now or timezone.now(), queue)
    return health if health.stalled else None


def _queue() -> dict[str, Any]:
    return DBTaskResult.objects.ready().aggregate(queued=Count("id"), oldest=Min("enqueued_at"))


def _with_heartbeats(now: datetime, queue: dict[str, Any]) -> WorkerHealth:
    stale_after = timedelta(seconds=settings.KAMPASS_WORKER_STALE_SECONDS)
    beats = WorkerHeartbeat.objects.aggregate(
        newest=Max("last_seen"), alive=Count("id", filter=Q(last_seen__gte=now - stale_after))
    )
    return WorkerHealth(
        now=now,
        last_seen=beats["newest"],
        alive_workers=beats["alive"],
        stale_after=stale_after,
        queued=queue["queued"],
        oldest_queued_at=queue["oldest"],
    )
