"""Exports of an account plan: PDF (the full plan, or the one-page summary for the customer
review), PPTX (the one-pager as slides) and XLSX (a sheet per section and part), in German or
English, with charts. :func:`export_plan` is the one way in for the CLI, the pages and the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import slugify

from kampass.planning.exports import parts as _parts  # noqa: F401  (registers the objectives and actions parts)
from kampass.planning.exports.content import (
    EXPORT_PARTS,
    ExportPart,
    PlanExport,
    plan_export,
    register_export_part,
)
from kampass.planning.models import AccountPlan

FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@dataclass(frozen=True)
class ExportFile:
    """An export ready to be written or sent: its bytes, file name and media type."""

    data: bytes
    filename: str
    content_type: str


def export_filename(export: PlanExport, fmt: str, *, summary: bool = False) -> str:
    """``account-plan-<account>-<period start>-v<version>[-summary]-<lang>.<ext>``.

    >>> import datetime as dt
    >>> from types import SimpleNamespace
    >>> e = SimpleNamespace(account="Schindler Group AG", period_start=dt.date(2027, 1, 1), version=2, lang="de")
    >>> export_filename(e, "pdf", summary=True)
    'account-plan-schindler-group-ag-2027-01-v2-summary-de.pdf'
    """
    parts = ["account-plan", slugify(export.account) or str(getattr(export, "account_id", "")), ""]
    parts[-1] = f"{export.period_start:%Y-%m}-v{export.version}"
    if summary:
        parts.append("summary")
    parts.append(export.lang)
    return "-".join(parts) + "." + FORMATS[fmt][1]


def export_plan(
    plan: AccountPlan,
    *,
    fmt: str,
    lang: str = "en",
    summary: bool = False,
    progress: Callable[[float], None] | None = None,
) -> ExportFile:
    """The plan as ``fmt`` (``pdf``, ``pptx`` or ``xlsx``) in ``lang``; ``summary`` picks the one-page
    summary for the PDF (the slides are always the one-pager, the workbook always the full plan).
    ``progress(share)`` is told when the plan's content is read (0.4) and the file is written (1.0)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    export = plan_export(plan, lang=lang)
    if progress is not None:
        progress(0.4)
    if fmt == "pdf":
        from kampass.planning.exports.pdf import plan_pdf

        data = plan_pdf(export, summary=summary)
    elif fmt == "pptx":
        from kampass.planning.exports.slides import plan_pptx

        data = plan_pptx(export)
    else:
        from kampass.planning.exports.workbook import plan_xlsx

        data = plan_xlsx(export)
    if progress is not None:
        progress(1.0)
    return ExportFile(data, export_filename(export, fmt, summary=summary and fmt == "pdf"), FORMATS[fmt][0])


__all__ = [
    "EXPORT_PARTS",
    "FORMATS",
    "ExportFile",
    "ExportPart",
    "PlanExport",
    "export_filename",
    "export_plan",
    "plan_export",
    "register_export_part",
]
