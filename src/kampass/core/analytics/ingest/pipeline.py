"""Import a file of invoice lines into the analytics store: all good lines or nothing.

Phases (reported to ``progress``): *reading*, *validating*, *writing*, *done*.

*Reading*: one ``CREATE TEMP TABLE ... AS SELECT ... FROM read_csv(...)`` reads, converts,
checks and classifies every line (see :mod:`~kampass.core.analytics.ingest.staging`); the
staged table keeps the file's order, so ``rowid`` gives each line its number in the file.
Meanwhile a thread computes the file's SHA-256. *Validating*: the rejects are collected from
DuckDB's CSV rejects table and the staged ``bad`` codes, and the invoice facts of the good
lines are summed into a temporary table (see :mod:`kampass.core.analytics.facts`; the line
count per category and the customers of the report come from them). Before that, the good lines
that earlier imports already hold are found (see :mod:`~kampass.core.analytics.ingest.overlap`):
skipped lines are marked in the staged table, so neither the lines nor the facts written hold them;
with ``replace`` the earlier lines are deleted in the same transaction as the INSERTs.

Reading and validating run in a DuckDB database of the import's own (a file in the staging
directory), never on the store's connection: the store is opened for reading only for a moment
(the file's earlier import, the stored lines it overlaps) and for writing only for *writing*
(docs/adr/0003-analytics-store-access.md, revision). Under the writer the importer checks that no
other import wrote since it compared (else it compares again), then writes one INSERT of all good
lines, one of their facts, then one row in ``import_batches``: in one transaction on DuckDB (the store
attaches the import's ready database, prepared before the writer was asked for, read-only and copies
with ``INSERT ... SELECT``; no Arrow hop) and on PostgreSQL (the lines travel as Arrow); on Spark, which has no such
transactions, appended in that order (a crash in between leaves lines without a batch row, which
:func:`delete_orphan_lines` removes before the next import), and with ``replace`` as complete new
table versions swapped in by renaming.
"""

# ruff: noqa: S608  (SQL over generated temporary tables; literals go through quote_literal)
from __future__ import annotations

import csv
import hashlib
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc

from kampass.core.analytics.backends import SWAP_NEXT, SWAP_PREVIOUS, AnalyticsStore
from kampass.core.analytics.facts import facts_select_sql, invoice_facts
from kampass.core.analytics.ingest.dateorder import (
    column_evidence,
    decide_column_order,
    formats_for_order,
    leading_order,
)
from kampass.core.analytics.ingest.dialect import (
    SAMPLE_BYTES,
    Dialect,
    detect_dialect,
    is_gzip,
    readable_source,
    scan_blank_lines,
)
from kampass.core.analytics.ingest.errors import IngestError, MixedEncoding
from kampass.core.analytics.ingest.limits import (
    Deadline,
    ImportLimits,
    LimitExceeded,
    check_columns,
    check_file,
)
from kampass.core.analytics.ingest.mapping import Mapping, load_mapping
from kampass.core.analytics.ingest.overlap import IDENTITY, OVERLAP_MODES, Overlap, find_overlap
from kampass.core.analytics.ingest.staging import (
    BLANK,
    StagePlan,
    date_sql,
    plan_stage,
    quote_literal,
    read_csv_sql,
)
from kampass.core.analytics.schema import IMPORT_BATCHES, INVOICE_FACTS, INVOICE_LINES, SCHEMAS
from kampass.core.text_safety import neutralise_row

try:
    import numpy as _numpy
except ImportError:  # pragma: no cover - numpy is optional
    _numpy = None  # type: ignore[assignment]

Progress = Callable[[float, str], None]
StoreOpener = Callable[[], AbstractContextManager[AnalyticsStore]]
"""Opens the store for one unit of work (reading or writing) and closes it afterwards."""
OVERLAP = -1
"""``bad`` code of a good line that an earlier import holds and the import skips."""
ARROW_BATCH_ROWS = 1_000_000
EARLY_DIGEST_BYTES = 64 << 20
"""Files up to this size are fingerprinted before reading (an earlier import is found at once);
larger ones while DuckDB reads them, and the check happens before the commit."""
_READER_REASONS = {
    "MISSING COLUMNS": "too few columns (expected {width})",
    "TOO MANY COLUMNS": "too many columns (expected {width})",
    "INVALID UNICODE": "invalid UTF-8 byte sequence",
    "INVALID ENCODING": "invalid UTF-8 byte sequence",  # DuckDB 1.2 and later
    "UNQUOTED VALUE": "stray quote character",
    "LINE SIZE OVER MAXIMUM": "line too long",
}


@dataclass(frozen=True, kw_only=True)
class Reject:
    """A line that was not imported: ``row`` counts the lines of the file, the header is row 1."""

    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """What an import did (or, for a dry run or a strict import with rejects, would have done).

    ``lines`` counts the imported lines (for a dry run: the lines it would import, after the same
    checks as the real run and without the overlap it skips; 0 when nothing was committed
    otherwise); ``rejected`` counts rejected lines (one per line, whatever number of problems it
    has); ``categories``
    counts the good lines per category and ``customers`` lists their distinct customer ids,
    sorted (also for dry runs).
    """

    batch_id: str
    file_sha256: str
    file_name: str
    lines: int
    rejected: int
    rejects: list[Reject]
    customers: list[str]
    already_imported: bool
    dry_run: bool
    strict: bool
    dialect: Dialect | None
    mapping: str
    categories: dict[str, int] = field(default_factory=dict)
    date_order: str = ""
    """The day/month order the date column was read in (``""``: it had no day/month dates)."""
    overlap: Overlap | None = None
    """How the file overlaps earlier imports (``None``: not checked, as for a file imported before)."""

    @property
    def committed(self) -> bool:
        """Whether lines were written (not a dry run, not imported before, not held back by ``strict``)."""
        return not self.dry_run and not self.already_imported and not (self.strict and self.rejected > 0)

    def write_rejects_csv(self, path: str | Path) -> None:
        """Write the rejects as CSV with the columns ``file,row,column,value,reason``; texts a
        spreadsheet would run as formulas are neutralised (:func:`neutralise_row`)."""
        with Path(path).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["file", "row", "column", "value", "reason"])
            for r in self.rejects:
                writer.writerow(neutralise_row([r.file, r.row, r.column, r.value, r.reason]))


def file_digest(path: Path, *, count_lines: bool) -> tuple[str, int | None]:
    """SHA-256 of the file's bytes and, when ``count_lines``, its number of lines.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "x.csv"
    ...     _ = p.write_bytes(b"a\\n\\n1\\n2")
    ...     sha, lines = file_digest(p, count_lines=True)
    >>> sha[:12], lines
    ('297d1876a571', 4)
    """
    digest = hashlib.sha256()
    newlines, last = 0, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(SAMPLE_BYTES):
            digest.update(chunk)
            if count_lines:
                newlines += _count_newlines(chunk)
                last = chunk[-1:]
    lines = newlines + (last != b"\n") if count_lines else None
    return digest.hexdigest(), lines


