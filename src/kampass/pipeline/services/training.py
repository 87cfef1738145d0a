"""Retraining as a background task, one at a time, with its progress stored on the job."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.permissions import authorize
from kampass.pipeline import selectors
from kampass.pipeline.models import JobStatus, TrainingJob
from kampass.pipeline.services.model import Progress, model_train, opportunities_score
from kampass.pipeline.services.saving import _is_user
from kampass.users.actors import Actor

log = logging.getLogger(__name__)


class TrainingAlreadyQueued(ValidationError):
    """Refusal of a retraining while another one is queued or running (``job``): one at a time."""

    code_name = "training_running"

    def __init__(self, job: TrainingJob) -> None:
        super().__init__(_("A retraining is already queued or running."), code=self.code_name)
        self.job = job


@transaction.atomic
def training_job_create(*, actor: Actor, enqueue: bool = True) -> TrainingJob:
    """Queue a retraining (train on closed opportunities, then score all open ones) as a background task.

    Only one retraining at a time: while one is queued or running this raises
    ``TrainingAlreadyQueued`` (a ``ValidationError`` naming that job) and queues nothing.
    """
    authorize(actor, "pipeline.train_model")
    running = selectors.active_training_job()
    if running is not None:
        raise TrainingAlreadyQueued(running)
    job = TrainingJob.objects.create(created_by=actor if _is_user(actor) else None)
    if enqueue:
        from kampass.pipeline.tasks import run_training

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_training.enqueue(job_id))
    return job


def training_job_run(job_id: str, *, progress: Progress | None = None, actor: Actor | None = None) -> TrainingJob:
    """Run a queued training job and record progress and outcome on it."""
    from kampass.common.cli import system_actor

    job = TrainingJob.objects.get(pk=job_id)
    actor = actor or job.created_by or system_actor()
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=0.0)

    def report(fraction: float, message: str) -> None:
        TrainingJob.objects.filter(pk=job.pk).update(progress=max(0.0, min(fraction, 1.0)), message=message[:500])
        if progress is not None:
            progress(fraction, message)

    try:
        version = model_train(actor=actor, progress=lambda f, m: report(f * 0.9, m))
        report(0.92, _("Scoring open opportunities"))
        scored = opportunities_score(actor=actor, version=version)
    except Exception as exc:
        log.exception("training %s failed", job_id)
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
        TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())
        raise
    job.refresh_from_db()
    job.status, job.progress, job.model_version, job.scored = JobStatus.DONE, 1.0, version, scored
    job.message, job.finished_at = _("Done"), timezone.now()
    job.save()
    if progress is not None:
        progress(1.0, job.message)
    return job
