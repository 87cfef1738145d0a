"""Write operations of the commercial context: customer links, imports, syncing the analytics store."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kampass.accounts.models import Account
from kampass.accounts.services import account_create
from kampass.commercial.models import CustomerLink, DateOrder, ImportJob, LinkMode, OnOverlap
from kampass.common.analytics import analytics_store
from kampass.common.concurrency import expect_version
from kampass.common.filemodes import private_dir
from kampass.common.import_limits import import_limits, limit_message
from kampass.common.models import ACTIVE_STATUSES, JobStatus, UploadStatus
from kampass.common.permissions import authorize
from kampass.common.uploads import keep_upload
from kampass.core.analytics.ingest.errors import IngestError, MixedEncoding
from kampass.core.analytics.ingest.limits import ImportTimeout, LimitExceeded, check_file, check_size
from kampass.core.analytics.ingest.mapping import BUILT_IN, known_encoding
from kampass.users.actors import Actor
from kampass.users.models import User
from kampass.users.rules import is_admin, is_head

log = logging.getLogger(__name__)


@transaction.atomic
def customer_link(*, actor: Actor, customer_id: str, account: Account, version: int | None = None) -> CustomerLink:
    """Link a customer number to an account (or move the link to another account). ``version``: of the
    existing link the move is based on (``ConcurrentEdit`` when it was saved since)."""
    authorize(actor, "accounts.change_account", account)
    customer_id = (customer_id or "").strip()
    if not customer_id:
        raise ValidationError({"customer_id": _("Enter a customer number.")})
    link = CustomerLink.objects.filter(customer_id=customer_id).first() or CustomerLink(customer_id=customer_id)
    expect_version(link, version)
    if link.pk and link.account_id != account.pk:
        authorize(actor, "accounts.change_account", link.account)  # taking a customer away needs rights there too
    link.account = account
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def customer_unlink(*, actor: Actor, customer_id: str) -> None:
    """Remove the link of a customer number: its lines count as unassigned again (head of KAM and
    administrators; 404 if the customer number is not linked)."""
    if not (is_admin(actor) or is_head(actor)):
        raise PermissionDenied(_("You do not have permission to do this."))
    get_object_or_404(CustomerLink, customer_id=customer_id).delete()


@dataclasses.dataclass(frozen=True)
class LinkPreview:
    """What linking the customers of an import would do: ``linked`` customers newly linked (by external
    id, or to an account created for them), ``accounts_created`` of them to a new account, ``unmatched``
    ids left without one."""

    linked: int
    accounts_created: int
    unmatched: list[str]


def customers_link_preview(*, customer_ids: Iterable[str], mode: str) -> LinkPreview:
    """What :func:`customers_link` would do, writing nothing (the dry run of an import)."""
    ids = sorted({c for c in customer_ids if c} - set(CustomerLink.objects.values_list("customer_id", flat=True)))
    if mode == LinkMode.NONE or not ids:
        return LinkPreview(linked=0, accounts_created=0, unmatched=ids)
    known = set(Account.objects.filter(external_id__in=ids).values_list("external_id", flat=True))
    unmatched = [c for c in ids if c not in known]
    if mode == LinkMode.CREATE:
        names = {_("Customer %(id)s") % {"id": cid}: cid for cid in unmatched}
        existing = {n.lower() for n in Account.objects.filter(parent__isnull=True).values_list("name", flat=True)} & {
            n.lower() for n in names
        }
        return LinkPreview(linked=len(ids), accounts_created=len(names) - len(existing), unmatched=[])
    return LinkPreview(linked=len(ids) - len(unmatched), accounts_created=0, unmatched=unmatched)


@transaction.atomic
def customers_link(*, actor: Actor, customer_ids: Iterable[str], mode: str) -> tuple[int, list[str]]:
    """Link unlinked customers: by an account's external id, or by creating an account per customer.

    Returns the number of customers newly linked and the customer ids left unmatched.
    """
    ids = sorted({c for c in customer_ids if c} - set(CustomerLink.objects.values_list("customer_id", flat=True)))
    if mode == LinkMode.NONE or not ids:
        return 0, ids
    by_external = {a.external_id: a for a in Account.objects.filter(external_id__in=ids).order_by("depth", "pk")}
    linked, unmatched = 0, []
    links = []
    for cid in ids:
        account = by_external.get(cid)
        if account is None and mode == LinkMode.CREATE:
            name = _("Customer %(id)s") % {"id": cid}
            existing = Account.objects.filter(parent__isnull=True, name__iexact=name).first()
            account = existing or account_create(actor=actor, name=name, external_id=cid)
            if not account.external_id:
                account.external_id = cid
                account.save(update_fields=["external_id"])
        if account is None:
            unmatched.append(cid)
            continue
        links.append(CustomerLink(customer_id=cid, account=account))
        linked += 1
    CustomerLink.objects.bulk_create(links, ignore_conflicts=True)
    return linked, unmatched


def upload_dir() -> Path:
    """Where uploaded import files wait for their import (deleted after it, see :func:`uploads_clean`):
    customers' data, readable by kampass's user only."""
    return private_dir(Path(settings.KAMPASS_HOME) / "uploads")


def staging_dir() -> Path:
    """Where running imports stage their file (one DuckDB database each, removed when the import ends)."""
    return private_dir(Path(settings.KAMPASS_HOME) / "staging")


def mapping_upload_dir() -> Path:
    """Where uploaded mapping files are kept (the only mapping files the web and the API may name)."""
    path = upload_dir() / "mappings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_error_message(exc: BaseException, *, file: str) -> str:
    """What went wrong with an import, for the user (limits and mixed encodings in their language)."""
    if isinstance(exc, LimitExceeded):
        return limit_message(exc, file=file)
    if isinstance(exc, MixedEncoding):
        lines = ", ".join(str(n) for n in exc.bad[:10]) + (" …" if len(exc.bad) > 10 else "")
        return _(
            "%(file)s: line(s) %(lines)s are not valid %(encoding)s, while other lines are: the file mixes "
            "encodings and would be garbled. Give the file's encoding with the import (Encoding in the form, "
            "encoding in the API or the mapping, --encoding on the command line) to read it anyway."
        ) % {"file": file, "lines": lines, "encoding": exc.encoding.upper()}
    if isinstance(exc, IngestError):
        return f"{file}: {exc.problem}"
    return f"{type(exc).__name__}: {exc}"


def _check_mapping(mapping: str, *, allow_path: bool) -> None:
    """Only the built-in mappings and uploaded mapping files, unless ``allow_path`` (the operator's CLI).

    Any other name is refused with the same message whether such a file exists or not.
    """
    if mapping in BUILT_IN or allow_path:
        return
    root = mapping_upload_dir().resolve()
    candidate = Path(mapping)
    if candidate.is_absolute() and candidate.resolve().is_relative_to(root) and candidate.suffix == ".yaml":
        return
    raise ValidationError(
        {
            "mapping": _("Unknown mapping “%(value)s”: choose one of %(names)s, or upload a mapping file.")
            % {"value": mapping[:100], "names": ", ".join(BUILT_IN)}
        }
    )


def _store_mapping_upload(upload: Any) -> str:
    """Keep an uploaded mapping file (YAML) with the uploads; its path becomes the job's mapping."""
    limit = 1 << 20
    if (getattr(upload, "size", 0) or 0) > limit:
        raise ValidationError({"mapping_file": _("A mapping file may have at most 1 MB.")})
    target = mapping_upload_dir() / f"{uuid.uuid4().hex}.yaml"
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return str(target)


def _remove_upload(path: str) -> None:
    """Delete an uploaded file (a file outside the uploads directory, e.g. the CLI's own, is never touched)."""
    if not path:
        return
    target = Path(path)
    if target.resolve().is_relative_to(upload_dir().resolve()):
        target.unlink(missing_ok=True)


UPLOAD_GRACE_SECONDS = 3600.0
""":func:`uploads_clean` leaves younger files alone (an upload whose job is being created)."""


def uploads_clean(*, now: float | None = None) -> int:
    """Delete uploaded files older than ``KAMPASS_UPLOAD_RETENTION_HOURS`` (at least an hour: the files a
    crashed or killed import left behind, or kept ones whose time is up), except those of queued or
    running jobs. Runs when the worker starts, after each import and as ``kampass import cleanup``.

    The rejects reports (``*.rejects.csv``) stay: the job pages offer them for download. Returns the
    number of files deleted.
    """
    now = time.time() if now is None else now
    # a file younger than the grace period may belong to a job whose row is not committed yet; a draft's file
    # waits for its mapping step
    keep_seconds = max(float(settings.KAMPASS_UPLOAD_RETENTION_HOURS or 0.0) * 3600, UPLOAD_GRACE_SECONDS)
    active = ImportJob.objects.filter(status__in=(*ACTIVE_STATUSES, UploadStatus.DRAFT))
    busy = {Path(p).resolve() for p in active.values_list("file_path", flat=True)}
    busy |= {Path(m).resolve() for m in active.values_list("mapping", flat=True) if m not in BUILT_IN}
    removed = 0
    # only this context's files: the invoice files and their mappings; the other contexts keep their uploads
    # in their own directories below (pipeline/, imports/), e.g. a file waiting on its mapping step
    for path in [*upload_dir().glob("*"), *mapping_upload_dir().glob("*")]:
        if not path.is_file() or path.name.endswith(".rejects.csv") or path.resolve() in busy:
            continue
        if now - path.stat().st_mtime >= keep_seconds:
            path.unlink(missing_ok=True)
            removed += 1
    return removed + _staging_clean(now)


def _staging_clean(now: float) -> int:
    """Delete the staging databases that a killed import left behind: untouched for longer than an import
    may run (``KAMPASS_IMPORT_TIME_LIMIT_SECONDS``) plus the grace period."""
    limit = float(settings.KAMPASS_IMPORT_TIME_LIMIT_SECONDS or 0.0)
    idle_seconds = max(limit, 24 * 3600.0 if limit <= 0 else 0.0) + UPLOAD_GRACE_SECONDS
    removed = 0
    for work in staging_dir().iterdir():
        if not work.is_dir():
            continue
        touched = max([work.stat().st_mtime, *(p.stat().st_mtime for p in work.rglob("*"))])
        if now - touched >= idle_seconds:
            shutil.rmtree(work, ignore_errors=True)
            removed += 1
    return removed


def _finish_upload(job: ImportJob) -> None:
    """After an import: delete its uploaded file (and uploaded mapping) at once, unless kept for a while."""
    if float(settings.KAMPASS_UPLOAD_RETENTION_HOURS or 0.0) > 0:
        return
    _remove_upload(job.file_path)
    if job.mapping not in BUILT_IN and Path(job.mapping).is_absolute():
        root = mapping_upload_dir().resolve()
        if Path(job.mapping).resolve().is_relative_to(root):
            _remove_upload(job.mapping)


@transaction.atomic
def import_job_create(
    *,
    actor: Actor,
    source: Path | Any,
    original_name: str,
    mapping: str = "online-retail",
    strict: bool = False,
    dry_run: bool = False,
    link_mode: str = LinkMode.EXTERNAL_ID,
    date_order: str = "",
    on_overlap: str = OnOverlap.SKIP,
    encoding: str = "",
    mapping_file: Any = None,
    allow_mapping_path: bool = False,
    enqueue: bool = True,
    draft: bool = False,
    columns: dict[str, str] | None = None,
) -> ImportJob:
    """Keep the uploaded file in the data directory and queue its import as a background task.

    ``source`` is a path or an uploaded file object (with ``chunks()`` and ``size``). ``date_order`` (``dmy``
    or ``mdy``) answers the day/month order of a date column whose values cannot decide it; ``encoding``
    names the file's text encoding (default: recognised). ``mapping`` is a built-in mapping's name;
    ``mapping_file`` an uploaded mapping (YAML) used instead; a path to any other file only with
    ``allow_mapping_path`` (the operator's command line). The file's size, its header's columns and an
    XLSX workbook's zip directory are checked against the limits (:func:`import_limits`) at once.
    ``on_overlap`` says what to do with lines an earlier import already wrote (skip, replace, import).
    ``draft``: keep the job for its mapping step (:mod:`~kampass.commercial.services_mapping`) instead of
    queueing it; ``columns`` (field -> column) are the columns it starts from. ``mapping`` may also name a
    mapping saved on a mapping step (the page, the CLI's ``--mapping NAME`` and the API alike).
    """
    authorize(actor, "commercial.import_transactions")
    from kampass.core.analytics.ingest import MappingError, load_mapping

    limits = import_limits()
    size = Path(source).stat().st_size if isinstance(source, Path | str) else getattr(source, "size", None)
    if size is not None:
        try:
            check_size(Path(original_name), limits, size=size)
        except LimitExceeded as exc:
            raise ValidationError({"file": limit_message(exc)}) from exc
    if encoding and not known_encoding(encoding):
        raise ValidationError({"encoding": _("Unknown encoding “%(value)s”.") % {"value": encoding[:40]}})
    if mapping_file is None and mapping not in BUILT_IN and columns is None:
        from kampass.commercial.services_mapping import saved_mappings

        saved = saved_mappings().get(mapping)
        if saved is not None:  # a mapping saved on a mapping step: its base with its columns
            mapping, columns = saved["base"], saved["columns"]
    if mapping_file is not None:
        mapping = _store_mapping_upload(mapping_file)
    else:
        _check_mapping(mapping, allow_path=allow_mapping_path)
    try:
        load_mapping(mapping)
    except MappingError as exc:
        if mapping_file is not None:
            _remove_upload(mapping)
        raise ValidationError({"mapping_file" if mapping_file is not None else "mapping": str(exc)}) from exc
    if link_mode not in LinkMode.values:
        raise ValidationError({"link_mode": _("Unknown option “%(value)s”.") % {"value": link_mode}})
    if date_order not in DateOrder.values:
        raise ValidationError({"date_order": _("Unknown option “%(value)s”.") % {"value": date_order}})
    if on_overlap not in OnOverlap.values:
        raise ValidationError({"on_overlap": _("Unknown option “%(value)s”.") % {"value": on_overlap}})
    target = keep_upload(source, upload_dir(), original_name)
    try:
        check_file(target, limits, file=Path(original_name).name)
    except IngestError as exc:
        _remove_upload(str(target))
        if mapping_file is not None:
            _remove_upload(mapping)
        raise ValidationError({"file": import_error_message(exc, file=Path(original_name).name)}) from exc
    job = ImportJob.objects.create(
        file_path=str(target), original_name=Path(original_name).name, mapping=str(mapping), strict=strict,
        dry_run=dry_run, link_mode=link_mode, date_order=date_order, on_overlap=on_overlap, encoding=encoding,
        created_by=actor if isinstance(actor, User) and actor.pk else None, columns=dict(columns or {}),
        status=UploadStatus.DRAFT if draft else UploadStatus.QUEUED,
    )  # fmt: skip
    if enqueue and not draft:
        from kampass.commercial.tasks import run_import

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_import.enqueue(job_id))
    return job


