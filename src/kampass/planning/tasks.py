"""Background tasks of the planning context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from kampass.common.tasks import INTERACTIVE


@task()
def raise_review_events() -> dict[str, int]:
    """Plan the reviews that events and cadences call for (``services_reviews.reviews_raise_events``)."""
    from kampass.planning.services_reviews import reviews_raise_events

    return {"planned": len(reviews_raise_events())}


@task(priority=INTERACTIVE)
def record_health_snapshots(run_id: str) -> None:
    """Run one queued computation of the health snapshots (see ``health_runs.health_run_execute``)."""
    from kampass.planning.health_runs import health_run_execute

    health_run_execute(run_id)


@task(priority=INTERACTIVE)
def build_plan_export(job_id: str) -> None:
    """Write one queued plan export (see ``export_jobs.export_job_execute``)."""
    from kampass.planning.export_jobs import export_job_execute

    export_job_execute(job_id)


@task()
def purge_plan_exports() -> dict[str, int]:
    """Remove the plan exports older than ``KAMPASS_EXPORT_KEEP_DAYS`` (see ``export_jobs.export_jobs_purge``)."""
    from kampass.planning.export_jobs import export_jobs_purge

    return {"removed": export_jobs_purge()}
