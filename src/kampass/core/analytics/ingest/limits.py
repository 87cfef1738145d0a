"""Limits of an import file, checked before the heavy work starts (hostile or oversized files).

The values come from the caller (the Django side reads them from the environment); this module only
measures and compares. Every check is bounded: it reads at most a few megabytes of the file, however
large or hostile it is.

* :func:`check_file`: the file's size, the columns of its header line (read in a bounded way) and,
  for an XLSX workbook, the uncompressed sizes and compression ratios its zip directory declares;
* :class:`Deadline`: the time limit of one import (checked between stages and inside long loops;
  DuckDB statements are interrupted by the importer when it passes).
"""

from __future__ import annotations

import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kampass.core.analytics.ingest.errors import IngestError

MB = 1 << 20
HEADER_PROBE_BYTES = 1 << 20
"""At most this much of the first line is read to count the header's columns."""
XLSX_RATIO_MIN_BYTES = 1 << 20
"""Zip members smaller than this (uncompressed) are not judged by their compression ratio: small XML
parts of a workbook compress very well and are harmless."""
_DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"(?:[^"]|"")*"?')


@dataclass(frozen=True, kw_only=True)
class ImportLimits:
    """What one import may read. ``None`` switches a limit off.

    Examples
    --------
    >>> ImportLimits().max_columns
    500
    """

    max_file_bytes: int | None = 200 * MB
    max_rows: int | None = 10_000_000
    max_columns: int | None = 500
    max_cell_chars: int | None = 32_767
    """Excel's own maximum length of a cell."""
    xlsx_max_uncompressed_bytes: int | None = 1024 * MB
    xlsx_max_ratio: float | None = 100.0
    seconds: float | None = 3600.0


class LimitExceeded(IngestError):
    """A file over one of the :class:`ImportLimits`: ``limit`` names the field, ``allowed`` its value,
    ``actual`` what the file has (at least: the check stops counting early); ``row``/``column`` (1-based)
    or ``part`` (a member of an XLSX zip) say where, when known."""

    def __init__(
        self,
        *,
        file: str,
        limit: str,
        allowed: float,
        actual: float,
        row: int | None = None,
        column: int | None = None,
        part: str = "",
    ) -> None:
        self.limit = limit
        self.allowed = allowed
        self.actual = actual
        self.row = row
        self.column = column
        self.part = part
        where = ", ".join(
            [f"row {row}"] * (row is not None) + [f"column {column}"] * (column is not None) + [part] * bool(part)
        )
        detail = f"{where}: " if where else ""
        super().__init__(
            file=file, problem=f"{detail}{_LABELS[limit]} {_fmt(actual)} is over the limit of {_fmt(allowed)}"
        )


class ImportTimeout(LimitExceeded):
    """The import ran longer than its time limit and was stopped."""


_LABELS = {
    "max_file_bytes": "file size (bytes)",
    "max_rows": "rows",
    "max_columns": "columns",
    "max_cell_chars": "cell length (characters)",
    "xlsx_max_uncompressed_bytes": "uncompressed size (bytes)",
    "xlsx_max_ratio": "compression ratio",
    "seconds": "run time (seconds)",
}


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def check_size(path: Path, limits: ImportLimits, *, file: str | None = None, size: int | None = None) -> None:
    """Refuse a file larger than ``limits.max_file_bytes`` (``size``: known without looking at ``path``).

    Examples
    --------
    >>> try:
    ...     check_size(Path("x.csv"), ImportLimits(max_file_bytes=10), size=11)
    ... except LimitExceeded as exc:
    ...     print(exc)
    x.csv: file size (bytes) 11 is over the limit of 10
    """
    allowed = limits.max_file_bytes
    actual = path.stat().st_size if size is None else size
    if allowed is not None and actual > allowed:
        raise LimitExceeded(file=file or path.name, limit="max_file_bytes", allowed=allowed, actual=actual)


