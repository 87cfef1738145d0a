"""Background tasks of the planning context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def raise_review_events() -> dict[str, int]:
    """Plan the reviews that events and cadences call for (``services_reviews.reviews_raise_events``)."""
    from kampass.planning.services_reviews import reviews_raise_events

    return {"planned": len(reviews_raise_events())}


@task()
def record_health_snapshots(run_id: str) -> None:
    """Run one queued computation of the health snapshots (see ``health_runs.health_run_execute``)."""
    from kampass.planning.health_runs import health_run_execute

    health_run_execute(run_id)
