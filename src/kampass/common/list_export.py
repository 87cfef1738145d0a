"""Lists as downloads: ``?export=csv`` or ``?export=xlsx`` on a list page returns the page's rows as a file.

A list view builds its rows exactly as for the page (same filters, search, sort and permission
scope) and, when :func:`export_format` says an export is asked for, hands the whole *unpaginated*
row set with its :class:`Column` s to :func:`export_response` instead of paginating it.

CSV is UTF-8 with a byte order mark (so that Excel reads the umlauts), every field quoted as needed,
streamed row by row. XLSX is a write-only openpyxl workbook: numbers stay numbers (a negative amount
is a number, not a text), dates and times are date cells, texts are always plain strings. Every text
passes through :func:`~kampass.core.text_safety.neutralise_formula`, so a value that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is never run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dtm
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kampass.core.text_safety import neutralise_formula

T = TypeVar("T")

FORMATS: tuple[str, ...] = ("csv", "xlsx")
"""The values ``?export=`` accepts."""

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
CHUNK_SIZE = 2000
"""Rows fetched from the database at a time (prefetches run once per chunk, not per row)."""

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_FORMAT = "#,##0.##"


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of an export: its header in the active language and how to read a row's value.

    ``value`` returns a text, a number (``int``, ``Decimal``, ``float``), a date or datetime, a
    boolean or ``None``; anything else is written as its text.
    """

    header: str | Promise
    value: Callable[[T], Any]


def export_format(request: HttpRequest) -> str | None:
    """The export asked for by ``?export=`` (``"csv"``, ``"xlsx"``, or the unknown value as given),
    ``None`` when the request asks for the page."""
    value = request.GET.get("export")
    if value is None:
        return None
    return value.strip().lower()


def export_response(
    request: HttpRequest, *, stem: str, columns: Sequence[Column[T]], rows: Iterable[T]
) -> HttpResponse | StreamingHttpResponse:
    """The rows as a CSV or XLSX download named ``<stem>-<today>.<format>``.

    ``rows`` must be the list's filtered and sorted rows, unpaginated, built for the requesting
    user exactly as the page builds them. An unknown ``?export=`` value gives a 400 answer that
    names the accepted formats.
    """
    fmt = export_format(request)
    if fmt not in FORMATS:
        return HttpResponseBadRequest(
            _("Unknown export format “%(format)s”: use csv or xlsx.") % {"format": fmt or ""},
            content_type="text/plain; charset=utf-8",
        )
    filename = f"{stem}-{timezone.localdate().isoformat()}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(columns, rows), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(xlsx_bytes(columns, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _iterate(rows: Iterable[T]) -> Iterator[T]:
    if isinstance(rows, QuerySet) and rows._result_cache is None:
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return iter(rows)


def _local(value: dtm.datetime) -> dtm.datetime:
    """A datetime in the active time zone without its zone (spreadsheets know no zones)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, dtm.datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dtm.date):
        return value.isoformat()
    return neutralise_formula(str(value))


class _Echo:
    """A file-like object whose ``write`` returns what it was given (for streaming :mod:`csv`)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(columns: Sequence[Column[T]], rows: Iterable[T]) -> Iterator[str]:
    """The CSV text, a header line first (with the byte order mark), then a line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([_csv_value(str(c.header)) for c in columns])
    for row in _iterate(rows):
        yield writer.writerow([_csv_value(c.value(row)) for c in columns])


def _xlsx_cell(ws: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=float(value))
        cell.number_format = NUMBER_FORMAT
        return cell
    if isinstance(value, dtm.datetime):
        cell = WriteOnlyCell(ws, value=_local(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dtm.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    cell = WriteOnlyCell(ws, value=neutralise_formula(str(value)))
    cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
    return cell


def xlsx_bytes(columns: Sequence[Column[T]], rows: Iterable[T]) -> bytes:
    """The workbook: one sheet, a bold header row (frozen), a row per row."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Export")[:31])
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(str(column.header)) + 4))
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=neutralise_formula(str(column.header)))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in _iterate(rows):
        ws.append([_xlsx_cell(ws, c.value(row)) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["FORMATS", "Column", "csv_chunks", "export_format", "export_response", "xlsx_bytes"]
