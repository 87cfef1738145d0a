"""The analytics store under concurrent use: readers never wait for a writer, never see a half write."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from contextlib import contextmanager
from decimal import Decimal

import pyarrow as pa
import pytest
from django.conf import settings

from kampass.commercial import selectors
from kampass.commercial.tests.factories import insert_lines, line
from kampass.common.analytics import analytics_store
from kampass.core.analytics.backends import Snapshots, duckdb_path
from kampass.core.analytics.schema import CUSTOMER_LINKS, INVOICE_LINES

pytestmark = pytest.mark.django_db


def _line(customer: str, amount: str) -> dict:
    return line(f"I-{customer}-{amount}", customer, "1", amount)


def _snapshots() -> Snapshots:
    path = duckdb_path(settings.KAMPASS_ANALYTICS_URL)
    assert path is not None
    return Snapshots(path)


def _count() -> int:
    with analytics_store() as store:
        return int(store.table(INVOICE_LINES).count().to_pyarrow().as_py())


@contextmanager
def another_writer():
    """Another process that holds the store file for writing (as a long import does) until left."""
    with analytics_store(write=True):
        pass  # the tables exist
    path = duckdb_path(settings.KAMPASS_ANALYTICS_URL)
    code = textwrap.dedent(
        f"""
        import sys, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM {INVOICE_LINES}")  # uncommitted: nobody may ever see this
        print("locked", flush=True)
        sys.stdin.readline()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    try:
        yield proc
    finally:
        proc.communicate("\n", timeout=30)


def test_readers_go_on_while_another_process_writes():
    # given two committed lines, and another process holding the store file in a write transaction
    insert_lines([_line("C1", "10.00"), _line("C2", "5.00")])
    with another_writer():
        # when pages read figures meanwhile
        total = selectors.portfolio_totals()
        count = _count()
    # then they get the last committed state at once, not a lock error and not the uncommitted delete
    assert count == 2
    assert total.gross_revenue == Decimal("15.00")


def test_a_second_writer_waits_for_the_first():
    # given another process holding the file for writing; when a writer may wait only briefly
    # then it gives up with the lock message (an import waits longer: see analytics_store's default)
    with another_writer(), pytest.raises(Exception, match=r"(?i)lock"), analytics_store(write=True, wait_seconds=0.3):
        pass


def test_readers_see_a_write_once_it_is_committed():
    # given a reader that has already opened the current copy
    insert_lines([_line("C1", "10.00")])
    assert _count() == 1
    # when a writer commits more lines
    insert_lines([_line("C2", "5.00")], batch_id="second")
    # then the next read sees them
    assert _count() == 2


def test_a_failed_write_publishes_nothing():
    # given one committed line
    insert_lines([_line("C1", "10.00")])
    before = _snapshots().current()

    # when a unit of work writes and then fails
    def failing_import() -> None:
        with analytics_store(write=True) as store:
            store.con.raw_sql(f"DELETE FROM {INVOICE_LINES}")
            raise RuntimeError("import failed")

    with pytest.raises(RuntimeError):
        failing_import()
    # then readers keep the last published state
    assert _snapshots().current() == before
    assert _count() == 1


def test_old_copies_are_removed():
    # when many writes are published
    for n in range(5):
        insert_lines([_line(f"C{n}", "1.00")], batch_id=f"b{n}")
    # then only the current copy and the one before it stay on disk
    snapshots = _snapshots()
    assert len(list(snapshots.dir.glob("*.duckdb"))) == Snapshots.KEEP
    assert _count() == 5


def test_many_threads_read_at_once():
    # given committed lines
    insert_lines([_line("C1", "10.00"), _line("C2", "5.00")])
    results: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(5):
                results.append(_count())
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    # when 8 threads of one process read at the same time
    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # then none fails and all see the same figures
    assert errors == []
    assert results == [2] * 40


def test_many_threads_join_the_dimension_tables_at_once():
    # given committed lines and the customer links as an in-memory dimension table (as every figures page has)
    insert_lines([_line("C1", "10.00"), _line("C2", "5.00"), _line("C3", "1.00")])
    links = pa.table({"customer_id": ["C1", "C2"], "account_id": pa.array([1, 2], pa.int64())})
    results: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(25):
                with analytics_store() as store:
                    store.use_dims({CUSTOMER_LINKS: links})
                    lines, mine = store.table(INVOICE_LINES), store.table(CUSTOMER_LINKS)
                    joined = lines.semi_join(mine, lines.customer_id == mine.customer_id)
                    results.append(int(joined.count().to_pyarrow().as_py()))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    # when 8 threads of one process read with in-memory tables at the same time
    threads = [threading.Thread(target=read, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # then none hangs (DuckDB deadlocked on concurrent scans of in-memory Arrow tables) or fails
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert results == [2] * 200
