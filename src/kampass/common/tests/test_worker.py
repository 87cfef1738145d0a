"""The resilient task worker (``kampass.common.worker``): transient database errors, heartbeat."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from kampass.common.models import WorkerHeartbeat
from kampass.common.tests.factories import queued_task
from kampass.common.worker import Backoff, Heartbeat, ResilientWorker


def make_worker(**kwargs: Any) -> ResilientWorker:
    options: dict[str, Any] = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": True,  # run what is queued, then return
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
        "heartbeat_interval": 3600,
        "backoff": Backoff(initial=0.0, cap=0.0),
    }
    options.update(kwargs)
    return ResilientWorker(**options)


@pytest.fixture
def no_heartbeat_thread(monkeypatch):
    """No second thread writing beside the test (the heartbeat has tests of its own)."""
    monkeypatch.setattr(Heartbeat, "start", lambda self: None)


# The worker's loop runs in autocommit (it closes connections left in a transaction, as upstream does):
# its tests use transactional_db, not a test wrapped in a transaction. A transactional test empties the
# database afterwards, rows of data migrations (the default sales process) included: serialized rollback
# puts them back, so tests that run after these on the same worker find them.
pytestmark = pytest.mark.usefixtures("django_db_serialized_rollback")


def test_worker_resumes_after_the_database_is_locked_while_fetching(
    transactional_db, tmp_path, monkeypatch, no_heartbeat_thread
):
    # given: a queued task, and a database that is locked at the worker's first two attempts
    out = tmp_path / "out.txt"
    result = queued_task(out)
    real = db_worker.exclusive_transaction
    failures = iter([OperationalError("database is locked"), OperationalError("server closed the connection")])

    def flaky(using: Any = None) -> Any:
        error = next(failures, None)
        if error is not None:
            raise error
        return real(using)

    monkeypatch.setattr(db_worker, "exclusive_transaction", flaky)

    # when
    make_worker().run()

    # then: the worker did not die; the task ran once and succeeded
    assert out.read_text() == "ran\n"
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"


def test_worker_records_the_outcome_when_the_database_was_locked_at_first(
    transactional_db, tmp_path, monkeypatch, no_heartbeat_thread
):
    # given: recording success fails twice with a lock (after upstream's own three quick retries)
    out = tmp_path / "out.txt"
    result = queued_task(out)
    real = DBTaskResult.set_successful
    calls = []

    def locked_at_first(self: DBTaskResult, value: Any) -> None:
        calls.append(value)
        if len(calls) <= 2:
            raise OperationalError("database is locked")
        real(self, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", locked_at_first)

    # when
    make_worker().run()

    # then: the task ran once and its success is recorded (not "failed", not left "running")
    assert out.read_text() == "ran\n"
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert len(calls) == 3


def test_worker_does_not_swallow_other_errors(transactional_db, monkeypatch, no_heartbeat_thread):
    # given: a programming error in the loop
    queued_task()
    monkeypatch.setattr(db_worker, "exclusive_transaction", lambda using=None: 1 / 0)

    # when / then
    with pytest.raises(ZeroDivisionError):
        make_worker().run()


def test_heartbeat_records_the_worker_and_then_updates_last_seen(db):
    # given
    heartbeat = Heartbeat(worker_id="w-1", interval=5)

    # when
    assert heartbeat.beat()
    first = WorkerHeartbeat.objects.get(worker_id="w-1")
    assert heartbeat.beat()

    # then
    row = WorkerHeartbeat.objects.get(worker_id="w-1")
    assert row.started_at == first.started_at <= first.last_seen <= row.last_seen <= timezone.now()
    assert row.pid > 0
    assert row.hostname
    assert WorkerHeartbeat.objects.count() == 1


def test_a_missed_heartbeat_is_logged_not_raised(db, monkeypatch, caplog):
    # given: the database refuses the write
    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(WorkerHeartbeat.objects, "update_or_create", locked)

    # when
    written = Heartbeat(worker_id="w-2", interval=5).beat()

    # then
    assert written is False
    assert "missed a heartbeat" in caplog.text


def test_worker_runs_the_heartbeat_while_it_runs(transactional_db, monkeypatch):
    # given
    events: list[str] = []
    monkeypatch.setattr(Heartbeat, "start", lambda self: events.append("start"))
    monkeypatch.setattr(Heartbeat, "stop", lambda self: events.append("stop"))

    # when
    make_worker().run()

    # then
    assert events == ["start", "stop"]


def test_backoff_doubles_to_the_cap_with_jitter_below_the_delay():
    backoff = Backoff(initial=0.5, cap=30.0, jitter=0.5)
    delays = [backoff.next_delay() for _ in range(10)]
    bases = [0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30]
    assert all(base / 2 <= d <= base for d, base in zip(delays, bases, strict=True))
