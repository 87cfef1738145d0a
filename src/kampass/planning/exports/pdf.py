"""The plan as PDF (WeasyPrint, like the programme report; charts as SVG from vl-convert): the
full plan, or the one-page summary for the customer review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from kampass.common.charts import to_svg
from kampass.planning.exports.charts import pipeline_chart, revenue_chart
from kampass.planning.exports.content import PlanExport
from kampass.planning.exports.figures import figure_rows, sign_off_text, wallet_note, wallet_rows
from kampass.planning.exports.formatting import day

#: how much of a field's text the one-pager shows (at most)
SUMMARY_TEXT_CHARS = 320
#: how many items per SWOT quadrant and rows per part the one-pager shows (at most)
SUMMARY_ITEMS = 4


@dataclass(frozen=True)
class Brevity:
    """How much the one-pager shows: characters of a field, items per SWOT quadrant and their
    characters, rows per part and characters of a cell."""

    text_chars: int
    items: int
    item_chars: int
    rows: int
    cell_chars: int


#: the one-pager is printed with the first of these that fits on one page (the last one in any case)
BREVITY = (
    Brevity(SUMMARY_TEXT_CHARS, SUMMARY_ITEMS, 140, SUMMARY_ITEMS, 120),
    Brevity(200, 3, 90, 3, 60),
    Brevity(120, 2, 60, 2, 40),
)


def _clip(text: str, limit: int = SUMMARY_TEXT_CHARS) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis.

    >>> _clip("one two three", 9)
    'one two…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _summary_fields(export: PlanExport, limit: int = SUMMARY_TEXT_CHARS) -> list[tuple[str, str]]:
    """The fields the one-pager shows: the situation's and the plan's headline fields that are filled."""
    wanted = [("situation", "business"), ("situation", "value_drivers"), ("objectives", "ambition"),
              ("strategies", "strategy")]  # fmt: skip
    rows = []
    for section_key, field_key in wanted:
        section = export.section(section_key)
        f = next((f for f in section.fields if f.key == field_key), None) if section else None
        if f is not None and f.text.strip():
            rows.append((f.label, _clip(f.text, limit)))
    return rows


def _charts(export: PlanExport, *, summary: bool) -> dict[str, str]:
    """The charts as SVG, sized for the one-pager's half column or the full plan's text column."""
    width = 330 if summary else 640
    charts: dict[str, str] = {}
    with translation.override(export.lang):
        for key, spec in (
            ("revenue", revenue_chart(export.position, width=width, height=110 if summary else 170)),
            ("pipeline", pipeline_chart(export.position, width=width)),
        ):
            if spec is not None:
                charts[key] = to_svg(spec)
    return charts


def plan_html(
    export: PlanExport,
    *,
    summary: bool = False,
    brevity: Brevity = BREVITY[0],
    charts: dict[str, str] | None = None,
) -> str:
    """The HTML the PDF is printed from (``planning/export_pdf.html``); the one-pager shows as much as
    ``brevity`` allows."""
    b = brevity
    charts = _charts(export, summary=summary) if charts is None else charts
    with translation.override(export.lang):
        parts: list[dict[str, Any]] = []
        for part in export.parts:
            if summary and not part.on_summary:
                continue
            rows = part.rows[: b.rows] if summary else part.rows
            parts.append(
                {
                    "title": part.title,
                    "columns": part.columns,
                    "rows": [[_cell(c, summary, b.cell_chars) for c in row] for row in rows],
                    "more": len(part.rows) - len(rows),
                    "empty_text": part.empty_text,
                }
            )
        swot = [
            {
                "label": q.label,
                "kind": q.kind,
                "items": [_clip(i, b.item_chars) for i in q.items[: b.items]] if summary else list(q.items),
                "more": max(len(q.items) - b.items, 0) if summary else 0,
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
                "wallet": wallet_rows(export),
                "wallet_note": wallet_note(export),
                "sign_off": sign_off_text(export),
                "charts": charts,
                "parts": parts,
                "swot": swot,
                "summary_fields": _summary_fields(export, b.text_chars) if summary else [],
                "history": history,
                "as_of": day(export.as_of),
                "LANG": export.lang,
            },
        )


def _cell(value: Any, summary: bool, limit: int = 120) -> str:
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
    return _clip(str(value), limit) if summary else str(value)


def plan_pdf(export: PlanExport, *, summary: bool = False) -> bytes:
    """The plan as PDF: the full plan, or the one-pager (``summary``), printed with the first
    :data:`BREVITY` that fits on one page."""
    from weasyprint import HTML

    if not summary:
        return bytes(HTML(string=plan_html(export)).write_pdf())
    charts = _charts(export, summary=True)
    for brevity in BREVITY:
        document = HTML(string=plan_html(export, summary=True, brevity=brevity, charts=charts)).render()
        if len(document.pages) <= 1:
            break
    return bytes(document.write_pdf())
