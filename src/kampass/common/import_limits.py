"""The limits of import files as the administrator set them (``KAMPASS_IMPORT_*``), and their messages.

The checks themselves are pure (:mod:`kampass.core.analytics.ingest.limits`); every importer (invoice
lines, opportunities) takes its limits and words its refusals here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kampass.core.analytics.ingest.limits import ImportLimits, LimitExceeded


def import_limits() -> ImportLimits:
    """The limits of an import file, from the settings (``KAMPASS_IMPORT_*``; 0 switches one off)."""

    def positive(value: float) -> float | None:
        return value if value and value > 0 else None

    def megabytes(value: float) -> int | None:
        return int(value * (1 << 20)) if value and value > 0 else None

    rows, columns, cells = (
        settings.KAMPASS_IMPORT_MAX_ROWS, settings.KAMPASS_IMPORT_MAX_COLUMNS, settings.KAMPASS_IMPORT_MAX_CELL_CHARS,
    )  # fmt: skip
    return ImportLimits(
        max_file_bytes=megabytes(settings.KAMPASS_IMPORT_MAX_FILE_MB),
        max_rows=rows if rows > 0 else None,
        max_columns=columns if columns > 0 else None,
        max_cell_chars=cells if cells > 0 else None,
        xlsx_max_uncompressed_bytes=megabytes(settings.KAMPASS_IMPORT_XLSX_MAX_UNCOMPRESSED_MB),
        xlsx_max_ratio=positive(settings.KAMPASS_IMPORT_XLSX_MAX_RATIO),
        seconds=positive(settings.KAMPASS_IMPORT_TIME_LIMIT_SECONDS),
    )


_LIMIT_SETTINGS = {
    "max_file_bytes": "KAMPASS_IMPORT_MAX_FILE_MB",
    "max_rows": "KAMPASS_IMPORT_MAX_ROWS",
    "max_columns": "KAMPASS_IMPORT_MAX_COLUMNS",
    "max_cell_chars": "KAMPASS_IMPORT_MAX_CELL_CHARS",
    "xlsx_max_uncompressed_bytes": "KAMPASS_IMPORT_XLSX_MAX_UNCOMPRESSED_MB",
    "xlsx_max_ratio": "KAMPASS_IMPORT_XLSX_MAX_RATIO",
    "seconds": "KAMPASS_IMPORT_TIME_LIMIT_SECONDS",
}


def limit_message(exc: LimitExceeded, *, file: str | None = None) -> str:
    """The message of a file over a limit, in the current language: names the limit (and its setting),
    the file's value and the allowed one."""
    where = []
    if exc.row is not None:
        where.append(_("row %(row)s") % {"row": exc.row})
    if exc.column is not None:
        where.append(_("column %(column)s") % {"column": exc.column})
    if exc.part:
        where.append(exc.part)
    values: dict[str, Any] = {
        "file": file or exc.file,
        "where": f" ({', '.join(where)})" if where else "",
        "actual": exc.actual,
        "allowed": exc.allowed,
        "setting": _LIMIT_SETTINGS[exc.limit],
    }
    if exc.limit in ("max_file_bytes", "xlsx_max_uncompressed_bytes"):
        values |= {"actual": filesizeformat(exc.actual), "allowed": filesizeformat(exc.allowed)}
    if exc.limit == "xlsx_max_ratio":
        values |= {"actual": f"{exc.actual:g}", "allowed": f"{exc.allowed:g}"}
    if exc.limit == "seconds":
        values |= {"allowed": f"{exc.allowed:g}"}
    templates = {
        "max_file_bytes": _("%(file)s is %(actual)s; the limit for an import file is %(allowed)s (%(setting)s)."),
        "max_rows": _("%(file)s has %(actual)s rows or more; the limit is %(allowed)s rows (%(setting)s)."),
        "max_columns": _("%(file)s%(where)s has %(actual)s columns; the limit is %(allowed)s columns (%(setting)s)."),
        "max_cell_chars": _(
            "%(file)s%(where)s has a cell of %(actual)s characters; the limit is %(allowed)s characters (%(setting)s)."
        ),
        "xlsx_max_uncompressed_bytes": _(
            "%(file)s unpacks to %(actual)s; the limit for an Excel workbook is %(allowed)s (%(setting)s)."
        ),
        "xlsx_max_ratio": _(
            "%(file)s%(where)s is compressed %(actual)s times; the limit for an Excel workbook is %(allowed)s "
            "times (%(setting)s)."
        ),
        "seconds": _(
            "%(file)s: the import was stopped after the time limit of %(allowed)s seconds (%(setting)s); nothing "
            "was stored."
        ),
    }
    return templates[exc.limit] % values
