"""Recognise how an invoice-line file is written: encoding, delimiter, decimal comma, date style.

Gzipped files are recognised by their magic bytes; XLSX files by their extension (the first
sheet is converted to a temporary UTF-8 CSV, see :func:`xlsx_to_csv`).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast

from kampass.core.dates import date_order_evidence

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
XLSX_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
SAMPLE_BYTES = 1 << 20
SAMPLE_LINES = 500
CHUNK_CHARS = 1 << 20
XLSX_CSV = "first-sheet.csv"
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

_COMMA_DECIMAL = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")
_DOT_DECIMAL = re.compile(r"[-+]?\d*\.(?:\d{1,2}|\d{4,})")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?")
_DOT_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}(?: .*)?")


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """How a delimited text file is written.

    ``encoding`` is ``utf-8``, ``utf-8-sig`` (byte-order mark), ``cp1252`` (Windows
    Western European, when the bytes are not valid UTF-8), ``latin-1`` (when not even
    cp1252 fits) or ``utf-16`` (byte-order mark). ``date_style`` is ``iso``, ``dmy``,
    ``mdy`` or ``unknown`` (only ambiguous dates such as ``01/02/2011`` were seen) *in the sample*:
    a first look only. The import decides the day/month order of the date column from all its
    values (:mod:`~kampass.core.analytics.ingest.dateorder`); its result carries that order.
    ``header`` holds the column names of the first line.
    """

    encoding: str
    delimiter: str
    decimal_comma: bool
    date_style: str
    quote: str = '"'
    compression: str = "none"
    file_format: str = "csv"
    header: tuple[str, ...] = ()

    @property
    def native_utf8(self) -> bool:
        """Whether DuckDB can read the file as it is (UTF-8 with or without BOM)."""
        return self.encoding in ("utf-8", "utf-8-sig")


def is_xlsx(path: Path) -> bool:
    """Whether ``path`` is an Excel workbook (by extension).

    Examples
    --------
    >>> is_xlsx(Path("lines.XLSX")), is_xlsx(Path("lines.csv.gz"))
    (True, False)
    """
    return path.suffix.lower() in XLSX_SUFFIXES


def is_gzip(path: Path) -> bool:
    """Whether ``path`` is gzip-compressed (by its magic bytes)."""
    with path.open("rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, decompressing gzip transparently."""
    if is_gzip(path):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def detect_dialect(path: str | Path, *, workdir: Path | None = None) -> Dialect:
    """Sniff encoding, delimiter, decimal comma and date style from the first lines of a file.

    Parameters
    ----------
    path
        A CSV file (plain or gzipped) or an XLSX workbook (its first sheet is read).
    workdir
        Where an XLSX workbook's first sheet is converted to CSV and kept for
        :func:`readable_source` (default: a temporary directory, removed again).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "lines.csv"
    ...     _ = p.write_bytes("Beleg;Datum;Menge;Preis\\n1;01.12.2010 08:26;6;1.234,56\\n".encode("cp1252"))
    ...     d = detect_dialect(p)
    >>> d.encoding, d.delimiter, d.decimal_comma, d.date_style, d.header
    ('utf-8', ';', True, 'dmy', ('Beleg', 'Datum', 'Menge', 'Preis'))
    """
    path = Path(path)
    if is_xlsx(path):
        if workdir is None:
            with tempfile.TemporaryDirectory(prefix="kampass-xlsx-") as tmp:
                return detect_dialect(path, workdir=Path(tmp))
        csv_path = workdir / XLSX_CSV
        xlsx_to_csv(path, csv_path)
        return replace(detect_dialect(csv_path), file_format="xlsx")
    with open_binary(path) as fh:
        sample = fh.read(SAMPLE_BYTES)
        complete = not fh.read(1)
    compression = "gzip" if is_gzip(path) else "none"
    encoding = _encoding(sample, complete)
    text = _decode_sample(sample, encoding, complete)
    lines = text.splitlines()[:SAMPLE_LINES]
    delimiter = _delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delimiter, quotechar='"'))
    header = tuple(h.strip() for h in rows[0]) if rows else ()
    values = [v.strip() for row in rows[1:] for v in row]
    columns = [[row[i] for row in rows[1:] if i < len(row)] for i in range(len(header))]
    return Dialect(
        encoding=encoding,
        delimiter=delimiter,
        decimal_comma=_decimal_comma(values, delimiter),
        date_style=_date_style(columns),
        compression=compression,
        header=header,
    )