def _count_newlines(chunk: bytes) -> int:
    """``chunk.count(b"\\n")``, with numpy (about 7 times faster) when it is installed."""
    if _numpy is None:
        return chunk.count(b"\n")
    return int(_numpy.count_nonzero(_numpy.frombuffer(chunk, dtype=_numpy.uint8) == 10))


def import_file(
    *,
    store: AnalyticsStore | None = None,
    path: str | Path,
    mapping: Mapping | str | Path,
    strict: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    dialect: Dialect | None = None,
    date_order: str = "",
    on_overlap: str = "skip",
    encoding: str = "",
    limits: ImportLimits | None = None,
    reader: StoreOpener | None = None,
    writer: StoreOpener | None = None,
    staging_dir: Path | None = None,
) -> ImportResult:
    """Import the invoice lines of a CSV (plain or gzipped) or XLSX file.

    Parameters
    ----------
    store
        The analytics store, read and written by this call; its tables are created when missing.
        Instead, ``reader`` and ``writer`` open the store for a short unit of work each (see below).
    path
        The file. Its SHA-256 identifies it: a file imported before is not imported again.
    mapping
        A :class:`Mapping` or the name/path of one (see :func:`load_mapping`).
    strict
        Import nothing when any line is rejected.
    dry_run
        Read, validate and classify, but write nothing.
    progress
        Called with ``(done_fraction, phase)`` at each phase: ``reading``, ``validating``,
        ``writing``, ``done``.
    dialect
        Overrides :func:`detect_dialect`.
    date_order
        ``dmy`` or ``mdy``: the day/month order of the date column when its values cannot decide it
        (overrides the mapping's ``date_order``). Otherwise the order is decided from all the
        column's values (see :mod:`~kampass.core.analytics.ingest.dateorder`).
    on_overlap
        What to do with lines that earlier imports already wrote (see
        :mod:`~kampass.core.analytics.ingest.overlap`): ``skip`` them (the default), ``replace``
        the earlier ones, or ``import`` them again. The result's ``overlap`` reports them.
    encoding
        The file's text encoding (overrides the mapping's ``encoding``; default: recognised from its
        bytes, and a file mixing UTF-8 with other lines is refused with :class:`MixedEncoding`).
    limits
        What the file may hold and how long the import may take (default: :class:`ImportLimits`'
        defaults). Size, header columns and an XLSX workbook's zip directory are checked before any
        parsing; rows and cell lengths while reading; the time limit between the stages and, inside
        DuckDB, by interrupting the running statement.
    reader, writer
        Instead of ``store``: context managers that open the store for reading and for writing. The
        file is read, staged, validated and compared with the stored lines without the writer, in a
        DuckDB database of its own (in ``staging_dir``); ``reader`` is opened briefly for what the
        store already holds, ``writer`` only for the short final step (checks that the store has not
        changed since, then writes the lines in one transaction). Another import's writing step can
        therefore run while this file is still being read.
    staging_dir
        Where the import's staging database lives (default: the system's temporary directory).

    Returns
    -------
    ImportResult
        Rejected lines come with file, row (the header is row 1), column, raw value and reason.

    Raises
    ------
    MappingError
        The file lacks a column the mapping requires.
    IngestError
        The file cannot be read at all (e.g. it is empty).
    DateOrderQuestion
        The date column's day/month order cannot be told from its values (an :class:`IngestError`
        naming file and column): ``date_order`` answers it.
    LimitExceeded
        The file is over one of the ``limits`` (an :class:`IngestError`; :class:`ImportTimeout` for
        the time limit). Nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "lines.csv"
    ...     _ = p.write_text("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\\n"
    ...                      "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\\n"
    ...                      "C536379,POST,POSTAGE,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\\n"
    ...                      "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\\n")
    ...     store = AnalyticsStore("duckdb://")
    ...     result = import_file(store=store, path=p, mapping="online-retail")
    ...     again = import_file(store=store, path=p, mapping="online-retail")
    >>> result.lines, result.customers, result.categories
    (2, ['14527', '17850'], {'freight': 1, 'goods': 1})
    >>> result.rejects
    [Reject(file='lines.csv', row=4, column='Quantity', value='six', reason='not a number')]
    >>> again.already_imported, again.lines
    (True, 0)
    """
    path = Path(path)
    limits = limits or ImportLimits()
    deadline = Deadline(limits.seconds)
    loaded = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    outer_report = progress or _no_progress
    if store is not None:
        given = store
        reader = writer = lambda: nullcontext(given)
    elif reader is None or writer is None:
        raise TypeError("import_file needs a store, or a reader and a writer")

    def report(done: float, phase: str) -> None:
        deadline.check(path.name)
        outer_report(done, phase)

    if date_order and date_order not in ("dmy", "mdy"):
        raise ValueError(f"date order must be dmy or mdy, not {date_order!r}")
    if on_overlap not in OVERLAP_MODES:
        raise ValueError(f"on_overlap must be one of {', '.join(OVERLAP_MODES)}, not {on_overlap!r}")
    encoding = encoding or loaded.encoding
    check_file(path, limits)
    report(0.0, "reading")
    if store is not None:
        store.ensure_tables()
    if staging_dir is not None:
        staging_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kampass-import-", dir=staging_dir) as tmp:
        workdir = Path(tmp)
        dialect = dialect or detect_dialect(path, workdir=workdir, encoding=encoding, limits=limits, deadline=deadline)
        if not dialect.header:
            raise IngestError(file=path.name, problem="the file is empty (no header line)")
        check_columns(len(dialect.header), limits, file=path.name)
        count_lines = dialect.file_format == "csv" and dialect.native_utf8 and not is_gzip(path)
        digest = _Digest(path, count_lines=count_lines)
        job = _Job(
            reader=reader,
            writer=writer,
            path=path,
            dialect=dialect,
            mapping=loaded,
            batch_id=uuid.uuid4().hex,
            strict=strict,
            dry_run=dry_run,
            report=report,
            digest=digest,
            workdir=workdir,
            date_order=date_order or loaded.date_order,
            on_overlap=on_overlap,
            encoding_given=bool(encoding),
            limits=limits,
            deadline=deadline,
        )
        if path.stat().st_size <= EARLY_DIGEST_BYTES:
            with reader() as early:
                previous = job.previous_batch(early)
            if previous is not None:
                return job.already_imported(previous)
        outcome = job.run()
    if outcome.previous is not None:
        return job.already_imported(outcome.previous)
    report(1.0, "done")
    return ImportResult(
        batch_id=job.batch_id,
        file_sha256=digest.sha,
        file_name=path.name,
        lines=outcome.lines if outcome.written or dry_run else 0,
        rejected=len(outcome.rejects),
        rejects=outcome.rejects,
        customers=outcome.customers,
        already_imported=False,
        dry_run=dry_run,
        strict=strict,
        dialect=replace(dialect, date_style=outcome.date_order) if outcome.date_order else dialect,
        mapping=loaded.name,
        categories=outcome.categories,
        date_order=outcome.date_order,
        overlap=outcome.overlap,
    )


