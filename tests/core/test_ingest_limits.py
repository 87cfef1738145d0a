"""Hostile and oversized import files: limits checked before the heavy work, XLSX bombs, time limit,
mixed encodings (issue 11)."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kampass.core.analytics.ingest import import_file, pipeline
from kampass.core.analytics.ingest.dialect import detect_dialect
from kampass.core.analytics.ingest.errors import IngestError, MixedEncoding
from kampass.core.analytics.ingest.limits import (
    Deadline,
    ImportLimits,
    ImportTimeout,
    LimitExceeded,
    check_file,
    header_columns,
)
from kampass.core.analytics.ingest.mapping import parse_mapping

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
LINE = "536365,85123A,{desc},6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom"


def lines_count(store) -> int:
    store.ensure_tables()
    return int(store.table("invoice_lines").count().to_pyarrow().as_py())


def write_lines(path: Path, descriptions: list[str], *, encodings: list[str] | None = None) -> Path:
    encodings = encodings or ["utf-8"] * len(descriptions)
    data = (HEADER + "\n").encode()
    for i, (desc, enc) in enumerate(zip(descriptions, encodings, strict=True)):
        data += LINE.format(desc=desc).replace("536365", str(536365 + i)).encode(enc) + b"\n"
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- columns, size, rows, cells


def test_a_2_mb_csv_with_a_million_columns_is_refused_before_any_parsing(tmp_path, store):
    # given: the file that hung the worker for 11 minutes
    path = tmp_path / "wide.csv"
    path.write_bytes(b",".join(b"c" for _ in range(1_000_000)) + b"\n" + b"1," * 1000 + b"\n")
    assert path.stat().st_size > 2_000_000
    # when
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        import_file(store=store, path=path, mapping="online-retail")
    elapsed = time.monotonic() - started
    # then: refused at once, naming the limit and the (bounded) count
    assert caught.value.limit == "max_columns"
    assert caught.value.allowed == 500
    assert caught.value.actual > 500
    assert "columns" in str(caught.value)
    assert "500" in str(caught.value)
    assert elapsed < 5  # it used to run for 11 minutes; the check reads at most 1 MB
    assert lines_count(store) == 0


def test_the_header_is_read_in_a_bounded_way(tmp_path):
    path = tmp_path / "endless.csv"
    path.write_bytes(b"a;" * (5 << 20))  # 10 MB, no line end
    assert header_columns(path) <= (1 << 20) // 2 + 1


def test_a_file_over_the_size_limit_is_refused(tmp_path, store):
    path = write_lines(tmp_path / "big.csv", ["A"] * 50)
    with pytest.raises(LimitExceeded) as caught:
        import_file(store=store, path=path, mapping="online-retail", limits=ImportLimits(max_file_bytes=1000))
    assert (caught.value.limit, caught.value.allowed, caught.value.actual) == (
        "max_file_bytes", 1000, path.stat().st_size,
    )  # fmt: skip


def test_a_file_over_the_row_limit_is_refused_and_nothing_is_written(tmp_path, store):
    path = write_lines(tmp_path / "rows.csv", ["A", "B", "C", "D"])
    with pytest.raises(LimitExceeded) as caught:
        import_file(store=store, path=path, mapping="online-retail", limits=ImportLimits(max_rows=3))
    assert (caught.value.limit, caught.value.actual) == ("max_rows", 4)
    assert lines_count(store) == 0
    # and at the limit it is imported
    assert import_file(store=store, path=path, mapping="online-retail", limits=ImportLimits(max_rows=4)).lines == 4


def test_a_csv_line_with_an_overlong_cell_is_rejected_naming_the_limit(tmp_path, store):
    path = write_lines(tmp_path / "cells.csv", ["SHORT", "X" * 500])
    result = import_file(store=store, path=path, mapping="online-retail", limits=ImportLimits(max_cell_chars=100))
    assert result.lines == 1
    [reject] = result.rejects
    assert (reject.row, reject.column) == (3, "Description")
    assert reject.reason == "longer than 100 characters (the cell limit)"
    assert len(reject.value) <= 101  # the value is cut, not echoed in full


# ---------------------------------------------------------------- XLSX


def workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def with_sheet_xml(source: Path, target: Path, sheet_xml: bytes) -> Path:
    """A copy of a workbook whose first sheet's XML is replaced (the way a hostile file is made)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item.filename)
            zout.writestr(item.filename, data)
    return target


SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_an_xlsx_bomb_is_refused_from_its_zip_directory_quickly_and_with_little_memory(tmp_path, store):
    # given: 200 MB of sheet XML that compresses to a few hundred KB
    base = workbook(tmp_path / "base.xlsx", [HEADER.split(",")])
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    rows = row * ((200 << 20) // len(row))
    bomb = with_sheet_xml(
        base, tmp_path / "bomb.xlsx", SHEET_HEAD + SHEET_NS + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )
    del rows
    assert bomb.stat().st_size < 2 << 20
    # when
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(LimitExceeded) as caught:
            import_file(store=store, path=bomb, mapping="online-retail")
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then
    assert caught.value.limit == "xlsx_max_ratio"
    assert caught.value.part == "xl/worksheets/sheet1.xml"
    assert caught.value.actual > 100
    assert elapsed < 5
    assert peak < 20 << 20
    # and the uncompressed size is checked on its own too
    with pytest.raises(LimitExceeded) as caught:
        check_file(bomb, ImportLimits(xlsx_max_ratio=None, xlsx_max_uncompressed_bytes=100 << 20))
    assert caught.value.limit == "xlsx_max_uncompressed_bytes"


def test_a_billion_laughs_workbook_is_refused(tmp_path, store):
    base = workbook(tmp_path / "base.xlsx", [HEADER.split(",")])
    entities = (
        b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10))
        + b"]>"
    )
    sheet = (
        SHEET_HEAD
        + entities
        + SHEET_NS
        + (b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    )
    laughs = with_sheet_xml(base, tmp_path / "laughs.xlsx", sheet)
    started = time.monotonic()
    with pytest.raises(IngestError) as caught:
        import_file(store=store, path=laughs, mapping="online-retail")
    assert time.monotonic() - started < 5
    assert "Excel workbook" in str(caught.value)
    assert "Entit" in str(caught.value)  # defusedxml's EntitiesForbidden, not expat's own limit


def test_xlsx_rows_columns_and_cells_over_the_limits_are_refused_while_streaming(tmp_path):
    header = HEADER.split(",")
    line = ["536365", "85123A", "HEART", 6, "2010-12-01 08:26:00", 2.55, 17850, "United Kingdom"]
    rows = workbook(tmp_path / "rows.xlsx", [header, line, line, line])
    with pytest.raises(LimitExceeded) as caught:
        detect_dialect(rows, limits=ImportLimits(max_rows=2))
    assert (caught.value.limit, caught.value.actual) == ("max_rows", 3)
    wide = workbook(tmp_path / "wide.xlsx", [header, [*line, *range(20)]])
    with pytest.raises(LimitExceeded) as caught:
        detect_dialect(wide, limits=ImportLimits(max_columns=10))
    assert (caught.value.limit, caught.value.row, caught.value.actual) == ("max_columns", 2, 28)
    long = workbook(tmp_path / "long.xlsx", [header, [*line[:2], "X" * 300, *line[3:]]])
    with pytest.raises(LimitExceeded) as caught:
        detect_dialect(long, limits=ImportLimits(max_cell_chars=200))
    assert (caught.value.limit, caught.value.row, caught.value.column, caught.value.actual) == (
        "max_cell_chars", 2, 3, 300,
    )  # fmt: skip


def test_a_declared_million_row_dimension_does_not_pad_the_sheet(tmp_path, store):
    base = workbook(tmp_path / "base.xlsx", [HEADER.split(",")])
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER.split(","))
    )
    sheet = (
        SHEET_HEAD
        + SHEET_NS
        + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">'
        + cells.encode()
        + (b"</row></sheetData></worksheet>")
    )
    padded = with_sheet_xml(base, tmp_path / "padded.xlsx", sheet)
    result = import_file(store=store, path=padded, mapping="online-retail", limits=ImportLimits(max_rows=10))
    assert (result.lines, result.rejected) == (0, 0)


# ---------------------------------------------------------------- time limit


def test_deadline_interrupts_a_running_duckdb_statement():
    import duckdb

    con = duckdb.connect()
    started = time.monotonic()
    with pytest.raises(duckdb.Error), pipeline._interrupt_at(con, Deadline(0.3)):
        con.execute("SELECT sum(hash(range)) FROM range(100000000000)").fetchall()
    assert time.monotonic() - started < 10
    assert con.execute("SELECT 42").fetchone() == (42,)  # the connection is usable again


def test_the_interrupt_also_stops_a_statement_that_starts_after_the_deadline():
    # a busy machine: the deadline passes before the long statement starts (seen in the full suite,
    # where a single interrupt fired into the gap and the statement then ran on for minutes)
    import duckdb

    con = duckdb.connect()
    started = time.monotonic()
    with pipeline._interrupt_at(con, Deadline(0.05)):
        time.sleep(0.5)
        with pytest.raises(duckdb.Error):
            con.execute("SELECT sum(hash(range)) FROM range(100000000000)").fetchall()
    assert time.monotonic() - started < 10


