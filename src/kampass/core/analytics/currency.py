"""Invoice lines in one currency: each line converted at the exchange rate of its invoice day.

Every amount keeps its own currency in the store; a report over lines in several currencies converts
them on the way, joining a small rates table on (day, currency). The rates table is supplied by the
caller (kampass builds it from the ECB reference rates and the rates an administrator loaded) and holds
``day`` (date), ``currency`` (string) and ``rate`` (decimal: one unit of ``currency`` in the target
currency) for every (invoice day, currency) pair of the lines not in the target currency; lines without
an invoice date use the rate of ``undated_day``.

Examples
--------
>>> import datetime as dt, ibis, pyarrow as pa
>>> from decimal import Decimal
>>> lines = ibis.memtable(pa.table({
...     "invoice_date": pa.array([dt.datetime(2024, 3, 15, 10)] * 2, pa.timestamp("us", "UTC")),
...     "currency": ["USD", "EUR"], "quantity": [Decimal("2")] * 2, "unit_price": [Decimal("10")] * 2,
...     "amount": [Decimal("20"), Decimal("20")], "unit_cost": [Decimal("5")] * 2}))
>>> rates = ibis.memtable(pa.table({"day": [dt.date(2024, 3, 15)], "currency": ["USD"], "rate": [Decimal("0.8")]}))
>>> out = lines_in_currency(lines, rates, "EUR", undated_day=dt.date(2024, 3, 15)).to_pyarrow().to_pylist()
>>> sorted((r["currency"], str(r["amount"]), str(r["unit_cost"])) for r in out)
[('EUR', '16.0000', '4.0000'), ('EUR', '20.0000', '5.0000')]
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dtypes

MONEY = dtypes.Decimal(18, 4)
RATE = dtypes.Decimal(38, 12)


def lines_in_currency(lines: ibis.Table, rates: ibis.Table, currency: str, *, undated_day: dt.date) -> ibis.Table:
    """``lines`` with ``unit_price``, ``amount`` and ``unit_cost`` in ``currency`` (see the module)."""
    day = lines.invoice_date.date().fill_null(ibis.literal(undated_day))
    keyed = lines.mutate(_fx_day=day)
    r = rates.select(_fx_rate_day=rates.day.cast("date"), _fx_currency=rates.currency, _fx_rate=rates.rate.cast(RATE))
    joined = keyed.left_join(r, [keyed._fx_day == r._fx_rate_day, keyed.currency == r._fx_currency])
    same = joined.currency == currency
    factor = ibis.ifelse(same, ibis.literal(1, type=RATE), joined._fx_rate)

    def convert(column: str) -> ibis.Value:
        value = joined[column]
        return ibis.ifelse(same, value, (value * factor).round(4).cast(MONEY)).name(column)

    converted = {c: convert(c) for c in ("unit_price", "amount", "unit_cost") if c in lines.columns}
    return joined.select(
        *[
            converted[c] if c in converted else (ibis.literal(currency).name(c) if c == "currency" else joined[c])
            for c in lines.columns
        ]
    )