@dataclass(frozen=True)
class PreviewLine:
    """One line of a file as an import would store it: its row in the file (the header is row 1), the
    values by column of ``invoice_lines`` (``None`` where the line has no value), and the reasons it would
    be rejected (empty for a good line)."""

    row: int
    values: dict[str, Any]
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilePreview:
    """What :func:`preview_file` found: the file's header, its first lines as they would be stored, how many
    lines it has (blank ones not counted) and how many of them would be rejected, and the day/month order its
    dates are read in (``""``: no day/month dates)."""

    header: tuple[str, ...]
    lines: list[PreviewLine]
    rows: int
    rejected: int
    date_order: str


def preview_file(
    *,
    path: str | Path,
    mapping: Mapping | str | Path,
    rows: int = 10,
    date_order: str = "",
    encoding: str = "",
    limits: ImportLimits | None = None,
    staging_dir: Path | None = None,
) -> FilePreview:
    """The first ``rows`` lines of a file as :func:`import_file` would store them, read with the same
    checks (the day/month order decided from the whole date column, every line validated), writing
    nothing and without the store: the mapping step of an upload shows it before the import starts.

    Raises what :func:`import_file` raises before it writes (:class:`MappingError` for a required field
    without a column, :class:`DateOrderQuestion`, :class:`IngestError`, :class:`LimitExceeded`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "lines.csv"
    ...     _ = p.write_text("Beleg;Datum;Menge;Preis;Kunde\\n"
    ...                      "R-1;13.03.2024;2;1,50;K7\\n"
    ...                      "R-2;14.03.2024;zwei;1,00;K7\\n")
    ...     m = load_mapping("generic").with_columns(
    ...         {"invoice_no": "Beleg", "invoice_date": "Datum", "quantity": "Menge", "unit_price": "Preis",
    ...          "customer_id": "Kunde"})
    ...     found = preview_file(path=p, mapping=m)
    >>> [(line.row, line.values["invoice_no"], str(line.values["amount"])) for line in found.lines]
    [(2, 'R-1', '3.0000'), (3, 'R-2', 'None')]
    >>> found.lines[0].values["invoice_date"].isoformat(), found.lines[1].reasons, found.rows, found.rejected
    ('2024-03-13T00:00:00+00:00', ('not a number',), 2, 1)
    """
    path = Path(path)
    limits = limits or ImportLimits()
    deadline = Deadline(limits.seconds)
    loaded = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    encoding = encoding or loaded.encoding
    check_file(path, limits)
    if staging_dir is not None:
        staging_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kampass-preview-", dir=staging_dir) as tmp:
        workdir = Path(tmp)
        dialect = detect_dialect(path, workdir=workdir, encoding=encoding, limits=limits, deadline=deadline)
        if not dialect.header:
            raise IngestError(file=path.name, problem="the file is empty (no header line)")
        check_columns(len(dialect.header), limits, file=path.name)
        count_lines = dialect.file_format == "csv" and dialect.native_utf8 and not is_gzip(path)
        job = _Job(
            reader=_no_store, writer=_no_store, path=path, dialect=dialect, mapping=loaded, batch_id=uuid.uuid4().hex,
            strict=False, dry_run=True, report=_no_progress, digest=_Digest(path, count_lines=count_lines),
            workdir=workdir, date_order=date_order or loaded.date_order, encoding_given=bool(encoding),
            limits=limits, deadline=deadline,
        )  # fmt: skip
        staged, first, counted = job.preview(rows)
    reasons: dict[int, list[str]] = {}
    for reject in staged.rejects:
        reasons.setdefault(reject.row, []).append(reject.reason)
    lines = []
    for values in first:
        row = int(values.pop("source_row"))
        lines.append(PreviewLine(row=row, values=values, reasons=tuple(reasons.get(row, ()))))
    shown = {line.row for line in lines}
    last = lines[-1].row if len(lines) >= rows else None
    for row, why in sorted(reasons.items()):  # lines the reader could not split into columns are not staged
        if row not in shown and (last is None or row < last):
            lines.append(PreviewLine(row=row, values={}, reasons=tuple(why)))
    lines.sort(key=lambda line: line.row)
    return FilePreview(
        header=tuple(dialect.header), lines=lines[:rows], rows=counted, rejected=len(reasons),
        date_order=staged.order,
    )  # fmt: skip


def _no_store() -> AbstractContextManager[AnalyticsStore]:
    raise RuntimeError("a preview never opens the analytics store")


def delete_orphan_lines(store: AnalyticsStore) -> int:
    """Delete invoice lines and facts whose batch has no row in ``import_batches`` (left by an
    interrupted import).

    Returns the number of orphan batches removed.
    """
    batches = store.table(IMPORT_BATCHES)
    known = set(batches.select("batch_id").distinct().to_pyarrow().column(0).to_pylist())
    present: dict[str, set[str]] = {}
    for name in (INVOICE_LINES, INVOICE_FACTS):
        table = store.table(name)
        present[name] = set(table.select("batch_id").distinct().to_pyarrow().column(0).to_pylist()) - known
    orphans = sorted(set().union(*present.values()))
    if not orphans:
        return 0
    raw = _duckdb_connection(store)
    for name in (INVOICE_LINES, INVOICE_FACTS):
        gone = sorted(present[name])
        if not gone:
            continue
        delete = f"DELETE FROM {name} WHERE batch_id IN ({', '.join(quote_literal(b) for b in gone)})"
        if raw is not None:
            raw.execute(delete)
        elif store.kind == "postgres":
            cursor = store.con.raw_sql(delete)
            with suppress(AttributeError):
                cursor.close()
        else:
            # Spark tables without DELETE support: rewrite the table without the orphans
            table = store.table(name)
            store.replace(name, table.filter(~table.batch_id.isin(gone)).to_pyarrow())
    return len(orphans)


@dataclass
class _Outcome:
    lines: int
    rejects: list[Reject]
    customers: list[str]
    categories: dict[str, int]
    written: bool
    previous: str | None = None
    date_order: str = ""
    overlap: Overlap | None = None


class _Digest:
    """The file's fingerprint, computed in a background thread (hashlib and DuckDB release the GIL)."""

    def __init__(self, path: Path, *, count_lines: bool) -> None:
        self._result: tuple[str, int | None] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(path, count_lines), daemon=True)
        self._thread.start()

    def _work(self, path: Path, count_lines: bool) -> None:
        try:
            self._result = file_digest(path, count_lines=count_lines)
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def _get(self) -> tuple[str, int | None]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    @property
    def sha(self) -> str:
        return self._get()[0]

    @property
    def lines(self) -> int | None:
        """Lines of the file (None: not counted, as for gzipped files)."""
        return self._get()[1]


