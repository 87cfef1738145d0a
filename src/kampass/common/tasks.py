"""Background tasks of the shared plumbing (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_master_data_import(run_id: str) -> None:
    """Run one uploaded master-data import (see ``common.imports.services.import_run_execute``)."""
    from kampass.common.imports.services import import_run_execute

    import_run_execute(run_id)
