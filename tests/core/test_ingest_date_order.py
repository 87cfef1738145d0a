"""The invoice-line import reads dates with the one rule of every importer (kampass.core.dates): the
day/month order of the date column is decided from all its values, an undecidable or contradictory
column is refused with a question naming file and column, and the mapping or the option answers it
(issue 10, item 1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kampass.core.analytics.ingest import DateOrderQuestion, IngestError, import_file, load_mapping, parse_mapping

HEADER = "InvoiceNo,InvoiceDate,Quantity,UnitPrice,CustomerID"


def write(tmp_path: Path, *dates: str, name: str = "lines.csv") -> Path:
    path = tmp_path / name
    rows = [f"{1000 + i},{d},1,2.50,17850" for i, d in enumerate(dates)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def dates_of(store) -> list[date]:
    table = store.table("invoice_lines").order_by("source_row").to_pyarrow()
    return [t.date() for t in table.column("invoice_date").to_pylist()]


def test_us_dates_are_read_month_first(tmp_path, store):
    # given: US dates; only 12/25 proves the order, 03/04 fits both
    path = write(tmp_path, "03/04/2011 10:00", "12/25/2011 11:00", "1/2/2011")
    # when
    result = import_file(store=store, path=path, mapping="generic")
    # then: no date swapped (the generic mapping lists %d/%m/%Y before %m/%d/%Y)
    assert (result.lines, result.rejected, result.date_order) == (3, 0, "mdy")
    assert dates_of(store) == [date(2011, 3, 4), date(2011, 12, 25), date(2011, 1, 2)]


def test_european_dates_are_read_day_first(tmp_path, store):
    path = write(tmp_path, "03/04/2011 10:00", "25/12/2011", "1.2.2011")
    result = import_file(store=store, path=path, mapping="generic")
    assert (result.lines, result.rejected, result.date_order) == (3, 0, "dmy")
    assert dates_of(store) == [date(2011, 4, 3), date(2011, 12, 25), date(2011, 2, 1)]


def test_iso_dates_need_no_order(tmp_path, store):
    path = write(tmp_path, "2011-03-04 10:00:00", "2011-12-25")
    result = import_file(store=store, path=path, mapping="generic")
    assert (result.lines, result.date_order) == (2, "")
    assert dates_of(store) == [date(2011, 3, 4), date(2011, 12, 25)]


def test_a_later_line_decides_a_column_whose_first_500_lines_are_ambiguous(tmp_path, store):
    # given: 600 ambiguous US dates, then one that proves month first (the old 500-line sample missed it)
    path = write(tmp_path, *(["03/04/2011"] * 600), "12/25/2011")
    # when
    result = import_file(store=store, path=path, mapping="generic")
    # then: every date month first
    assert (result.lines, result.rejected, result.date_order) == (601, 0, "mdy")
    assert set(dates_of(store)) == {date(2011, 3, 4), date(2011, 12, 25)}


def test_an_undecidable_column_is_refused_with_a_question_naming_file_and_column(tmp_path, store):
    path = write(tmp_path, "03/04/2011", "05/06/2011", name="erp.csv")
    with pytest.raises(DateOrderQuestion) as asked:
        import_file(store=store, path=path, mapping="generic")
    assert (asked.value.file, asked.value.column) == ("erp.csv", "InvoiceDate")
    assert str(asked.value) == (
        "erp.csv: column InvoiceDate: is it day/month or month/day? every value fits both day/month and "
        "month/day (e.g. 03/04/2011, 05/06/2011). Say which with --date-order dmy or --date-order mdy "
        "(or date_order: in the mapping)"
    )
    assert int(store.table("invoice_lines").count().to_pyarrow().as_py()) == 0


def test_a_contradictory_column_is_refused(tmp_path, store):
    # given: one value only fits day first, another only month first
    path = write(tmp_path, "13/01/2011", "01/15/2011", "03/04/2011")
    with pytest.raises(DateOrderQuestion) as asked:
        import_file(store=store, path=path, mapping="generic")
    assert asked.value.evidence.contradictory
    assert "some values are day first (13/01/2011), others month first (01/15/2011)" in str(asked.value)


def test_the_option_answers_the_question(tmp_path, store):
    path = write(tmp_path, "03/04/2011", "05/06/2011")
    result = import_file(store=store, path=path, mapping="generic", date_order="mdy")
    assert (result.lines, result.date_order) == (2, "mdy")
    assert dates_of(store) == [date(2011, 3, 4), date(2011, 5, 6)]


def test_the_mapping_answers_the_question(tmp_path, store):
    # given: a mapping saying the file's slash dates are day first
    mapping = parse_mapping(
        {
            "columns": {"invoice_no": "InvoiceNo", "invoice_date": "InvoiceDate", "quantity": "Quantity",
                        "unit_price": "UnitPrice"},
            "default_currency": "EUR",
            "date_formats": ["%m/%d/%Y", "%d/%m/%Y"],
            "date_order": "dmy",
        },
        source="erp.yaml",
        default_name="erp",
    )  # fmt: skip
    path = write(tmp_path, "03/04/2011", "05/06/2011")
    result = import_file(store=store, path=path, mapping=mapping)
    assert (result.lines, result.date_order) == (2, "dmy")
    assert dates_of(store) == [date(2011, 4, 3), date(2011, 6, 5)]


def test_a_mapping_with_a_bad_date_order_is_refused():
    from kampass.core.analytics.ingest import MappingError

    with pytest.raises(MappingError) as refused:
        parse_mapping(
            {"columns": {"invoice_no": "N", "invoice_date": "D", "quantity": "Q", "unit_price": "P"},
             "default_currency": "EUR", "date_formats": ["%Y-%m-%d"], "date_order": "ymd"},
            source="erp.yaml",
            default_name="erp",
        )  # fmt: skip
    assert refused.value.key == "date_order"


def test_dates_of_an_order_the_mapping_has_no_format_for_are_refused(tmp_path, store):
    # given: day-first dates, but the online-retail mapping knows only month-first slash dates
    path = tmp_path / "retail.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,HEART,6,25/12/2010 08:26,2.55,17850.0,United Kingdom\n",
        encoding="utf-8",
    )
    with pytest.raises(IngestError) as refused:
        import_file(store=store, path=path, mapping="online-retail")
    assert "column InvoiceDate: the dates are day/month dates" in str(refused.value)
    assert load_mapping("online-retail").date_order == ""


def test_a_file_staged_again_in_the_decided_order_counts_each_rejected_line_once(tmp_path, store):
    # given: ambiguous dates first (the sample suggests no order), a line the reader rejects, a bad
    # quantity, and at the end the date that proves month first
    path = write(tmp_path, *(["03/04/2011"] * 600), "12/25/2011")
    with path.open("a", encoding="utf-8") as fh:
        fh.write("2000,03/04/2011,1,2.50,17850,extra\n2001,03/04/2011,six,2.50,17850\n")
    # when
    result = import_file(store=store, path=path, mapping="generic")
    # then
    assert (result.lines, result.rejected, result.date_order) == (601, 2, "mdy")
    assert [(r.row, r.reason) for r in result.rejects] == [
        (603, "too many columns (expected 5)"),
        (604, "not a number"),
    ]
    assert set(dates_of(store)) == {date(2011, 3, 4), date(2011, 12, 25)}
