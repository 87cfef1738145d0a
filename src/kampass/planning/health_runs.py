"""Background computation of the health snapshots: the head of KAM's "recompute now" and the worker's
daily run (which also raises the review events). Each chunk of accounts is stored in its own
transaction, so the progress bar moves and a failure keeps what was stored."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.common.models import ACTIVE_STATUSES, JobStatus
from kampass.planning.models import HealthRun
from kampass.users.actors import Actor
from kampass.users.history import is_user

log = logging.getLogger(__name__)

#: accounts stored per transaction (and per step of the progress bar)
CHUNK = 10

SCHEDULED = "schedule"
MANUAL = "manual"
#: started by a scorecard that found key accounts without a snapshot (:func:`health_run_catch_up`)
CATCH_UP = "catch_up"


def health_run_start(*, actor: Actor, day: dt.date | None = None, trigger: str = MANUAL) -> HealthRun:
    """Queue the computation of every key account's health snapshot for ``day`` (default today) as a
    background task; the head of KAM (or the system's schedule) only. A run of the same day still queued
    or running is returned instead of a second one."""
    if is_user(actor) and not actor.has_perm("planning.manage_health_weights"):
        raise PermissionDenied(_("Only the head of KAM records health snapshots."))
    when = day or timezone.localdate()
    with transaction.atomic():
        running = HealthRun.objects.filter(day=when, status__in=ACTIVE_STATUSES).first()
        if running is not None:
            return running
        run = HealthRun.objects.create(day=when, trigger=trigger, created_by=actor if is_user(actor) else None)
        run_id = str(run.pk)

        def enqueue() -> None:
            from kampass.planning.tasks import record_health_snapshots

            record_health_snapshots.enqueue(run_id)

        transaction.on_commit(enqueue)
    return run


def health_run_execute(run_id: str) -> HealthRun:
    """Run a queued computation: the snapshots of every key account in chunks (progress stored after each),
    then, for the daily run, the review events (:func:`services_reviews.reviews_raise_events`)."""
    from kampass.common.cli import system_actor
    from kampass.planning.health_services import health_snapshots_record

    run = HealthRun.objects.get(pk=run_id)
    if run.finished:
        return run
    ids = sorted(accounts_facade.key_account_ids())
    run.mark(JobStatus.RUNNING, total=len(ids), done=0)
    actor = system_actor()
    try:
        notices = 0
        for start in range(0, len(ids), CHUNK):
            outcome = health_snapshots_record(actor=actor, day=run.day, account_ids=ids[start : start + CHUNK])
            notices += outcome.notices
            HealthRun.objects.filter(pk=run.pk).update(done=min(len(ids), start + CHUNK), notices=notices)
        planned = 0
        if run.trigger == SCHEDULED:
            from kampass.planning.services_reviews import reviews_raise_events

            planned = len(reviews_raise_events(today=run.day))
        run.mark(JobStatus.DONE, reviews_planned=planned)
    except Exception as exc:
        log.exception("health run %s failed", run_id)
        run.mark(JobStatus.FAILED, error=str(exc)[:2000])
    run.refresh_from_db()
    return run


def health_run_catch_up(*, day: dt.date | None = None) -> HealthRun | None:
    """Queue the computation of ``day``'s snapshots (default today) when none has been started that day:
    for a scorecard that found key accounts without a stored snapshot (e.g. made key accounts by an import
    before the first daily run) and computed their health on the request. The next requests read what the
    run stores. ``None`` when a run of the day exists already (queued, running or finished)."""
    from kampass.common.cli import system_actor

    when = day or timezone.localdate()
    if HealthRun.objects.filter(day=when).exists():
        return None
    return health_run_start(actor=system_actor(), day=when, trigger=CATCH_UP)


def daily_health_run() -> HealthRun:
    """The worker's daily job: today's snapshots of every key account, then the review events."""
    from kampass.common.cli import system_actor

    return health_run_start(actor=system_actor(), trigger=SCHEDULED)


def latest_run() -> HealthRun | None:
    """The newest computation (its progress is shown on the scorecard)."""
    return HealthRun.objects.order_by("-created_at").first()
