"""The database's statistics for its query planner: how many rows each table and index holds.

PostgreSQL keeps them itself (autovacuum analyses a table after enough changes). SQLite keeps none until
``ANALYZE`` runs; without them its planner guesses, and at the size of a large supplier it guesses wrong
where it matters most: a key account manager's pipeline column (the opportunities of a stage at the 40
accounts the manager sees) was read along the stage's index, 5,000 deals of which 2 were visible, instead
of along the accounts' index (7.6 ms against 1.2 ms per column, 100,000 opportunities).

:func:`refresh` analyses the database: once a day in the worker (:func:`daily_refresh`), and on SQLite
after kampass has written much at once (:func:`refresh_after_bulk_write`: the demo and its large data set, a
committed import), so the statistics follow the data as it grows. It reads at most
:data:`SQLITE_ANALYSIS_LIMIT` rows per index: 13 ms on the large data set.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connections

logger = logging.getLogger("kampass.planner_statistics")

#: rows SQLite reads per index to estimate it (``PRAGMA analysis_limit``): enough for the planner's choice,
#: and it keeps the analysis of a table with millions of rows to a fraction of a second
SQLITE_ANALYSIS_LIMIT = 2000


def refresh(using: str = "default") -> float:
    """Analyse the database ``using``: the planner's statistics of every table; the seconds it took."""
    started = time.perf_counter()
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    logger.info("Planner statistics of %s refreshed in %.2f s", using, seconds)
    return seconds


def refresh_after_bulk_write(using: str = "default") -> None:
    """After many rows were written at once: :func:`refresh` on SQLite (PostgreSQL's autovacuum analyses
    the tables that changed by itself)."""
    if connections[using].vendor == "sqlite":
        refresh(using)


def daily_refresh() -> Any:
    """The worker's daily job: enqueue :func:`refresh`."""
    from kampass.common.tasks import refresh_planner_statistics

    return refresh_planner_statistics.enqueue()
