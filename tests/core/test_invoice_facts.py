"""Invoice facts: written with every import, equal to the facts computed from the lines, removed with
orphan lines, backfilled for stores written before they existed; the P&L from them equals the P&L
from the lines computed independently."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.facts import FACT_KEYS, invoice_facts
from kampass.core.analytics.ingest import delete_orphan_lines, import_file
from kampass.core.analytics.schema import INVOICE_FACTS, INVOICE_LINES, SCHEMAS
from kampass.core.profitability import LEAKAGE_KEYS, account_pnl, leakage_column, total_pnl

GOOD = (
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom",
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom",
    "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.00,12583.0,France",
    "C536383,35004C,SET OF 3 COLOURED FLYING DUCKS,-1,2010-12-01 09:49:00,4.65,15311.0,United Kingdom",
    "C536384,35004C,SET OF 3 COLOURED FLYING DUCKS,-2,2010-12-02 09:49:00,4.65,15311.0,United Kingdom",
    "536414,22139,,56,2010-12-01 11:52:00,0,,United Kingdom",
    "536415,22140,LAMP,-3,2011-01-01 11:52:00,1.25,,United Kingdom",
)


def rows(table: Any) -> list[dict[str, Any]]:
    return sorted(table.to_pyarrow().to_pylist(), key=lambda r: tuple(str(r[k]) for k in FACT_KEYS))


def facts_by_hand(lines: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The facts of some lines, summed in plain Python."""
    out: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {"lines": 0, "gross_amount": Decimal(0), "leakage_amount": Decimal(0), "cost": None}
    )
    for line in lines:
        row = out[tuple(line[k] for k in FACT_KEYS)]
        row["lines"] += 1
        row["gross_amount"] += max(line["amount"], Decimal(0))
        row["leakage_amount"] += max(-line["amount"], Decimal(0))
        if line["unit_cost"] is not None:
            row["cost"] = (row["cost"] or Decimal(0)) + line["quantity"] * line["unit_cost"]
    return out


def line_table(n: int, *, batch_id: str, customer: str | None = "1", unit_cost: Decimal | None = None) -> pa.Table:
    dec = pa.decimal128(18, 4)
    return pa.table(
        {
            "batch_id": [batch_id] * n,
            "source_row": list(range(2, n + 2)),
            "invoice_no": [f"X{i}" for i in range(n)],
            "invoice_date": pa.array([datetime(2011, 1, 1, tzinfo=UTC)] * n, pa.timestamp("us", tz="UTC")),
            "customer_id": [customer] * n,
            "country": ["UK"] * n,
            "stock_code": ["A"] * n,
            "description": ["a"] * n,
            "product_group": ["A"] * n,
            "quantity": pa.array([Decimal(i % 3 - 1) for i in range(n)], dec),
            "unit_price": pa.array([Decimal("2.5")] * n, dec),
            "amount": pa.array([Decimal(i % 3 - 1) * Decimal("2.5") for i in range(n)], dec),
            "unit_cost": pa.array([unit_cost] * n, dec),
            "currency": ["GBP"] * n,
            "category": ["goods" if i % 2 else "returns" for i in range(n)],
        },
        schema=SCHEMAS[INVOICE_LINES].to_pyarrow(),
    )


def test_an_import_writes_the_facts_of_its_lines(retail_csv, store):
    # when
    result = import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail")

    # then: the importer's SQL gives the same facts as the definition over the stored lines, and as plain Python
    lines = store.table(INVOICE_LINES)
    stored = rows(store.table(INVOICE_FACTS))
    assert stored == rows(invoice_facts(lines))
    by_hand = facts_by_hand(lines.to_pyarrow().to_pylist())
    assert {tuple(r[k] for k in FACT_KEYS): {k: r[k] for k in ("lines", "gross_amount", "leakage_amount", "cost")}
            for r in stored} == by_hand  # fmt: skip
    assert {r["batch_id"] for r in stored} == {result.batch_id}
    assert sum(r["lines"] for r in stored) == result.lines == len(GOOD)
    assert any(r["customer_id"] is None for r in stored)


def test_the_pnl_from_the_facts_equals_the_pnl_from_the_lines(retail_csv, store):
    # given
    import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail")
    links = store.con.create_table(
        "links", pa.table({"customer_id": ["17850", "14527", "15311"], "account_id": [1, 2, 1]})
    )

    # when
    from_facts = account_pnl(store.table(INVOICE_FACTS), links).order_by("account_id").to_pyarrow().to_pylist()
    from_lines = account_pnl(store.table(INVOICE_LINES), links).order_by("account_id").to_pyarrow().to_pylist()
    total = total_pnl(store.table(INVOICE_FACTS)).to_pyarrow().to_pylist()[0]

    # then
    assert from_facts == from_lines
    assert [r["account_id"] for r in from_facts] == [-1, 1, 2]
    amounts = store.table(INVOICE_LINES).amount.to_pyarrow().to_pylist()
    assert total["pocket_revenue"] == sum(amounts)
    assert total["gross_revenue"] == sum(a for a in amounts if a > 0)
    assert total["gross_revenue"] - sum(total[leakage_column(k)] for k in LEAKAGE_KEYS) == total["pocket_revenue"]
    assert total["lines"] == len(GOOD)


