"""Importing invoice lines: rejects, atomicity, re-imports, dry runs, exact amounts, the P&L identity."""

from __future__ import annotations

import csv
import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.ingest import IngestError, Reject, delete_orphan_lines, import_file, pipeline
from kampass.core.analytics.schema import SCHEMAS
from kampass.core.profitability import LEAKAGE_KEYS, leakage_column, total_pnl

GOOD = (
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom",
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom",
    "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.00,12583.0,France",
    "C536383,35004C,SET OF 3 COLOURED FLYING DUCKS,-1,2010-12-01 09:49:00,4.65,15311.0,United Kingdom",
    "536414,22139,,56,2010-12-01 11:52:00,0,,United Kingdom",
)


def lines_of(store) -> list[dict]:
    return store.table("invoice_lines").order_by("source_row").to_pyarrow().to_pylist()


def count(store, table: str) -> int:
    return int(store.table(table).count().to_pyarrow().as_py())


def test_good_file_is_imported_with_types_and_categories(retail_csv, store):
    # given
    path = retail_csv(*GOOD)

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert (result.lines, result.rejected, result.already_imported, result.committed) == (6, 0, False, True)
    assert result.customers == ["12583", "14527", "15311", "17850"]
    assert result.categories == {"discounts": 1, "freight": 1, "goods": 3, "returns": 1}
    rows = lines_of(store)
    first = rows[0]
    assert first["batch_id"] == result.batch_id
    assert first["source_row"] == 2
    assert first["invoice_date"] == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert (first["customer_id"], first["currency"], first["product_group"]) == ("17850", "GBP", "851")
    assert first["unit_cost"] is None
    assert rows[-1]["customer_id"] is None
    assert rows[-1]["description"] is None
    batch = store.table("import_batches").to_pyarrow().to_pylist()
    assert [(b["batch_id"], b["file_name"], b["lines"], b["rejected"], b["mapping"]) for b in batch] == [
        (result.batch_id, "lines.csv", 6, 0, "online-retail")
    ]
    assert batch[0]["file_sha256"] == result.file_sha256
    assert len(result.batch_id) == 32


def test_bad_rows_are_reported_and_the_good_rows_committed(retail_csv, store, tmp_path):
    # given
    path = retail_csv(
        GOOD[0],
        "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom",
        "536367,84879,BIRD ORNAMENT,32,2010-13-45 08:34:00,1.69,13047.0,United Kingdom",
        ",22745,POPPY'S PLAYHOUSE BEDROOM,6,2010-12-01 08:34:00,2.10,13047.0,United Kingdom",
        "536368,22960,JAM MAKING SET,6,2010-12-01 08:34:00,4.25,13047.0,United Kingdom,extra",
        "536369,21756,BATH BUILDING BLOCK WORD,3,2010-12-01 08:35:00",
        GOOD[1],
        "536370,22728,ALARM CLOCK,24,2010-12-01 08:45:00,3.755555,12583.0,France",
    )

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    formats = "[%Y-%m-%d %H:%M:%S, %Y-%m-%d %H:%M, %m/%d/%Y %H:%M]"
    assert result.rejects == [
        Reject(file="lines.csv", row=3, column="Quantity", value="six", reason="not a number"),
        Reject(
            file="lines.csv",
            row=4,
            column="InvoiceDate",
            value="2010-13-45 08:34:00",
            reason=f"not a date in formats {formats}",
        ),
        Reject(file="lines.csv", row=5, column="InvoiceNo", value="", reason="empty invoice number"),
        Reject(
            file="lines.csv",
            row=6,
            column="",
            value="536368,22960,JAM MAKING SET,6,2010-12-01 08:34:00,4.25,13047.0,United Kingdom,extra",
            reason="too many columns (expected 8)",
        ),
        Reject(
            file="lines.csv",
            row=7,
            column="",
            value="536369,21756,BATH BUILDING BLOCK WORD,3,2010-12-01 08:35:00",
            reason="too few columns (expected 8)",
        ),
        Reject(file="lines.csv", row=9, column="UnitPrice", value="3.755555", reason="more than 4 decimal places"),
    ]
    assert (result.lines, result.rejected) == (2, 6)
    assert [(r["source_row"], r["invoice_no"]) for r in lines_of(store)] == [(2, "536365"), (8, "536365")]
    assert store.table("import_batches").to_pyarrow().to_pylist()[0]["rejected"] == 6

    # and the rejects can be written as CSV for the user
    out = tmp_path / "rejects.csv"
    result.write_rejects_csv(out)
    with out.open(newline="", encoding="utf-8") as fh:
        written = list(csv.reader(fh))
    assert written[0] == ["file", "row", "column", "value", "reason"]
    assert written[1] == ["lines.csv", "3", "Quantity", "six", "not a number"]
    assert len(written) == 7


