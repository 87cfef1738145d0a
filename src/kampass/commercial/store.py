"""The analytics store as the application uses it (the URL comes from the settings)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from kampass.core.analytics.backends import AnalyticsStore


@contextmanager
def analytics_store(*, wait_seconds: float = 30.0) -> Iterator[AnalyticsStore]:
    """Open the analytics store for one unit of work and close it afterwards.

    The embedded DuckDB file admits one process at a time, so connections are short-lived;
    when another process (e.g. a running import) holds the file, retry for ``wait_seconds``.
    """
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            store = AnalyticsStore(settings.KAMPASS_ANALYTICS_URL)
            break
        except Exception as exc:  # duckdb.IOException: could not set lock on file
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        store.ensure_tables()
        yield store
    finally:
        store.close()