class _Names:
    """Names of the temporary tables and views of one import."""

    def __init__(self, batch_id: str) -> None:
        self.stage = f"kampass_stage_{batch_id}"
        self.numbered = f"kampass_numbered_{batch_id}"
        self.lines = f"kampass_lines_{batch_id}"
        self.ready = f"kampass_ready_{batch_id}"
        self.skips = f"kampass_skips_{batch_id}"
        self.rejects = f"kampass_rejects_{batch_id}"
        self.scan = f"kampass_scan_{batch_id}"
        self.facts = f"kampass_facts_{batch_id}"
        self.stored = f"kampass_stored_{batch_id}"
        self.batches = f"kampass_batches_{batch_id}"
        self.matched = f"kampass_matched_{batch_id}"
        self.earlier = f"kampass_earlier_{batch_id}"
        self.ready_db = f"kampass_ready_db_{batch_id}"
        """The alias of the import's ready database (see :meth:`_Job._prepare`) wherever it is attached."""

    def drop_all(self, con: Any) -> None:
        with suppress(duckdb.Error):
            con.execute(f"DETACH DATABASE IF EXISTS {self.ready_db}")
        for view in (self.lines, self.numbered):
            with suppress(duckdb.Error):
                con.execute(f"DROP VIEW IF EXISTS {view}")
        for name in (self.stored, self.batches):
            with suppress(duckdb.Error):
                con.unregister(name)
        for table in (self.ready, self.matched, self.earlier, self.facts, self.skips, self.rejects, self.scan,
                      self.stage):  # fmt: skip
            with suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS {table}")


@dataclass
class _Staged:
    """What reading and validating the file found (in the staging database)."""

    order: str
    plan: StagePlan
    rejects: list[Reject]


@dataclass
class _Compared:
    """The good lines compared with the store: the overlap, and the store's state it was found in."""

    overlap: Overlap
    categories: dict[str, int]
    customers: list[str]
    seen: tuple[frozenset[str], int]
    attaches: bool
    """Whether the store is written through a DuckDB connection, which copies the lines from an attached
    ready database (else they travel as Arrow): how the lines are prepared for it."""

    @property
    def good(self) -> int:
        return sum(self.categories.values())


