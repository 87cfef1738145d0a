"""Retraining as a background task, one at a time, with its progress stored on the job."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kampass.common.models import JobStatus
from kampass.common.permissions import authorize
from kampass.pipeline import selectors
from kampass.pipeline.models import TrainingJob
from kampass.pipeline.services.model import Progress, active_model_version, model_train, opportunities_score
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user

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


def training_failure_message(exc: Exception) -> str:
    """Why a retraining failed, in the active language, and that the active model stays in use."""
    if isinstance(exc, ValidationError):
        reason = " ".join(exc.messages)
    else:
        reason = _("an unexpected error (%(error)s); please report it.") % {"error": f"{type(exc).__name__}: {exc}"}
    active = active_model_version()
    if active is None:
        kept = _("No model version is active yet.")
    else:
        kept = _("The active model version %(version)s stays in use.") % {"version": active.version}
    return _("The training failed: %(reason)s %(kept)s") % {"reason": reason, "kept": kept}


def _backtest_after_retraining(actor: Actor) -> None:
    """While the forecast uses a baseline because the last backtest showed the model not better, a
    retraining queues a new backtest: the forecast goes back to the model once one shows it better."""
    from kampass.pipeline.services.backtests import BacktestRefused, backtest_run_create

    if selectors.forecast_scorer() is None:
        return
    with contextlib.suppress(BacktestRefused):  # one is queued or running already
        backtest_run_create(actor=actor)


def training_job_run(
    job_id: str,
    *,
    progress: Progress | None = None,
    actor: Actor | None = None,
    allow_features: Sequence[str] = (),
) -> TrainingJob:
    """Run a queued training job and record progress and outcome on it; ``allow_features`` confirms
    features the leakage guard flags (see ``model_train``)."""
    from kampass.common.cli import system_actor

    job = TrainingJob.objects.get(pk=job_id)
    actor = actor or job.created_by or system_actor()
    job.mark(JobStatus.RUNNING, progress=0.0)

    def report(fraction: float, message: str) -> None:
        job.report(fraction, message)
        if progress is not None:
            progress(fraction, message)

    # the job's messages (progress and error) in the language of whoever asked for the retraining
    language = (job.created_by.language if job.created_by else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            version = model_train(actor=actor, progress=lambda f, m: report(f * 0.9, m), allow_features=allow_features)
            report(0.92, _("Scoring open opportunities"))
            scored = opportunities_score(actor=actor, version=version)
        except Exception as exc:
            log.exception("training %s failed", job_id)
            job.mark(JobStatus.FAILED, error=training_failure_message(exc))
            raise
        job.refresh_from_db()
        job.message = _("Done")
    job.status, job.progress, job.model_version, job.scored = JobStatus.DONE, 1.0, version, scored
    job.finished_at = timezone.now()
    job.save()
    _backtest_after_retraining(actor)
    if progress is not None:
        progress(1.0, job.message)
    return job