def date_order_question(exc: Any, *, file: str) -> str:
    """The question of an undecidable date column (a ``DateOrderQuestion``), in the user's language."""
    e = exc.evidence
    if e.contradictory:
        detail = _("some values are day first (%(dmy)s), others month first (%(mdy)s)") % {
            "dmy": ", ".join(e.dmy),
            "mdy": ", ".join(e.mdy),
        }
    else:
        detail = _("every value fits both day/month and month/day (e.g. %(values)s)") % {
            "values": ", ".join(e.ambiguous)
        }
    return _(
        "%(file)s, column %(column)s: is it day/month or month/day? %(detail)s. Say which with the date order "
        "of the import (--date-order dmy or --date-order mdy on the command line) or date_order: in the mapping."
    ) % {"file": file, "column": exc.column, "detail": detail}


def _progress(job: ImportJob, fraction: float, message: str) -> None:
    job.report(fraction, message)


def _overlap_report(overlap: Any) -> dict[str, Any]:
    """The overlap of an import as stored on its job (empty: none), the earlier imports named by the files
    their users uploaded (the store knows only the names of the stored copies)."""
    if overlap is None or not overlap.lines:
        return {}
    report: dict[str, Any] = overlap.as_json()
    names = dict(
        ImportJob.objects.filter(batch_id__in=[e["batch_id"] for e in report["earlier"]]).values_list(
            "batch_id", "original_name"
        )
    )
    for e in report["earlier"]:
        e["file_name"] = names.get(e["batch_id"], e["file_name"])
    return report


