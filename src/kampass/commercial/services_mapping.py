"""The mapping step of a transactions upload: the file's column per invoice-line field (suggested from the
chosen mapping and the usual English and German column names), the first lines as the import will store
them, a name to keep the columns under, then the import (or its dry run) with them.

An upload from the web page is kept as a draft job (:func:`~kampass.commercial.services.import_job_create`
with ``draft=True``); :func:`import_job_preview` reads it, :func:`import_job_start` fixes its columns and
queues it, :func:`import_job_discard` drops it. :func:`invoice_mapping_save` keeps columns under a name; an
upload choosing that name starts from them (:func:`upload_mapping`). The built-in mapping a saved one was
made from keeps its part: category rules, default currency, date formats and product groups.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kampass.commercial.models import MAPPING_TITLES, DateOrder, ImportJob
from kampass.common.import_limits import import_limits
from kampass.common.imports.services import BASE_KEY
from kampass.common.imports.values import HeaderColumns
from kampass.common.models import ImportMapping, UploadStatus
from kampass.common.permissions import authorize
from kampass.core.analytics.ingest.mapping import BUILT_IN, Mapping, load_mapping
from kampass.users.actors import Actor

PERMISSION = "commercial.import_transactions"
#: the kind under which transactions mappings are saved (the master-data kinds use their own names)
SAVED_KIND = "invoice-lines"
PREVIEW_LINES = 10


@dataclass(frozen=True)
class InvoiceField:
    """A field of an invoice line the mapping step asks a column for, with the column names it suggests."""

    name: str
    label: str | Promise
    headers: tuple[str, ...] = ()
    required: bool = False


INVOICE_FIELDS: tuple[InvoiceField, ...] = (
    InvoiceField("invoice_no", gettext_lazy("Invoice number"),
                 ("InvoiceNo", "Invoice", "Invoice number", "Rechnungsnummer", "Rechnung", "Belegnummer", "Beleg"),
                 required=True),
    InvoiceField("invoice_date", gettext_lazy("Invoice date"),
                 ("InvoiceDate", "Date", "Rechnungsdatum", "Belegdatum", "Buchungsdatum", "Datum"), required=True),
    InvoiceField("customer_id", gettext_lazy("Customer number"),
                 ("CustomerID", "Customer", "Customer number", "Kundennummer", "Kunde", "Debitor", "Debitorennummer")),
    InvoiceField("stock_code", gettext_lazy("Stock code"),
                 ("StockCode", "SKU", "Article", "Item", "Artikelnummer", "Artikel", "Materialnummer", "Material")),
    InvoiceField("description", gettext_lazy("Description"),
                 ("Description", "Beschreibung", "Bezeichnung", "Artikelbezeichnung", "Text")),
    InvoiceField("quantity", gettext_lazy("Quantity"), ("Quantity", "Qty", "Menge", "Anzahl"), required=True),
    InvoiceField("unit_price", gettext_lazy("Unit price"),
                 ("UnitPrice", "Price", "Einzelpreis", "Stückpreis", "Preis"), required=True),
    InvoiceField("unit_cost", gettext_lazy("Unit cost"),
                 ("UnitCost", "Cost", "Einstandspreis", "Stückkosten", "Kosten")),
    InvoiceField("country", gettext_lazy("Country"), ("Country", "Land")),
    InvoiceField("currency", gettext_lazy("Currency"), ("Currency", "Währung", "Waehrung")),
)  # fmt: skip
FIELD_NAMES = tuple(f.name for f in INVOICE_FIELDS)


def suggest_columns(header: tuple[str, ...], mapping: Mapping) -> dict[str, str]:
    """field -> the file's column for it: the mapping's own columns first, then the field's name and its
    usual English and German column names (case, spaces and underscores ignored); no column serves two
    fields.

    >>> generic = load_mapping("generic")
    >>> suggest_columns(("Beleg-Nr", "Buchungsdatum", "Kunde", "MENGE", "Einzel Preis"), generic)
    {'invoice_no': 'Beleg-Nr', 'invoice_date': 'Buchungsdatum', 'customer_id': 'Kunde', 'quantity': 'MENGE', \
'unit_price': 'Einzel Preis'}
    """
    columns = HeaderColumns(header)
    found: dict[str, str] = {}
    for spec in INVOICE_FIELDS:
        column = columns.find(mapping.candidates(spec.name), take=True)
        if column is not None:
            found[spec.name] = column
    for spec in INVOICE_FIELDS:
        if spec.name not in found:
            column = columns.find((spec.name, *spec.headers), take=True)
            if column is not None:
                found[spec.name] = column
    return {name: found[name] for name in FIELD_NAMES if name in found}


def saved_mappings() -> dict[str, dict[str, Any]]:
    """The saved transactions mappings by name: their columns (field -> column) and the built-in base."""
    out = {}
    for saved in ImportMapping.objects.filter(kind=SAVED_KIND).order_by("name"):
        raw = saved.columns or {}
        base = (raw.get(BASE_KEY) or ["generic"])[0]
        columns = {k: v[0] for k, v in raw.items() if k != BASE_KEY and v}
        out[saved.name] = {"base": base if base in BUILT_IN else "generic", "columns": columns}
    return out


def mapping_choices() -> list[tuple[str, str]]:
    """The mappings an upload may start from: the built-in ones by title, then the saved ones by name."""
    return [
        *((name, str(MAPPING_TITLES.get(name, name))) for name in BUILT_IN),
        *((name, name) for name in saved_mappings()),
    ]


def upload_mapping(name: str) -> tuple[str, dict[str, str]]:
    """The built-in mapping an upload choosing ``name`` reads with, and the columns it starts from (empty
    for a built-in mapping: its own)."""
    if name in BUILT_IN:
        return name, {}
    saved = saved_mappings().get(name)
    if saved is None:
        raise ValidationError({"mapping": _("Unknown mapping “%(value)s”.") % {"value": name[:100]}})
    return saved["base"], saved["columns"]


#: the reasons the import gives for a rejected line (English, from :mod:`kampass.core.analytics.ingest`), by
#: pattern, with their text in the reader's language
_REASONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"not a number"), lambda m: _("not a number")),
    (re.compile(r"empty invoice number"), lambda m: _("empty invoice number")),
    (re.compile(r"empty date"), lambda m: _("empty date")),
    (re.compile(r"empty quantity"), lambda m: _("empty quantity")),
    (re.compile(r"empty unit price"), lambda m: _("empty unit price")),
    (re.compile(r"not a date in formats (.*)"),
     lambda m: _("not a date in the formats %(formats)s") % {"formats": m[1]}),
    (re.compile(r"more than 4 decimal places"), lambda m: _("more than 4 decimal places")),
    (re.compile(r"(quantity|unit price|unit cost) out of range for .*"), lambda m: _("number too large")),
    (re.compile(r"not a currency code like EUR"), lambda m: _("not a currency code like EUR")),
    (re.compile(r"holds a control or text-direction character"),
     lambda m: _("holds a control or text-direction character")),
    (re.compile(r"longer than (\d+) characters \(the cell limit\)"),
     lambda m: _("longer than %(chars)s characters (the cell limit)") % {"chars": m[1]}),
    (re.compile(r"too few columns \(expected (\d+)\)"), lambda m: _("too few columns (expected %(n)s)") % {"n": m[1]}),
    (re.compile(r"too many columns \(expected (\d+)\)"),
     lambda m: _("too many columns (expected %(n)s)") % {"n": m[1]}),
    (re.compile(r"invalid UTF-8 byte sequence"), lambda m: _("invalid UTF-8 byte sequence")),
    (re.compile(r"stray quote character"), lambda m: _("stray quote character")),
    (re.compile(r"line too long"), lambda m: _("line too long")),
)  # fmt: skip


def reason_text(reason: str) -> str:
    """A rejected line's reason in the reader's language (an unknown reason as the import gave it).

    >>> reason_text("not a date in formats [%d.%m.%Y]"), reason_text("something new")
    ('not a date in the formats [%d.%m.%Y]', 'something new')
    """
    for pattern, text in _REASONS:
        found = pattern.fullmatch(reason)
        if found:
            return text(found)
    return reason


def job_mapping(job: ImportJob) -> Mapping:
    """The mapping a job reads its file with: its mapping, with the columns chosen on the mapping step."""
    loaded = load_mapping(job.mapping)
    return loaded.with_columns(job.columns) if job.columns else loaded


@dataclass(frozen=True)
class LinesPreview:
    """The mapping step of a draft job: the file's header, the column chosen per field, the required fields
    still without one, and (when every required field has a column) the first lines as they will be stored,
    the file's line count, its rejected lines and the day/month order of its dates; ``error`` says why the
    file cannot be read with these columns (e.g. a date column that needs its order answered)."""

    header: tuple[str, ...]
    columns: dict[str, str]
    missing: list[InvoiceField]
    lines: list[Any] = field(default_factory=list)
    rows: int = 0
    rejected: int = 0
    date_order: str = ""
    error: str = ""


def _header(job: ImportJob) -> tuple[str, ...]:
    from kampass.commercial.services import import_error_message, staging_dir
    from kampass.core.analytics.ingest import IngestError, detect_dialect

    with tempfile.TemporaryDirectory(prefix="kampass-header-", dir=staging_dir()) as tmp:
        try:
            dialect = detect_dialect(
                Path(job.file_path), workdir=Path(tmp), encoding=job.encoding or load_mapping(job.mapping).encoding,
                limits=import_limits(),
            )  # fmt: skip
        except IngestError as exc:
            raise ValidationError({"file": import_error_message(exc, file=job.original_name)}) from exc
    return tuple(h.strip() for h in dialect.header)


def _draft(job: ImportJob) -> None:
    if job.status != UploadStatus.DRAFT:
        raise ValidationError({"status": _("This import has been started already; upload the file again.")})
    if not Path(job.file_path).is_file():
        raise ValidationError({"file": _("The uploaded file is no longer kept; upload it again.")})


def import_job_preview(
    *, actor: Actor, job: ImportJob, columns: dict[str, str] | None = None, date_order: str | None = None
) -> LinesPreview:
    """Read a draft job's file with ``columns`` (field -> column; ``None``: the job's, else suggested) and
    ``date_order`` (``None``: the job's): see :class:`LinesPreview`. Refuses a job that is no draft, a
    column the file does not have and an unknown field."""
    from kampass.commercial.services import date_order_question, import_error_message, staging_dir
    from kampass.core.analytics.ingest import DateOrderQuestion, IngestError, MappingError, preview_file

    authorize(actor, PERMISSION)
    _draft(job)
    header = _header(job)
    base = load_mapping(job.mapping)
    if columns is None:
        chosen = dict(job.columns) if job.columns else suggest_columns(header, base)
    else:
        chosen = {k: v for k, v in columns.items() if v}
    unknown_fields = sorted(set(chosen) - set(FIELD_NAMES))
    if unknown_fields:
        raise ValidationError({"columns": _("Unknown field(s) %(fields)s.") % {"fields": ", ".join(unknown_fields)}})
    absent = sorted({c for c in chosen.values() if c not in header})
    if absent:
        raise ValidationError({"columns": _("The file has no column %(columns)s.") % {"columns": ", ".join(absent)}})
    chosen = {name: chosen[name] for name in FIELD_NAMES if name in chosen}
    missing = [f for f in INVOICE_FIELDS if f.required and f.name not in chosen]
    preview = LinesPreview(header=header, columns=chosen, missing=missing)
    if missing:
        return preview
    order = job.date_order if date_order is None else date_order
    if order not in DateOrder.values:
        raise ValidationError({"date_order": _("Unknown option “%(value)s”.") % {"value": order[:10]}})
    try:
        found = preview_file(
            path=Path(job.file_path), mapping=base.with_columns(chosen), rows=PREVIEW_LINES, date_order=order,
            encoding=job.encoding, limits=import_limits(), staging_dir=staging_dir(),
        )  # fmt: skip
    except DateOrderQuestion as exc:
        return LinesPreview(header, chosen, missing, error=date_order_question(exc, file=job.original_name))
    except (IngestError, MappingError) as exc:
        return LinesPreview(header, chosen, missing, error=import_error_message(exc, file=job.original_name))
    return LinesPreview(
        header=header, columns=chosen, missing=missing, lines=found.lines, rows=found.rows, rejected=found.rejected,
        date_order=found.date_order,
    )  # fmt: skip


@transaction.atomic
def import_job_start(
    *,
    actor: Actor,
    job: ImportJob,
    columns: dict[str, str],
    dry_run: bool = False,
    strict: bool = False,
    date_order: str = "",
    enqueue: bool = True,
) -> ImportJob:
    """Fix a draft job's columns (field -> column) and options and queue its import (or dry run). Refuses a
    job that is no draft (e.g. started in another tab), a required field without a column and a file the
    preview cannot read with them (the question of an undecided date column, on ``date_order``)."""
    authorize(actor, PERMISSION)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    preview = import_job_preview(actor=actor, job=job, columns=columns, date_order=date_order)
    if preview.missing:
        raise ValidationError(
            {
                "columns": _("Choose a column for %(fields)s.")
                % {"fields": ", ".join(str(f.label) for f in preview.missing)}
            }
        )
    if preview.error:  # e.g. the date column's order to be answered: the import would only stop on it
        raise ValidationError({"date_order": preview.error})
    job.columns, job.dry_run, job.strict, job.date_order = preview.columns, dry_run, strict, date_order
    job.status, job.progress, job.message, job.error = UploadStatus.QUEUED, 0.0, "", ""
    job.save()
    if enqueue:
        from kampass.commercial.tasks import run_import

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_import.enqueue(job_id))
    return job


@transaction.atomic
def import_job_discard(*, actor: Actor, job: ImportJob) -> None:
    """Drop a draft job and its uploaded file (a started job keeps its record)."""
    from kampass.commercial.services import _remove_upload

    authorize(actor, PERMISSION)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != UploadStatus.DRAFT:
        raise ValidationError({"status": _("This import has been started already; upload the file again.")})
    _remove_upload(job.file_path)
    job.delete()


def invoice_mapping_save(*, actor: Actor, name: str, columns: dict[str, str], base: str = "generic") -> ImportMapping:
    """Keep ``columns`` (field -> column) under ``name`` for transactions uploads (replacing a saved mapping
    of that name); ``base`` is the built-in mapping whose rules, currency and date formats it keeps."""
    from kampass.common.imports.services import save_based_mapping

    authorize(actor, PERMISSION)
    return save_based_mapping(
        actor=actor, kind=SAVED_KIND, name=name, columns=columns,
        fields={f.name: str(f.label) for f in INVOICE_FIELDS}, required=[f.name for f in INVOICE_FIELDS if f.required],
        built_in=[*BUILT_IN, *map(str, MAPPING_TITLES.values())], base=base if base in BUILT_IN else "generic",
    )  # fmt: skip
