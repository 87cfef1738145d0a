"""Background tasks of the shared plumbing (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

#: the priority of the tasks a person waits for with a progress bar on a page (imports, exports, reports,
#: training, backtests, "recompute now"): the worker takes them before the background work queued earlier
#: (e.g. the scoring of every saved deal after a demo or an import), which keeps the default 0
INTERACTIVE = 50


@task(priority=INTERACTIVE)
def run_master_data_import(run_id: str) -> None:
    """Run one uploaded master-data import (see ``common.imports.services.import_run_execute``)."""
    from kampass.common.imports.services import import_run_execute

    import_run_execute(run_id)
