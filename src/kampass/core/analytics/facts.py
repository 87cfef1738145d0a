"""Invoice facts: the invoice lines summed per import batch, customer, currency and category.

The P&L, the waterfall, ABC and the whale curve only need sums of amounts per customer and
category, so they read ``invoice_facts`` (about 130,000 rows for the 10.8 million lines of
the benchmark) instead of ``invoice_lines``. One row of facts holds, for its key
``(batch_id, customer_id, currency, category)``:

* ``lines``: the number of lines;
* ``gross_amount``: the sum of the positive amounts;
* ``leakage_amount``: the sum of the negative amounts, as a positive number;
* ``cost``: the sum of ``quantity * unit_cost`` with all 8 decimals (NULL when no line has a unit cost).

Sums of exact decimals do not depend on how the lines are grouped, so every figure computed
from the facts equals the one computed from the lines, to the last decimal.
What needs the single lines stays on them: the monthly series of one account (distinct counts
of orders and product groups do not add up over customers) and the drill-down.

The facts are keyed by ``batch_id``: the lines of an import and their facts are written in the
same transaction and deleted together. :func:`invoice_facts` is the definition as an Ibis
expression (any backend; used to backfill stores created before the facts existed and for lines
appended directly); :func:`facts_select_sql` is the same in DuckDB SQL for the importer, which
computes the facts while it validates a file.
"""

# ruff: noqa: S608  (SQL over the importer's generated temporary tables)
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt

from kampass.core.analytics.schema import INVOICE_FACTS, SCHEMAS

FACT_KEYS: tuple[str, ...] = ("batch_id", "customer_id", "currency", "category")


def invoice_facts(lines: ibis.Table) -> ibis.Table:
    """The facts of ``lines`` (an ``invoice_lines`` table or any expression with its columns).

    Examples
    --------
    >>> import pyarrow as pa
    >>> dec = pa.decimal128(18, 4)
    >>> lines = ibis.memtable(pa.table({
    ...     "batch_id": ["b", "b", "b"], "customer_id": ["A", "A", "A"], "currency": ["GBP"] * 3,
    ...     "category": ["goods", "goods", "returns"],
    ...     "quantity": pa.array([Decimal(10), Decimal(-1), Decimal(-2)], dec),
    ...     "unit_cost": pa.array([Decimal("0.5"), None, None], dec),
    ...     "amount": pa.array([Decimal(100), Decimal(-10), Decimal(-20)], dec)}))
    >>> rows = invoice_facts(lines).order_by("category").to_pyarrow().to_pylist()
    >>> for r in rows:
    ...     print(r["category"], r["lines"], r["gross_amount"], r["leakage_amount"], r["cost"])
    goods 2 100.0000 10.0000 5.00000000
    returns 1 0.0000 20.0000 None
    """
    zero = ibis.literal(Decimal("0"), type="decimal(18,4)")
    t = lines
    amount = t.amount
    agg = t.group_by(list(FACT_KEYS)).aggregate(
        lines=t.count(),
        gross_amount=ibis.ifelse(amount > 0, amount, zero).sum(),
        leakage_amount=ibis.ifelse(amount < 0, -amount, zero).sum(),
        # as the P&L on the lines computes it: the product has 8 decimals on some backends
        cost=(t.quantity * t.unit_cost).cast(dt.Decimal(38, 8)).sum(),
    )
    schema = SCHEMAS[INVOICE_FACTS]
    return agg.select(*[agg[name].cast(dtype.copy(nullable=True)).name(name) for name, dtype in schema.items()])


def facts_select_sql(*, source: str, columns: Mapping[str, str]) -> str:
    """The facts of the lines of ``source`` (a ``FROM`` clause, ``WHERE`` included) in DuckDB SQL.

    ``columns`` gives the SQL of the line columns ``batch_id``, ``customer_id``, ``currency``,
    ``category``, ``quantity``, ``unit_cost`` and ``amount`` (``DECIMAL(18,4)``) over ``source``.
    Products of quantity and unit cost take the (slower) 38-digit path only where the 18-digit
    one would overflow.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE l AS SELECT 'A' AS c, CAST(-2 AS DECIMAL(18,4)) AS q, "
    ...                 "CAST(10 AS DECIMAL(18,4)) AS p")
    >>> cols = {"batch_id": "'b'", "customer_id": "c", "currency": "'GBP'",
    ...         "category": "'returns'", "quantity": "q", "unit_cost": "CAST(NULL AS DECIMAL(18,4))",
    ...         "amount": "CAST(q * p AS DECIMAL(18,4))"}
    >>> con.execute(facts_select_sql(source="l", columns=cols)).fetchall()
    [('b', 'A', 'GBP', 'returns', 1, Decimal('0.0000'), Decimal('20.0000'), None)]
    """
    c = dict(columns)
    small = f"abs({c['quantity']}) < 100000 AND abs({c['unit_cost']}) < 100000"
    cost = (
        f"CASE WHEN {small} THEN CAST({c['quantity']} * {c['unit_cost']} AS DECIMAL(38,8)) "
        f"ELSE CAST({c['quantity']} AS DECIMAL(38,4)) * {c['unit_cost']} END"
    )
    return f"""
SELECT batch_id, customer_id, currency, category, CAST(lines AS BIGINT) AS lines,
       CAST(gross_amount AS DECIMAL(38,4)) AS gross_amount, CAST(leakage_amount AS DECIMAL(38,4)) AS leakage_amount,
       CAST(cost AS DECIMAL(38,8)) AS cost
FROM (
  SELECT {c["batch_id"]} AS batch_id, {c["customer_id"]} AS customer_id, {c["currency"]} AS currency,
         {c["category"]} AS category,
         count(*) AS lines,
         sum(CASE WHEN {c["amount"]} > 0 THEN {c["amount"]} ELSE 0 END) AS gross_amount,
         sum(CASE WHEN {c["amount"]} < 0 THEN -{c["amount"]} ELSE 0 END) AS leakage_amount,
         sum({cost}) AS cost
  FROM {source}
  GROUP BY ALL
)"""


__all__ = ["FACT_KEYS", "facts_select_sql", "invoice_facts"]