@dataclass
class _Job:
    """One import run: stage, collect rejects, compare with the store, write (see the module docstring)."""

    reader: StoreOpener
    writer: StoreOpener
    path: Path
    dialect: Dialect
    mapping: Mapping
    batch_id: str
    strict: bool
    dry_run: bool
    report: Progress
    digest: _Digest
    workdir: Path
    date_order: str = ""
    on_overlap: str = "skip"
    encoding_given: bool = False
    limits: ImportLimits = field(default_factory=ImportLimits)
    deadline: Deadline = field(default_factory=lambda: Deadline(None))

    def previous_batch(self, store: AnalyticsStore) -> str | None:
        """The batch that imported this very file before, if any."""
        batches = store.table(IMPORT_BATCHES)
        found = batches.filter(batches.file_sha256 == self.digest.sha).select("batch_id").limit(1).to_pyarrow()
        return str(found.column(0)[0].as_py()) if found.num_rows else None

    def already_imported(self, previous: str) -> ImportResult:
        self.report(1.0, "done")
        return ImportResult(
            batch_id=previous,
            file_sha256=self.digest.sha,
            file_name=self.path.name,
            lines=0,
            rejected=0,
            rejects=[],
            customers=[],
            already_imported=True,
            dry_run=self.dry_run,
            strict=self.strict,
            dialect=self.dialect,
            mapping=self.mapping.name,
        )

    def run(self) -> _Outcome:
        with self._staging() as (con, names, plan_for, date_column, blank_lines):
            return self._import(con, names, plan_for, date_column, blank_lines)

    def preview(self, rows: int) -> tuple[_Staged, list[dict[str, Any]], int]:
        """Stage and validate the file as :meth:`run` does, writing nothing: what was found, the first
        ``rows`` staged lines (blank lines left out) as they would be stored, with their ``source_row``,
        and how many lines the file has (blank lines left out, those the reader could not split counted)."""
        with self._staging() as (con, names, plan_for, date_column, blank_lines):
            staged = self._validate(con, names, plan_for, date_column, blank_lines)
            columns = ", ".join(f"{sql} AS {name}" for name, sql in staged.plan.line_columns.items())
            first = _arrow_reader(
                con,
                f"SELECT CAST(source_row AS BIGINT) AS source_row, {columns} FROM {names.numbered} "
                f"WHERE bad IS NULL OR bad <> {BLANK} ORDER BY source_row LIMIT {int(rows)}",
                max(int(rows), 1),
            ).read_all()
            counted = con.execute(
                f"SELECT (SELECT count(*) FROM {names.stage} WHERE bad IS NULL OR bad <> {BLANK}) "
                f"+ (SELECT count(DISTINCT line) FROM {names.rejects})"
            ).fetchone()
            return staged, first.to_pylist(), int(counted[0]) if counted else 0

    @contextmanager
    def _staging(
        self,
    ) -> Iterator[tuple[Any, _Names, Callable[[str], StagePlan], str, Callable[[int], list[int]]]]:
        """The staging database with the file's reading prepared: the connection, the tables' names, the
        plan per day/month order, the date column and the blank lines the reader skipped."""
        names = _Names(self.batch_id)
        source, transcoded_blanks = readable_source(
            self.path, self.dialect, self.workdir, encoding_given=self.encoding_given, limits=self.limits,
            deadline=self.deadline,
        )  # fmt: skip
        index = self.mapping.resolve(self.dialect.header, file=self.path.name)["invoice_date"]
        date_column = self.dialect.header[index]
        read_csv = read_csv_sql(
            source=source,
            dialect=self.dialect,
            width=len(self.dialect.header),
            compression="gzip" if is_gzip(source) else "none",
            rejects_table=names.rejects,
            rejects_scan=names.scan,
        )

        def plan_for(order: str) -> StagePlan:
            """The staging plan reading day/month dates in ``order`` first (``""``: in the mapping's order)."""
            formats = (
                formats_for_order(self.mapping.date_formats, order, file=self.path.name, column=date_column)
                if order
                else self.mapping.date_formats
            )
            return plan_stage(
                read_csv=read_csv,
                dialect=self.dialect,
                mapping=self.mapping,
                header=self.dialect.header,
                file=self.path.name,
                date_formats=formats,
                max_cell_chars=self.limits.max_cell_chars,
            )

        with _staging_connection(self.workdir) as con:
            try:

                def blank_lines(read: int) -> list[int]:
                    """Blank lines DuckDB skipped, given that it ``read`` this many lines (header included)."""
                    if transcoded_blanks is not None:
                        return transcoded_blanks
                    if self.digest.lines is None or self.digest.lines == read:
                        return []  # not counted (gzip), or every line accounted for
                    return scan_blank_lines(self.path)

                with _interrupt_at(con, self.deadline):
                    yield con, names, plan_for, date_column, blank_lines
            except (duckdb.Error, IngestError) as exc:
                if self.deadline.passed and not isinstance(exc, LimitExceeded):
                    raise self.deadline.timeout(self.path.name) from exc  # the interrupted statement
                raise
            finally:
                names.drop_all(con)

    def _stage(self, con: Any, names: _Names, plan: StagePlan) -> None:
        try:
            con.execute(f"CREATE TEMP TABLE {names.stage} AS {plan.select_sql}")
        except duckdb.Error as exc:
            raise IngestError(file=self.path.name, problem=f"cannot be read as CSV: {exc}") from exc

    def _staged_date_order(
        self, con: Any, names: _Names, plan_for: Callable[[str], StagePlan], date_column: str
    ) -> tuple[str, StagePlan]:
        """Stage the file and decide the day/month order of its date column from all its staged values.

        The staging reads day/month dates in the order given by the user or, without one, in the
        order the dialect's sample suggests, else in the mapping's format order. When the column
        then proves another order, only its ambiguous dates (both parts up to 12) were read wrong:
        a proven column has no value of the other order, and an ambiguous value is a valid date in
        both orders, so no line changes from good to bad. Those dates are read again in the proven
        order (one UPDATE of the staged lines, not a second read of the file).
        """
        guess = self.date_order or (self.dialect.date_style if self.dialect.date_style in ("dmy", "mdy") else "")
        plan = plan_for(guess)
        self._stage(con, names, plan)
        evidence = column_evidence(con, source_sql=names.stage, column="date_raw")
        order = decide_column_order(evidence, file=self.path.name, column=date_column, given=self.date_order)
        if order and order != (guess or leading_order(self.mapping.date_formats)):
            formats = formats_for_order(self.mapping.date_formats, order, file=self.path.name, column=date_column)
            con.execute(
                f"UPDATE {names.stage} SET invoice_date = {date_sql('date_raw', formats)} "
                "WHERE date_raw IS NOT NULL AND invoice_date IS NOT NULL"
            )
        return order, plan

    def _validate(
        self,
        con: Any,
        names: _Names,
        plan_for: Callable[[str], StagePlan],
        date_column: str,
        blank_lines: Callable[[int], list[int]],
    ) -> _Staged:
        """Stage the file in the staging database (the date order decided on it) and collect the rejects."""
        order, plan = self._staged_date_order(con, names, plan_for, date_column)
        self.report(0.6, "validating")
        reader = _reader_rejects(con, names, self.path.name, plan.width)
        if not self.encoding_given and self.dialect.native_utf8:
            invalid = [r.row for r in reader if r.reason == _READER_REASONS["INVALID UNICODE"]]
            if invalid:  # the sample was UTF-8, these lines are not: refuse rather than drop them
                raise MixedEncoding(file=self.path.name, encoding="utf-8", bad=invalid, good=[])
        staged = _count(con, names.stage)
        rows = staged + len(reader)
        if self.limits.max_rows is not None and rows > self.limits.max_rows:
            raise LimitExceeded(file=self.path.name, limit="max_rows", allowed=self.limits.max_rows, actual=rows)
        read = 1 + rows
        skipped = sorted({r.row for r in reader} | set(blank_lines(read)))
        _number_lines(con, names, skipped)
        bad = con.execute(
            f"SELECT source_row, bad, bad_value FROM {names.numbered} WHERE bad IS NOT NULL AND bad <> {BLANK}"
        ).fetchall()
        rejects = reader + [_value_reject(self.path.name, plan, row, code, value) for row, code, value in bad]
        rejects.sort(key=lambda r: r.row)
        return _Staged(order=order, plan=plan, rejects=rejects)

    def _compare(self, con: Any, names: _Names, plan: StagePlan, store: AnalyticsStore) -> _Compared:
        """Compare the good staged lines with the store (the overlap; skipped lines are marked in the
        staged table) and sum the facts of the lines to write. May run again (under the writer) when
        the store changed after a first comparison with what the reader saw."""
        con.execute(f"UPDATE {names.stage} SET bad = NULL WHERE bad = {OVERLAP}")
        for table in (names.facts, names.matched, names.earlier):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        for name in (names.stored, names.batches):
            with suppress(duckdb.Error):
                con.unregister(name)
        seen = _store_state(store)
        overlap = self._overlap(con, names, store)
        if overlap.skipped:
            con.execute(f"UPDATE {names.stage} SET bad = {OVERLAP} WHERE rowid IN (SELECT rid FROM {names.matched})")
        facts_sql = facts_select_sql(
            source=f"{names.stage} WHERE bad IS NULL",
            columns={**plan.line_columns, "batch_id": quote_literal(self.batch_id)},
        )
        con.execute(f"CREATE TEMP TABLE {names.facts} AS {facts_sql}")
        categories, customers = _summary(con, names.facts)
        return _Compared(overlap=overlap, categories=categories, customers=customers, seen=seen,
                         attaches=_duckdb_connection(store) is not None)  # fmt: skip

    def _import(
        self,
        con: Any,
        names: _Names,
        plan_for: Callable[[str], StagePlan],
        date_column: str,
        blank_lines: Callable[[int], list[int]],
    ) -> _Outcome:
        """Stage and validate without the writer, compare with what the reader sees, then (writer held)
        check that nothing changed meanwhile and write."""
        staged = self._validate(con, names, plan_for, date_column, blank_lines)
        order, plan, rejects = staged.order, staged.plan, staged.rejects
        with self.reader() as store:
            compared = self._compare(con, names, plan, store)
            previous = self.previous_batch(store)  # large files are fingerprinted meanwhile
        if previous is not None:
            return _Outcome(compared.good, rejects, compared.customers, compared.categories, written=False,
                            previous=previous, date_order=order)  # fmt: skip
        if self.dry_run or (self.strict and rejects):
            return _Outcome(compared.good, rejects, compared.customers, compared.categories, written=False,
                            date_order=order, overlap=compared.overlap)  # fmt: skip
        self._prepare(con, names, plan, compared)
        self.report(0.8, "writing")
        with self.writer() as store:
            if (previous := self.previous_batch(store)) is not None:  # imported meanwhile by another job
                return _Outcome(compared.good, rejects, compared.customers, compared.categories, written=False,
                                previous=previous, date_order=order)  # fmt: skip
            delete_orphan_lines(store)
            if _store_state(store) != compared.seen:  # another import wrote meanwhile: compare again
                compared = self._compare(con, names, plan, store)
                self._prepare(con, names, plan, compared)
            self._write(con, names, store, compared, self._batch_row(lines=compared.good, rejected=len(rejects)))
        return _Outcome(compared.good, rejects, compared.customers, compared.categories, written=True,
                        date_order=order, overlap=compared.overlap)  # fmt: skip

    @property
    def ready_path(self) -> Path:
        """The import's ready database: the rows to write, as the DuckDB store holds them."""
        return self.workdir / "ready.duckdb"

    def _prepare(self, con: Any, names: _Names, plan: StagePlan, compared: _Compared) -> None:
        """The rows to write, as the store holds them, computed before the writer is asked for, so that
        under it they only need to be copied.

        For a DuckDB store they go into a database file of their own (:attr:`ready_path`: the lines,
        their facts and, with ``replace``, the stored lines to delete), which the store attaches
        read-only and copies from with ``INSERT ... SELECT`` (:func:`_write_duckdb`): no Arrow hop, and
        DuckDB inserts in parallel. The staging database itself cannot be attached while the staging
        connection has it open (DuckDB opens a file once per process). For PostgreSQL and Spark the
        lines stay a temporary table of the staging database and travel as Arrow.
        """
        select = (
            f"SELECT {quote_literal(self.batch_id)} AS batch_id, CAST(source_row AS BIGINT) AS source_row, "
            + ", ".join(f"{sql} AS {name}" for name, sql in plan.line_columns.items())
            + f" FROM {names.numbered} WHERE bad IS NULL"
        )
        if not compared.attaches:
            con.execute(f"DROP TABLE IF EXISTS {names.ready}")
            con.execute(f"CREATE TEMP TABLE {names.ready} AS {select}")
            return
        ready = self.ready_path
        for stale in (ready, ready.with_name(ready.name + ".wal")):  # prepared before another import wrote
            stale.unlink(missing_ok=True)
        con.execute(f"ATTACH {quote_literal(str(ready))} AS {names.ready_db}")
        try:
            with _uncompressed(con):
                con.execute(f"CREATE TABLE {names.ready_db}.lines AS {select}")
                con.execute(f"CREATE TABLE {names.ready_db}.facts AS SELECT * FROM {names.facts}")
                if compared.overlap.replaced:
                    con.execute(
                        f"CREATE TABLE {names.ready_db}.earlier AS SELECT batch_id, source_row FROM {names.earlier}"
                    )
        finally:
            con.execute(f"DETACH DATABASE {names.ready_db}")

    def _write(self, con: Any, names: _Names, store: AnalyticsStore, compared: _Compared, batch_row: pa.Table) -> None:
        """Write the prepared lines, their facts and the batch row, and with ``replace`` delete the
        earlier lines: one transaction on DuckDB and PostgreSQL, a swap of new table versions on Spark."""
        raw = _duckdb_connection(store)
        if raw is not None:
            _write_duckdb(raw, names, self.ready_path, bool(compared.overlap.replaced), batch_row, self.deadline)
            return
        facts = _arrow_reader(con, f"SELECT * FROM {names.facts}", ARROW_BATCH_ROWS).read_all()
        earlier = (
            _arrow_reader(con, f"SELECT batch_id, source_row FROM {names.earlier}", ARROW_BATCH_ROWS).read_all()
            if compared.overlap.replaced
            else None
        )
        reader_batches = _arrow_reader(con, f"SELECT * FROM {names.ready}", ARROW_BATCH_ROWS)
        lines = pa.Table.from_batches(list(reader_batches), schema=reader_batches.schema)
        if store.kind == "postgres":
            _write_postgres(store, lines, facts, earlier, batch_row)
        else:
            _write_swapped(store, lines, facts, earlier, batch_row)

    def _overlap(self, con: Any, names: _Names, store: AnalyticsStore) -> Overlap:
        """Find the good staged lines that earlier imports hold (see :func:`find_overlap`): the stored
        lines in the file's date range travel as Arrow into the staging database."""
        span = _arrow_reader(  # as Arrow: DuckDB's Python datetimes with a zone need pytz
            con,
            f"SELECT min(invoice_date) AS low, max(invoice_date) AS high, count(*) AS n FROM {names.stage} "
            "WHERE bad IS NULL",
            1,
        ).read_all()
        low, high, total = (span.column(name)[0].as_py() for name in ("low", "high", "n"))
        nothing = Overlap(lines=0, of=int(total), mode=self.on_overlap)
        if not total:
            return nothing
        lines = store.table(INVOICE_LINES)
        near = lines.filter(lines.invoice_date.between(low, high))
        if store.kind == "duckdb":  # only the stored lines of the file's invoices travel (not a large store's range)
            invoices = _arrow_reader(
                con, f"SELECT DISTINCT invoice_no FROM {names.stage} WHERE bad IS NULL", ARROW_BATCH_ROWS
            ).read_all()
            listed = ibis.memtable(invoices)
            near = near.filter(near.invoice_no.isnull() | near.invoice_no.isin(listed.invoice_no))
        found = near.select("batch_id", "source_row", *IDENTITY).to_pyarrow()
        if not found.num_rows:
            return nothing
        con.register(names.stored, found)
        con.register(names.batches, store.table(IMPORT_BATCHES).to_pyarrow())
        good = f"SELECT rowid AS rid, {', '.join(IDENTITY)} FROM {names.stage} WHERE bad IS NULL"
        return find_overlap(
            con,
            good=good,
            stored=names.stored,
            batches=names.batches,
            matched=names.matched,
            earlier=names.earlier,
            mode=self.on_overlap,
        )

    def _batch_row(self, *, lines: int, rejected: int) -> pa.Table:
        return pa.table(
            {
                "batch_id": [self.batch_id],
                "file_sha256": [self.digest.sha],
                "file_name": [self.path.name],
                "mapping": [self.mapping.name],
                "lines": [lines],
                "rejected": [rejected],
                "imported_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
            },
            schema=SCHEMAS[IMPORT_BATCHES].to_pyarrow(),
        )


