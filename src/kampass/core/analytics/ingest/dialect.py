"""Recognise how an invoice-line file is written: encoding, delimiter, decimal comma, date style.

Gzipped files are recognised by their magic bytes; XLSX files by their extension (the first
sheet is converted to a temporary UTF-8 CSV, see :func:`xlsx_to_csv`).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast

from kampass.core.analytics.ingest.errors import IngestError, MixedEncoding
from kampass.core.analytics.ingest.limits import Deadline, ImportLimits, LimitExceeded, check_xlsx
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
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")
XLSX_DEADLINE_ROWS = 1000
"""The time limit is checked every this many sheet rows while a workbook is converted."""


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


def detect_dialect(
    path: str | Path,
    *,
    workdir: Path | None = None,
    encoding: str = "",
    limits: ImportLimits | None = None,
    deadline: Deadline | None = None,
) -> Dialect:
    """Sniff encoding, delimiter, decimal comma and date style from the first lines of a file.

    Parameters
    ----------
    path
        A CSV file (plain or gzipped) or an XLSX workbook (its first sheet is read).
    workdir
        Where an XLSX workbook's first sheet is converted to CSV and kept for
        :func:`readable_source` (default: a temporary directory, removed again).
    encoding
        The file's encoding as the user gave it (default: recognised from the bytes; a sample whose
        non-ASCII lines are partly UTF-8 and partly not raises :class:`MixedEncoding`).
    limits, deadline
        Bound the conversion of an XLSX workbook (see :func:`xlsx_to_csv`).

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
                return detect_dialect(path, workdir=Path(tmp), limits=limits, deadline=deadline)
        csv_path = workdir / XLSX_CSV
        xlsx_to_csv(path, csv_path, limits=limits, deadline=deadline)
        return replace(detect_dialect(csv_path), file_format="xlsx")
    with open_binary(path) as fh:
        sample = fh.read(SAMPLE_BYTES)
        complete = not fh.read(1)
    compression = "gzip" if is_gzip(path) else "none"
    if encoding:
        encoding = _given_encoding(encoding, sample)
    else:
        encoding = _encoding(sample, complete)
        if encoding in ("cp1252", "latin-1"):
            check_one_encoding(_whole_lines(sample, complete), file=path.name)
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


def _given_encoding(name: str, sample: bytes) -> str:
    """The canonical name of an encoding the user gave (``utf-8-sig`` for UTF-8 with a byte-order mark)."""
    canonical = codecs.lookup(name).name
    if canonical == "utf-8" and sample.startswith(_UTF8_BOM):
        return "utf-8-sig"
    return {"iso8859-1": "latin-1"}.get(canonical, canonical)


def _whole_lines(sample: bytes, complete: bool) -> bytes:
    if complete or b"\n" not in sample:
        return sample
    return sample[: sample.rfind(b"\n") + 1]


def utf8_split(data: bytes, *, first_line: int = 1) -> tuple[list[int], list[int]]:
    """The numbers of the lines of ``data`` that hold non-ASCII bytes: those that are valid UTF-8, and
    those that are not.

    Examples
    --------
    >>> utf8_split("a\\nZürich\\n".encode() + "Zürich\\nb\\n".encode("cp1252"))
    ([2], [3])
    """
    valid: list[int] = []
    invalid: list[int] = []
    line, pos = first_line, 0
    for m in _NON_ASCII_LINE.finditer(data):
        line += data.count(b"\n", pos, m.start())
        pos = m.start()
        try:
            m.group().decode("utf-8")
        except UnicodeDecodeError:
            invalid.append(line)
        else:
            valid.append(line)
    return valid, invalid


def check_one_encoding(data: bytes, *, file: str, first_line: int = 1) -> None:
    """Raise :class:`MixedEncoding` when some non-ASCII lines of ``data`` are UTF-8 and others are not
    (a file pieced together from exports in different encodings).

    Examples
    --------
    >>> check_one_encoding("Zürich\\n".encode("cp1252") * 2, file="x.csv")  # one encoding: fine
    >>> try:
    ...     check_one_encoding("Zürich\\n".encode() + "Zürich\\n".encode("cp1252"), file="x.csv")
    ... except MixedEncoding as exc:
    ...     print(exc.bad, exc.good)
    [2] [1]
    """
    valid, invalid = utf8_split(data, first_line=first_line)
    if valid and invalid:
        raise MixedEncoding(file=file, encoding="utf-8", bad=invalid, good=valid)


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


def readable_source(
    path: Path,
    dialect: Dialect,
    workdir: Path,
    *,
    encoding_given: bool = False,
    limits: ImportLimits | None = None,
    deadline: Deadline | None = None,
) -> tuple[Path, list[int] | None]:
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
            xlsx_to_csv(path, target, limits=limits, deadline=deadline)
        return target, []  # every sheet row becomes one line, empty ones as empty fields
    if dialect.native_utf8:
        return path, None
    target = workdir / "transcoded.csv"
    check_mixed = not encoding_given and dialect.encoding in ("cp1252", "latin-1")
    return target, transcode(path, target, dialect.encoding, check_mixed=check_mixed, deadline=deadline)


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


