"""``kampass serve``: gunicorn with the kampass WSGI application, the task worker beside it."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from gunicorn.app.base import BaseApplication


class FakeWorker:
    """Stands in for the worker process; records how it was stopped."""

    def __init__(self, args: list[str], *, hang: bool = False) -> None:
        self.args = args
        self.hang = hang
        self.events: list[str] = []

    def terminate(self) -> None:
        self.events.append("terminate")

    def wait(self, timeout: float) -> int:
        self.events.append(f"wait {timeout:g}")
        if self.hang:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return 0

    def kill(self) -> None:
        self.events.append("kill")


@pytest.fixture
def served(monkeypatch) -> dict[str, Any]:
    """Run ``serve`` without starting anything: record gunicorn's config, the app and the worker."""
    seen: dict[str, Any] = {"workers": [], "migrations": []}

    def run(self: BaseApplication) -> None:
        seen["bind"] = self.cfg.bind
        seen["workers_count"] = self.cfg.workers
        seen["threads"] = self.cfg.threads
        seen["worker_class"] = self.cfg.worker_class_str
        seen["app"] = self.load()

    def popen(args: list[str], **kwargs: Any) -> FakeWorker:
        worker = FakeWorker(args, hang=seen.get("hang", False))
        seen["workers"].append(worker)
        return worker

    real_call_command = call_command

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "migrate":
            seen["migrations"].append(kwargs)
            return
        real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(BaseApplication, "run", run)
    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr("kampass.common.management.commands.serve.call_command", fake_call_command)
    return seen


def test_serve_migrates_and_runs_gunicorn_with_the_options(served):
    # given
    out = StringIO()

    # when
    call_command("serve", "--host", "0.0.0.0", "--port", "8123", "--workers", "3", "--threads", "2", stdout=out)

    # then
    assert served["migrations"] == [{"interactive": False, "verbosity": 0}]
    assert served["bind"] == ["0.0.0.0:8123"]
    assert (served["workers_count"], served["threads"]) == (3, 2)
    assert served["worker_class"] == "gthread"
    assert isinstance(served["app"], WSGIHandler)  # the Django application kampass.config.wsgi also builds
    assert "http://0.0.0.0:8123/" in out.getvalue()


def test_serve_starts_the_task_worker_and_stops_it_afterwards(served):
    # when
    call_command("serve", stdout=StringIO())

    # then
    [worker] = served["workers"]
    assert worker.args == [sys.executable, "-m", "kampass.cli", "worker"]
    assert worker.events == ["terminate", "wait 15"]


def test_serve_kills_a_worker_that_does_not_stop(served):
    # given
    served["hang"] = True

    # when
    call_command("serve", stdout=StringIO())

    # then
    assert served["workers"][0].events == ["terminate", "wait 15", "kill"]


def test_serve_without_worker_and_migration(served):
    # when
    call_command("serve", "--no-worker", "--no-migrate", stdout=StringIO())

    # then
    assert served["workers"] == []
    assert served["migrations"] == []
    assert served["bind"] == ["127.0.0.1:8000"]
