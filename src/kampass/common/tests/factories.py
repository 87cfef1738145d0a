"""Test data of the shared plumbing: queued background tasks, the ECB's rate table read independently
(:mod:`kampass.common.tests.ecb_table`) for the contexts' checks of converted totals, and the readers of
the list exports (:mod:`kampass.common.tests.exports`) for the contexts' checks of their lists as files.

``append_line`` is a real django-tasks task (appends a line to a file, so a second run shows);
:func:`queued_task` queues one for the worker, the health endpoint and the UI's warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tasks import task

from kampass.common.tests.ecb_table import ecb_table, last_published_day, to_euro
from kampass.common.tests.exports import csv_rows, export, export_queries, xlsx_rows

__all__ = [
    "append_line",
    "csv_rows",
    "ecb_table",
    "export",
    "export_queries",
    "last_published_day",
    "queued_task",
    "to_euro",
    "xlsx_rows",
]


@task()
def append_line(path: str, text: str) -> None:
    with Path(path).open("a") as f:
        f.write(text + "\n")


def queued_task(path: str | Path = "/nonexistent/out.txt", text: str = "ran") -> Any:
    """Queue ``append_line(path, text)``; its task result (``.id``)."""
    return append_line.enqueue(str(path), text)
