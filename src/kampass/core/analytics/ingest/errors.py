"""The error of an invoice-line file that cannot be imported at all."""

from __future__ import annotations


class IngestError(ValueError):
    """A file that cannot be imported at all (not a single line can be read, or a question is open)."""

    def __init__(self, *, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{file}: {problem}")


class MixedEncoding(IngestError):
    """A text file whose lines are not all in one encoding: ``bad`` lines are not valid in ``encoding``,
    which other lines (``good``, non-ASCII) are written in. Nothing is imported: reading it in either
    encoding would garble some lines. The user gives the file's encoding to read it anyway."""

    def __init__(self, *, file: str, encoding: str, bad: list[int], good: list[int]) -> None:
        self.encoding = encoding
        self.bad = bad
        self.good = good
        listed = ", ".join(str(n) for n in bad[:10]) + (" …" if len(bad) > 10 else "")
        super().__init__(
            file=file,
            problem=f"line(s) {listed} are not valid {encoding} while other lines are: the file mixes encodings; "
            "give its encoding with the encoding option (e.g. --encoding cp1252) to read it anyway",
        )