def test_row_numbers_stay_physical_after_blank_and_rejected_lines(tmp_path, store):
    # given: a blank line, a line with too few columns and another blank line before good lines
    path = tmp_path / "gappy.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        f"{GOOD[0]}\n"
        "\n"
        "broken,line\n"
        "\n"
        f"{GOOD[1]}\n"
        "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\n"
        f"{GOOD[3]}\n",
        encoding="utf-8",
    )

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert [(r.row, r.reason) for r in result.rejects] == [(4, "too few columns (expected 8)"), (7, "not a number")]
    assert [r["source_row"] for r in lines_of(store)] == [2, 6, 8]


def test_strict_import_commits_nothing_when_a_line_is_bad(retail_csv, store):
    # given
    path = retail_csv(GOOD[0], "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom")

    # when
    result = import_file(store=store, path=path, mapping="online-retail", strict=True)

    # then
    assert (result.lines, result.rejected, result.strict, result.committed) == (0, 1, True, False)
    assert result.rejects[0].row == 3
    assert count(store, "invoice_lines") == 0
    assert count(store, "import_batches") == 0


def test_strict_import_of_a_clean_file_commits(retail_csv, store):
    # given
    path = retail_csv(*GOOD)

    # when
    result = import_file(store=store, path=path, mapping="online-retail", strict=True)

    # then
    assert (result.lines, result.committed) == (6, True)
    assert count(store, "invoice_lines") == 6


def test_reimporting_the_same_file_adds_nothing(retail_csv, store):
    # given
    path = retail_csv(*GOOD)
    first = import_file(store=store, path=path, mapping="online-retail")

    # when
    again = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert (again.already_imported, again.lines, again.batch_id) == (True, 0, first.batch_id)
    assert again.file_sha256 == first.file_sha256
    assert count(store, "invoice_lines") == 6
    assert count(store, "import_batches") == 1


def test_reimport_of_a_large_file_is_found_before_the_commit(retail_csv, store, monkeypatch):
    # given: files above the threshold are fingerprinted while DuckDB reads them
    monkeypatch.setattr(pipeline, "EARLY_DIGEST_BYTES", 0)
    path = retail_csv(*GOOD)
    first = import_file(store=store, path=path, mapping="online-retail")

    # when
    again = import_file(store=store, path=path, mapping="online-retail")
    dry = import_file(store=store, path=path, mapping="online-retail", dry_run=True)

    # then
    assert (again.already_imported, again.lines, again.batch_id) == (True, 0, first.batch_id)
    assert dry.already_imported
    assert count(store, "invoice_lines") == 6
    assert count(store, "import_batches") == 1


def test_a_changed_file_is_a_new_import(retail_csv, store):
    # given
    import_file(store=store, path=retail_csv(*GOOD[:3]), mapping="online-retail")

    # when
    second = import_file(store=store, path=retail_csv(*GOOD[3:], name="more.csv"), mapping="online-retail")

    # then
    assert (second.already_imported, second.lines) == (False, 3)
    assert count(store, "invoice_lines") == 6
    assert count(store, "import_batches") == 2


def test_dry_run_reads_validates_and_classifies_but_writes_nothing(retail_csv, store):
    # given
    path = retail_csv(*GOOD, "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom")

    # when
    result = import_file(store=store, path=path, mapping="online-retail", dry_run=True)

    # then
    # the lines it would import, not 0 (issue 10, item 3)
    assert (result.dry_run, result.committed, result.lines, result.rejected) == (True, False, 6, 1)
    assert result.categories == {"discounts": 1, "freight": 1, "goods": 3, "returns": 1}
    assert result.customers == ["12583", "14527", "15311", "17850"]
    assert count(store, "invoice_lines") == 0
    assert count(store, "import_batches") == 0

    # and a real import afterwards is not mistaken for a re-import
    assert import_file(store=store, path=path, mapping="online-retail").lines == 6