def _store_state(store: AnalyticsStore) -> tuple[frozenset[str], int]:
    """What changes whenever an import writes: the committed batches and the number of stored lines
    (a ``replace`` import adds a batch too)."""
    batches = store.table(IMPORT_BATCHES).select("batch_id").to_pyarrow().column(0).to_pylist()
    count = store.table(INVOICE_LINES).count().to_pyarrow().as_py()
    return frozenset(str(b) for b in batches), int(count or 0)


def _write_duckdb(
    raw: duckdb.DuckDBPyConnection,
    names: _Names,
    ready: Path,
    replace: bool,
    batch_row: pa.Table,
    deadline: Deadline,
) -> None:
    """The DuckDB store: one transaction that copies the prepared rows from the import's ready database
    (``ready``, attached read-only) with ``INSERT ... SELECT``; detached again afterwards."""
    raw.register(names.batches, batch_row)
    attached = False
    try:
        with _without_fsst(raw), _interrupt_at(raw, deadline):
            raw.execute(f"ATTACH {quote_literal(str(ready))} AS {names.ready_db} (READ_ONLY)")
            attached = True
            raw.execute("BEGIN TRANSACTION")
            try:
                if replace:
                    _remove_earlier_shared(raw, f"{names.ready_db}.earlier")
                for table, source in ((INVOICE_LINES, f"{names.ready_db}.lines"),
                                      (INVOICE_FACTS, f"{names.ready_db}.facts"),
                                      (IMPORT_BATCHES, names.batches)):  # fmt: skip
                    columns = ", ".join(SCHEMAS[table].names)
                    raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {source}")
            except BaseException:
                with suppress(duckdb.Error):
                    raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
    finally:
        if attached:
            with suppress(duckdb.Error):
                raw.execute(f"DETACH DATABASE {names.ready_db}")
        with suppress(duckdb.Error):
            raw.unregister(names.batches)