def check_columns(names: int, limits: ImportLimits, *, file: str) -> None:
    """Refuse a header of more than ``limits.max_columns`` columns."""
    allowed = limits.max_columns
    if allowed is not None and names > allowed:
        raise LimitExceeded(file=file, limit="max_columns", allowed=allowed, actual=names, row=1)


def header_columns(path: Path) -> int:
    """The columns of the first line of a CSV file (plain or gzipped), reading at most
    :data:`HEADER_PROBE_BYTES` (a longer header counts the columns of that part only).

    The count is the largest over the usual delimiters: the number a limit is compared with.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "wide.csv"
    ...     _ = p.write_text("a;b;c;d\\n1;2;3;4\\n")
    ...     header_columns(p)
    4
    """
    from kampass.core.analytics.ingest.dialect import open_binary

    with open_binary(path) as fh:
        probe = fh.read(HEADER_PROBE_BYTES)
    if probe.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = probe.decode("utf-16", errors="ignore")
    else:
        text = probe.decode("utf-8", errors="replace")
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first:
        return 0
    unquoted = _QUOTED.sub("", first) if '"' in first else first
    return max(unquoted.count(d) for d in _DELIMITERS) + 1


def check_xlsx(path: Path, limits: ImportLimits, *, file: str | None = None) -> None:
    """Refuse a workbook whose zip directory declares more uncompressed bytes than allowed, or a
    member compressed more than ``xlsx_max_ratio`` times (a zip bomb), before anything is unpacked.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "bomb.xlsx"
    ...     with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...         z.writestr("xl/worksheets/sheet1.xml", b"<c/>" * (1 << 20))
    ...     try:
    ...         check_xlsx(p, ImportLimits(xlsx_max_ratio=100))
    ...     except LimitExceeded as exc:
    ...         print(exc.limit, exc.allowed)
    xlsx_max_ratio 100
    """
    name = file or path.name
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(file=name, problem="is not an Excel workbook (not a valid XLSX/zip file)") from exc
    total = sum(m.file_size for m in members)
    allowed = limits.xlsx_max_uncompressed_bytes
    if allowed is not None and total > allowed:
        raise LimitExceeded(file=name, limit="xlsx_max_uncompressed_bytes", allowed=allowed, actual=total)
    ratio = limits.xlsx_max_ratio
    if ratio is None:
        return
    for member in members:
        if member.file_size < XLSX_RATIO_MIN_BYTES:
            continue
        actual = member.file_size / max(member.compress_size, 1)
        if actual > ratio:
            raise LimitExceeded(
                file=name, limit="xlsx_max_ratio", allowed=ratio, actual=round(actual, 1), part=member.filename
            )


def check_file(path: str | Path, limits: ImportLimits, *, file: str | None = None) -> None:
    """All checks that need no parsing: size, header columns (CSV) or the zip directory (XLSX).

    Runs in well under a second whatever the file holds (it reads at most a megabyte and a zip
    directory).
    """
    from kampass.core.analytics.ingest.dialect import is_xlsx

    path = Path(path)
    name = file or path.name
    check_size(path, limits, file=name)
    if is_xlsx(path):
        check_xlsx(path, limits, file=name)
        return
    check_columns(header_columns(path), limits, file=name)


class Deadline:
    """The time limit of one import: :meth:`check` raises :class:`ImportTimeout` once it passed.

    Examples
    --------
    >>> Deadline(None).check("x.csv")  # no limit
    >>> d = Deadline(0.0)
    >>> try:
    ...     d.check("x.csv")
    ... except ImportTimeout as exc:
    ...     print(exc.limit)
    seconds
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._end = None if seconds is None else time.monotonic() + seconds

    @property
    def remaining(self) -> float | None:
        """Seconds left (``None``: no limit)."""
        return None if self._end is None else max(0.0, self._end - time.monotonic())

    @property
    def passed(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end

    def timeout(self, file: str) -> ImportTimeout:
        assert self.seconds is not None
        return ImportTimeout(file=file, limit="seconds", allowed=self.seconds, actual=self.seconds)

    def check(self, file: str) -> None:
        """Raise :class:`ImportTimeout` when the time is up."""
        if self.passed:
            raise self.timeout(file)
