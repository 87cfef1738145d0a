"""A background task for the worker's tests: appends a line to a file (so a second run shows)."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def append_line(path: str, text: str) -> None:
    with Path(path).open("a") as f:
        f.write(text + "\n")
