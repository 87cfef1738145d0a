"""Whitespace recommendations on UCI Online Retail: EASE and item kNN against popularity, in the same run.

Data: ``../shared/data/online-retail`` (all invoice lines 2010-12-01 .. 2011-12-09). Goods lines only:
a CustomerID is present, the invoice is no cancellation (``C...``), quantity and price are positive and the
stock code starts with a digit; the product group is the stock code without its letter suffix
(:func:`kampass.core.screening.whitespace.normalise_stock_code`).

Split: train on lines before 2011-09-01, test on lines from then on. Evaluated customers: active in both
periods with at least one product group in the test period that they did not buy in training ("products new
to the customer only"); the relevant set of a customer is exactly those new groups, and recommendations never
include a group the customer bought in training. Precision@10 and recall@10 are averaged over those customers.

In the same run: EASE (the kampass default, ``l2`` below), plain item kNN (cosine, 100 neighbours) and
popularity (the most-bought groups the customer lacks). ``seconds`` is the time to fit EASE on the whole
year's purchase matrix (every customer, 4,3xx) and compute the top 10 for every customer with their reasons
(the 20 most similar customers), of which ``fit_seconds`` the fit (Gram matrix and its Cholesky inverse) and
``recommend_seconds`` the scores, top 10 and reasons of all customers; neither includes reading the CSV
(``load_s``) or building the purchase matrix; ``popularity_seconds`` the same for the popularity baseline,
in the same run.
``cpu_seconds`` is the CPU time of that step (all threads) and ``load_average_1min`` the machine's load when
the run ended: on a shared machine the wall time says as much about the others as about this code.
``l2`` is fixed a priori (not tuned on the test period).

Prints one JSON line ``{"bench": "whitespace", "customers", "precision_at_10", "recall_at_10",
"popularity_precision_at_10", "seconds", ...}``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

from kampass.core.screening.whitespace import (  # noqa: E402
    DEFAULT_L2,
    evaluate_temporal,
    fit_ease,
    normalise_stock_code,
    popularity_scores,
    purchase_matrix,
    recommend,
    top_k,
)

SOURCE = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
CUTOFF = datetime(2011, 9, 1)
K = 10


def goods_pairs(path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]], int]:
    """(customer, product group) pairs before and from the cut-off, and the number of goods lines read."""
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={"InvoiceNo": "string", "StockCode": "string", "CustomerID": "string"},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )
    cols = {
        name: table.column(name).to_pylist()
        for name in ("InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID")
    }
    train: set[tuple[str, str]] = set()
    test: set[tuple[str, str]] = set()
    lines = 0
    for invoice, code, qty, when, price, customer in zip(*cols.values(), strict=True):
        if customer is None or invoice.startswith("C") or qty <= 0 or price <= 0:
            continue
        group = normalise_stock_code(code)
        if group is None:
            continue
        lines += 1
        day = when if isinstance(when, datetime) else datetime.strptime(when, "%Y-%m-%d %H:%M:%S")
        key = (customer.removesuffix(".0"), group)
        (train if day < CUTOFF else test).add(key)
    return train, test, lines


def main() -> None:
    t_load = time.perf_counter()
    train, test, lines = goods_pairs(SOURCE)
    load_s = time.perf_counter() - t_load

    ease = evaluate_temporal(train, test, k=K, l2=DEFAULT_L2)
    knn = evaluate_temporal(train, test, k=K, model="item_knn")
    active_both = len({c for c, _ in train} & {c for c, _ in test})

    # the time for everybody: fit on the whole year and recommend (with reasons) to every customer
    whole = purchase_matrix(train | test)
    t0, c0 = time.perf_counter(), time.process_time()
    model = fit_ease(whole, l2=DEFAULT_L2)
    fit_seconds = time.perf_counter() - t0
    everybody = recommend(whole, model, k=K)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    reasons = [r.similar_buyers / r.similar_accounts for recs in everybody.values() for r in recs if r.similar_accounts]
    t0 = time.perf_counter()
    top_k(popularity_scores(whole), whole.matrix, K)
    popularity_seconds = time.perf_counter() - t0

    precision, pop_precision = ease.precision, ease.popularity_precision
    print(
        json.dumps(
            {
                "bench": "whitespace",
                "customers": len(ease.customers),
                "precision_at_10": round(precision, 4),
                "recall_at_10": round(ease.recall, 4),
                "popularity_precision_at_10": round(pop_precision, 4),
                "seconds": round(seconds, 3),
                "model": "ease",
                "l2": DEFAULT_L2,
                "ratio_to_popularity": round(precision / pop_precision, 2) if pop_precision else None,
                "item_knn_precision_at_10": round(knn.precision, 4),
                "item_knn_recall_at_10": round(knn.recall, 4),
                "popularity_recall_at_10": round(ease.popularity_recall, 4),
                "customers_timed": len(everybody),
                "cpu_seconds": round(cpu_seconds, 3),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "popularity_seconds": round(popularity_seconds, 3),
                "fit_seconds": round(fit_seconds, 3),
                "recommend_seconds": round(seconds - fit_seconds, 3),
                "customers_active_in_both": active_both,
                "product_groups": len(ease.items),
                "goods_lines": lines,
                "mean_similar_buyer_share": round(float(np.mean(reasons)), 3) if reasons else None,
                "load_s": round(load_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
