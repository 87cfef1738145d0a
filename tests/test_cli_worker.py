"""``kampass worker`` as a separate process on a real SQLite file: it survives another process's write lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

KAMPASS = str(Path(sys.executable).with_name("kampass"))

# the processes open their own SQLite database: database-backed (not in `make test-fast`)
pytestmark = [pytest.mark.database, pytest.mark.own_sqlite]


def eventually(check: Callable[[], bool], timeout: float = 90.0) -> bool:
    """Poll ``check`` until it holds (a generous timeout, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_worker_survives_a_write_lock_held_longer_than_the_busy_timeout_and_then_runs_the_task(tmp_path):
    # given: a migrated data directory with one queued task; connections wait 0.5 s for a lock
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KAMPASS_HOME=str(home), KAMPASS_SQLITE_TIMEOUT="0.5", KAMPASS_WORKER_HEARTBEAT_SECONDS="0.5")
    env.update(KAMPASS_SCHEDULE_CHECK_SECONDS="0")  # no daily jobs: the one queued task is the only one
    subprocess.run([KAMPASS, "migrate", "-v", "0"], env=env, check=True)
    out = tmp_path / "out.txt"
    enqueue = f"from kampass.common.tests.factories import queued_task; queued_task({str(out)!r})"
    subprocess.run([KAMPASS, "shell", "-c", enqueue], env=env, check=True)

    # and another process holds the write lock
    lock = sqlite3.connect(home / "kampass.sqlite3", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    log = tmp_path / "worker.log"
    with log.open("w") as log_file:
        worker = subprocess.Popen(
            [KAMPASS, "worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        # when: the worker meets the lock (more than once: it backs off and tries again) ...
        assert eventually(lambda: log.read_text().count("database is locked") >= 2 or worker.poll() is not None)
        assert worker.poll() is None, log.read_text()
        assert not out.exists()
        # ... and the lock is released
        lock.execute("ROLLBACK")

        # then: the worker runs the task once and records its success and its heartbeat
        assert eventually(out.exists), log.read_text()
        db = sqlite3.connect(home / "kampass.sqlite3")
        assert eventually(
            lambda: db.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchall() == [("SUCCESSFUL",)]
        )
        assert eventually(lambda: db.execute("SELECT count(*) FROM common_workerheartbeat").fetchone() == (1,))
        assert out.read_text() == "ran\n"
        assert worker.poll() is None
    finally:
        lock.close()
        worker.terminate()
        worker.wait(timeout=30)
