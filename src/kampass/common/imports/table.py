"""Read an import file (CSV, gzipped CSV, XLSX) into a header and rows of text, within the limits."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kampass.core.analytics.ingest.dialect import XLSX_CSV, detect_dialect, open_binary
from kampass.core.analytics.ingest.errors import IngestError
from kampass.core.analytics.ingest.limits import ImportLimits, LimitExceeded, check_file


@dataclass(frozen=True)
class Table:
    """The file's header and its data rows; ``rows[i]`` is the sheet's line ``i + 2``."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, column -> stripped value) of every row that is not blank."""
        for index, row in enumerate(self.rows):
            if not any(cell.strip() for cell in row):
                continue
            values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(self.header)}
            yield index + 2, values


class TableError(Exception):
    """The file cannot be read as a table at all (nothing is imported)."""


@dataclass(frozen=True)
class CsvText:
    """An import file as CSV: its bytes (gzip undone; an XLSX's first sheet converted to UTF-8 CSV), their
    encoding, delimiter and quote character, and whether numbers are written with a decimal comma."""

    raw: BinaryIO
    encoding: str
    delimiter: str
    quote: str
    decimal_comma: bool


@contextmanager
def opened_as_csv(path: Path, *, file_name: str, limits: ImportLimits) -> Iterator[CsvText]:
    """``path`` opened as :class:`CsvText`, within the file limits (size, an XLSX's uncompressed size and
    ratio); raises :class:`TableError` (unreadable) or :class:`LimitExceeded`."""
    with tempfile.TemporaryDirectory(prefix="kampass-import-") as tmp:
        try:
            check_file(path, limits, file=file_name)
            dialect = detect_dialect(path, workdir=Path(tmp), limits=limits)
        except LimitExceeded:
            raise
        except IngestError as exc:
            raise TableError(str(exc)) from exc
        xlsx = dialect.file_format == "xlsx"
        with open_binary(Path(tmp) / XLSX_CSV if xlsx else path) as raw:
            encoding = "utf-8" if xlsx else dialect.encoding
            yield CsvText(raw, encoding, dialect.delimiter, dialect.quote or '"', dialect.decimal_comma)


def read_table(path: Path, *, file_name: str, limits: ImportLimits) -> Table:
    """The table in ``path``; raises :class:`TableError` (unreadable, no header, duplicate columns)
    or :class:`LimitExceeded` (over the installation's limits)."""
    with opened_as_csv(path, file_name=file_name, limits=limits) as source:
        try:
            text = io.TextIOWrapper(source.raw, encoding=source.encoding, newline="").read()
        except UnicodeDecodeError as exc:
            raise TableError(f"{file_name}: cannot be decoded as {source.encoding}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter, quotechar=source.quote)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise TableError(f"{file_name}: the file has no header line")
        rows = []
        for row in reader:
            rows.append(tuple(row))
            if limits.max_rows is not None and len(rows) > limits.max_rows:
                raise LimitExceeded(file=file_name, limit="max_rows", actual=len(rows), allowed=limits.max_rows)
            if limits.max_cell_chars is not None:
                for cell in row:
                    if len(cell) > limits.max_cell_chars:
                        raise LimitExceeded(
                            file=file_name, limit="max_cell_chars", actual=len(cell),
                            allowed=limits.max_cell_chars, row=len(rows) + 1,
                        )  # fmt: skip
    except csv.Error as exc:
        raise TableError(f"{file_name}: not a readable CSV file ({exc})") from exc
    names = tuple(h.strip().lstrip("\ufeff") for h in header)
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise TableError(f"{file_name}: the column “{name}” appears twice in the header")
        seen.add(name)
    return Table(header=names, rows=tuple(rows))
