"""The error of an invoice-line file that cannot be imported at all."""

from __future__ import annotations


class IngestError(ValueError):
    """A file that cannot be imported at all (not a single line can be read, or a question is open)."""

    def __init__(self, *, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{file}: {problem}")