def transcode(
    source: Path,
    target: Path,
    encoding: str,
    *,
    check_mixed: bool = False,
    file: str | None = None,
    deadline: Deadline | None = None,
) -> list[int]:
    """Copy ``source`` (gzip or plain, in ``encoding``) to ``target`` as UTF-8, 1 MB at a time.

    Line ends are kept as they are, so line numbers do not change. Returns the numbers of
    the blank lines (see :class:`LineScanner`). ``check_mixed`` (the encoding was guessed, not
    given): raise :class:`MixedEncoding` when some non-ASCII lines are UTF-8 and others are not.
    """
    scanner = LineScanner()
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    name = file or source.name
    valid: list[int] = []
    invalid: list[int] = []
    line, pending = 1, b""
    with open_binary(source) as raw, target.open("wb") as out:
        while True:
            chunk = raw.read(CHUNK_CHARS)
            if deadline is not None:
                deadline.check(name)
            if check_mixed:
                data = pending + chunk
                cut = len(data) if not chunk else data.rfind(b"\n") + 1
                whole, pending = data[:cut], data[cut:]
                good, bad = utf8_split(whole, first_line=line)
                valid += good[:10]
                invalid += bad[:10]
                if valid and invalid:
                    raise MixedEncoding(file=name, encoding="utf-8", bad=invalid, good=valid)
                line += whole.count(b"\n")
            text = decoder.decode(chunk, final=not chunk)
            data_out = text.encode("utf-8")
            scanner.feed(data_out)
            out.write(data_out)
            if not chunk:
                break
    return scanner.blank_lines()


def xlsx_to_csv(
    source: Path, target: Path, *, limits: ImportLimits | None = None, deadline: Deadline | None = None
) -> None:
    """Write the first sheet of an XLSX workbook as a UTF-8 CSV (comma, ``"`` quotes).

    Dates become ``YYYY-MM-DD HH:MM:SS``, numbers their shortest exact decimal form; every
    sheet row becomes one line (so row numbers stay the sheet's; line breaks inside a cell
    become spaces), empty rows as lines of empty fields.

    The workbook is checked before it is opened (:func:`~kampass.core.analytics.ingest.limits.check_xlsx`:
    declared uncompressed size, compression ratio), then streamed row by row (openpyxl's read-only
    mode, whose XML parser is defusedxml's when installed: no entity expansion). Rows, columns per row
    and cell lengths over ``limits`` stop it with :class:`LimitExceeded`; so does ``deadline``.
    The sheet's declared dimensions are ignored (a hostile file can declare a million empty rows).
    """
    from openpyxl import load_workbook

    limits = limits or ImportLimits()
    check_xlsx(source, limits)
    name = source.name
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML (defusedxml refuses entities), openpyxl's own errors
        raise IngestError(file=name, problem=f"cannot be read as an Excel workbook: {_root_cause(exc)}") from exc
    max_rows = None if limits.max_rows is None else limits.max_rows + 1  # the header row
    try:
        sheet = workbook.worksheets[0]
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            width = 0
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if deadline is not None and number % XLSX_DEADLINE_ROWS == 0:
                    deadline.check(name)
                if max_rows is not None and number > max_rows:
                    raise LimitExceeded(file=name, limit="max_rows", allowed=max_rows - 1, actual=number - 1)
                cells = [_cell_text(v) for v in row]
                while cells and cells[-1] == "" and len(cells) > width:
                    cells.pop()
                if limits.max_columns is not None and len(cells) > limits.max_columns:
                    raise LimitExceeded(
                        file=name, limit="max_columns", allowed=limits.max_columns, actual=len(cells),
                        row=number,
                    )  # fmt: skip
                if limits.max_cell_chars is not None:
                    for column, cell in enumerate(cells, start=1):
                        if len(cell) > limits.max_cell_chars:
                            raise LimitExceeded(
                                file=name, limit="max_cell_chars", allowed=limits.max_cell_chars,
                                actual=len(cell), row=number, column=column,
                            )  # fmt: skip
                width = width or len(cells)
                cells += [""] * (width - len(cells))
                writer.writerow(cell.replace("\r\n", " ").replace("\n", " ") for cell in cells)
    except (LimitExceeded, IngestError):
        raise
    except Exception as exc:  # the sheet's XML: defusedxml refuses entities, broken XML, ...
        raise IngestError(file=name, problem=f"cannot be read as an Excel workbook: {_root_cause(exc)}") from exc
    finally:
        workbook.close()


def _root_cause(exc: BaseException) -> str:
    """The first error of a chain (openpyxl wraps the XML parser's), as ``Type: message``."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return f"{type(exc).__name__}: {exc}".strip().removesuffix(":")


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
