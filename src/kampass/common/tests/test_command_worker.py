"""``kampass worker``: django-tasks' database worker with its options, as the resilient worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kampass.common.worker import ResilientWorker


def test_worker_runs_the_resilient_worker_with_the_options(monkeypatch, settings):
    # given
    settings.KAMPASS_WORKER_HEARTBEAT_SECONDS = 7.0
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(ResilientWorker, "configure_signals", lambda self: None)
    monkeypatch.setattr(
        ResilientWorker,
        "run",
        lambda self: runs.append(
            {"interval": self.interval, "batch": self.batch, "heartbeat": self.heartbeat.interval, "id": self.worker_id}
        ),
    )

    # when
    call_command("worker", "--no-reload")
    call_command("worker", "--interval", "0.25", "--batch", "--worker-id", "w-7")

    # then
    assert runs[0]["interval"] == 1
    assert runs[0]["batch"] is False
    assert runs[0]["heartbeat"] == 7.0
    assert runs[1] == {"interval": 0.25, "batch": True, "heartbeat": 7.0, "id": "w-7"}


def test_worker_refuses_excluded_queues_without_all_queues():
    with pytest.raises(CommandError):
        call_command("worker", "--exclude-queues", "slow")
