"""Uploads of master-data files imported as background tasks (the web page and the API).

:func:`import_run_create` checks the permission and the file's size, keeps the file in the private
uploads directory and records the run as a draft; :func:`import_preview` reads the columns and the first
rows as they would be stored; :func:`import_run_start` fixes the columns and queues the task;
:func:`import_run_execute` runs it with :func:`~kampass.common.imports.framework.run_import`, stores
progress and outcome and deletes the file. :func:`mapping_save` keeps a mapping under a name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kampass.common.filemodes import private_dir
from kampass.common.import_limits import import_limits, limit_message
from kampass.common.imports.framework import (
    ColumnMapping,
    FieldSpec,
    Importer,
    ImportRefused,
    read_rows,
    resolve_columns,
    run_import,
)
from kampass.common.imports.mappings import mapping_named
from kampass.common.imports.registry import importer_for, kinds
from kampass.common.imports.table import TableError, read_table
from kampass.common.models import ImportMapping, ImportRun, UploadStatus
from kampass.common.permissions import authorize
from kampass.common.uploads import keep_upload
from kampass.core.analytics.ingest.limits import LimitExceeded, check_size
from kampass.users.actors import Actor
from kampass.users.history import is_user

log = logging.getLogger(__name__)
PREVIEW_ROWS = 10


def upload_dir() -> Path:
    """Where uploaded master-data files wait for their import: customers' data, private to kampass."""
    return private_dir(Path(settings.KAMPASS_HOME) / "uploads" / "imports")


def importer_of(kind: str) -> type[Importer]:
    """The importer of ``kind``; a ``ValidationError`` on ``kind`` names the kinds there are."""
    if kind not in kinds():
        raise ValidationError(
            {
                "kind": _("Unknown kind “%(value)s”; choose one of %(kinds)s.")
                % {"value": kind[:40], "kinds": ", ".join(kinds())}
            }
        )
    return importer_for(kind)


def importable_kinds(user: Any) -> list[type[Importer]]:
    """The kinds ``user`` may import."""
    return [importer_for(k) for k in kinds() if user.has_perm(importer_for(k).permission)]


@transaction.atomic
def import_run_create(
    *, actor: Actor, kind: str, source: Path | Any, original_name: str, mapping: str = "generic"
) -> ImportRun:
    """Keep the uploaded file (a path or an uploaded file with ``chunks()`` and ``size``) as a draft run
    to be mapped; refuses an unknown kind or mapping, a user without the right, a file over the limits
    and a file that is no readable table (named in the message)."""
    importer = importer_of(kind)
    authorize(actor, importer.permission)
    try:
        mapping_named(importer, mapping)
    except ImportRefused as exc:
        raise ValidationError({"mapping": str(exc)}) from exc
    name = Path(original_name or "upload.csv").name
    size = Path(source).stat().st_size if isinstance(source, Path | str) else getattr(source, "size", None)
    if size is not None:
        try:
            check_size(Path(name), import_limits(), size=size)
        except LimitExceeded as exc:
            raise ValidationError({"file": limit_message(exc, file=name)}) from exc
    target = keep_upload(source, upload_dir(), name)
    try:
        read_table(target, file_name=name, limits=import_limits())
    except (TableError, LimitExceeded) as exc:
        target.unlink(missing_ok=True)
        message = limit_message(exc, file=name) if isinstance(exc, LimitExceeded) else str(exc)
        raise ValidationError({"file": message}) from exc
    return ImportRun.objects.create(
        kind=kind, file_path=str(target), original_name=name, mapping=mapping,
        created_by=actor if is_user(actor) else None,
    )  # fmt: skip


def _authorize_run(actor: Actor, run: ImportRun) -> type[Importer]:
    importer = importer_of(run.kind)
    authorize(actor, importer.permission)
    return importer


def run_mapping(run: ImportRun, importer: type[Importer]) -> ColumnMapping:
    """The mapping a run uses: the columns chosen on the mapping step, else its named mapping."""
    if run.columns:
        return ColumnMapping(name=run.mapping, columns={k: (v,) for k, v in run.columns.items()}, suggest=False)
    return mapping_named(importer, run.mapping)


