"""Uploads of pipeline files (a stage-history export, a targets file) imported as background tasks.

:func:`pipeline_import_create` checks the permission and the file's size against the import limits
(``KAMPASS_IMPORT_*``), keeps the file in the private uploads directory and queues the task;
:func:`pipeline_import_run` runs it, stores progress and outcome on the :class:`PipelineImport` (the
message says what was imported and, for a stage history, what was derived) and deletes the file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kampass.common.filemodes import private_dir
from kampass.common.import_limits import import_limits, limit_message
from kampass.common.models import JobStatus, UploadStatus
from kampass.common.permissions import authorize
from kampass.common.uploads import keep_upload
from kampass.core.analytics.ingest.limits import LimitExceeded, check_size
from kampass.core.dates import ORDERS
from kampass.pipeline.models import PipelineImport, PipelineImportKind
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user

log = logging.getLogger(__name__)

#: The built-in column mappings a stage-history upload may name.
HISTORY_MAPPINGS = ("salesforce", "generic")
_PERMISSION = {
    PipelineImportKind.STAGE_HISTORY: "pipeline.import_opportunities",
    PipelineImportKind.TARGETS: "pipeline.add_target",
    PipelineImportKind.OPPORTUNITIES: "pipeline.import_opportunities",
}


def pipeline_upload_dir() -> Path:
    """Where uploaded pipeline files wait for their import: customers' data, readable by kampass's user only."""
    return private_dir(Path(settings.KAMPASS_HOME) / "uploads" / "pipeline")


@transaction.atomic
def pipeline_import_create(
    *,
    actor: Actor,
    kind: str,
    source: Path | Any,
    original_name: str,
    mapping: str = "salesforce",
    date_order: str = "",
    dry_run: bool = False,
    strict: bool = False,
    link: str = "",
    prefer: str = "",
    enqueue: bool = True,
    draft: bool = False,
) -> PipelineImport:
    """Keep the uploaded file (a path or an uploaded file object with ``chunks()`` and ``size``) and queue
    its import. Stage histories need the right to import opportunities, targets the right to set targets.
    ``draft`` (opportunities): keep the file for the mapping step instead of queuing it
    (:func:`opportunity_import_start` queues it)."""
    if kind not in PipelineImportKind.values:
        raise ValidationError({"kind": _("Unknown option “%(value)s”.") % {"value": kind[:40]}})
    authorize(actor, _PERMISSION[PipelineImportKind(kind)])
    if kind == PipelineImportKind.OPPORTUNITIES:
        from kampass.pipeline.importing import LINK_MODES, PREFER

        link = link or "external_id"
        if link not in LINK_MODES:
            raise ValidationError({"link": _("Unknown option “%(value)s”.") % {"value": link[:40]}})
        if prefer and prefer not in PREFER:
            raise ValidationError({"prefer": _("Unknown option “%(value)s”.") % {"value": prefer[:40]}})
    else:
        link, prefer = "", ""
    if kind == PipelineImportKind.OPPORTUNITIES:
        if mapping not in opportunity_mapping_names():
            raise ValidationError(
                {
                    "mapping": _("Unknown mapping “%(value)s”; choose one of %(known)s.")
                    % {"value": mapping[:40], "known": ", ".join(opportunity_mapping_names())}
                }
            )
    elif kind != PipelineImportKind.TARGETS and mapping not in HISTORY_MAPPINGS:
        raise ValidationError({"mapping": _("Unknown option “%(value)s”.") % {"value": mapping[:40]}})
    if date_order and date_order not in ORDERS:
        raise ValidationError({"date_order": _("Unknown option “%(value)s”.") % {"value": date_order[:40]}})
    name = Path(original_name or "upload.csv").name
    size = Path(source).stat().st_size if isinstance(source, Path | str) else getattr(source, "size", None)
    if size is not None:
        try:
            check_size(Path(name), import_limits(), size=size)
        except LimitExceeded as exc:
            raise ValidationError({"file": limit_message(exc, file=name)}) from exc
    target = keep_upload(source, pipeline_upload_dir(), name)
    job = PipelineImport.objects.create(
        kind=kind, file_path=str(target), original_name=name,
        mapping=mapping if kind != PipelineImportKind.TARGETS else "", date_order=date_order,
        link=link, prefer=prefer, dry_run=dry_run, strict=strict, created_by=actor if _is_user(actor) else None,
        status=UploadStatus.DRAFT if draft and kind == PipelineImportKind.OPPORTUNITIES else JobStatus.QUEUED,
    )  # fmt: skip
    if enqueue and job.status != UploadStatus.DRAFT:
        from kampass.pipeline.tasks import run_pipeline_import

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_pipeline_import.enqueue(job_id))
    return job


def opportunity_mapping_names() -> list[str]:
    """The mappings an opportunity upload may name: the built-in ones and those saved on the mapping step."""
    from kampass.pipeline.importing import BUILT_IN, saved_mapping_names

    return [*BUILT_IN, *saved_mapping_names()]


def _draft(actor: Actor, job: PipelineImport) -> None:
    authorize(actor, "pipeline.import_opportunities")
    if job.kind != PipelineImportKind.OPPORTUNITIES or job.status != UploadStatus.DRAFT:
        raise ValidationError({"status": _("This import has been started already; upload the file again.")})
    if not Path(job.file_path).is_file():
        raise ValidationError({"file": _("The uploaded file is no longer kept; upload it again.")})


def opportunity_import_preview(
    *,
    actor: Actor,
    job: PipelineImport,
    columns: dict[str, str] | None = None,
    link: str = "",
    prefer: str = "",
    date_order: str = "",
) -> Any:
    """The mapping step of an uploaded opportunity file (:func:`kampass.pipeline.importing.preview_opportunities`):
    the columns per field (``columns`` as chosen, else suggested from the upload's mapping) and the first rows
    as they will be stored. A file or mapping that cannot be used raises ``ValidationError``."""
    from kampass.pipeline.importing import OpportunityImportError, preview_opportunities

    _draft(actor, job)
    try:
        return preview_opportunities(
            actor=actor, path=Path(job.file_path), mapping=job.mapping or "salesforce", columns=columns,
            prefer=prefer, link=link or "external_id", date_order=date_order, display_name=job.original_name,
        )  # fmt: skip
    except OpportunityImportError as exc:
        raise ValidationError({"columns": str(exc)}) from exc


@transaction.atomic
def opportunity_import_start(
    *,
    actor: Actor,
    job: PipelineImport,
    columns: dict[str, str],
    link: str = "external_id",
    prefer: str = "",
    date_order: str = "",
    dry_run: bool = False,
    strict: bool = False,
    enqueue: bool = True,
) -> PipelineImport:
    """Queue the import of a draft opportunity upload with the columns chosen on the mapping step (field ->
    column, over the upload's mapping) and the options; a required field without a column is refused, named."""
    from kampass.pipeline.importing import FIELDS, LINK_MODES, PREFER, REQUIRED

    job = PipelineImport.objects.select_for_update().get(pk=job.pk)
    _draft(actor, job)
    chosen = {f: c for f, c in columns.items() if c and f in FIELDS}
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        raise ValidationError(
            {"columns": _("Choose a column for the required field(s) %(fields)s.") % {"fields": ", ".join(missing)}}
        )
    for name, value, allowed in (("link", link, LINK_MODES), ("prefer", prefer, ("", *PREFER)),
                                 ("date_order", date_order, ("", *ORDERS))):  # fmt: skip
        if value not in allowed:
            raise ValidationError({name: _("Unknown option “%(value)s”.") % {"value": value[:40]}})
    job.columns, job.link, job.prefer, job.date_order = chosen, link, prefer, date_order
    job.dry_run, job.strict, job.status, job.progress = dry_run, strict, JobStatus.QUEUED, 0.0
    job.save()
    if enqueue:
        from kampass.pipeline.tasks import run_pipeline_import

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_pipeline_import.enqueue(job_id))
    return job


@transaction.atomic
def opportunity_import_discard(*, actor: Actor, job: PipelineImport) -> None:
    """Drop a draft opportunity upload that is not to be imported: its file and its entry in the list."""
    authorize(actor, "pipeline.import_opportunities")
    job = PipelineImport.objects.select_for_update().get(pk=job.pk)
    if job.kind != PipelineImportKind.OPPORTUNITIES or job.status != UploadStatus.DRAFT:
        raise ValidationError({"status": _("This import has been started already; upload the file again.")})
    _remove(Path(job.file_path))
    job.delete()


def opportunity_mapping_save(*, actor: Actor, name: str, columns: dict[str, str], base: str = "generic") -> Any:
    """Keep the columns chosen on the mapping step (field -> column) under ``name`` for opportunity uploads,
    the CLI and the API (replacing a saved mapping of that name); ``base`` is the built-in mapping whose stage
    names, forecast categories, currency and source it keeps."""
    from kampass.common.imports.services import save_based_mapping
    from kampass.pipeline.importing import BUILT_IN, FIELDS, REQUIRED, SAVED_KIND, base_of

    authorize(actor, "pipeline.import_opportunities")
    return save_based_mapping(
        actor=actor, kind=SAVED_KIND, name=name, columns=columns, fields={f: f for f in FIELDS}, required=REQUIRED,
        built_in=BUILT_IN, base=base_of(base),
    )  # fmt: skip


def history_summary(result: dict[str, Any]) -> str:
    """What a stage-history import recorded and derived, in the active language."""
    figures = {
        "rows": result["rows"],
        "entries": result["entries"],
        "amounts": result["amount_entries"],
        "deals": result["opportunities"],
        "rejected": len(result["rejects"]),
        "derived": result["derived_entries"],
        "won": result["derived_opportunities"],
    }
    if result["dry_run"]:
        text = _(
            "Dry run, nothing stored: of %(rows)d rows it would record %(entries)d stage entries and %(amounts)d "
            "amount changes of %(deals)d opportunities."
        )
    elif result["committed"]:
        text = _(
            "%(rows)d rows read: %(entries)d stage entries and %(amounts)d amount changes of %(deals)d "
            "opportunities recorded."
        )
    else:
        text = _("Nothing imported: strict, and %(rejected)d of %(rows)d rows were rejected.")
    derived = _(
        "Derived (certain, without a date): %(derived)d entries for the open stages %(won)d won opportunities "
        "passed without a recorded entry."
    )
    rejected = _("%(rejected)d rows rejected.") if figures["rejected"] and result["committed"] else ""
    return " ".join(p for p in (text % figures, derived % figures, rejected % figures if rejected else "") if p)


def opportunities_summary(result: dict[str, Any]) -> str:
    """What an opportunities import did, in the active language (kept deals without an account included)."""
    figures = {
        "rows": result["rows"],
        "created": result["created"],
        "updated": result["updated"],
        "unchanged": result["unchanged"],
        "rejected": result["rejected"],
        "unlinked": result.get("unlinked", 0),
        "accounts": result["accounts_created"],
        "contradictions": result["contradictions"],
    }
    if result["refused"]:
        return (
            _(
                "Nothing imported: %(contradictions)d rows where the stage and the IsClosed/IsWon flags contradict "
                "each other. Choose which decides and import again."
            )
            % figures
        )
    if result["dry_run"]:
        text = _(
            "Dry run, nothing stored: of %(rows)d rows it would create %(created)d opportunities, update "
            "%(updated)d, leave %(unchanged)d unchanged and reject %(rejected)d."
        )
    elif result["committed"]:
        text = _(
            "%(rows)d rows read: %(created)d opportunities created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected."
        )
    else:
        text = _("Nothing imported: strict, and %(rejected)d of %(rows)d rows were rejected.")
    parts = [text % figures]
    if figures["accounts"]:
        parts.append(_("Accounts created: %(accounts)d.") % figures)
    if figures["unlinked"]:
        parts.append(_("Deals without an account kept: %(unlinked)d (Pipeline › Without account).") % figures)
    return " ".join(parts)


def targets_summary(result: dict[str, Any]) -> str:
    """What a targets import set, in the active language."""
    figures = {
        "rows": result["rows"],
        "created": result["created"],
        "updated": result["updated"],
        "unchanged": result["unchanged"],
        "rejected": len(result["rejects"]),
    }
    if result["rejects"]:
        return _("Nothing imported: %(rejected)d of %(rows)d rows cannot be used (see below).") % figures
    if result["dry_run"]:
        text = _(
            "Dry run, nothing stored: of %(rows)d rows it would create %(created)d targets, update %(updated)d "
            "and leave %(unchanged)d unchanged."
        )
    else:
        text = _("%(rows)d rows read: %(created)d targets created, %(updated)d updated, %(unchanged)d unchanged.")
    return text % figures


def pipeline_import_run(
    job_id: str, *, progress: Callable[[float, str], None] | None = None, actor: Actor | None = None
) -> PipelineImport:
    """Run a queued pipeline import and store its outcome (module docstring); the file is deleted after."""
    from kampass.common.cli import system_actor
    from kampass.pipeline.history_import import import_opportunity_history
    from kampass.pipeline.importing import OpportunityImportError, import_opportunities
    from kampass.pipeline.target_import import import_targets

    job = PipelineImport.objects.select_related("created_by").get(pk=job_id)
    actor = actor or job.created_by or system_actor()
    job.mark(JobStatus.RUNNING, progress=0.0)

    def report(fraction: float, message: str) -> None:
        job.report(fraction, message)
        if progress is not None:
            progress(fraction, message)

    language = (getattr(job.created_by, "language", "") or "") or settings.LANGUAGE_CODE
    path = Path(job.file_path)
    with translation.override(language):
        try:
            if job.kind == PipelineImportKind.OPPORTUNITIES:
                opportunities = import_opportunities(
                    actor=actor, path=path, mapping=job.mapping or "salesforce", prefer=job.prefer,
                    link=job.link or "external_id", dry_run=job.dry_run, strict=job.strict,
                    date_order=job.date_order, display_name=job.original_name, progress=report,
                    columns=job.columns or None,
                )  # fmt: skip
                result = opportunities.as_json()
                message = opportunities_summary(result)
            elif job.kind == PipelineImportKind.STAGE_HISTORY:
                history = import_opportunity_history(
                    actor=actor, path=path, mapping=job.mapping or "salesforce", dry_run=job.dry_run,
                    strict=job.strict, date_order=job.date_order, display_name=job.original_name,
                    progress=report,
                )  # fmt: skip
                result = history.as_json()
                message = history_summary(result)
            else:
                report(0.1, _("Reading the targets"))
                targets = import_targets(actor=actor, path=path, dry_run=job.dry_run, display_name=job.original_name)
                result = targets.as_json()
                message = targets_summary(result)
        except (OpportunityImportError, ValidationError) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            job.mark(JobStatus.FAILED, error=error, message=error)
            _remove(path)
            job.refresh_from_db()
            return job
        except Exception as exc:
            log.exception("pipeline import %s failed", job_id)
            job.mark(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            _remove(path)
            raise
    if not kept_for_import(job):
        _remove(path)
    job.refresh_from_db()
    job.status, job.progress, job.result, job.message = JobStatus.DONE, 1.0, result, message[:500]
    job.finished_at = timezone.now()
    job.save()
    if progress is not None:
        progress(1.0, job.message)
    return job


def kept_for_import(job: PipelineImport) -> bool:
    """Whether the file of an opportunity dry run started from the mapping step is kept, so that the import
    can follow without uploading and mapping it again (:func:`opportunity_import_after_dry_run`)."""
    return bool(job.kind == PipelineImportKind.OPPORTUNITIES and job.dry_run and job.columns)


@transaction.atomic
def opportunity_import_after_dry_run(*, actor: Actor, job: PipelineImport, enqueue: bool = True) -> PipelineImport:
    """Import for real what a finished dry run of the mapping step checked: a new import of the same file with
    the same columns and options (the dry run stays in the list as it was; the file moves to the new one)."""
    authorize(actor, "pipeline.import_opportunities")
    job = PipelineImport.objects.select_for_update().get(pk=job.pk)
    path = Path(job.file_path) if job.file_path else None
    if not (kept_for_import(job) and job.status == JobStatus.DONE and path is not None and path.is_file()):
        raise ValidationError({"status": _("This dry run's file is no longer kept; upload the file again.")})
    new = PipelineImport.objects.create(
        kind=job.kind, original_name=job.original_name, file_path=job.file_path, mapping=job.mapping,
        columns=job.columns, link=job.link, prefer=job.prefer, date_order=job.date_order, strict=job.strict,
        dry_run=False, status=JobStatus.QUEUED, created_by=actor if _is_user(actor) else None,
    )  # fmt: skip
    job.file_path = ""
    job.save(update_fields=["file_path"])
    if enqueue:
        from kampass.pipeline.tasks import run_pipeline_import

        new_id = str(new.pk)
        transaction.on_commit(lambda: run_pipeline_import.enqueue(new_id))
    return new


def pipeline_uploads_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove the opportunity uploads nobody came back to after ``KAMPASS_IMPORT_DRAFT_KEEP_DAYS`` (default 7):
    drafts left on the mapping step (file and entry) and the files kept by dry runs for "Import these rows
    now" (the dry run's entry and outcome stay; its page then asks to upload the file again)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=int(settings.KAMPASS_IMPORT_DRAFT_KEEP_DAYS))
    old = PipelineImport.objects.filter(kind=PipelineImportKind.OPPORTUNITIES, created_at__lt=cutoff)
    drafts = list(old.filter(status=UploadStatus.DRAFT).values_list("pk", "file_path"))
    kept = list(
        old.filter(dry_run=True, status__in=(JobStatus.DONE, JobStatus.FAILED))
        .exclude(file_path="")
        .values_list("pk", "file_path")
    )
    for _pk, path in [*drafts, *kept]:
        if path:
            _remove(Path(path))
    PipelineImport.objects.filter(pk__in=[pk for pk, _path in drafts]).delete()
    PipelineImport.objects.filter(pk__in=[pk for pk, _path in kept]).update(file_path="")
    return {"drafts": len(drafts), "dry_run_files": len(kept)}


def daily_uploads_purge() -> Any:
    """The worker's daily job: enqueue :func:`pipeline_uploads_purge`."""
    from kampass.pipeline.tasks import purge_pipeline_uploads

    return purge_pipeline_uploads.enqueue()


def _remove(path: Path) -> None:
    """Delete an uploaded file (never one outside the pipeline's uploads directory, e.g. the CLI's own)."""
    if path.resolve().is_relative_to(pipeline_upload_dir().resolve()):
        path.unlink(missing_ok=True)