def _remove_earlier_sql(earlier: str) -> tuple[str, str, str]:
    """The statements that delete the stored lines listed in ``earlier`` (``batch_id, source_row``),
    delete the facts of their batches and compute those again from the remaining lines."""
    affected = f"SELECT DISTINCT batch_id FROM {earlier}"
    columns = {name: name for name in ("batch_id", "customer_id", "currency", "category", "quantity", "unit_cost")}
    facts = facts_select_sql(
        source=f"{INVOICE_LINES} WHERE batch_id IN ({affected})", columns={**columns, "amount": "amount"}
    )
    return (
        f"DELETE FROM {INVOICE_LINES} USING {earlier} e "
        f"WHERE {INVOICE_LINES}.batch_id = e.batch_id AND {INVOICE_LINES}.source_row = e.source_row",
        f"DELETE FROM {INVOICE_FACTS} WHERE batch_id IN ({affected})",
        f"INSERT INTO {INVOICE_FACTS} {facts}",
    )


def _remove_earlier_shared(con: Any, earlier: str) -> None:
    """Delete the stored lines listed in the table ``earlier`` and compute the facts of their batches
    again (DuckDB store, inside the import's transaction)."""
    for statement in _remove_earlier_sql(earlier):
        con.execute(statement)


def _write_postgres(
    store: AnalyticsStore, lines: pa.Table, facts: pa.Table, earlier: pa.Table | None, batch_row: pa.Table
) -> None:
    """The PostgreSQL store: one transaction (the statements ibis runs become savepoints in it), so a
    failure anywhere leaves the store as it was, also after the earlier lines were deleted."""
    pg = store.con.con  # the psycopg connection behind the ibis backend
    with pg.transaction():
        if earlier is not None:
            affected = sorted(set(earlier.column("batch_id").to_pylist()))
            by_batch: dict[str, list[int]] = {}
            for batch, row in zip(
                earlier.column("batch_id").to_pylist(), earlier.column("source_row").to_pylist(), strict=True
            ):
                by_batch.setdefault(batch, []).append(int(row))
            with pg.cursor() as cursor:
                for batch, rows in by_batch.items():
                    for start in range(0, len(rows), 10_000):
                        chunk = ", ".join(str(r) for r in rows[start : start + 10_000])
                        cursor.execute(
                            f"DELETE FROM {INVOICE_LINES} WHERE batch_id = {quote_literal(batch)} "
                            f"AND source_row IN ({chunk})"
                        )
                cursor.execute(
                    f"DELETE FROM {INVOICE_FACTS} WHERE batch_id IN ({', '.join(quote_literal(b) for b in affected)})"
                )
            remaining = store.table(INVOICE_LINES)
            store.con.insert(INVOICE_FACTS, invoice_facts(remaining.filter(remaining.batch_id.isin(affected))))
        store.insert(INVOICE_LINES, lines, facts=facts)
        store.insert(IMPORT_BATCHES, batch_row)


def _write_swapped(
    store: AnalyticsStore, lines: pa.Table, facts: pa.Table, earlier: pa.Table | None, batch_row: pa.Table
) -> None:
    """The Spark store, which has no transactions over several statements.

    Without lines to replace: the lines, their facts, then the batch row are appended (an interruption
    leaves lines without a batch row, which :func:`delete_orphan_lines` removes). With ``replace``: new
    versions of ``invoice_lines`` and ``invoice_facts`` (the kept lines and the new ones, the facts of
    the earlier batches computed again) are written completely as ``<table>__next``; only then are they
    swapped in by renaming (``<table>`` to ``<table>__previous``, ``<table>__next`` to ``<table>``), the
    batch row appended and the previous versions dropped. A failure before the swap leaves the store as
    it was (the ``__next`` tables are dropped); :meth:`AnalyticsStore.recover_swap` completes or undoes an interrupted
    swap the next time the store is opened for writing.
    """
    if earlier is None:
        store.insert(INVOICE_LINES, lines, facts=facts)
        store.insert(IMPORT_BATCHES, batch_row)
        return
    affected = sorted(set(earlier.column("batch_id").to_pylist()))
    stored = store.table(INVOICE_LINES)
    gone = ibis.memtable(earlier.select(["batch_id", "source_row"])).mutate(gone=ibis.literal(True))
    kept = stored.left_join(gone, ["batch_id", "source_row"]).filter(lambda t: t.gone.isnull()).select(*stored.columns)
    line_schema = SCHEMAS[INVOICE_LINES].to_pyarrow()
    kept_lines = kept.to_pyarrow().cast(line_schema)
    recomputed = store._facts_of(kept_lines.filter(pc.is_in(kept_lines["batch_id"], pa.array(affected))))
    stored_facts = store.table(INVOICE_FACTS)
    facts_schema = SCHEMAS[INVOICE_FACTS].to_pyarrow()
    versions = {
        INVOICE_LINES: pa.concat_tables([kept_lines, lines.cast(line_schema)]),
        INVOICE_FACTS: pa.concat_tables(
            [
                stored_facts.filter(~stored_facts.batch_id.isin(affected)).to_pyarrow().cast(facts_schema),
                _as_arrow(recomputed).cast(facts_schema),
                facts.cast(facts_schema),
            ]
        ),
    }
    try:
        for name, data in versions.items():
            store.write_version(f"{name}{SWAP_NEXT}", name, data)
    except BaseException:
        for name in versions:
            with suppress(Exception):
                store.con.drop_table(f"{name}{SWAP_NEXT}", force=True)
        raise
    for name in versions:
        store.con.rename_table(name, f"{name}{SWAP_PREVIOUS}")
        store.con.rename_table(f"{name}{SWAP_NEXT}", name)
    store.insert(IMPORT_BATCHES, batch_row)
    for name in versions:
        store.con.drop_table(f"{name}{SWAP_PREVIOUS}", force=True)


def _as_arrow(data: pa.Table | ibis.Table) -> pa.Table:
    return data if isinstance(data, pa.Table) else data.to_pyarrow()


def _no_progress(done: float, message: str) -> None:
    return None


def _duckdb_connection(store: AnalyticsStore) -> duckdb.DuckDBPyConnection | None:
    """The raw DuckDB connection behind a DuckDB store (None for other stores)."""
    raw = getattr(store.con, "con", None) if store.kind == "duckdb" else None
    return raw if isinstance(raw, duckdb.DuckDBPyConnection) else None


