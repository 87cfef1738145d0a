"""``GET /api/v1/health``: whether kampass can do its work (for monitoring and load balancers).

Anyone may ask; the answer is ``{"status": "ok"}`` (200) or ``{"status": "degraded"}`` (503).
A caller with credentials (a personal access token or a logged-in session) also gets the
``checks``: the database, the analytics store, the background worker (age of the newest heartbeat,
stale after ``KAMPASS_WORKER_STALE_SECONDS``) and the queue (tasks waiting, age of the oldest).
kampass is degraded when the database or the analytics store fails or no worker is alive.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

from kampass.commercial.facade import analytics_store_problem
from kampass.common.worker_health import WorkerHealth, worker_health
from kampass.users.services import token_authenticate

router = Router(tags=["health"])


class CheckOut(Schema):
    ok: bool
    error: str | None = None


class WorkerOut(Schema):
    alive: bool
    alive_workers: int
    last_seen: str | None
    last_seen_age_seconds: float | None
    stale_after_seconds: float


class QueueOut(Schema):
    queued: int
    oldest_queued_age_seconds: float | None


class ChecksOut(Schema):
    database: CheckOut
    analytics: CheckOut
    worker: WorkerOut | None
    tasks: QueueOut | None


class HealthOut(Schema):
    status: str
    checks: ChecksOut | None = None


def _authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and token_authenticate(token.strip()) is not None


def _database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@router.get(
    "/health",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    summary="Health of kampass",
    description=__doc__,
)
def health(request: HttpRequest) -> Status:
    database = _database_problem()
    analytics = analytics_store_problem()
    workers: WorkerHealth | None = None
    if database is None:
        try:
            workers = worker_health()
        except DatabaseError as exc:
            database = f"{type(exc).__name__}: {exc}"
    ok = database is None and analytics is None and workers is not None and workers.alive
    status = 200 if ok else 503
    out = HealthOut(status="ok" if ok else "degraded")
    if _authenticated(request):
        out.checks = ChecksOut(
            database=CheckOut(ok=database is None, error=database),
            analytics=CheckOut(ok=analytics is None, error=analytics),
            worker=None
            if workers is None
            else WorkerOut(
                alive=workers.alive,
                alive_workers=workers.alive_workers,
                last_seen=workers.last_seen.isoformat() if workers.last_seen else None,
                last_seen_age_seconds=workers.last_seen_age,
                stale_after_seconds=workers.stale_after.total_seconds(),
            ),
            tasks=None
            if workers is None
            else QueueOut(queued=workers.queued, oldest_queued_age_seconds=workers.oldest_queued_age),
        )
    return Status(status, out)
