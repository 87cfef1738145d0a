"""The analytics store as the application uses it (the URL comes from the settings).

Readers and writers are told apart (docs/adr/0003-analytics-store-access.md): on the embedded
DuckDB file, only writers open the file itself, one process at a time, and publish a read-only
copy when their work is committed; readers read the newest copy and never wait for a writer.
PostgreSQL and Spark handle concurrent access themselves: both kinds simply connect.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from kampass.core.analytics.backends import AnalyticsStore, Snapshots, duckdb_path, open_reader

_writers = threading.Lock()  # one writing unit per process (other processes: DuckDB's file lock)
# one reading unit per process at a time on the embedded store: DuckDB deadlocked when request threads
# scanned in-memory Arrow tables (the dimension tables) on one database at once (a thread holding the GIL
# waited for DuckDB's tasks while another's Arrow scan waited for the GIL); processes still read in parallel
_readers = threading.RLock()  # re-entrant: a reading unit may call a selector that reads too


def _open_writer(url: str, wait_seconds: float) -> AnalyticsStore:
    """Open the store for writing; on the DuckDB file, wait up to ``wait_seconds`` for another writer."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return AnalyticsStore(url)
        except Exception as exc:  # duckdb.IOException: could not set lock on file
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextmanager
def analytics_store(*, write: bool = False, wait_seconds: float = 300.0) -> Iterator[AnalyticsStore]:
    """Open the analytics store for one unit of work and close it afterwards.

    ``write=False`` (reading): on the DuckDB file, the newest published copy, at once, whatever a
    writer is doing. ``write=True``: the store itself; another writer is waited for up to
    ``wait_seconds``; when the unit of work ends without an error, its result is published for the
    readers (a failed unit publishes nothing, so readers keep seeing the last complete state).
    """
    url = settings.KAMPASS_ANALYTICS_URL
    path = duckdb_path(url)
    if path is not None and not write:
        snapshots = Snapshots(path)
        current = snapshots.current()
        if current is None:  # the first read of a new (or pre-snapshot) store publishes it once
            with _writers:
                writer = _open_writer(url, wait_seconds)
                try:
                    writer.ensure_tables()
                    current = snapshots.current() or snapshots.publish(writer)
                finally:
                    writer.close()
        with _readers:
            store = open_reader(current)
            try:
                yield store
            finally:
                store.close()
        return
    with _writers:
        store = _open_writer(url, wait_seconds)
        try:
            store.ensure_tables()
            yield store
            if path is not None:
                Snapshots(path).publish(store)
        finally:
            store.close()


def published_snapshot() -> str | None:
    """The name of the analytics store's current published copy (it changes with every committed write)
    on the embedded DuckDB file; ``None`` on other backends (PostgreSQL, Spark: no published copies) and
    before the first publication."""
    path = duckdb_path(settings.KAMPASS_ANALYTICS_URL)
    if path is None:
        return None
    current = Snapshots(path).current()
    return current.name if current is not None else None


def published_copy_read(store: AnalyticsStore) -> str | None:
    """The published copy ``store`` reads (its path), or ``None`` for the store itself (a writer, or a
    backend without published copies). A copy is never written after it is published: what is read from
    it may be kept under its path."""
    path = duckdb_path(store.url)
    if path is None or not path.parent.name.endswith(".snapshots"):
        return None
    return str(path)