@contextmanager
def _staging_connection(workdir: Path) -> Iterator[Any]:
    """The import's own DuckDB database, a file in ``workdir`` (what does not fit in memory spills next
    to it): the file is read, staged and validated there, away from the store and its writer.

    Line numbers come from the order in which DuckDB keeps the rows, so insertion order is
    preserved for the duration of the import.
    """
    con = duckdb.connect(str(workdir / "staging.duckdb"))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        yield con
    finally:
        con.close()


@contextmanager
def _interrupt_at(con: Any, deadline: Deadline) -> Iterator[None]:
    """Interrupt the statement running on the DuckDB connection ``con`` when ``deadline`` passes.

    The statement then fails (DuckDB's interrupt error); the importer reports the time limit instead.
    Once the deadline has passed the interrupt is repeated every 0.2 s until the block is left: an
    interrupt that arrives between two statements (or before the first, on a busy machine where the
    deadline passed while the block was being entered) does not stop the next one.
    """
    remaining = deadline.remaining
    if remaining is None:
        yield
        return
    delay = max(remaining, 0.0)
    left = threading.Event()

    def interrupt() -> None:
        if left.wait(delay):
            return
        while not left.is_set():
            con.interrupt()
            left.wait(0.2)

    watcher = threading.Thread(target=interrupt, name="kampass-import-deadline", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        left.set()
        watcher.join()


def _setting(con: Any, name: str) -> Any:
    row = con.execute(f"SELECT current_setting({quote_literal(name)})").fetchone()
    return row[0] if row else None


@contextmanager
def _uncompressed(con: Any) -> Iterator[None]:
    """Write tables of the staging database's instance uncompressed (the ready database lives only until
    the store copied it: analysing compression there cost more than the larger file; the store compresses
    what it stores). The setting is global to the instance, so it is restored right after."""
    before = _setting(con, "force_compression")
    con.execute("SET force_compression = 'uncompressed'")
    try:
        yield
    finally:
        con.execute(f"SET force_compression = {quote_literal(str(before or 'auto'))}")


@contextmanager
def _without_fsst(con: Any) -> Iterator[None]:
    """Skip DuckDB's FSST string compression while writing invoice lines.

    Their strings repeat (codes, descriptions, countries, categories): dictionary compression
    stores them as small or smaller, and not analysing FSST makes the write about 10 % faster.
    The setting is global to the database instance, so it is restored right after.
    """
    try:
        before = _setting(con, "disabled_compression_methods")
    except duckdb.Error:  # a DuckDB without this setting
        before = None
    methods = [m for m in str(before or "").split(",") if m.strip()]
    if before is None or "fsst" in (m.strip().lower() for m in methods):
        yield
        return
    con.execute(f"SET disabled_compression_methods = {quote_literal(','.join([*methods, 'fsst']))}")
    try:
        yield
    finally:
        con.execute(f"SET disabled_compression_methods = {quote_literal(str(before or ''))}")


def _reader_rejects(con: Any, names: _Names, file: str, width: int) -> list[Reject]:
    """Lines DuckDB's CSV reader could not split into the header's columns."""
    rows = con.execute(
        f"SELECT line, first(error_type ORDER BY column_idx), first(csv_line ORDER BY column_idx), "
        f"first(column_name ORDER BY column_idx), first(error_message ORDER BY column_idx) "
        f"FROM {names.rejects} GROUP BY line ORDER BY line"
    ).fetchall()
    out = []
    for line, error_type, csv_line, column, message in rows:
        reason = _READER_REASONS.get(str(error_type), str(message).splitlines()[0] if message else str(error_type))
        out.append(
            Reject(
                file=file,
                row=int(line),
                column="" if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS") else str(column or ""),
                value=(csv_line or "").strip("\r\n"),
                reason=reason.format(width=width),
            )
        )
    return out


def _value_reject(file: str, plan: StagePlan, row: int, code: int, value: Any) -> Reject:
    check = plan.checks[code]
    return Reject(
        file=file, row=int(row), column=check.column, value="" if value is None else str(value), reason=check.reason
    )


def _skip_offsets(skipped: list[int]) -> list[int]:
    """For the sorted numbers of lines the reader skipped (rejected or blank): how many read
    lines precede each of them (``q_j``). Read line ``i`` (0-based) then sits on line
    ``i + 2 + #{j : q_j <= i}`` of the file (the header is line 1).

    Examples
    --------
    >>> offsets = _skip_offsets([3, 4, 7])  # lines 2, 5, 6, 8, ... were read
    >>> offsets, [i + 2 + sum(q <= i for q in offsets) for i in range(4)]
    ([1, 1, 3], [2, 5, 6, 8])
    """
    return [line - 2 - j for j, line in enumerate(skipped)]


def _create_skips(con: Any, names: _Names, skipped: list[int]) -> None:
    """A table ``(q, n)``: from the q-th read line on, ``n`` lines were skipped before it."""
    counts: dict[int, int] = {}
    for n, q in enumerate(_skip_offsets(skipped), start=1):
        counts[q] = n  # equal offsets: the last one counts them all
    con.execute(f"CREATE TEMP TABLE {names.skips} (q BIGINT, n BIGINT)")
    con.executemany(f"INSERT INTO {names.skips} VALUES (?, ?)", list(counts.items()))


def _number_lines(con: Any, names: _Names, skipped: list[int]) -> None:
    """A view of the staged lines with ``source_row``, their line number in the file."""
    if not skipped:
        con.execute(f"CREATE TEMP VIEW {names.numbered} AS SELECT *, rowid + 2 AS source_row FROM {names.stage}")
        return
    _create_skips(con, names, skipped)
    con.execute(
        f"CREATE TEMP VIEW {names.numbered} AS "
        f"SELECT s.* EXCLUDE (rid), s.rid + 2 + coalesce(k.n, 0) AS source_row "
        f"FROM (SELECT rowid AS rid, * FROM {names.stage}) s ASOF LEFT JOIN {names.skips} k ON s.rid >= k.q"
    )


def _count(con: Any, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _summary(con: Any, facts: str) -> tuple[dict[str, int], list[str]]:
    """Lines per category and the sorted distinct customer ids, from the import's facts table."""
    categories = {
        str(category): int(n)
        for category, n in con.execute(f"SELECT category, sum(lines) FROM {facts} GROUP BY 1 ORDER BY 1").fetchall()
    }
    customers = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT customer_id FROM {facts} WHERE customer_id IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    return categories, customers


def _arrow_reader(con: Any, sql: str, rows: int) -> pa.RecordBatchReader:
    """Stream a query's result as Arrow record batches (DuckDB 1.x and 2.x spell this differently)."""
    relation = con.sql(sql)
    to_reader = getattr(relation, "to_arrow_reader", None)
    if to_reader is not None:
        return to_reader(rows)
    return relation.fetch_arrow_reader(rows)
