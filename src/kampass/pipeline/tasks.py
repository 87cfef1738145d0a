"""Background tasks of the pipeline context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from kampass.common.tasks import INTERACTIVE


@task(priority=INTERACTIVE)
def run_training(job_id: str) -> None:
    """Run one queued retraining of the win-probability model (see ``services.training_job_run``)."""
    from kampass.pipeline.services import training_job_run

    training_job_run(job_id)


@task(priority=INTERACTIVE)
def run_backtest(run_id: str) -> None:
    """Run one queued backtest on kampass's own opportunities (see ``services.backtest_run_execute``)."""
    from kampass.pipeline.services.backtests import backtest_run_execute

    backtest_run_execute(run_id)


@task()
def score_opportunities(opportunity_ids: list[int]) -> int:
    """Score new or changed open opportunities with the active model (see ``services.opportunities_rescore``)."""
    from kampass.pipeline.services import opportunities_rescore

    return opportunities_rescore(opportunity_ids)


@task(priority=INTERACTIVE)
def run_pipeline_import(job_id: str) -> None:
    """Run one uploaded stage-history or targets import (see ``services.imports.pipeline_import_run``)."""
    from kampass.pipeline.services.imports import pipeline_import_run

    pipeline_import_run(job_id)


@task()
def purge_pipeline_uploads() -> dict[str, int]:
    """Remove the opportunity uploads nobody came back to (see ``services.imports.pipeline_uploads_purge``)."""
    from kampass.pipeline.services.imports import pipeline_uploads_purge

    return pipeline_uploads_purge()
