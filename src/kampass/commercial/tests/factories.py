"""Test data of the commercial context that other contexts' tests may use too: invoice lines
in the per-test analytics store (see docs/development.md, "Tests across contexts")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa

from kampass.common.analytics import analytics_store
from kampass.core.analytics.schema import IMPORT_BATCHES, INVOICE_LINES, SCHEMAS
from kampass.core.profitability import GOODS


def line(
    invoice_no: str,
    customer_id: str | None,
    quantity: str,
    unit_price: str,
    category: str = GOODS,
    *,
    date: dt.date = dt.date(2011, 1, 5),
    stock_code: str = "X1",
    unit_cost: str | None = None,
) -> dict[str, Any]:
    """One invoice line (``amount = quantity * unit_price``), like ``profitability._example_lines()``."""
    qty, price = Decimal(quantity), Decimal(unit_price)
    return {
        "invoice_no": invoice_no,
        "invoice_date": dt.datetime(date.year, date.month, date.day, 10, 30, tzinfo=dt.UTC),
        "customer_id": customer_id,
        "country": "United Kingdom",
        "stock_code": stock_code,
        "description": f"item {stock_code}",
        "product_group": stock_code,
        "quantity": qty,
        "unit_price": price,
        "amount": qty * price,
        "unit_cost": Decimal(unit_cost) if unit_cost is not None else None,
        "currency": "GBP",
        "category": category,
    }


def insert_lines(rows: list[dict[str, Any]], *, batch_id: str = "test-batch") -> None:
    """Append the rows to ``invoice_lines`` of the per-test analytics store, as one import batch
    (with its ``import_batches`` row, as an import writes it: the importer removes lines of unknown batches)."""
    schema = SCHEMAS[INVOICE_LINES].to_pyarrow()
    data = {"batch_id": [batch_id] * len(rows), "source_row": list(range(2, len(rows) + 2))}
    columns = {f.name: pa.array(data[f.name] if f.name in data else [r[f.name] for r in rows], f.type) for f in schema}
    batch = {
        "batch_id": [batch_id], "file_sha256": [f"sha-of-{batch_id}"], "file_name": [f"{batch_id}.csv"],
        "mapping": ["test"], "lines": [len(rows)], "rejected": [0], "imported_at": [dt.datetime.now(dt.UTC)],
    }  # fmt: skip
    with analytics_store(write=True) as store:
        store.insert(INVOICE_LINES, pa.table(columns))
        store.insert(IMPORT_BATCHES, pa.table(batch))