def import_job_run(
    job_id: str, *, progress: Callable[[float, str], None] | None = None, actor: Actor | None = None
) -> ImportJob:
    """Run a queued import: read, validate and store the lines, link customers, record the outcome.

    ``actor`` links the customers (default: the user who queued the job, else the command-line operator).
    """
    from kampass.commercial.services_mapping import job_mapping
    from kampass.common.cli import system_actor
    from kampass.core.analytics.ingest import DateOrderQuestion, import_file

    job = ImportJob.objects.get(pk=job_id)
    actor = actor or job.created_by or system_actor()
    job.mark(JobStatus.RUNNING, progress=0.0)

    def report(fraction: float, message: str) -> None:
        _progress(job, fraction * 0.9, message)
        if progress is not None:
            progress(fraction * 0.9, message)

    try:
        # the file is read and validated without the store's writer, which is held only for the short
        # final write (docs/adr/0003): one import's long or failing run never holds up another's
        result = import_file(
            path=Path(job.file_path), mapping=job_mapping(job), strict=job.strict, dry_run=job.dry_run,
            progress=report, date_order=job.date_order, on_overlap=job.on_overlap, encoding=job.encoding,
            limits=import_limits(), reader=analytics_store, writer=lambda: analytics_store(write=True),
            staging_dir=staging_dir(),
        )  # fmt: skip
        rejects_path = ""
        if result.rejects:
            rejects_path = str(Path(job.file_path).with_suffix(".rejects.csv"))
            # name the file as the user knows it, not the stored copy
            named = [dataclasses.replace(r, file=job.original_name) for r in result.rejects]
            dataclasses.replace(result, rejects=named).write_rejects_csv(Path(rejects_path))
        linked, created, unmatched = 0, 0, list(result.customers)
        committed = not job.dry_run and not (job.strict and result.rejected) and not result.already_imported
        if committed:
            report(0.95, _("Linking customers to accounts"))
            accounts_before = Account.objects.count()
            linked, unmatched = customers_link(actor=actor, customer_ids=result.customers, mode=job.link_mode)
            created = Account.objects.count() - accounts_before
        elif job.dry_run and not result.already_imported:
            preview = customers_link_preview(customer_ids=result.customers, mode=job.link_mode)
            linked, created, unmatched = preview.linked, preview.accounts_created, preview.unmatched
        job.refresh_from_db()
        job.status = JobStatus.DONE
        job.lines, job.rejected = result.lines, result.rejected
        job.already_imported, job.batch_id = result.already_imported, result.batch_id
        job.rejects_path = rejects_path
        job.customers, job.linked_customers, job.unmatched_customers = len(result.customers), linked, unmatched
        job.accounts_created = created
        job.date_order_used = result.date_order
        job.overlap = _overlap_report(result.overlap)
        job.progress, job.finished_at = 1.0, timezone.now()
        job.message = _("Done")
        job.save()
        if progress is not None:
            progress(1.0, job.message)
    except DateOrderQuestion as exc:
        # asked in the language of the user who started the import (the worker has none of its own)
        language = getattr(job.created_by, "language", "") or translation.get_language()
        with translation.override(language):
            question = date_order_question(exc, file=job.original_name)
        job.mark(JobStatus.FAILED, error=question)
        raise
    except (LimitExceeded, MixedEncoding) as exc:
        if isinstance(exc, ImportTimeout):
            log.warning("import %s stopped after its time limit", job_id)
        language = getattr(job.created_by, "language", "") or translation.get_language()
        with translation.override(language):
            message = import_error_message(exc, file=job.original_name)
        job.mark(JobStatus.FAILED, error=message, message=message)
        raise
    except Exception as exc:
        log.exception("import %s failed", job_id)
        job.mark(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        try:
            _finish_upload(job)
            uploads_clean()
        except OSError:
            log.warning("cleaning up the uploads of import %s failed", job_id, exc_info=True)
    return job
