"""The programme report's PDF, in English and German, with a closed round and a roadmap: its pages render
(as images, pypdfium2), its charts fit the text column, their texts lie inside the picture and do not
run into each other (boxes measured with the PDF's font), and its tables have no empty column."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import timezone
from PIL import ImageFont

from kampass.programme.report import PDF_TEXT_WIDTH, report_charts, report_html, report_pdf
from kampass.programme.tests.conftest import closed_round
from kampass.roadmap.services import initiative_create, measurement_record

FONTS = Path("/usr/share/fonts/truetype/dejavu")
SVG = "{http://www.w3.org/2000/svg}"
# set KAMPASS_SCREENSHOTS to a folder to keep the rendered pages for a look by eye
SHOTS = os.environ.get("KAMPASS_SCREENSHOTS")


@pytest.fixture(params=[1, 3], ids=["every-group-shown", "small-groups-hidden"])
def report_data(request, head, catalogue):
    """A closed round (six respondents of all functions) and a roadmap of three initiatives, one of
    them with a guardrail reading within its limit (no warning anywhere), one planned without owner and end.
    Once with every group's figures shown, once with the groups below three respondents hidden (only
    "All respondents" left in the tension chart)."""
    round_ = closed_round(head, catalogue, respondents=6, seed=5)
    round_.min_group_respondents = request.param
    round_.save(update_fields=["min_group_respondents"])
    today = timezone.localdate()
    leak = initiative_create(
        actor=head,
        logic="commercialisation",
        owner=head,
        status="active",
        starts=today - dt.timedelta(days=150),
        ends=today + dt.timedelta(days=200),
    )
    measurement_record(actor=head, initiative=leak, value=0.05)
    initiative_create(
        actor=head,
        logic="facts_strategy",
        owner=head,
        status="active",
        starts=today,
        ends=today + dt.timedelta(days=300),
    )
    initiative_create(actor=head, logic="topics", starts=today + dt.timedelta(days=60))
    return round_


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, slack: float = 0.5) -> bool:
        return (
            self.x0 + slack < other.x1
            and other.x0 + slack < self.x1
            and self.y0 + slack < other.y1
            and other.y0 + slack < self.y1
        )


def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size=size)


def _translate(transform: str | None) -> tuple[float, float]:
    m = re.search(r"translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)", transform or "")
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def text_boxes(svg: str) -> tuple[float, float, list[Box]]:
    """The width and height of the picture and a box around every line of text in it (absolute
    coordinates, widths measured with the DejaVu font the PDF draws them with)."""
    root = ET.fromstring(svg)
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    boxes: list[Box] = []

    def walk(node: ET.Element, ox: float, oy: float) -> None:
        dx, dy = _translate(node.get("transform"))
        ox, oy = ox + dx, oy + dy
        if node.get("opacity") == "0":  # e.g. a tick label the axis hid to avoid an overlap
            return
        if node.tag == f"{SVG}text":
            assert "rotate" not in (node.get("transform") or ""), "rotated texts are not measured"
            size = float((node.get("font-size") or "11px").rstrip("px"))
            font = _font(size, (node.get("font-weight") or "") in ("bold", "700"))
            lines = [(t.text or "", float(t.get("dy", 0))) for t in node.findall(f"{SVG}tspan")] or [
                (node.text or "", 0)
            ]
            anchor = node.get("text-anchor", "start")
            baseline = oy
            for text, line_dy in lines:
                baseline += line_dy
                length = font.getlength(text)
                x0 = ox - (length if anchor == "end" else length / 2 if anchor == "middle" else 0)
                if text.strip():
                    boxes.append(Box(text, x0, baseline - 0.75 * size, x0 + length, baseline + 0.2 * size))
            return
        for child in node:
            walk(child, ox, oy)

    walk(root, 0.0, 0.0)
    return width, height, boxes


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_charts_fit_the_page_and_their_texts_neither_leave_the_picture_nor_collide(report_data, lang):
    # given the report's charts in the language
    charts = report_charts(lang=lang)
    assert set(charts) == {"tension", "maturity", "roadmap"}
    for name, svg in charts.items():
        width, height, boxes = text_boxes(svg)
        assert boxes, name
        # then the chart fits the text column as it is (the PDF does not have to shrink its texts)
        assert width <= PDF_TEXT_WIDTH, (name, width)
        # and every text lies inside the picture
        outside = [b for b in boxes if b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > width + 0.5 or b.y1 > height + 0.5]
        assert outside == [], (name, outside)
        # and no two texts overlap (labels, ticks, legend entries, titles)
        collisions = [(a.text, b.text) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
        assert collisions == [], (name, collisions)


def test_the_german_charts_speak_german(report_data):
    charts = report_charts(lang="de")
    texts = " ".join(b.text for svg in charts.values() for b in text_boxes(svg)[2])
    assert "Aktiv" in texts
    assert "Geplant" in texts
    assert not re.search(r"\bactive\b|\bplanned\b", texts)
    assert re.search(r"\b(Jan|Feb|Mär|Apr|Mai|Jun|Jul|Aug|Sep|Okt|Nov|Dez) \d{4}\b", texts)
    assert not re.search(r"\b(January|February|March|May|June|July|October|December|Mar|May|Oct|Dec)\b", texts)


class _Tables(HTMLParser):
    """The tables of an HTML page as lists of rows of cell texts (header row included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_table_of_the_report_has_an_empty_column(report_data, lang):
    # given the report's HTML
    parser = _Tables()
    parser.feed(report_html(lang=lang))
    assert len(parser.tables) >= 4  # maturity, tension fields, initiatives, guardrails
    for table in parser.tables:
        header, *rows = table
        # then every column has something in at least one row
        for i, title in enumerate(header):
            assert any(row[i] for row in rows if i < len(row)), (title, lang)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_pages_render(report_data, lang, tmp_path):
    # given the PDF
    pdf = pdfium.PdfDocument(report_pdf(lang=lang))
    # then it has several pages, and each renders to a picture with something printed on it
    assert len(pdf) >= 3
    for number, page in enumerate(pdf, start=1):
        image = page.render(scale=1).to_pil().convert("L")
        lo, _hi = image.getextrema()
        assert lo < 128, f"page {number} is blank"
        if SHOTS:
            page.render(scale=1.4).to_pil().save(Path(SHOTS) / f"report-{lang}-{number}.png")
