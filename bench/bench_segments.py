"""Segments of key accounts on real data: the Online Retail customers with the most revenue.

Prints ``{"bench": "segments", "customers", "k", "silhouette", "silhouette_raw_kmeans", "silhouette_random",
"seconds"}``. The customers are the ``TOP`` with the most goods revenue in 2011-01-01 .. 2011-12-09 (a
key-account-like selection); their features are those kampass uses (product-group mix by the first three
digits of the stock code, revenue, growth against 2010-12, country). ``silhouette`` is the mean silhouette of
:func:`kampass.core.screening.segments.segment_accounts`; the baselines in the same run, measured in the same
(standardised, weighted) feature space: k-means with the same k on the raw, unstandardised features, and
random labels with the same segment sizes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sklearn.cluster import KMeans  # type: ignore[import-untyped]  # noqa: E402
from sklearn.metrics import silhouette_score  # type: ignore[import-untyped]  # noqa: E402

from kampass.core.screening import segments as core  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
TOP = 300
SPLIT = dt.date(2011, 1, 1)


def facts() -> list[core.AccountFacts]:
    mix: dict[str, dict[str, float]] = {}
    before: dict[str, float] = {}
    country: dict[str, str] = {}
    goods = re.compile(r"^([0-9]{3})")
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            customer = r["CustomerID"].removesuffix(".0")
            m = goods.match(r["StockCode"])
            if not customer or r["InvoiceNo"].startswith("C") or m is None:
                continue
            amount = float(r["Quantity"]) * float(r["UnitPrice"])
            if amount <= 0:
                continue
            day = dt.datetime.strptime(r["InvoiceDate"].split(" ")[0], "%Y-%m-%d").date()
            country[customer] = r["Country"]
            if day < SPLIT:
                before[customer] = before.get(customer, 0.0) + amount
            else:
                into = mix.setdefault(customer, {})
                into[m.group(1)] = into.get(m.group(1), 0.0) + amount
    top = sorted(mix, key=lambda c: -sum(mix[c].values()))[:TOP]
    out = []
    for c in top:
        revenue = sum(mix[c].values())
        prior = before.get(c, 0.0)
        growth = (revenue / 11.3 - prior) / prior if prior > 0 else None  # per month: Jan..9 Dec vs Dec
        out.append(core.AccountFacts(int(c), mix[c], {"revenue": revenue, "growth": growth}, {"country": country[c]}))
    return out


def main() -> None:
    accounts = facts()
    started = time.perf_counter()
    result = core.segment_accounts(accounts)
    seconds = time.perf_counter() - started
    ordered = sorted(accounts, key=lambda f: f.account_id)
    names, raw = core.feature_matrix(ordered)
    space = core.standardise(raw) * core.feature_weights(names)
    labels = [result.segment_of()[f.account_id] for f in ordered]
    naive = KMeans(n_clusters=result.k, n_init=10, random_state=0).fit_predict(raw)
    shuffled = labels[:]
    random.Random(0).shuffle(shuffled)
    print(
        json.dumps(
            {
                "bench": "segments",
                "customers": len(accounts),
                "k": result.k,
                "silhouette": round(float(silhouette_score(space, labels)), 4),
                "silhouette_raw_kmeans": round(float(silhouette_score(space, naive)), 4),
                "silhouette_random": round(float(silhouette_score(space, shuffled)), 4),
                "seconds": round(seconds, 2),
                "sizes": [len(s.members) for s in result.segments],
                "profiles": [core.describe(s, "en") for s in result.segments],
            }
        )
    )


if __name__ == "__main__":
    main()
