"""The query planner's statistics (:mod:`kampass.common.planner_statistics`): ``refresh`` analyses the
database; the worker does it daily; on SQLite a committed import does it, a dry run does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from kampass.common import planner_statistics
from kampass.common.imports.framework import ColumnMapping, run_import
from kampass.common.imports.registry import importer_for
from kampass.common.models import ImportRun
from kampass.common.schedule import DAILY_JOBS

pytestmark = pytest.mark.django_db

TABLE = ImportRun._meta.db_table


def _runs(n: int) -> None:
    for k in range(n):
        ImportRun.objects.create(kind="accounts", original_name=f"accounts-{k}.csv")


def _analysed_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchall():
                return set()  # never analysed
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        else:  # analysed: the row estimate is set (-1: never analysed), in the transaction that analysed it
            cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > 0")
        return {row[0] for row in cursor.fetchall()}


def test_refresh_analyses_the_tables_that_hold_rows():
    # given import runs, never analysed
    _runs(2)
    assert TABLE not in _analysed_tables()
    # when the statistics are refreshed
    seconds = planner_statistics.refresh()
    # then their table has its statistics, and the time it took is said
    assert TABLE in _analysed_tables()
    assert seconds >= 0


def test_the_statistics_count_the_rows():
    # given three import runs
    _runs(3)
    # when analysed
    planner_statistics.refresh()
    # then the planner's row estimate of their table is 3 (SQLite: per index; PostgreSQL: per table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL", [TABLE])
            counts = {int(stat.split()[0]) for (stat,) in cursor.fetchall()}
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [TABLE])
            counts = {int(n) for (n,) in cursor.fetchall()}
    assert counts == {3}


def test_the_worker_refreshes_them_once_a_day(settings):
    # the daily job is registered and enqueues the task (run at once here)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert "common.planner_statistics" in DAILY_JOBS
    _runs(1)
    DAILY_JOBS["common.planner_statistics"]()
    assert TABLE in _analysed_tables()


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_committed_import_refreshes_them_a_dry_run_does_not(tmp_path: Path, monkeypatch, admin_user, dry_run):
    # given an accounts file and a count of the refreshes
    calls: list[str] = []
    monkeypatch.setattr("kampass.common.imports.framework.refresh_after_bulk_write", lambda: calls.append("x"))
    path = tmp_path / "accounts.csv"
    path.write_text("Account Name;Country\nDelta AG;CH\n", encoding="utf-8")
    # when imported
    outcome = run_import(
        importer_for("accounts"), actor=admin_user, path=path, mapping=ColumnMapping(name="generic"), dry_run=dry_run
    )
    # then the statistics are refreshed after the real run only
    assert outcome.created == 1
    assert calls == ([] if dry_run else ["x"])