def _encoding(sample: bytes, complete: bool) -> str:
    if sample.startswith(_UTF8_BOM):
        return "utf-8-sig"
    if sample.startswith(_UTF16_BOMS):
        return "utf-16"
    if not complete:
        # cut at the last line end so that no multi-byte sequence is split
        sample = sample[: sample.rfind(b"\n") + 1] or sample[:-4]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
        return "cp1252"
    return "utf-8"


def _decode_sample(sample: bytes, encoding: str, complete: bool) -> str:
    if encoding == "utf-16":
        return sample.decode("utf-16", errors="ignore")
    if not complete and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    return sample.decode(encoding, errors="replace")


def _delimiter(lines: list[str]) -> str:
    """The candidate that splits the header into most fields, consistently over the sample."""
    best, best_score = ",", (0.0, 0)
    lines = [line for line in lines if line.strip()]
    if not lines:
        return best
    for d in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=d, quotechar='"')]
        width = counts[0]
        if width < 2:
            continue
        consistent = sum(1 for c in counts if c == width) / len(counts)
        score = (consistent, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _decimal_comma(values: list[str], delimiter: str) -> bool:
    if delimiter == ",":
        return False
    comma = sum(1 for v in values if _COMMA_DECIMAL.fullmatch(v))
    dot = sum(1 for v in values if _DOT_DECIMAL.fullmatch(v))
    return comma > dot


def _date_style(columns: list[list[str]]) -> str:
    """The date style of the sample, the day/month order decided per column by
    :func:`kampass.core.dates.date_order_evidence` (the one rule of every importer): a column with
    evidence for both orders, or columns proving different orders, leave it ``unknown`` (the
    mapping's format order decides) instead of a majority vote."""
    orders: set[str] = set()
    undecided = False
    iso = dotted = False
    for values in columns:
        stripped = [v.strip() for v in values]
        evidence = date_order_evidence(stripped)
        if evidence.contradictory:
            return "unknown"
        if evidence.order:
            orders.add(evidence.order)
        elif evidence.needs_order:
            undecided = True
        iso = iso or any(_ISO_DATE.fullmatch(v) for v in stripped)
        dotted = dotted or any(_DOT_DATE.fullmatch(v) for v in stripped)
    if dotted:
        orders.add("dmy")
    if len(orders) > 1:
        return "unknown"
    if orders:
        return orders.pop()
    return "iso" if iso and not undecided else "unknown"


def format_style(fmt: str) -> str:
    """The date style of a strptime format.

    Examples
    --------
    >>> format_style("%d.%m.%Y"), format_style("%m/%d/%Y %H:%M"), format_style("%Y-%m-%d")
    ('dmy', 'mdy', 'iso')
    """
    day, month, year = (min((fmt.find(s) for s in alts if s in fmt), default=-1) for alts in _PARTS)
    if 0 <= year < min(p for p in (day, month) if p >= 0):
        return "iso"
    if 0 <= day < month:
        return "dmy"
    return "mdy"


_PARTS = (("%d", "%-d"), ("%m", "%-m", "%b", "%B"), ("%Y", "%y"))


def ordered_formats(formats: tuple[str, ...], style: str) -> tuple[str, ...]:
    """Date formats with those of the detected ``style`` first (otherwise in mapping order).

    Examples
    --------
    >>> ordered_formats(("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d"), "dmy")
    ('%d/%m/%Y', '%m/%d/%Y', '%Y-%m-%d')
    """
    if style not in ("iso", "dmy", "mdy"):
        return formats
    return tuple(sorted(formats, key=lambda f: format_style(f) != style))


def readable_source(path: Path, dialect: Dialect, workdir: Path) -> tuple[Path, list[int] | None]:
    """A UTF-8 CSV file DuckDB can read, and the numbers of its blank lines (1-based) where known.

    UTF-8 files (plain or gzipped) are used as they are (blank lines ``None``: not known yet,
    see :func:`scan_blank_lines`); other encodings are transcoded in 1 MB chunks into
    ``workdir``; XLSX workbooks are converted into ``workdir`` (once: :func:`detect_dialect`
    with the same ``workdir`` already did it). DuckDB's CSV reader skips blank lines, so their
    numbers are needed to give every line its physical line number.
    """
    if dialect.file_format == "xlsx":
        target = workdir / XLSX_CSV
        if not target.exists():
            xlsx_to_csv(path, target)
        return target, []  # every sheet row becomes one line, empty ones as empty fields
    if dialect.native_utf8:
        return path, None
    target = workdir / "transcoded.csv"
    return target, transcode(path, target, dialect.encoding)


class LineScanner:
    r"""Counts lines and finds the blank ones in a byte stream fed chunk by chunk.

    Blank lines at the very end are left out: they shift no line after them.

    Examples
    --------
    >>> scanner = LineScanner()
    >>> for chunk in (b"a\n1\n", b"\n2\r", b"\n\r\n3\n\n"):
    ...     scanner.feed(chunk)
    >>> scanner.blank_lines()
    [3, 5]
    """

    _BLANK = re.compile(rb"\n(?=(\r?\n))")

    def __init__(self) -> None:
        # newline k ends line k; a virtual newline 0 stands before the first line
        self._tail = b"\n"
        self._newlines_before_tail = -1
        self._blanks: list[int] = []

    def feed(self, chunk: bytes) -> None:
        """Scan the next chunk of the file."""
        if not chunk:
            return
        data = self._tail + chunk
        if b"\n\n" in data or b"\n\r\n" in data:
            for m in self._BLANK.finditer(data):
                if m.end(1) > len(self._tail):  # not already found with the previous chunk
                    newline = self._newlines_before_tail + data.count(b"\n", 0, m.start()) + 1
                    self._blanks.append(newline + 1)
        keep = min(2, len(data))
        self._newlines_before_tail += data.count(b"\n", 0, len(data) - keep)
        self._tail = data[len(data) - keep :]

    @property
    def lines(self) -> int:
        """Number of lines seen so far (a last line without line end counts)."""
        newlines = self._newlines_before_tail + self._tail.count(b"\n")
        return newlines if self._tail.endswith(b"\n") else newlines + 1

    def blank_lines(self) -> list[int]:
        """Numbers (1-based) of the blank lines seen so far, except trailing ones."""
        blanks, last = list(self._blanks), self.lines
        while blanks and blanks[-1] >= last:
            blanks.pop()
            last -= 1
        return blanks


def scan_blank_lines(path: Path) -> list[int]:
    """Numbers of the blank lines of a file (gzip or plain), except trailing ones.

    Slow-ish (a byte search per line end): used only when a file has more lines than DuckDB read.
    """
    scanner = LineScanner()
    with open_binary(path) as fh:
        while chunk := fh.read(SAMPLE_BYTES):
            scanner.feed(chunk)
    return scanner.blank_lines()


def transcode(source: Path, target: Path, encoding: str) -> list[int]:
    """Copy ``source`` (gzip or plain, in ``encoding``) to ``target`` as UTF-8, 1 MB at a time.

    Line ends are kept as they are, so line numbers do not change. Returns the numbers of
    the blank lines (see :class:`LineScanner`).
    """
    scanner = LineScanner()
    with (
        open_binary(source) as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as text,
        target.open("wb") as out,
    ):
        while chunk := text.read(CHUNK_CHARS):
            data = chunk.encode("utf-8")
            scanner.feed(data)
            out.write(data)
    return scanner.blank_lines()


def xlsx_to_csv(source: Path, target: Path) -> None:
    """Write the first sheet of an XLSX workbook as a UTF-8 CSV (comma, ``"`` quotes).

    Dates become ``YYYY-MM-DD HH:MM:SS``, numbers their shortest exact decimal form; every
    sheet row becomes one line (so row numbers stay the sheet's; line breaks inside a cell
    become spaces), empty rows as lines of empty fields.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            width = 0
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in row]
                while cells and cells[-1] == "" and len(cells) > width:
                    cells.pop()
                width = width or len(cells)
                cells += [""] * (width - len(cells))
                writer.writerow(cell.replace("\r\n", " ").replace("\n", " ") for cell in cells)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)