def test_an_import_over_its_time_limit_is_stopped_and_writes_nothing(tmp_path, store, monkeypatch):
    # given: staging that would run for minutes
    stage = pipeline._Job._stage

    def slow_stage(self, con, names, plan):
        con.execute("SELECT sum(hash(range)) FROM range(100000000000)").fetchall()
        return stage(self, con, names, plan)

    monkeypatch.setattr(pipeline._Job, "_stage", slow_stage)
    path = write_lines(tmp_path / "slow.csv", ["A", "B"])
    # when
    started = time.monotonic()
    with pytest.raises(ImportTimeout) as caught:
        import_file(store=store, path=path, mapping="online-retail", limits=ImportLimits(seconds=0.5))
    # then: stopped at the limit, nothing written, and the store takes the next import
    assert time.monotonic() - started < 10
    assert (caught.value.limit, caught.value.allowed) == ("seconds", 0.5)
    assert lines_count(store) == 0
    monkeypatch.setattr(pipeline._Job, "_stage", stage)
    assert import_file(store=store, path=path, mapping="online-retail").lines == 2


def test_the_time_limit_is_also_checked_between_stages(tmp_path, store):
    path = write_lines(tmp_path / "x.csv", ["A"])

    def slow_progress(done: float, phase: str) -> None:
        if phase == "reading":
            time.sleep(0.3)

    with pytest.raises(ImportTimeout):
        import_file(
            store=store, path=path, mapping="online-retail", progress=slow_progress, limits=ImportLimits(seconds=0.2)
        )
    assert lines_count(store) == 0


# ---------------------------------------------------------------- encodings


def test_a_csv_mixing_utf8_and_cp1252_lines_is_refused_naming_the_lines(tmp_path, store):
    path = write_lines(
        tmp_path / "mixed.csv", ["Zürich", "Genève", "Köln", "Basel"], encodings=["utf-8", "cp1252", "cp1252", "utf-8"]
    )
    with pytest.raises(MixedEncoding) as caught:
        import_file(store=store, path=path, mapping="online-retail")
    assert caught.value.bad == [3, 4]
    assert "line(s) 3, 4" in str(caught.value)
    assert "encoding" in str(caught.value)
    assert lines_count(store) == 0


def test_the_encoding_option_reads_such_a_file_as_the_user_says(tmp_path, store):
    path = write_lines(tmp_path / "mixed.csv", ["Genève", "Köln"], encodings=["cp1252", "cp1252"])
    path.write_bytes(path.read_bytes() + LINE.format(desc="Zürich").replace("536365", "9").encode() + b"\n")
    result = import_file(store=store, path=path, mapping="online-retail", encoding="utf-8")
    # given UTF-8: the two cp1252 lines are rejected as such, nothing is garbled
    assert result.lines == 1
    assert [r.row for r in result.rejects] == [2, 3]
    descriptions = store.table("invoice_lines").description.to_pyarrow().to_pylist()
    assert descriptions == ["Zürich"]


def test_a_utf8_file_with_cp1252_lines_after_the_sample_is_refused(tmp_path, store):
    good = ["Zürich"] + ["PLAIN"] * 20_000
    path = write_lines(tmp_path / "late.csv", [*good, "Genève"], encodings=["utf-8"] * len(good) + ["cp1252"])
    assert path.stat().st_size > 1 << 20
    with pytest.raises(MixedEncoding) as caught:
        import_file(store=store, path=path, mapping="online-retail")
    assert caught.value.bad == [len(good) + 2]


def test_a_cp1252_file_with_utf8_lines_after_the_sample_is_refused(tmp_path, store):
    first = ["Genève"] + ["PLAIN"] * 20_000
    path = write_lines(tmp_path / "late.csv", [*first, "Zürich"], encodings=["cp1252"] * len(first) + ["utf-8"])
    with pytest.raises(MixedEncoding) as caught:
        import_file(store=store, path=path, mapping="online-retail")
    assert caught.value.bad == [2]
    assert caught.value.good == [len(first) + 2]
    # with the encoding given, it is read as the user says
    result = import_file(store=store, path=path, mapping="online-retail", encoding="cp1252")
    assert result.lines == len(first) + 1


def test_a_pure_cp1252_file_is_still_recognised(tmp_path, store):
    path = write_lines(tmp_path / "win.csv", ["Genève", "Köln"], encodings=["cp1252", "cp1252"])
    result = import_file(store=store, path=path, mapping="online-retail")
    assert result.lines == 2
    assert sorted(store.table("invoice_lines").description.to_pyarrow().to_pylist()) == ["Genève", "Köln"]


def test_a_mapping_can_name_the_encoding():
    columns = {"invoice_no": "No", "invoice_date": "Date", "quantity": "Qty", "unit_price": "Price"}
    mapping = parse_mapping(
        {"columns": columns, "default_currency": "EUR", "date_formats": ["%Y-%m-%d"], "encoding": "cp1252"},
        source="inline", default_name="mine",
    )  # fmt: skip
    assert mapping.encoding == "cp1252"
    with pytest.raises(ValueError, match="not a known text encoding"):
        parse_mapping(
            {"columns": columns, "default_currency": "EUR", "date_formats": ["%Y-%m-%d"], "encoding": "klingon"},
            source="inline", default_name="mine",
        )  # fmt: skip
