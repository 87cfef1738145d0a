"""What publishing the analytics store for readers costs (docs/adr/0003-analytics-store-access.md).

A DuckDB store with ``KAMPASS_BENCH_STORE_LINES`` invoice lines (default 5 million, generated in SQL with
the store's schema, not timed) is published as a read-only copy (``Snapshots.publish``); the baseline,
in the same run, is reading every line once (``SELECT`` of all columns' sums, as a full-table report would).
Each is the best of 3. Prints ``{"bench": "store", "lines", "store_mb", "publish_s", "full_scan_s", "ratio"}``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kampass.core.analytics.backends import AnalyticsStore, Snapshots  # noqa: E402
from kampass.core.analytics.schema import INVOICE_LINES  # noqa: E402

LINES = int(os.environ.get("KAMPASS_BENCH_STORE_LINES", "5000000"))


def best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="kampass-bench-store-"))
    try:
        path = home / "analytics.duckdb"
        store = AnalyticsStore(f"duckdb://{path}")
        store.ensure_tables()
        store.con.raw_sql(
            f"""
            INSERT INTO {INVOICE_LINES}
            SELECT 'b' || (i // 500000), i, 'INV' || (i // 4), TIMESTAMPTZ '2011-01-01' + to_seconds(i % 31536000),
                   'C' || (i % 4000), 'United Kingdom', 'S' || (i % 3000), 'item ' || (i % 3000), 'G' || (i % 50),
                   (i % 12) + 1, ((i % 997) / 100.0), ((i % 12) + 1) * ((i % 997) / 100.0), NULL, 'GBP',
                   CASE WHEN i % 50 = 0 THEN 'discount' ELSE 'goods' END
            FROM range({LINES}) t(i)
            """
        )
        store.con.raw_sql("CHECKPOINT")
        snapshots = Snapshots(path)
        publish_s = best_of(3, lambda: snapshots.publish(store))
        scan_s = best_of(
            3,
            lambda: store.con.raw_sql(
                f"SELECT sum(quantity), sum(amount), count(DISTINCT customer_id), max(description) FROM {INVOICE_LINES}"
            ).fetchall(),
        )
        size_mb = path.stat().st_size / 1e6
        store.close()
        print(json.dumps({
            "bench": "store", "lines": LINES, "store_mb": round(size_mb, 1), "publish_s": round(publish_s, 3),
            "full_scan_s": round(scan_s, 3), "ratio": round(publish_s / scan_s, 2),
        }))  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
