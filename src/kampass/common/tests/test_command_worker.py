"""``kampass worker``: the django-tasks database worker under the kampass name."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command


def test_worker_runs_the_database_task_worker_with_the_interval(monkeypatch):
    # given
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        "kampass.common.management.commands.worker.call_command",
        lambda name, **kwargs: calls.append((name, kwargs)),
    )

    # when
    call_command("worker")
    call_command("worker", "--interval", "0.25")

    # then
    assert calls == [("db_worker", {"interval": 1.0}), ("db_worker", {"interval": 0.25})]
