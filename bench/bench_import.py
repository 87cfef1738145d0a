"""Importing 10.8 million invoice lines from CSV: kampass's import vs DuckDB's bare CSV reader.

Data: the UCI Online Retail file replicated 20 times with shifted customer ids and invoice numbers
(about 10.8 million lines), written once as a plain uncompressed CSV in a temporary directory with
the original header and value formats (not timed). Then, in the same run:

* ``kampass``: ``import_file(path=csv, mapping=load_mapping("online-retail"), reader=..., writer=...)``
  on a fresh store file ``AnalyticsStore("duckdb:///<fresh file>")``, the reader and writer opening
  it as the worker's do (one unit of work each) -- dialect detection, fingerprint, typed parse,
  validation, classification, the invoice facts (sums per customer and category) in the import's
  staging database, then under the writer the INSERTs into ``invoice_lines`` and ``invoice_facts``
  in one transaction; ``writer_held_s`` is how long the writer was held (of the same best run);
* ``duckdb_read_csv``: ``CREATE TABLE t AS SELECT * FROM read_csv('<csv>')`` into a fresh DuckDB file.

Each is timed as the best of 3 runs, taken in turns (1 run each when kampass takes over 60 s), every
run into a new file.
Prints one line ``{"bench": "import", "lines", "kampass_s", "writer_held_s", "duckdb_read_csv_s", "ratio"}``
with ``ratio = kampass_s / duckdb_read_csv_s``. A second line measures the mapping step's preview of an upload
(:func:`preview_file`: the first ten lines as stored, the whole file read and checked) against the baseline of
a dry run of the import on the same file (``import_file(..., dry_run=True)``, which reads and checks the same):
``{"bench": "import_preview", "lines", "preview_s", "dry_run_s", "ratio"}``, ``ratio = preview_s / dry_run_s``.
``KAMPASS_BENCH_REPLICAS`` changes the replication (default 20).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import duckdb  # noqa: E402

from kampass.core.analytics.backends import AnalyticsStore  # noqa: E402
from kampass.core.analytics.ingest import import_file, load_mapping, preview_file  # noqa: E402
from kampass.core.analytics.ingest.limits import ImportLimits  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
REPLICAS = int(os.environ.get("KAMPASS_BENCH_REPLICAS", "20"))
CUSTOMER_SHIFT = 100_000  # Online Retail customer ids are 12346..18287
INVOICE_SHIFT = 1_000_000  # invoice numbers are 536365..581587
RUNS = 3
#: the file (about 1 GB, 10.8 million lines) is over the default limits of an upload (200 MB, 10 million rows):
#: the bench measures the reading, not the refusal
UNLIMITED = ImportLimits(max_file_bytes=None, max_rows=None, seconds=None)
SLOW_S = 60.0


def write_csv(path: Path) -> int:
    """The replicated file: values as written in the original, only ids and invoice numbers shifted."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
        CREATE TEMP TABLE raw AS
        SELECT row_number() OVER () AS n, * FROM read_csv('{SOURCE}', header = true, all_varchar = true)
    """)
    con.execute(f"""
        COPY (
            SELECT
                regexp_extract(InvoiceNo, '^[A-Za-z]*')
                    || (CAST(regexp_extract(InvoiceNo, '[0-9]+$') AS BIGINT) + r * {INVOICE_SHIFT}) AS InvoiceNo,
                StockCode, Description, Quantity, InvoiceDate, UnitPrice,
                CAST(CAST(CustomerID AS DOUBLE) + r * {CUSTOMER_SHIFT} AS VARCHAR) AS CustomerID,
                Country
            FROM raw CROSS JOIN range({REPLICAS}) AS replica(r)
            ORDER BY r, n
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)
    (lines,) = con.execute(f"SELECT count(*) * {REPLICAS} FROM raw").fetchone()
    con.close()
    return int(lines)


