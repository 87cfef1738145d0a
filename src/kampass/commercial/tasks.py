"""Background tasks of the commercial context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from kampass.common.tasks import INTERACTIVE


@task(priority=INTERACTIVE)
def run_import(job_id: str) -> None:
    """Run one queued transactions import (see ``services.import_job_run``)."""
    from kampass.commercial.services import import_job_run

    import_job_run(job_id)
