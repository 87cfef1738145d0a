"""Plan exports built by the task worker instead of inside the web request (a first PDF in a process
loads the rendering libraries for many seconds): the page or the API asks for a file
(:func:`export_job_start`), the worker writes it (:func:`export_job_execute`) into the private
``exports`` directory of the data directory with its progress, and the user who asked downloads it
(:func:`export_job_file`). The daily schedule removes jobs and files older than
``KAMPASS_EXPORT_KEEP_DAYS`` (:func:`export_jobs_purge`)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.filemodes import open_private, private_dir
from kampass.common.models import ACTIVE_STATUSES, JobStatus
from kampass.common.permissions import authorize
from kampass.planning.models import AccountPlan, PlanExportJob
from kampass.users.actors import Actor
from kampass.users.history import is_user

log = logging.getLogger(__name__)

LANGUAGES = ("en", "de")


def exports_dir() -> Path:
    return private_dir(Path(settings.KAMPASS_HOME) / "exports")


def export_job_start(*, actor: Actor, plan: AccountPlan, fmt: str, lang: str, summary: bool = False) -> PlanExportJob:
    """Queue the export of ``plan`` as ``fmt`` in ``lang`` for ``actor`` (who must be allowed to read the
    plan). The same export still queued or running for the same user is returned instead of a second one."""
    from kampass.planning.exports import FORMATS

    authorize(actor, "planning.view_plan", plan.account)
    errors: dict[str, list[str]] = {}
    if fmt not in FORMATS:
        errors["format"] = [_("Unknown export format “%(format)s”: pdf, pptx or xlsx.") % {"format": fmt}]
    if lang not in LANGUAGES:
        errors["lang"] = [_("Unknown language “%(lang)s”: en or de.") % {"lang": lang}]
    if errors:
        raise ValidationError(errors)
    summary = bool(summary and fmt == "pdf")
    user = actor if is_user(actor) else None
    with transaction.atomic():
        running = PlanExportJob.objects.filter(
            plan=plan,
            fmt=fmt,
            lang=lang,
            summary=summary,
            created_by=user,
            status__in=ACTIVE_STATUSES,
        ).first()
        if running is not None:
            return running
        job = PlanExportJob.objects.create(plan=plan, fmt=fmt, lang=lang, summary=summary, created_by=user)
        job_id = str(job.pk)

        def enqueue() -> None:
            from kampass.planning.tasks import build_plan_export

            build_plan_export.enqueue(job_id)

        transaction.on_commit(enqueue)
    return job


def export_job_execute(job_id: str) -> PlanExportJob:
    """Build a queued export: write the file, store where it is, and the progress on the way."""
    from kampass.planning.exports import export_plan

    job = PlanExportJob.objects.select_related("plan__account", "plan__template", "plan__approved_by").get(pk=job_id)
    if not job.active:
        return job
    job.mark(JobStatus.RUNNING, progress=0.1)

    def progress(share: float) -> None:
        job.report(min(0.95, 0.1 + 0.85 * share))

    try:
        f = export_plan(job.plan, fmt=job.fmt, lang=job.lang, summary=job.summary, progress=progress)
        target = exports_dir() / f"{job.pk}.{job.fmt}"
        with open_private(target) as fh:
            fh.write(f.data)
        job.mark(
            JobStatus.DONE,
            progress=1.0,
            file_path=str(target),
            filename=f.filename,
            content_type=f.content_type,
            size=len(f.data),
        )
    except Exception as exc:
        log.exception("plan export %s failed", job_id)
        job.mark(JobStatus.FAILED, error=str(exc)[:2000])
    job.refresh_from_db()
    return job


def export_job_for(actor: Actor, job_id: Any) -> PlanExportJob:
    """The export ``job_id`` if ``actor`` asked for it and may still read its plan (else PermissionDenied;
    an unknown id raises ``PlanExportJob.DoesNotExist``)."""
    job = PlanExportJob.objects.select_related("plan__account").get(pk=job_id)
    if not is_user(actor) or job.created_by_id != actor.pk:
        raise PermissionDenied(_("This export was asked for by someone else."))
    authorize(actor, "planning.view_plan", job.plan.account)
    return job


def export_job_file(actor: Actor, job_id: Any) -> tuple[PlanExportJob, bytes]:
    """The finished export's file for the user who asked for it; a missing file (removed by the daily
    schedule) raises ``FileNotFoundError``."""
    job = export_job_for(actor, job_id)
    if job.status != JobStatus.DONE or not job.file_path:
        raise FileNotFoundError(job.pk)
    return job, Path(job.file_path).read_bytes()


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Remove the export jobs (and their files) older than ``KAMPASS_EXPORT_KEEP_DAYS``; the number removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=int(settings.KAMPASS_EXPORT_KEEP_DAYS))
    old = list(PlanExportJob.objects.filter(created_at__lt=cutoff).exclude(
        status__in=ACTIVE_STATUSES
    ).values_list("pk", "file_path"))  # fmt: skip
    for _pk, path in old:
        if path:
            Path(path).unlink(missing_ok=True)
    PlanExportJob.objects.filter(pk__in=[pk for pk, _path in old]).delete()
    return len(old)


def daily_export_purge() -> Any:
    """The worker's daily job: enqueue the removal of old plan exports."""
    from kampass.planning.tasks import purge_plan_exports

    return purge_plan_exports.enqueue()
