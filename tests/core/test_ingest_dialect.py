"""How files are recognised (encoding, delimiter, decimal comma, date style) and then read."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from kampass.core.analytics.ingest import detect_dialect, import_file, load_mapping

GERMAN_HEADER = "Belegnummer;Datum;Kundennummer;Artikelnummer;Bezeichnung;Menge;Einzelpreis;Land"


def lines_of(store) -> list[dict]:
    return store.table("invoice_lines").order_by("source_row").to_pyarrow().to_pylist()


def test_utf8_file_is_recognised(retail_csv):
    # given
    path = retail_csv("536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom")

    # when
    dialect = detect_dialect(path)

    # then
    assert (dialect.encoding, dialect.delimiter, dialect.decimal_comma, dialect.date_style) == (
        "utf-8",
        ",",
        False,
        "iso",
    )
    assert dialect.header[0] == "InvoiceNo"
    assert (dialect.compression, dialect.file_format) == ("none", "csv")


def test_utf8_with_bom_is_recognised_and_the_bom_is_not_part_of_the_header(tmp_path, store):
    # given
    path = tmp_path / "bom.csv"
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,CAFÉ HEART,6,2010-12-01 08:26:00,2.55,17850.0,France\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    # when
    dialect = detect_dialect(path)
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert dialect.encoding == "utf-8-sig"
    assert dialect.header[0] == "InvoiceNo"
    assert result.lines == 1
    assert lines_of(store)[0]["description"] == "CAFÉ HEART"


def test_cp1252_file_is_transcoded(tmp_path, store):
    # given: a Windows export with €, ä and ß in the descriptions
    path = tmp_path / "windows.csv"
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "1,22001,Schlüsselbrett Größe M,2,2010-12-01 08:26:00,1.50,12345.0,Germany\n"
        "1,22002,Gutschein 10 €,1,2010-12-01 08:26:00,10.00,12345.0,Germany\n"
    )
    path.write_bytes(text.encode("cp1252"))

    # when
    dialect = detect_dialect(path)
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert dialect.encoding == "cp1252"
    assert result.rejected == 0
    assert [r["description"] for r in lines_of(store)] == ["Schlüsselbrett Größe M", "Gutschein 10 €"]


def test_german_excel_export_with_semicolons_decimal_comma_and_german_dates(tmp_path, store):
    # given
    path = tmp_path / "export.csv"
    path.write_bytes(
        (
            GERMAN_HEADER + "\n"
            "R-1001;01.12.2010 08:26;4711;85123A;Herz, weiß;6;2,55;Deutschland\n"
            "R-1001;01.12.2010 08:26;4711;84029G;Wärmflasche;1.200;1.234,56;Deutschland\n"
            "R-1002;13.01.2011 17:05;;POST;Versandkosten;1;40,00;Österreich\n"
        ).encode("cp1252")
    )

    # when
    dialect = detect_dialect(path)
    result = import_file(store=store, path=path, mapping="generic")

    # then
    assert (dialect.delimiter, dialect.decimal_comma, dialect.date_style) == (";", True, "dmy")
    assert result.rejects == []
    rows = lines_of(store)
    assert [(r["quantity"], r["unit_price"], r["amount"]) for r in rows] == [
        (Decimal("6"), Decimal("2.55"), Decimal("15.30")),
        (Decimal("1200"), Decimal("1234.56"), Decimal("1481472.00")),
        (Decimal("1"), Decimal("40"), Decimal("40")),
    ]
    assert rows[0]["invoice_date"] == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert rows[2]["invoice_date"] == datetime(2011, 1, 13, 17, 5, tzinfo=UTC)
    assert [r["customer_id"] for r in rows] == ["4711", "4711", None]
    assert [r["currency"] for r in rows] == ["EUR"] * 3
    assert rows[2]["category"] == "freight"  # "Versandkosten" matches the generic freight rule
    assert rows[1]["description"] == "Wärmflasche"


def test_tab_delimited_file_is_recognised(tmp_path, store):
    # given
    path = tmp_path / "lines.tsv"
    path.write_text(
        "InvoiceNo\tInvoiceDate\tCustomerID\tSKU\tDescription\tQty\tPrice\n"
        "A1\t2011-03-04 10:00:00\tC-7\tX1\tWidget, large\t3\t9.99\n",
        encoding="utf-8",
    )

    # when
    dialect = detect_dialect(path)
    result = import_file(store=store, path=path, mapping="generic")

    # then
    assert dialect.delimiter == "\t"
    assert result.lines == 1
    row = lines_of(store)[0]
    assert (row["customer_id"], row["stock_code"], row["description"], row["amount"]) == (
        "C-7",
        "X1",
        "Widget, large",
        Decimal("29.97"),
    )


def test_gzipped_csv_is_read_transparently(tmp_path, store):
    # given
    path = tmp_path / "lines.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
        out.write("536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n")
        out.write("C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n")

    # when
    dialect = detect_dialect(path)
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert dialect.compression == "gzip"
    assert dialect.header[-1] == "Country"
    assert result.lines == 2
    assert result.categories == {"discounts": 1, "goods": 1}


def test_gzipped_cp1252_file_is_transcoded(tmp_path, store):
    # given
    path = tmp_path / "windows.csv.gz"
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "1,22001,Maß €,2,2010-12-01 08:26:00,1.50,12345.0,Germany\n"
    )
    path.write_bytes(gzip.compress(text.encode("cp1252")))

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert result.dialect is not None
    assert (result.dialect.encoding, result.dialect.compression) == ("cp1252", "gzip")
    assert lines_of(store)[0]["description"] == "Maß €"


def test_xlsx_first_sheet_is_imported(tmp_path, store):
    # given: a workbook with real dates and numbers, and a second sheet that is ignored
    path = tmp_path / "lines.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    )
    sheet.append([536365, "85123A", "Herz, weiß", 6, datetime(2010, 12, 1, 8, 26), 2.55, 17850.0, "Germany"])
    sheet.append(["C536379", "22633", "HAND WARMER", -2, datetime(2010, 12, 1, 9, 41), 1.85, 14527, None])
    sheet.append([None, None, None, None, None, None, None, None])
    workbook.create_sheet("notes").append(["not", "invoice", "lines"])
    workbook.save(path)
    mapping = load_mapping("online-retail")

    # when
    dialect = detect_dialect(path)
    result = import_file(store=store, path=path, mapping=mapping)

    # then: the empty row is skipped, not rejected
    assert dialect.file_format == "xlsx"
    assert result.rejects == []
    rows = lines_of(store)
    assert [(r["source_row"], r["invoice_no"], r["customer_id"], r["country"], r["category"]) for r in rows] == [
        (2, "536365", "17850", "Germany", "goods"),
        (3, "C536379", "14527", None, "returns"),
    ]
    assert rows[0]["unit_price"] == Decimal("2.55")
    assert rows[0]["invoice_date"] == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert rows[1]["amount"] == Decimal("-3.70")


def test_ambiguous_slash_dates_follow_the_evidence(tmp_path):
    # given: 13/01/2011 can only be day-first
    path = tmp_path / "slash.csv"
    path.write_text("Invoice,Date,Qty,Price\n1,01/02/2011,1,1.00\n2,13/01/2011,1,1.00\n", encoding="utf-8")

    # when
    dialect = detect_dialect(path)

    # then
    assert dialect.date_style == "dmy"


def test_detect_dialect_accepts_strings(tmp_path):
    # given
    path = tmp_path / "pipe.csv"
    path.write_text("a|b|c\n1|2|3\n", encoding="utf-8")

    # when
    dialect = detect_dialect(str(path))

    # then
    assert dialect.delimiter == "|"
    assert dialect.header == ("a", "b", "c")


def test_xlsx_rows_keep_their_numbers(tmp_path, store):
    # given: a bad row in the middle of a sheet
    path = Path(tmp_path) / "bad.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    )
    sheet.append([1, "A", "x", 1, datetime(2011, 1, 1), 1.0, 1, "UK"])
    sheet.append([2, "A", "x", "many", datetime(2011, 1, 1), 1.0, 1, "UK"])
    sheet.append([3, "A", "x", 1, datetime(2011, 1, 1), 1.0, 1, "UK"])
    workbook.save(path)

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [(3, "Quantity", "many", "not a number")]
    assert [r["source_row"] for r in lines_of(store)] == [2, 4]


def test_a_column_with_evidence_for_both_orders_is_not_outvoted(tmp_path):
    # given: two day-first dates and one month-first date in the same column (a mixed-up file)
    path = tmp_path / "mixed.csv"
    path.write_text(
        "Invoice,Date,Qty,Price\n1,13/01/2011,1,1.00\n2,14/01/2011,1,1.00\n3,01/15/2011,1,1.00\n", encoding="utf-8"
    )

    # when
    dialect = detect_dialect(path)

    # then: no majority vote: the order is not decided by the file (the mapping's formats decide)
    assert dialect.date_style == "unknown"


def test_us_dates_are_decided_per_column(tmp_path):
    # given: month-first dates; the only proof (12/25) is in the last line
    path = tmp_path / "us.csv"
    path.write_text("Invoice,Date,Qty,Price\n1,03/04/2011,1,1.00\n2,12/25/2011,1,1.00\n", encoding="utf-8")

    # when
    dialect = detect_dialect(path)

    # then
    assert dialect.date_style == "mdy"
