"""Realistic wallet on the UCI Online Retail data: cross-fitted quantile model vs two naive quantiles.

Data: ``../shared/data/online-retail/online_retail_2010_2011.csv.gz``, read with DuckDB. Traps handled:
lines without CustomerID are dropped; only goods count (stock codes starting with a digit: postage,
carriage, fees, discounts, manual, samples, bad-debt adjustments, vouchers are not goods); cancellations
(C invoices) and other negative quantities of goods are netted into the spend of their period; a
customer's spend in a period below zero (returns only) counts as 0.

Customers in: every CustomerID with at least one goods purchase (positive quantity, no C invoice)
dated before the cut 2011-09-01 -- 3,000-odd customers. Their features come from their lines before
the cut only: country, tenure (days since the first purchase), recency (days since the last one),
invoices, months with purchases, distinct products, net goods spend (whole history and last 90 days),
mean invoice value, return share. Target: their net goods spend 2011-09-01 .. 2011-12-09 (0 when they
bought nothing after the cut).

The customers are split into 5 folds by customer (seeded); every customer's q-wallet comes from models
trained on the other four folds (:func:`kampass.core.screening.wallet.cross_fitted_wallets`, its default
model: quantile kNN). In the same run, with the same folds: the unconditional q quantile of the training
folds' spend, and the country-only q quantile (countries with fewer than 10 training customers get the
unconditional one), plus the quantile gradient-boosting model as the alternative the default was chosen
against. Prints one line ``{"bench": "wallet", "q", "customers", "method", "coverage", "pinball",
"pinball_unconditional", "pinball_country", "coverage_unconditional", "coverage_country", "coverage_gbm",
"pinball_gbm", "band_low_coverage", "band_high_coverage", "seconds"}`` (``seconds``: the default model);
the bar: ``coverage`` within q +- 0.03 and ``pinball`` below both naive ones. ``KAMPASS_BENCH_Q`` sets q.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402

from kampass.core.screening import wallet as w  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
CUT = dt.date(2011, 9, 1)
END = dt.date(2011, 12, 9)
FOLDS = 5
SEED = 14
MIN_COUNTRY = 10


@dataclass(frozen=True)
class Customers:
    """The benchmark's customers: ids, features (before the cut) and spend after the cut, in one order."""

    ids: list[int]
    rows: list[dict[str, float | str | None]]
    spend: list[float]


def load(source: Path = SOURCE, cut: dt.date = CUT, end: dt.date = END) -> Customers:
    """The customers, their features up to ``cut`` (exclusive) and their spend from ``cut`` to ``end`` (inclusive)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""
        CREATE TEMP TABLE goods AS
        SELECT CAST(CustomerID AS BIGINT) AS customer, Country AS country, InvoiceNo AS invoice,
               regexp_replace(upper(StockCode), '[A-Z]+$', '') AS product,
               CAST(InvoiceDate AS DATE) AS day, InvoiceDate AS ts, Quantity * UnitPrice AS amount,
               starts_with(InvoiceNo, 'C') OR Quantity < 0 AS is_return
        FROM read_csv('{source}', header = true, timestampformat = '%Y-%m-%d %H:%M:%S',
                      types = {{'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'Quantity': 'DECIMAL(18,4)',
                               'InvoiceDate': 'TIMESTAMP', 'UnitPrice': 'DECIMAL(18,4)',
                               'CustomerID': 'DOUBLE', 'Description': 'VARCHAR', 'Country': 'VARCHAR'}})
        WHERE CustomerID IS NOT NULL AND regexp_matches(StockCode, '^[0-9]')
    """)
    rows = con.execute(
        """
        WITH before AS (SELECT * FROM goods WHERE day < $cut),
        buyers AS (SELECT DISTINCT customer FROM before WHERE NOT is_return),
        feats AS (
            SELECT customer,
                   arg_max(country, ts) AS country,
                   date_diff('day', min(day) FILTER (WHERE NOT is_return), $cut) AS tenure_days,
                   date_diff('day', max(day) FILTER (WHERE NOT is_return), $cut) AS recency_days,
                   count(DISTINCT invoice) FILTER (WHERE NOT is_return) AS invoices,
                   count(DISTINCT date_trunc('month', day)) FILTER (WHERE NOT is_return) AS months_active,
                   count(DISTINCT product) FILTER (WHERE NOT is_return) AS products,
                   sum(amount) AS spend,
                   coalesce(sum(amount) FILTER (WHERE day >= $cut - INTERVAL 90 DAY), 0) AS spend_90,
                   -coalesce(sum(amount) FILTER (WHERE is_return), 0)
                       / nullif(sum(amount) FILTER (WHERE NOT is_return), 0) AS return_share
            FROM before WHERE customer IN (SELECT customer FROM buyers) GROUP BY customer
        ),
        target AS (
            SELECT customer, sum(amount) AS later FROM goods WHERE day >= $cut AND day <= $end GROUP BY customer
        )
        SELECT f.*, greatest(coalesce(t.later, 0), 0) AS later
        FROM feats f LEFT JOIN target t USING (customer) ORDER BY customer
        """,
        {"cut": cut, "end": end},
    ).fetchall()
    names = [d[0] for d in con.description]
    con.close()
    ids, feats, spend = [], [], []
    for row in rows:
        r = dict(zip(names, row, strict=True))
        ids.append(int(r.pop("customer")))
        spend.append(float(r.pop("later")))
        r["mean_invoice"] = float(r["spend"]) / r["invoices"] if r["invoices"] else None
        feats.append({k: (float(v) if v is not None and not isinstance(v, str) else v) for k, v in r.items()})
    return Customers(ids, feats, spend)


