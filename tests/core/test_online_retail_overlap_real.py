"""The demo extract of UCI Online Retail, then the full file: the overlapping lines count once.

The expected totals are computed here in plain Python (``csv`` over both raw files): a line is
identified by invoice, stock code, quantity, price, date and customer; a key that occurs ``d`` times
in the extract and ``f`` times in the full file ends up ``max(d, f)`` times after skipping and ``f``
times after replacing.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.ingest import import_file

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
DEMO = ROOT / "src" / "kampass" / "demo" / "data" / "online_retail_demo.csv.gz"


def keys(path: Path) -> Counter[tuple[str, str, Decimal, str, Decimal, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh)
        return Counter(
            (
                r["InvoiceNo"].strip(),
                r["StockCode"].strip(),
                Decimal(r["Quantity"]),
                r["InvoiceDate"].strip(),
                Decimal(r["UnitPrice"]),
                r["CustomerID"].strip().removesuffix(".0"),
            )
            for r in rows
        )


@pytest.fixture(scope="module")
def counts() -> tuple[Counter, Counter]:
    if not DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DATA} is missing (CI=true: the real-data tests must run)")
        pytest.skip(f"{DATA} is missing")
    return keys(DEMO), keys(DATA)


def lines_in(store: AnalyticsStore, table: str = "invoice_lines") -> int:
    t = store.table(table)
    return int((t.count() if table == "invoice_lines" else t.lines.sum()).to_pyarrow().as_py())


@pytest.mark.parametrize("mode", ["skip", "replace"])
def test_full_file_after_the_demo_extract_counts_each_line_once(tmp_path, counts, mode):
    # given the demo's extract imported
    demo, full = counts
    store = AnalyticsStore(f"duckdb://{tmp_path / 'a.duckdb'}")
    try:
        first = import_file(store=store, path=DEMO, mapping="online-retail")
        assert first.lines == sum(demo.values())
        # when the full file follows
        result = import_file(store=store, path=DATA, mapping="online-retail", on_overlap=mode)
        # then
        overlap = sum(min(n, full[key]) for key, n in demo.items())
        assert overlap == sum(demo.values())  # the extract is a part of the full file
        assert (result.overlap.lines, result.overlap.of) == (overlap, sum(full.values()))
        assert [(e.batch_id, e.lines) for e in result.overlap.earlier] == [(first.batch_id, overlap)]
        if mode == "skip":
            expected = sum(max(demo[k], full[k]) for k in demo.keys() | full.keys())
            assert result.lines == sum(full.values()) - overlap
        else:
            expected = sum(full.values()) + sum(n for k, n in demo.items() if k not in full)
            assert result.overlap.replaced == sum(n for k, n in demo.items() if k in full)
        assert lines_in(store) == lines_in(store, "invoice_facts") == expected == 541_909
    finally:
        store.close()