def alternately(a: Callable[[int], float], b: Callable[[int], float], runs: int) -> tuple[float, float]:
    """Best times of ``a(run)`` and ``b(run)`` (each returns the seconds of its timed part), run in turns
    so that a drifting load on a shared machine hits both alike; stop after one turn when ``a`` is slow."""
    best_a = best_b = float("inf")
    for i in range(runs):
        best_a, best_b = min(best_a, a(i)), min(best_b, b(i))
        if best_a > SLOW_S:
            break
    return best_a, best_b


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kampass-bench-import-"))
    try:
        csv = tmp / "online_retail_x20.csv"
        lines = write_csv(csv)
        mapping = load_mapping("online-retail")

        held: dict[int, float] = {}

        def kampass(i: int) -> float:
            db = tmp / f"kampass-{i}.duckdb"
            store = AnalyticsStore(f"duckdb://{db}")
            store.con.con.execute("SET enable_progress_bar = false")  # keep stdout to the JSON line
            store.ensure_tables()

            @contextmanager
            def reader() -> Iterator[AnalyticsStore]:
                yield store

            @contextmanager
            def writer() -> Iterator[AnalyticsStore]:
                taken = time.perf_counter()
                try:
                    yield store
                finally:
                    held[i] = held.get(i, 0.0) + time.perf_counter() - taken

            t0 = time.perf_counter()
            try:
                result = import_file(
                    path=csv,
                    mapping=mapping,
                    reader=reader,
                    writer=writer,
                    staging_dir=tmp / "staging",
                    limits=UNLIMITED,
                )
                seconds = time.perf_counter() - t0
                (stored,) = store.con.raw_sql("SELECT count(*) FROM invoice_lines").fetchone()
            finally:
                store.close()
            assert result.committed, (result.already_imported, result.rejected)
            assert result.lines + result.rejected == lines, (result.lines, result.rejected, lines)
            assert stored == result.lines, (stored, result.lines)
            db.unlink()
            return seconds

        def read_csv(i: int) -> float:
            db = tmp / f"duckdb-{i}.duckdb"
            t0 = time.perf_counter()
            con = duckdb.connect(str(db))
            con.execute("SET enable_progress_bar = false")
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')")
            seconds = time.perf_counter() - t0
            (stored,) = con.execute("SELECT count(*) FROM t").fetchone()
            con.close()
            assert stored == lines, (stored, lines)
            db.unlink()
            return seconds

        times: dict[int, float] = {}

        def kampass_run(i: int) -> float:
            times[i] = kampass(i)
            return times[i]

        kampass_s, duckdb_s = alternately(kampass_run, read_csv, RUNS)
        best = min(times, key=lambda i: times[i])
        print(
            json.dumps(
                {
                    "bench": "import",
                    "lines": lines,
                    "kampass_s": round(kampass_s, 3),
                    "writer_held_s": round(held[best], 3),
                    "duckdb_read_csv_s": round(duckdb_s, 3),
                    "ratio": round(kampass_s / duckdb_s, 2),
                }
            )
        )

        def preview(_i: int) -> float:
            t0 = time.perf_counter()
            found = preview_file(path=csv, mapping=mapping, staging_dir=tmp / "staging", limits=UNLIMITED)
            seconds = time.perf_counter() - t0
            assert found.rows == lines, (found.rows, lines)
            assert len(found.lines) == 10, found.lines
            return seconds

        def dry_run(_i: int) -> float:
            store = AnalyticsStore("duckdb://")
            t0 = time.perf_counter()
            result = import_file(
                store=store, path=csv, mapping=mapping, dry_run=True, staging_dir=tmp / "staging", limits=UNLIMITED
            )
            seconds = time.perf_counter() - t0
            store.close()
            assert result.lines + result.rejected == lines, (result.lines, result.rejected, lines)
            return seconds

        preview_s, dry_run_s = alternately(preview, dry_run, RUNS)
        print(
            json.dumps(
                {
                    "bench": "import_preview",
                    "lines": lines,
                    "preview_s": round(preview_s, 3),
                    "dry_run_s": round(dry_run_s, 3),
                    "ratio": round(preview_s / dry_run_s, 2),
                }
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