@pytest.mark.parametrize("options", [{"dry_run": True}, {"strict": True}])
def test_no_facts_without_lines(retail_csv, store, options):
    # given: a bad line, so that a strict import commits nothing
    path = retail_csv(*GOOD, "1,A,x,abc,2011-01-01 00:00:00,1,1.0,UK")

    # when
    result = import_file(store=store, path=path, mapping="online-retail", **options)

    # then
    assert not result.committed
    assert store.table(INVOICE_FACTS).count().to_pyarrow().as_py() == 0


def test_a_reimport_adds_no_facts(retail_csv, store):
    # given
    path = retail_csv(*GOOD)
    import_file(store=store, path=path, mapping="online-retail")
    before = rows(store.table(INVOICE_FACTS))

    # when
    again = import_file(store=store, path=path, mapping="online-retail")

    # then
    assert again.already_imported
    assert rows(store.table(INVOICE_FACTS)) == before


def test_orphan_lines_take_their_facts_with_them(retail_csv, store):
    # given: lines (and facts) of a batch that never got its import_batches row
    store.ensure_tables()
    orphan = uuid.uuid4().hex
    store.insert(INVOICE_LINES, line_table(4, batch_id=orphan))
    assert {r["batch_id"] for r in rows(store.table(INVOICE_FACTS))} == {orphan}

    # when
    result = import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail")

    # then
    assert {r["batch_id"] for r in rows(store.table(INVOICE_FACTS))} == {result.batch_id}
    assert delete_orphan_lines(store) == 0


def test_appended_lines_bring_their_facts(store):
    # given
    store.ensure_tables()
    table = line_table(7, batch_id="b", unit_cost=Decimal("0.3333"))

    # when
    store.insert(INVOICE_LINES, table)
    store.insert(INVOICE_LINES, line_table(2, batch_id="c", customer=None))

    # then
    stored = rows(store.table(INVOICE_FACTS))
    assert stored == rows(invoice_facts(store.table(INVOICE_LINES)))
    costs = {r["category"]: r["cost"] for r in stored if r["batch_id"] == "b"}
    assert costs == {"goods": Decimal("0"), "returns": Decimal("-0.3333")}  # goods: 0, -1, 1; returns: -1, 1, 0, -1
    assert [r["customer_id"] for r in stored if r["batch_id"] == "c"] == [None, None]


def test_a_store_without_facts_gets_them_on_open(retail_csv, tmp_path):
    # given: a store written before the facts existed (and an interrupted earlier attempt)
    path = tmp_path / "old.duckdb"
    store = AnalyticsStore(f"duckdb://{path}")
    import_file(store=store, path=retail_csv(*GOOD), mapping="online-retail")
    expected = rows(store.table(INVOICE_FACTS))
    store.close()
    con = duckdb.connect(str(path))
    con.execute(f"DROP TABLE {INVOICE_FACTS}")
    con.execute(f"CREATE TABLE {INVOICE_FACTS}_backfill (batch_id VARCHAR)")
    con.close()

    # when
    reopened = AnalyticsStore(f"duckdb://{path}")
    reopened.ensure_tables()

    # then
    try:
        assert rows(reopened.table(INVOICE_FACTS)) == expected
        assert f"{INVOICE_FACTS}_backfill" not in reopened.con.list_tables()
        assert reopened.table(INVOICE_FACTS).schema() == SCHEMAS[INVOICE_FACTS]
    finally:
        reopened.close()


def test_large_products_of_quantity_and_unit_cost_are_exact(retail_csv, store):
    # given: a mapping with a unit cost column and a product beyond 18 digits
    path = retail_csv(
        "1,A,x,99999.5,2011-01-01 00:00:00,1,1.0,UK,99999.1234",
        "2,A,x,3,2011-01-01 00:00:00,1,1.0,UK,0.3333",
        header="InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,UnitCost",
    )
    mapping = tmp_mapping(path.parent)

    # when
    result = import_file(store=store, path=path, mapping=mapping)

    # then
    assert result.lines == 2
    (row,) = rows(store.table(INVOICE_FACTS))
    assert row["cost"] == Decimal("99999.5") * Decimal("99999.1234") + 3 * Decimal("0.3333")


def tmp_mapping(folder: Any) -> Any:
    path = folder / "with-cost.yaml"
    path.write_text(
        "name: with-cost\n"
        "columns: {invoice_no: InvoiceNo, invoice_date: InvoiceDate, customer_id: CustomerID, stock_code: StockCode,\n"
        "          description: Description, quantity: Quantity, unit_price: UnitPrice, country: Country,\n"
        "          unit_cost: UnitCost}\n"
        "default_currency: GBP\n"
        "date_formats: ['%Y-%m-%d %H:%M:%S']\n"
        "categories: {default: goods, rules: []}\n",
        encoding="utf-8",
    )
    return path