@dataclass(frozen=True)
class Preview:
    """The mapping step: the file's columns, the column chosen per field, and the first rows as stored."""

    fields: tuple[FieldSpec, ...]
    header: tuple[str, ...]
    columns: dict[str, str]
    rows: list[tuple[int, list[str]]]
    missing: list[FieldSpec]
    total_rows: int


def import_preview(*, actor: Actor, run: ImportRun, columns: dict[str, str] | None = None) -> Preview:
    """Read the run's file: the columns per field (``columns`` as the user chose them, else the run's
    mapping and suggestions), and the first rows by field, values as they will be read."""
    importer = _authorize_run(actor, run)
    table = read_table(Path(run.file_path), file_name=run.original_name, limits=import_limits())
    if columns is not None:
        unknown = {c for c in columns.values() if c and c not in table.header}
        if unknown:
            raise ValidationError(
                {"columns": _("The file has no column %(columns)s.") % {"columns": ", ".join(sorted(unknown))}}
            )
        chosen = {k: v for k, v in columns.items() if v}
    else:
        chosen = resolve_columns(importer.fields, table.header, run_mapping(run, importer))
    mapping = ColumnMapping(name=run.mapping, columns={k: (v,) for k, v in chosen.items()}, suggest=False)
    missing = [f for f in importer.fields if f.required and f.name not in chosen]
    rows: list[tuple[int, list[str]]] = []
    if not missing:
        _cols, parsed = read_rows(importer, table, mapping, file_name=run.original_name)
        rows = [(row.line, [row[f.name] for f in importer.fields]) for row in parsed[:PREVIEW_ROWS]]
    return Preview(
        fields=importer.fields, header=table.header, columns=chosen, rows=rows, missing=missing,
        total_rows=sum(1 for _ in table.records()),
    )  # fmt: skip


