"""The plan's one-pager as slides for the customer review (python-pptx, 16:9): title with sign-off,
situation and our position, SWOT as a 2x2, one slide per further part shown on the summary
(objectives, actions ...), and the charts (PNG from vl-convert)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Inches, Pt

from kampass.common.charts import to_png
from kampass.planning.exports.charts import pipeline_chart, revenue_chart
from kampass.planning.exports.content import PlanExport
from kampass.planning.exports.figures import figure_rows, sign_off_text, wallet_note, wallet_rows
from kampass.planning.exports.formatting import day
from kampass.planning.exports.pdf import SUMMARY_ITEMS, _cell, _clip, _summary_fields

BLUE = RGBColor(0x1F, 0x5F, 0x8B)
GREY = RGBColor(0x55, 0x55, 0x55)
#: rows of a part's table on its slide
SLIDE_ROWS = 8


def _title(slide: Any, text: str) -> None:
    slide.shapes.title.text = text
    for p in slide.shapes.title.text_frame.paragraphs:
        for r in p.runs:
            r.font.size, r.font.color.rgb, r.font.bold = Pt(26), BLUE, True


def _text_box(slide: Any, left: int, top: int, width: int, height: int, lines: list[tuple[str, int, bool]]) -> Any:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, (text, size, bold) in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = p.add_run()
        run.text = text
        run.font.size, run.font.bold = Pt(size), bold
    return box


def _table(slide: Any, rows: list[list[str]], left: int, top: int, width: int, *, size: int = 12) -> Any:
    shape = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width, Inches(0.4) * len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = text
            for p in cell.text_frame.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)
    return shape


def plan_pptx(export: PlanExport) -> bytes:
    """The one-pager of ``export`` as a PPTX presentation."""
    with translation.override(export.lang):
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
        title_layout, only_title = prs.slide_layouts[0], prs.slide_layouts[5]
        wide = prs.slide_width - Inches(1.0)

        slide = prs.slides.add_slide(title_layout)
        slide.shapes.title.text = export.title
        slide.placeholders[1].text = "\n".join(
            [export.subtitle, _("Figures as of %(day)s") % {"day": day(export.as_of)}, sign_off_text(export)]
        )

        slide = prs.slides.add_slide(only_title)
        _title(slide, _("Situation and our position"))
        figures = figure_rows(export)
        box_w = int(wide / len(figures))
        for i, (label, value, note) in enumerate(figures):
            _text_box(slide, Inches(0.5) + box_w * i, Inches(1.4), box_w, Inches(1.2),
                      [(label, 12, False), (value, 24, True), (note, 11, False)])  # fmt: skip
        lines: list[tuple[str, int, bool]] = []
        wallet = wallet_rows(export)
        text_top = Inches(2.8)
        if wallet:
            # the realistic wallet of the account with its subsidiaries, a second row of figures
            box_w = int(wide / len(wallet))
            for i, (label, value, note) in enumerate(wallet):
                _text_box(slide, Inches(0.5) + box_w * i, Inches(2.6), box_w, Inches(1.0),
                          [(label, 11, False), (value, 20, True), (note, 10, False)])  # fmt: skip
            lines.append((wallet_note(export), 9, False))
            text_top = Inches(3.7)
        for label, text in _summary_fields(export):
            lines += [(label, 13, True), (_clip(text, 260), 12, False)]
        lines.append((_("Relationship stage"), 13, True))
        lines.append(
            (
                _("%(now)s, target: %(target)s")
                % {"now": export.relationship_now or "–", "target": export.relationship_target or "–"},
                12,
                False,
            )
        )
        _text_box(slide, Inches(0.5), text_top, wide, Inches(7.0) - text_top, lines)

        slide = prs.slides.add_slide(only_title)
        _title(slide, "SWOT")
        half_w, half_h = int(wide / 2), Inches(2.7)
        for i, q in enumerate(export.swot):
            left = Inches(0.5) + half_w * (i % 2)
            top = Inches(1.4) + half_h * (i // 2)
            items = [(f"• {_clip(t, 120)}", 12, False) for t in q.items[:SUMMARY_ITEMS]] or [("–", 12, False)]
            shape = _text_box(slide, left, top, half_w, half_h, [(q.label, 15, True), *items])
            shape.line.color.rgb = GREY

        for part in export.parts:
            if not part.on_summary:
                continue
            slide = prs.slides.add_slide(only_title)
            _title(slide, part.title)
            if not part.rows:
                _text_box(slide, Inches(0.5), Inches(1.5), wide, Inches(1), [(part.empty_text or "–", 14, False)])
                continue
            rows = [list(part.columns)] + [[_cell(c, True) for c in row] for row in part.rows[:SLIDE_ROWS]]
            _table(slide, rows, Inches(0.5), Inches(1.4), wide)

        charts = [s for s in (revenue_chart(export.position, width=520, height=260),
                              pipeline_chart(export.position, width=520)) if s is not None]  # fmt: skip
        slide = prs.slides.add_slide(only_title)
        _title(slide, _("Revenue and pipeline"))
        if not charts:
            _text_box(slide, Inches(0.5), Inches(1.5), wide, Inches(1), [(_("No revenue or pipeline yet."), 14, False)])
        for i, spec in enumerate(charts):
            slide.shapes.add_picture(
                io.BytesIO(to_png(spec)),
                Inches(0.5) + int(wide / 2) * i,
                Inches(1.5),
                width=int(wide / 2) - Inches(0.2),
            )
        out = io.BytesIO()
        prs.save(out)
        return out.getvalue()
