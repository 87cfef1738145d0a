"""``kampass serve``: gunicorn with the kampass WSGI application, the task worker beside it."""

from __future__ import annotations

import sys
from io import StringIO
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from gunicorn.app.base import BaseApplication


class FakeSupervisor:
    """Stands in for the supervisor of the worker process; records what serve asked of it."""

    def __init__(self, command: list[str], **kwargs: Any) -> None:
        self.command = command
        self.events: list[str] = []

    def start(self) -> None:
        self.events.append("start")

    def stop(self) -> None:
        self.events.append("stop")


@pytest.fixture
def served(monkeypatch) -> dict[str, Any]:
    """Run ``serve`` without starting anything: record gunicorn's config, the app and the worker."""
    seen: dict[str, Any] = {"workers": [], "migrations": []}

    def run(self: BaseApplication) -> None:
        seen["bind"] = self.cfg.bind
        seen["workers_count"] = self.cfg.workers
        seen["threads"] = self.cfg.threads
        seen["worker_class"] = self.cfg.worker_class_str
        seen["post_worker_init"] = self.cfg.post_worker_init
        seen["app"] = self.load()

    def supervisor(command: list[str], **kwargs: Any) -> FakeSupervisor:
        worker = FakeSupervisor(command, **kwargs)
        seen["workers"].append(worker)
        return worker

    real_call_command = call_command

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "migrate":
            seen["migrations"].append(kwargs)
            return
        real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(BaseApplication, "run", run)
    monkeypatch.setattr("kampass.common.management.commands.serve.Supervisor", supervisor)
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


def test_serve_starts_the_task_worker_under_supervision_and_stops_it_afterwards(served):
    # when
    call_command("serve", stdout=StringIO())

    # then
    [worker] = served["workers"]
    assert worker.command == [sys.executable, "-m", "kampass.cli", "worker"]
    assert worker.events == ["start", "stop"]


def test_serve_stops_the_worker_when_gunicorn_exits_with_an_error(served, monkeypatch):
    # given: gunicorn's arbiter ends with SystemExit (as on SIGTERM or a failed boot)
    def halt(self: BaseApplication) -> None:
        raise SystemExit(1)

    monkeypatch.setattr(BaseApplication, "run", halt)

    # when
    with pytest.raises(SystemExit):
        call_command("serve", stdout=StringIO())

    # then
    assert served["workers"][0].events == ["start", "stop"]


def test_serve_without_worker_and_migration(served):
    # when
    call_command("serve", "--no-worker", "--no-migrate", stdout=StringIO())

    # then
    assert served["workers"] == []
    assert served["migrations"] == []
    assert served["bind"] == ["127.0.0.1:8000"]


def test_each_web_worker_imports_the_heavy_libraries_before_its_first_request(served, monkeypatch):
    # given serve's gunicorn configuration
    from kampass.common.management.commands import serve

    call_command("serve", stdout=StringIO())
    hook = served["post_worker_init"]
    # when a new worker starts, with one library that cannot be imported
    imported: list[str] = []
    logged: list[str] = []

    def import_module(name: str) -> object:
        imported.append(name)
        if name == "altair":
            raise ImportError("broken")
        return sys.modules.get(name)

    class Log:
        def exception(self, message: str, *args: Any) -> None:
            logged.append(message % args)

    class Worker:
        log = Log()

    monkeypatch.setattr("importlib.import_module", import_module)
    hook(Worker())
    # then every library was imported, and the broken one is logged instead of stopping the worker
    assert imported == list(serve.WARM_IMPORTS)
    assert logged == ["could not import altair ahead of the first request"]