def test_interrupted_import_is_cleaned_up_by_the_next_import(retail_csv, store):
    # given: lines of a batch that never got its import_batches row (the process died in between)
    store.ensure_tables()
    orphan = pa.table(
        {
            "batch_id": [uuid.uuid4().hex] * 2,
            "source_row": [2, 3],
            "invoice_no": ["X1", "X2"],
            "invoice_date": pa.array([datetime(2011, 1, 1, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC")),
            "customer_id": ["1", "1"],
            "country": ["UK", "UK"],
            "stock_code": ["A", "B"],
            "description": ["a", "b"],
            "product_group": ["A", "B"],
            "quantity": pa.array([Decimal(1), Decimal(1)], pa.decimal128(18, 4)),
            "unit_price": pa.array([Decimal(5), Decimal(5)], pa.decimal128(18, 4)),
            "amount": pa.array([Decimal(5), Decimal(5)], pa.decimal128(18, 4)),
            "unit_cost": pa.array([None, None], pa.decimal128(18, 4)),
            "currency": ["GBP", "GBP"],
            "category": ["goods", "goods"],
        },
        schema=SCHEMAS["invoice_lines"].to_pyarrow(),
    )
    store.insert("invoice_lines", orphan)
    assert count(store, "invoice_lines") == 2

    # when
    result = import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail")

    # then
    rows = lines_of(store)
    assert len(rows) == 6
    assert {r["batch_id"] for r in rows} == {result.batch_id}
    assert delete_orphan_lines(store) == 0


def test_amount_is_exactly_quantity_times_unit_price(retail_csv, store):
    # given: prices with up to four decimals and quantities with fractions
    path = retail_csv(
        "1,A,x,3,2011-01-01 00:00:00,0.0333,1.0,UK",
        "1,B,x,1.5,2011-01-01 00:00:00,2.02,1.0,UK",
        "1,C,x,-7,2011-01-01 00:00:00,7175.639,1.0,UK",
        "1,D,x,250000,2011-01-01 00:00:00,120000.5,1.0,UK",
        "1,E,x,1.5,2011-01-01 00:00:00,0.0333,1.0,UK",
        "1,F,x,1,2011-01-01 00:00:00,.12345,1.0,UK",
        "1,G,x,2,2011-01-01 00:00:00,1.50000000,1.0,UK",
    )

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then: 1.5 x 0.0333 = 0.04995 needs five decimals and is rejected, not rounded
    assert [(r.row, r.column, r.reason) for r in result.rejects] == [
        (6, "Quantity x UnitPrice", "amount has more than 4 decimal places"),
        (7, "UnitPrice", "more than 4 decimal places"),
    ]
    rows = lines_of(store)
    assert [r["amount"] for r in rows] == [
        Decimal("0.0999"),
        Decimal("3.03"),
        Decimal("-50229.473"),
        Decimal("30000125000"),
        Decimal("3"),
    ]
    assert all(r["amount"] == r["quantity"] * r["unit_price"] for r in rows)


def test_pnl_identity_holds_for_imported_lines(retail_csv, store):
    # given
    import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail")

    # when
    pnl = total_pnl(store.table("invoice_lines")).to_pyarrow().to_pylist()[0]

    # then: gross - sum(leakage) == pocket == sum(amount)
    amounts = [r["amount"] for r in lines_of(store)]
    leakage = sum(pnl[leakage_column(k)] for k in LEAKAGE_KEYS)
    assert pnl["gross_revenue"] - leakage == pnl["pocket_revenue"] == sum(amounts)
    assert pnl["gross_revenue"] == Decimal("15.30") + Decimal("20.34") + Decimal("54.00")
    assert pnl[leakage_column("discounts")] == Decimal("27.50")
    assert pnl[leakage_column("returns")] == Decimal("4.65")


def test_progress_is_reported_for_each_phase(retail_csv, store):
    # given
    seen: list[tuple[float, str]] = []

    # when
    import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail", progress=lambda f, m: seen.append((f, m)))

    # then
    assert [m for _, m in seen] == ["reading", "validating", "writing", "done"]
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert seen[-1][0] == 1.0


def test_empty_file_is_an_error(tmp_path, store):
    # given
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")

    # when
    with pytest.raises(IngestError) as caught:
        import_file(store=store, path=path, mapping="online-retail")

    # then
    assert caught.value.file == "empty.csv"


def test_header_only_file_imports_nothing(retail_csv, store):
    # when
    result = import_file(store=store, path=retail_csv(), mapping="online-retail")

    # then
    assert (result.lines, result.rejected) == (0, 0)
    assert count(store, "import_batches") == 1


def test_optional_columns_currency_and_cost(tmp_path, store):
    # given: a generic export with a currency and a unit cost column
    path = tmp_path / "erp.csv"
    path.write_text(
        "Rechnungsnummer,Datum,Kunde,Artikelnummer,Menge,Preis,Einstandspreis,Währung,Warengruppe\n"
        "R1,2011-02-03,K1,A-1,2,10.00,6.50,chf,Tools\n"
        "R1,2011-02-03,K1,A-2,1,5.00,,,\n"
        "R2,2011-02-04,K2,A-3,1,5.00,cheap,EUR,\n"
        "R3,2011-02-04,K2,A-3,1,5.00,,EURO,\n",
        encoding="utf-8",
    )

    # when
    result = import_file(store=store, path=path, mapping="generic")

    # then
    assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [
        (4, "Einstandspreis", "cheap", "not a number"),
        (5, "Währung", "EURO", "not a currency code like EUR"),
    ]
    rows = lines_of(store)
    assert [(r["currency"], r["unit_cost"], r["product_group"]) for r in rows] == [
        ("CHF", Decimal("6.50"), "Tools"),
        ("EUR", None, "A-2"),
    ]
    assert rows[0]["invoice_date"] == datetime(2011, 2, 3, tzinfo=UTC)


def test_other_stores_receive_the_lines_as_arrow(retail_csv, store, monkeypatch):
    # given: the importer cannot use the store's connection (as for PostgreSQL or Spark), so it
    # stages in its own in-memory DuckDB and hands the typed lines over as Arrow
    monkeypatch.setattr(pipeline, "_duckdb_connection", lambda store: None)
    path = retail_csv(*GOOD, "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom")

    # when
    result = import_file(store=store, path=path, mapping="online-retail")
    again = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert (result.lines, result.rejected, again.already_imported) == (6, 1, True)
    rows = lines_of(store)
    assert [r["source_row"] for r in rows] == [2, 3, 4, 5, 6, 7]
    assert rows[0]["invoice_date"] == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert all(r["amount"] == r["quantity"] * r["unit_price"] for r in rows)


@pytest.mark.postgres
def test_postgres_store_imports_the_same_lines(retail_csv):
    # given: a throw-away database on the PostgreSQL server
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x").split("://", 1)[1]
    server = server.rsplit("/", 1)[0]
    try:
        admin = psycopg.connect(f"postgresql://{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {server} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {server} is not reachable: {exc}")
    name = f"kampass_ingest_{uuid.uuid4().hex[:12]}"
    path = retail_csv(*GOOD, "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        store = AnalyticsStore(f"postgres://{server}/{name}")
        try:
            # when
            result = import_file(store=store, path=path, mapping="online-retail")
            again = import_file(store=store, path=path, mapping="online-retail")

            # then
            assert (result.lines, result.rejected, again.already_imported) == (6, 1, True)
            rows = lines_of(store)
            assert [(r["source_row"], r["category"]) for r in rows][:3] == [
                (2, "goods"),
                (3, "goods"),
                (4, "discounts"),
            ]
            assert rows[0]["invoice_date"] == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
            assert (
                sum(r["amount"] for r in rows)
                == total_pnl(store.table("invoice_lines")).to_pyarrow().to_pylist()[0]["pocket_revenue"]
            )
        finally:
            store.close()
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
