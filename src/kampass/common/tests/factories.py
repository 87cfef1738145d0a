"""Test data of the shared plumbing: queued background tasks, and the ECB's rate table read independently
(:mod:`kampass.common.tests.ecb_table`) for the contexts' checks of converted totals.

``append_line`` is a real django-tasks task (appends a line to a file, so a second run shows);
:func:`queued_task` queues one for the worker, the health endpoint and the UI's warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tasks import task

from kampass.common.tests.ecb_table import ecb_table, last_published_day, to_euro

__all__ = ["append_line", "ecb_table", "last_published_day", "queued_task", "to_euro"]


@task()
def append_line(path: str, text: str) -> None:
    with Path(path).open("a") as f:
        f.write(text + "\n")


def queued_task(path: str | Path = "/nonexistent/out.txt", text: str = "ran") -> Any:
    """Queue ``append_line(path, text)``; its task result (``.id``)."""
    return append_line.enqueue(str(path), text)