@transaction.atomic
def import_run_start(
    *,
    actor: Actor,
    run: ImportRun,
    columns: dict[str, str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    enqueue: bool = True,
) -> ImportRun:
    """Fix the run's columns (``None``: its mapping's) and queue the import (or the dry run). A run that
    was queued already is refused; a required field without a column too."""
    _authorize_run(actor, run)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (UploadStatus.DRAFT, UploadStatus.DONE) or (
        run.status == UploadStatus.DONE and not run.dry_run
    ):
        raise ValidationError({"status": _("This import has run already; upload the file again to import it again.")})
    if not Path(run.file_path).is_file():
        raise ValidationError({"file": _("The uploaded file is no longer kept; upload it again.")})
    preview = import_preview(actor=actor, run=run, columns=columns)
    if preview.missing:
        raise ValidationError(
            {
                "columns": _("Choose a column for %(fields)s.")
                % {"fields": ", ".join(str(f.label) for f in preview.missing)}
            }
        )
    run.columns, run.dry_run, run.strict = preview.columns, dry_run, strict
    run.status, run.progress, run.message, run.error, run.outcome, run.finished_at = (
        UploadStatus.QUEUED, 0.0, "", "", {}, None,
    )  # fmt: skip
    run.save()
    if enqueue:
        from kampass.common.tasks import run_master_data_import

        run_id = str(run.pk)
        transaction.on_commit(lambda: run_master_data_import.enqueue(run_id))
    return run


def outcome_summary(outcome: dict[str, Any]) -> str:
    """What an import did (or would do), in the active language."""
    figures = {k: outcome.get(k, 0) for k in ("rows", "created", "updated", "unchanged", "rejected")}
    if outcome.get("dry_run"):
        text = _(
            "Dry run, nothing stored: of %(rows)d rows it would create %(created)d, update %(updated)d, leave "
            "%(unchanged)d unchanged and reject %(rejected)d."
        )
    elif outcome.get("committed"):
        text = _(
            "%(rows)d rows read: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected."
        )
    else:
        text = _("Nothing stored (strict): %(rejected)d of %(rows)d rows were rejected.")
    return text % figures


def import_run_execute(run_id: str, *, actor: Actor | None = None) -> ImportRun:
    """Run a queued import and store its outcome (module docstring). A dry run keeps the file so that the
    real import can follow; a real run deletes it."""
    from kampass.common.cli import system_actor

    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    actor = actor or run.created_by or system_actor()
    run.mark(UploadStatus.RUNNING, progress=0.0)

    def report(fraction: float, message: str) -> None:
        run.report(fraction, message)

    language = (getattr(run.created_by, "language", "") or "") or settings.LANGUAGE_CODE
    path = Path(run.file_path)
    with translation.override(language):
        try:
            importer = importer_of(run.kind)
            outcome = run_import(
                importer, actor=actor, path=path, mapping=run_mapping(run, importer), file_name=run.original_name,
                dry_run=run.dry_run, strict=run.strict, progress=report,
            ).as_json()  # fmt: skip
        except (ImportRefused, ValidationError, PermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            run.mark(UploadStatus.FAILED, error=error, message=error)
            path.unlink(missing_ok=True)
            run.refresh_from_db()
            return run
        except Exception as exc:
            log.exception("import %s failed", run_id)
            run.mark(UploadStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            path.unlink(missing_ok=True)
            raise
        message = outcome_summary(outcome)
    run.mark(UploadStatus.DONE, progress=1.0, outcome=outcome, message=message)
    if not run.dry_run:
        path.unlink(missing_ok=True)
    run.refresh_from_db()
    return run


def mapping_save(*, actor: Actor, kind: str, name: str, columns: dict[str, str]) -> ImportMapping:
    """Keep ``columns`` (field -> column) under ``name`` for ``kind`` (replacing a mapping of that name)."""
    importer = importer_of(kind)
    authorize(actor, importer.permission)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"mapping_name": _("Give the mapping a name.")})
    if importer.builtin_mapping(name) is not None:
        raise ValidationError(
            {"mapping_name": _("“%(name)s” is a built-in mapping; choose another name.") % {"name": name}}
        )
    fields = {f.name for f in importer.fields}
    unknown = sorted(set(columns) - fields)
    if unknown:
        raise ValidationError({"columns": _("Unknown field(s) %(fields)s.") % {"fields": ", ".join(unknown)}})
    saved, _created = ImportMapping.objects.update_or_create(
        kind=kind, name=name,
        defaults={"columns": {k: [v] for k, v in columns.items() if v}, "suggest": False,
                  "created_by": actor if is_user(actor) else None},
    )  # fmt: skip
    return saved


def mapping_names(kind: str) -> list[str]:
    """The mappings an upload of ``kind`` may choose: ``generic``, the built-in ones, the saved ones."""
    importer = importer_for(kind)
    saved = ImportMapping.objects.filter(kind=kind).values_list("name", flat=True)
    return ["generic", *importer.mappings, *saved]


#: the key of a saved mapping's columns that names the built-in mapping it was made from (opportunity and
#: invoice-line uploads: the built-in part, such as stage names or category rules, stays that mapping's)
BASE_KEY = "_base"


def save_based_mapping(
    *,
    actor: Actor,
    kind: str,
    name: str,
    columns: dict[str, str],
    fields: dict[str, str],
    required: Sequence[str],
    built_in: Sequence[str],
    base: str,
) -> ImportMapping:
    """Keep the columns chosen on a mapping step (field -> column) under ``name`` for uploads of ``kind``,
    together with the built-in mapping ``base`` they were chosen on (replacing a saved mapping of that name).
    ``fields`` names the fields (name -> label); a name of the ``built_in`` mappings, an unknown field and a
    ``required`` field without a column are refused. The caller checks the permission."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"mapping_name": _("Give the mapping a name.")})
    if name in built_in:
        raise ValidationError(
            {"mapping_name": _("“%(name)s” is a built-in mapping; choose another name.") % {"name": name}}
        )
    chosen = {f: c for f, c in columns.items() if c}
    unknown = sorted(set(chosen) - set(fields))
    if unknown:
        raise ValidationError({"columns": _("Unknown field(s) %(fields)s.") % {"fields": ", ".join(unknown)}})
    missing = [fields[f] for f in required if f not in chosen]
    if missing:
        raise ValidationError(
            {"columns": _("Choose a column for the required field(s) %(fields)s.") % {"fields": ", ".join(missing)}}
        )
    saved, _created = ImportMapping.objects.update_or_create(
        kind=kind, name=name,
        defaults={"columns": {BASE_KEY: [base], **{k: [v] for k, v in chosen.items()}}, "suggest": False,
                  "created_by": actor if is_user(actor) else None},
    )  # fmt: skip
    return saved
