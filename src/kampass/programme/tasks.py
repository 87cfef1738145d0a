"""Background tasks of the programme context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from kampass.common.tasks import INTERACTIVE


@task(priority=INTERACTIVE)
def render_report(job_id: str) -> None:
    """Render one queued programme report as PDF (see ``services.report_job_run``)."""
    from kampass.programme.services import report_job_run

    report_job_run(job_id)
