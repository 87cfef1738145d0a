"""The plan as PDF (WeasyPrint, like the programme report; charts as SVG from vl-convert): the
full plan, or the one-page summary for the customer review."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from kampass.common.charts import to_svg
from kampass.planning.exports.charts import pipeline_chart, revenue_chart
from kampass.planning.exports.content import PlanExport
from kampass.planning.exports.figures import figure_rows, sign_off_text
from kampass.planning.exports.formatting import day

#: how much of a field's text the one-pager shows
SUMMARY_TEXT_CHARS = 320
#: how many items per SWOT quadrant and rows per part the one-pager shows
SUMMARY_ITEMS = 4


def _clip(text: str, limit: int = SUMMARY_TEXT_CHARS) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis.

    >>> _clip("one two three", 9)
    'one two…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _summary_fields(export: PlanExport) -> list[tuple[str, str]]:
    """The fields the one-pager shows: the situation's and the plan's headline fields that are filled."""
    wanted = [("situation", "business"), ("situation", "value_drivers"), ("objectives", "ambition"),
              ("strategies", "strategy")]  # fmt: skip
    rows = []
    for section_key, field_key in wanted:
        section = export.section(section_key)
        f = next((f for f in section.fields if f.key == field_key), None) if section else None
        if f is not None and f.text.strip():
            rows.append((f.label, _clip(f.text)))
    return rows


def plan_html(export: PlanExport, *, summary: bool = False) -> str:
    """The HTML the PDF is printed from (``planning/export_pdf.html``)."""
    with translation.override(export.lang):
        width = 330 if summary else 640
        charts: dict[str, str] = {}
        for key, spec in (
            ("revenue", revenue_chart(export.position, width=width, height=110 if summary else 170)),
            ("pipeline", pipeline_chart(export.position, width=width)),
        ):
            if spec is not None:
                charts[key] = to_svg(spec)
        parts: list[dict[str, Any]] = []
        for part in export.parts:
            if summary and not part.on_summary:
                continue
            rows = part.rows[:SUMMARY_ITEMS] if summary else part.rows
            parts.append(
                {
                    "title": part.title,
                    "columns": part.columns,
                    "rows": [[_cell(c, summary) for c in row] for row in rows],
                    "more": len(part.rows) - len(rows),
                    "empty_text": part.empty_text,
                }
            )
        swot = [
            {
                "label": q.label,
                "kind": q.kind,
                "items": [_clip(i, 140) for i in q.items[:SUMMARY_ITEMS]] if summary else list(q.items),
                "more": max(len(q.items) - SUMMARY_ITEMS, 0) if summary else 0,
            }
            for q in export.swot
        ]
        history = [(day(h.recorded_on), h.stage, h.target, h.by) for h in export.relationship_history]
        return render_to_string(
            "planning/export_pdf.html",
            {
                "e": export,
                "summary": summary,
                "figures": figure_rows(export),
                "sign_off": sign_off_text(export),
                "charts": charts,
                "parts": parts,
                "swot": swot,
                "summary_fields": _summary_fields(export) if summary else [],
                "history": history,
                "as_of": day(export.as_of),
                "LANG": export.lang,
            },
        )


def _cell(value: Any, summary: bool) -> str:
    import datetime as dt
    from decimal import Decimal

    from django.utils.formats import number_format

    if value is None:
        return "–"
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(number_format(value, 0 if isinstance(value, int) else 2, use_l10n=True, force_grouping=True))
    if isinstance(value, float):
        return str(number_format(value, 2, use_l10n=True))
    return _clip(str(value), 120) if summary else str(value)


def plan_pdf(export: PlanExport, *, summary: bool = False) -> bytes:
    """The plan as PDF: the one-page summary (``summary``) or the full plan."""
    from weasyprint import HTML

    return bytes(HTML(string=plan_html(export, summary=summary)).write_pdf())