def naive_wallets(customers: Customers, q: float, *, folds: int = FOLDS, seed: int = SEED) -> tuple[list, list]:
    """The unconditional and the country-only q quantile of each customer, from the other folds (same folds)."""
    fold = w.fold_of(len(customers.ids), folds, seed)
    y = np.asarray(customers.spend)
    countries = [str(r["country"]) for r in customers.rows]
    uncond, country = [0.0] * len(y), [0.0] * len(y)
    for f in range(folds):
        train = np.flatnonzero(fold != f)
        base = w.unconditional_quantile(y[train].tolist(), q)
        by = w.group_quantiles([countries[i] for i in train], y[train].tolist(), q, min_size=MIN_COUNTRY)
        for i in np.flatnonzero(fold == f):
            uncond[i] = base
            country[i] = by.get(countries[i], base)
    return uncond, country


def run(q: float = w.DEFAULT_Q, customers: Customers | None = None, *, compare: bool = True) -> dict:
    """The benchmark's figures (one JSON object); ``compare=False`` leaves the alternative model out."""
    data = customers or load()
    start = time.perf_counter()
    fits = w.cross_fitted_wallets(data.rows, data.spend, q=q, folds=FOLDS, seed=SEED, method="knn")
    seconds = time.perf_counter() - start
    gbm = w.cross_fitted_wallets(data.rows, data.spend, q=q, folds=FOLDS, seed=SEED, method="gbm") if compare else []
    uncond, country = naive_wallets(data, q)
    y = data.spend
    wallets = [f.wallet for f in fits]
    return {
        "bench": "wallet",
        "q": q,
        "customers": len(y),
        "method": "knn",
        "coverage": round(w.coverage(y, wallets), 4),
        "pinball": round(w.pinball_loss(y, wallets, q), 2),
        "pinball_unconditional": round(w.pinball_loss(y, uncond, q), 2),
        "pinball_country": round(w.pinball_loss(y, country, q), 2),
        "coverage_unconditional": round(w.coverage(y, uncond), 4),
        "coverage_country": round(w.coverage(y, country), 4),
        "coverage_gbm": round(w.coverage(y, [f.wallet for f in gbm]), 4) if gbm else None,
        "pinball_gbm": round(w.pinball_loss(y, [f.wallet for f in gbm], q), 2) if gbm else None,
        "band_low_coverage": round(w.coverage(y, [f.low for f in fits]), 4),
        "band_high_coverage": round(w.coverage(y, [f.high for f in fits]), 4),
        "seconds": round(seconds, 2),
        "wallets": wallets if customers is not None else None,
    }


def main() -> None:
    result = run(float(os.environ.get("KAMPASS_BENCH_Q", w.DEFAULT_Q)))
    result.pop("wallets")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
