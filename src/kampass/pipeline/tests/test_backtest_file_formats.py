"""``kampass forecast backtest FILE``: the file is read like every import file -- an XLSX workbook, a
semicolon CSV in Windows-1252 with decimal commas and a gzipped CSV give the history of the plain CSV."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import openpyxl
import pytest

from kampass.pipeline.deal_history import HistoryFileError, read_history

HEADER: list[object] = ["Id", "Name", "Amount", "CreatedDate", "CloseDate", "StageName", "LeadSource"]
ROWS: list[list[object]] = [
    ["O1", "Presse Köln", 1250.5, dt.date(2023, 1, 5), dt.date(2023, 2, 1), "Closed Won", "Messe"],
    ["O2", "Ersatzteile", 300.25, dt.date(2023, 1, 9), dt.date(2023, 3, 15), "Closed Lost", "Web"],
    ["O3", "Wartung", 80000.0, dt.date(2023, 2, 20), dt.date(2023, 6, 30), "Negotiation/Review", "Web"],
    ["O4", "Umbau", None, dt.date(2023, 3, 1), dt.date(2023, 4, 2), "Closed Won", ""],
]


def _csv(delimiter: str = ",", decimal: str = ".") -> str:
    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.2f}".replace(".", decimal)
        return str(v)

    return "\n".join(delimiter.join(cell(v) for v in row) for row in [HEADER, *ROWS]) + "\n"


def _same(a, b) -> None:
    ha, hb = a.history, b.history
    assert ha.ids == hb.ids == ("O1", "O2", "O3", "O4")
    assert np.array_equal(ha.opened, hb.opened)
    assert np.array_equal(ha.closed, hb.closed, equal_nan=True)
    assert ha.won.tolist() == hb.won.tolist() == [True, False, False, True]
    assert np.allclose(ha.amount, hb.amount, equal_nan=True)
    assert ha.features.column("LeadSource").to_pylist() == hb.features.column("LeadSource").to_pylist()


@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(_csv(), encoding="utf-8")
    return read_history(path, "generic")


def test_the_plain_csv_is_read_with_its_amounts_dates_and_outcomes(plain):
    h = plain.history
    assert h.amount is not None
    assert h.amount[:3].tolist() == [1250.5, 300.25, 80000.0]
    assert np.isnan(h.amount[3])  # a missing amount stays missing
    assert str(h.opened[0]) == "2023-01-05"
    assert np.isnat(h.closed[2])  # O3 is still open
    assert h.features.column("LeadSource").to_pylist() == ["Messe", "Web", "Web", None]


def test_an_xlsx_workbook_gives_the_same_history(tmp_path, plain):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)

    _same(read_history(path, "generic"), plain)


def test_a_german_csv_and_a_gzipped_one_give_the_same_history(tmp_path, plain):
    german = tmp_path / "export-de.csv"
    german.write_bytes(_csv(";", ",").encode("cp1252"))
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(_csv().encode("utf-8")))

    _same(read_history(german, "generic"), plain)
    _same(read_history(packed, "generic"), plain)


def test_a_file_that_is_no_table_or_over_the_limits_is_refused_with_its_name(tmp_path, settings):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(HistoryFileError, match=r"broken\.xlsx"):
        read_history(broken, "generic")

    settings.KAMPASS_IMPORT_MAX_FILE_MB = 0.0001  # about 100 bytes
    big = tmp_path / "big.csv"
    big.write_text(_csv(), encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"big\.csv"):
        read_history(big, "generic")
