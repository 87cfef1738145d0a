"""Tables of the analytics store and their schemas.

``invoice_lines``
    One row per imported invoice line. ``amount`` is ``quantity * unit_price``
    (exact decimal, in ``currency``); ``category`` is ``goods`` or one of the
    leakage categories of :mod:`kampass.core.profitability`; ``customer_id`` is
    the customer number of the source system (NULL when the line has none).
``invoice_facts``
    The invoice lines summed per import batch, customer, currency and category:
    line count, gross amount (sum of the positive amounts), leakage amount (sum of the
    negative amounts, as a positive number) and cost (sum of ``quantity * unit_cost``, 8
    decimals). Written together with the lines of each import (see
    :mod:`kampass.core.analytics.facts`): the P&L, the waterfall and ABC read these few rows
    instead of every line.
``import_batches``
    One row per committed import: the SHA-256 of the file makes re-imports no-ops.
``customer_links``
    Which account a customer id belongs to (kept in sync by the application).
``account_dim``
    The account hierarchy as materialised paths (kept in sync by the application).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt

MONEY = dt.Decimal(18, 4)
QUANTITY = dt.Decimal(18, 4)
SUM = dt.Decimal(38, 4)
COST_SUM = dt.Decimal(38, 8)

INVOICE_LINES = "invoice_lines"
INVOICE_FACTS = "invoice_facts"
IMPORT_BATCHES = "import_batches"
CUSTOMER_LINKS = "customer_links"
ACCOUNT_DIM = "account_dim"

SCHEMAS: dict[str, ibis.Schema] = {
    INVOICE_LINES: ibis.schema(
        {
            "batch_id": dt.String(nullable=False),
            "source_row": dt.Int64(nullable=False),
            "invoice_no": dt.String(nullable=False),
            "invoice_date": dt.Timestamp(timezone="UTC"),
            "customer_id": dt.String(nullable=True),
            "country": dt.String(nullable=True),
            "stock_code": dt.String(nullable=True),
            "description": dt.String(nullable=True),
            "product_group": dt.String(nullable=True),
            "quantity": QUANTITY,
            "unit_price": MONEY,
            "amount": MONEY,
            "unit_cost": MONEY,
            "currency": dt.String(nullable=False),
            "category": dt.String(nullable=False),
        }
    ),
    INVOICE_FACTS: ibis.schema(
        {
            "batch_id": dt.String(nullable=False),
            "customer_id": dt.String(nullable=True),
            "currency": dt.String(nullable=False),
            "category": dt.String(nullable=False),
            "lines": dt.Int64(nullable=False),
            "gross_amount": SUM,
            "leakage_amount": SUM,
            "cost": COST_SUM,
        }
    ),
    IMPORT_BATCHES: ibis.schema(
        {
            "batch_id": dt.String(nullable=False),
            "file_sha256": dt.String(nullable=False),
            "file_name": dt.String(nullable=False),
            "mapping": dt.String(nullable=False),
            "lines": dt.Int64(nullable=False),
            "rejected": dt.Int64(nullable=False),
            "imported_at": dt.Timestamp(timezone="UTC"),
        }
    ),
    CUSTOMER_LINKS: ibis.schema({"customer_id": dt.String(nullable=False), "account_id": dt.Int64(nullable=False)}),
    ACCOUNT_DIM: ibis.schema(
        {
            "account_id": dt.Int64(nullable=False),
            "name": dt.String(nullable=False),
            "path": dt.String(nullable=False),
            "parent_id": dt.Int64(nullable=True),
        }
    ),
}
