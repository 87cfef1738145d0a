"""Overlapping imports: lines an earlier import already wrote are found before writing, reported, and
skipped (the default), replaced, or imported again on request."""

from __future__ import annotations

import pytest

from kampass.core.analytics.ingest import import_file

A = "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom"
A_AGAIN = A  # the same line twice in one file: two real lines
B = "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom"
C = "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom"
D = "536370,POST,POSTAGE,3,2010-12-02 08:45:00,18.00,,France"
E = "536371,22139,TEA SET,2,2010-12-03 10:00:00,4.95,12583.0,France"


def count(store, table: str) -> int:
    return int(store.table(table).count().to_pyarrow().as_py())


def fact_lines(store) -> int:
    return int(store.table("invoice_facts").lines.sum().to_pyarrow().as_py() or 0)


def keys(store) -> list[tuple]:
    rows = store.table("invoice_lines").to_pyarrow().to_pylist()
    return sorted((r["invoice_no"], r["stock_code"], str(r["quantity"])) for r in rows)


@pytest.fixture
def first(retail_csv, store):
    """An earlier import of A, A (twice), B and C."""
    return import_file(store=store, path=retail_csv(A, A_AGAIN, B, C, name="extract.csv"), mapping="online-retail")


def test_overlap_is_skipped_by_default_and_reported(retail_csv, store, first):
    # given a file holding A once, B, C and the new D and E
    path = retail_csv(A, B, C, D, E, name="full.csv")
    # when
    result = import_file(store=store, path=path, mapping="online-retail")
    # then
    o = result.overlap
    assert (o.lines, o.of, o.mode, o.skipped, o.replaced) == (3, 5, "skip", 3, 0)
    assert [(e.batch_id, e.file_name, e.lines) for e in o.earlier] == [(first.batch_id, "extract.csv", 3)]
    assert o.describe().startswith("3 of 5 lines were imported before, in import extract.csv on ")
    assert result.lines == 2
    assert count(store, "invoice_lines") == 6  # A twice (the extract had it twice), B, C, D, E
    assert fact_lines(store) == 6
    assert result.customers == ["12583"]  # D has no customer; the customers of the written lines


def test_replace_deletes_the_earlier_lines_the_new_file_holds(retail_csv, store, first):
    # given
    path = retail_csv(A, B, D, name="full.csv")
    # when
    result = import_file(store=store, path=path, mapping="online-retail", on_overlap="replace")
    # then: A (both earlier copies) and B replaced, C kept from the extract
    o = result.overlap
    assert (o.lines, o.of, o.mode, o.skipped, o.replaced) == (2, 3, "replace", 0, 3)
    assert result.lines == 3
    assert keys(store) == sorted(
        [("536365", "85123A", "6.0000"), ("536366", "22633", "6.0000"), ("C536379", "D", "-1.0000"),
         ("536370", "POST", "3.0000")]
    )  # fmt: skip
    assert fact_lines(store) == 4  # the extract's facts were computed again from its remaining line
    facts = store.table("invoice_facts").to_pyarrow().to_pylist()
    assert {f["batch_id"] for f in facts if f["category"] == "discounts"} == {first.batch_id}


def test_import_anyway_writes_every_line_and_still_reports(retail_csv, store, first):
    # when
    result = import_file(store=store, path=retail_csv(A, B, D, name="full.csv"), mapping="online-retail",
                         on_overlap="import")  # fmt: skip
    # then
    assert (result.overlap.lines, result.overlap.skipped, result.lines) == (2, 0, 3)
    assert count(store, "invoice_lines") == 7


def test_dry_run_reports_the_overlap_and_writes_nothing(retail_csv, store, first):
    # when
    result = import_file(store=store, path=retail_csv(A, D, name="full.csv"), mapping="online-retail", dry_run=True)
    # then
    assert (result.overlap.lines, result.overlap.of, result.lines) == (1, 2, 1)
    assert count(store, "invoice_lines") == 4


def test_lines_that_differ_in_one_key_column_do_not_overlap(retail_csv, store, first):
    # given A with another quantity, another price, another customer, another date
    variants = [
        A.replace(",6,", ",7,"),
        A.replace("2.55", "2.56"),
        A.replace("17850.0", "17851.0"),
        A.replace("08:26:00", "08:27:00"),
    ]
    # when
    result = import_file(store=store, path=retail_csv(*variants, name="other.csv"), mapping="online-retail")
    # then
    assert (result.overlap.lines, result.lines) == (0, 4)


def test_an_unknown_choice_is_refused(retail_csv, store):
    with pytest.raises(ValueError, match="on_overlap"):
        import_file(store=store, path=retail_csv(A), mapping="online-retail", on_overlap="merge")
