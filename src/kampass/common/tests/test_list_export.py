"""The list export helper: CSV and XLSX content, neutralised formulas, numbers and dates as such,
translated headers, file names and the answer to an unknown format."""

from __future__ import annotations

import csv
import datetime as dtm
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from kampass.common.list_export import Column, export_format, export_response


@dataclass(frozen=True)
class Row:
    name: str
    amount: Decimal
    count: int
    due: dtm.date
    changed: dtm.datetime
    note: str | None


ROWS = [
    Row("=HYPERLINK(\"http://evil\",\"x\")", Decimal("-12.50"), -3, dtm.date(2026, 1, 2),
        dtm.datetime(2026, 1, 2, 9, 30, tzinfo=dtm.UTC), "+cmd"),
    Row("@SUM(A1)", Decimal("1000.25"), 7, dtm.date(2026, 2, 3),
        dtm.datetime(2026, 2, 3, 23, 15, tzinfo=dtm.UTC), "-1+2"),
    Row("\tTab", Decimal("0"), 0, dtm.date(2026, 3, 4),
        dtm.datetime(2026, 3, 4, 12, 0, tzinfo=dtm.UTC), None),
    Row("Müller AG", Decimal("5"), 1, dtm.date(2026, 4, 5),
        dtm.datetime(2026, 4, 5, 8, 0, tzinfo=dtm.UTC), "Plain, with \"quotes\""),
]  # fmt: skip


HEADERS = ("Name", "Amount", "Count", "Due", "Updated", "Note")
"""English headers (message ids of the catalogue where there is one), translated when the columns are made."""


def columns() -> list[Column[Row]]:
    name, amount, count, due, updated, note = (gettext(h) for h in HEADERS)
    return [
        Column(name, lambda r: r.name),
        Column(amount, lambda r: r.amount),
        Column(count, lambda r: r.count),
        Column(due, lambda r: r.due),
        Column(updated, lambda r: r.changed),
        Column(note, lambda r: r.note),
    ]


def _get(query: str):
    return RequestFactory().get("/accounts/" + query)


def _csv(response) -> tuple[str, list[list[str]]]:
    raw = b"".join(response.streaming_content).decode("utf-8")
    return raw, list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))


def _xlsx(response) -> list[tuple]:
    wb = load_workbook(io.BytesIO(response.content))
    return list(wb.worksheets[0].iter_rows(values_only=True))


def test_export_format_reads_the_query():
    assert export_format(_get("?q=x")) is None
    assert export_format(_get("?export=CSV")) == "csv"
    assert export_format(_get("?export=pdf")) == "pdf"


@pytest.mark.parametrize("value", ["pdf", "", "csv2"])
def test_an_unknown_format_is_a_400_naming_the_accepted_ones(value):
    response = export_response(_get(f"?export={value}"), stem="accounts", columns=columns(), rows=ROWS)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"“{value}”" in body
    assert "csv" in body
    assert "xlsx" in body


def test_csv_starts_with_a_bom_quotes_and_neutralises_formulas():
    with translation.override("en"):
        response = export_response(_get("?export=csv"), stem="accounts", columns=columns(), rows=ROWS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="accounts-{today}.csv"'
    raw, rows = _csv(response)
    assert raw.startswith("\ufeffName,Amount,")
    assert rows[0] == ["Name", "Amount", "Count", "Due", "Updated", "Note"]
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)", "'\tTab", "Müller AG"]
    assert [r[5] for r in rows[1:]] == ["'+cmd", "'-1+2", "", 'Plain, with "quotes"']
    # numbers stay numbers (a negative amount is not prefixed), dates in ISO form, times in the active zone
    assert rows[1][1:4] == ["-12.50", "-3", "2026-01-02"]
    local = timezone.localtime(ROWS[0].changed).strftime("%Y-%m-%d %H:%M")
    assert rows[1][4] == local
    assert '"Plain, with ""quotes"""' in raw


def test_xlsx_keeps_numbers_and_dates_and_stores_formulas_as_text():
    with translation.override("en"):
        response = export_response(_get("?export=xlsx&page=3"), stem="accounts", columns=columns(), rows=ROWS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith(f'accounts-{timezone.localdate().isoformat()}.xlsx"')
    rows = _xlsx(response)
    assert rows[0] == ("Name", "Amount", "Count", "Due", "Updated", "Note")
    assert len(rows) == 1 + len(ROWS)
    first = rows[1]
    assert first[0] == '\'=HYPERLINK("http://evil","x")'
    assert first[1] == -12.5
    assert isinstance(first[1], float)
    assert first[2] == -3
    assert isinstance(first[2], int)
    assert first[3] == dtm.datetime(2026, 1, 2)  # a date cell (openpyxl reads it back as a datetime)
    assert first[4] == timezone.localtime(ROWS[0].changed).replace(tzinfo=None)
    assert first[5] == "'+cmd"
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)", "'\tTab", "Müller AG"]
    assert rows[2][5] == "'-1+2"
    assert rows[3][5] is None
    wb = load_workbook(io.BytesIO(response.content))
    cells = next(iter(wb.worksheets[0].iter_rows(min_row=2, max_row=2)))
    assert cells[0].data_type == "s"
    assert cells[3].is_date


def test_headers_come_in_the_active_language():
    with translation.override("de"):
        cols = columns()
        csv_response = export_response(_get("?export=csv"), stem="x", columns=cols, rows=ROWS)
        xlsx_response = export_response(_get("?export=xlsx"), stem="x", columns=cols, rows=ROWS)
        _raw, rows = _csv(csv_response)
    assert rows[0][0] == "Name"
    assert rows[0][4] == "Aktualisiert"
    assert _xlsx(xlsx_response)[0][4] == "Aktualisiert"


def test_an_empty_list_gives_the_header_row_only():
    response = export_response(_get("?export=xlsx"), stem="x", columns=columns(), rows=[])
    assert len(_xlsx(response)) == 1
    _raw, rows = _csv(export_response(_get("?export=csv"), stem="x", columns=columns(), rows=[]))
    assert len(rows) == 1
