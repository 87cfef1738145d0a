"""One import's long run never holds up another (issue 11): the file is read, staged and validated
without the store's writer; the writer is held only for the short final write."""

from __future__ import annotations

import os
import threading
import time

from kampass.commercial.services import import_job_create, import_job_run, staging_dir, uploads_clean
from kampass.commercial.tests.conftest import ONLINE_RETAIL_GOOD, ONLINE_RETAIL_HEADER, online_retail_sample
from kampass.common.analytics import analytics_store
from kampass.common.models import JobStatus
from kampass.core.analytics.ingest import load_mapping, pipeline
from kampass.core.analytics.ingest.pipeline import ImportResult, import_file


def _count() -> int:
    with analytics_store() as store:
        return int(store.table("invoice_lines").count().to_pyarrow().as_py())


def test_a_small_import_completes_while_a_long_one_is_still_staging(
    transactional_db, admin_user, tmp_path, monkeypatch
):
    # given: a long import, held in its staging phase until the small import has finished (at most 60 s)
    stage = pipeline._Job._stage
    staging, small_done = threading.Event(), threading.Event()
    released_by_the_small_import: list[bool] = []

    def slow_stage(self, con, names, plan):
        if self.path.name == "long.csv":
            staging.set()
            released_by_the_small_import.append(small_done.wait(60))
        return stage(self, con, names, plan)

    monkeypatch.setattr(pipeline._Job, "_stage", slow_stage)
    long_file = tmp_path / "long.csv"
    long_file.write_text(ONLINE_RETAIL_HEADER + "\n" + ONLINE_RETAIL_GOOD[0].replace("536365", "999001") + "\n")
    results: list[ImportResult | BaseException] = []

    def long_import() -> None:  # as the worker runs it: reader and writer opened only when needed
        try:
            result = import_file(
                path=long_file, mapping=load_mapping("online-retail"), reader=analytics_store,
                writer=lambda: analytics_store(write=True), staging_dir=staging_dir(),
            )  # fmt: skip
            results.append(result)
        except BaseException as exc:
            results.append(exc)

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert staging.wait(60)
        # when a small import runs meanwhile
        small = import_job_create(
            actor=admin_user, source=online_retail_sample(tmp_path / "small.csv"), original_name="small.csv",
            enqueue=False, link_mode="none",
        )  # fmt: skip
        done = import_job_run(str(small.pk))
        small_done.set()
        # then it completed (it did not wait for the long one) and readers see its lines at once
        assert (done.status, done.lines) == (JobStatus.DONE, 6)
        assert _count() == 6
    finally:
        small_done.set()
        thread.join(120)
    # and the long import went on once it was let go, and wrote after the small one
    assert released_by_the_small_import == [True]
    assert len(results) == 1
    assert isinstance(results[0], ImportResult), results
    assert results[0].lines == 1
    assert _count() == 7
    # nothing of the staging is left behind
    assert list(staging_dir().iterdir()) == []


def test_an_import_written_meanwhile_is_taken_into_account(tmp_path):
    # given: a file that overlaps another file, and that other file imported while the first one is
    # between its comparison with the store (nothing there yet) and its write
    from kampass.core.analytics.backends import AnalyticsStore

    store = AnalyticsStore("duckdb://")
    lines = [ONLINE_RETAIL_GOOD[0], ONLINE_RETAIL_GOOD[2]]
    extract = tmp_path / "extract.csv"
    extract.write_text("\n".join([ONLINE_RETAIL_HEADER, *lines]) + "\n")
    full = tmp_path / "full.csv"
    full.write_text("\n".join([ONLINE_RETAIL_HEADER, *lines, ONLINE_RETAIL_GOOD[5]]) + "\n")
    meanwhile: list[ImportResult] = []

    def progress(done: float, phase: str) -> None:
        if phase == "writing" and not meanwhile:
            meanwhile.append(import_file(store=store, path=extract, mapping="online-retail"))

    # when
    result = import_file(store=store, path=full, mapping="online-retail", progress=progress)
    # then the lines the other import wrote are skipped, not counted twice
    assert meanwhile[0].lines == 2
    assert result.overlap is not None
    assert (result.overlap.lines, result.lines) == (2, 1)
    assert int(store.table("invoice_lines").count().to_pyarrow().as_py()) == 3
    store.close()


def test_staging_left_by_a_killed_import_is_cleaned_up(db, settings):
    # given the staging directories of a killed import (untouched for longer than an import may run) and
    # of a running one
    settings.KAMPASS_IMPORT_TIME_LIMIT_SECONDS = 600
    stale, running = staging_dir() / "kampass-import-stale", staging_dir() / "kampass-import-running"
    for work in (stale, running):
        work.mkdir()
        (work / "staging.duckdb").write_bytes(b"x")
    old = time.time() - 600 - 3600 - 60
    for path in (stale / "staging.duckdb", stale):
        os.utime(path, (old, old))
    # when
    uploads_clean()
    # then
    assert not stale.exists()
    assert running.exists()


def test_the_writer_is_held_only_to_copy_the_prepared_lines(tmp_path, monkeypatch):
    # given: a DuckDB store file opened by a reader and a writer that record when the writer is held, and
    # the staging steps and the Arrow reads of the staging database recorded with the writer's state then
    from contextlib import contextmanager

    import duckdb

    from kampass.core.analytics.backends import AnalyticsStore

    store = AnalyticsStore(f"duckdb://{tmp_path / 'analytics.duckdb'}")
    store.ensure_tables()
    held: list[bool] = [False]
    events: list[tuple[str, bool]] = []

    @contextmanager
    def reader():
        yield store

    @contextmanager
    def writer():
        events.append(("writer", held[0]))
        held[0] = True
        try:
            yield store
        finally:
            held[0] = False

    for step in ("_stage", "_prepare"):
        original = getattr(pipeline._Job, step)

        def recorded(self, *args, _original=original, _step=step):
            events.append((_step, held[0]))
            return _original(self, *args)

        monkeypatch.setattr(pipeline._Job, step, recorded)
    arrow_reader = pipeline._arrow_reader

    def recorded_reads(con, sql, rows):
        events.append((f"arrow: {sql}", held[0]))
        return arrow_reader(con, sql, rows)

    monkeypatch.setattr(pipeline, "_arrow_reader", recorded_reads)
    path = online_retail_sample(tmp_path / "small.csv")
    # when
    result = import_file(path=path, mapping="online-retail", reader=reader, writer=writer, staging_dir=tmp_path)
    # then: staged and prepared before the writer was asked for, once; nothing of the staging database
    # travelled as Arrow while the writer was held (the store copied from the attached ready database)
    steps = [name for name, _ in events if not name.startswith("arrow")]
    assert steps == ["_stage", "_prepare", "writer"]
    assert [name for name, was_held in events if was_held] == []
    assert all(not was_held for name, was_held in events if name.startswith("arrow"))
    assert result.lines == 6
    assert int(store.table("invoice_lines").count().to_pyarrow().as_py()) == 6
    # and the store no longer has the ready database attached
    raw = store.con.con
    assert isinstance(raw, duckdb.DuckDBPyConnection)
    attached = [row[0] for row in raw.execute("SELECT database_name FROM duckdb_databases()").fetchall()]
    assert not [name for name in attached if name.startswith("kampass_ready")]
    store.close()
