"""The one module that opens connections to the analytics store.

The backend is chosen by a URL (``KAMPASS_ANALYTICS_URL``), never by code:

* unset: a DuckDB file ``analytics.duckdb`` in the data directory (the embedded default);
* ``duckdb:///path/file.duckdb`` or ``duckdb://`` (in memory);
* ``postgres://user@host:5432/db`` (PostgreSQL);
* ``pyspark://local`` or ``pyspark://local[4]`` (Spark in local mode; ``spark://host:7077`` for a cluster).

A DuckDB file admits one process at a time. Readers therefore never open it: a writer (an import,
the demo) publishes a read-only copy after each committed write (:class:`Snapshots`), and readers
share the newest published copy (:func:`open_reader`); see docs/adr/0003-analytics-store-access.md.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from kampass.core.analytics.schema import IMPORT_BATCHES, INVOICE_FACTS, INVOICE_LINES, SCHEMAS

_BACKFILL = f"{INVOICE_FACTS}_backfill"
SWAP_NEXT = "__next"
"""Suffix of a new table version written before it is swapped in (Spark; see ``recover_swap``)."""
SWAP_PREVIOUS = "__previous"
"""Suffix of the version a swap replaced, kept until the swap is complete."""


def default_url(home: Path) -> str:
    """The embedded default: a DuckDB file in the data directory.

    Examples
    --------
    >>> default_url(Path("/srv/kampass"))
    'duckdb:///srv/kampass/analytics.duckdb'
    """
    return f"duckdb://{home / 'analytics.duckdb'}"


def backend_name(url: str) -> str:
    """The Ibis backend a URL selects.

    Examples
    --------
    >>> backend_name("postgres://u@h/db"), backend_name("pyspark://local[2]"), backend_name("duckdb://")
    ('postgres', 'pyspark', 'duckdb')
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    if scheme in ("pyspark", "spark"):
        return "pyspark"
    if scheme == "duckdb":
        return "duckdb"
    raise ValueError(f"unsupported analytics URL {url!r}: use duckdb://, postgres:// or pyspark://")


def duckdb_path(url: str) -> Path | None:
    """The file of a DuckDB URL (``None`` for other backends and for an in-memory DuckDB).

    Examples
    --------
    >>> duckdb_path("duckdb:///srv/kampass/analytics.duckdb"), duckdb_path("duckdb://"), duckdb_path("postgres://h/db")
    (PosixPath('/srv/kampass/analytics.duckdb'), None, None)
    """
    if backend_name(url) != "duckdb":
        return None
    path = url.removeprefix("duckdb://")
    return Path(path) if path and path != ":memory:" else None


def connect(url: str) -> Any:
    """Open the Ibis backend for ``url`` (for DuckDB: the file itself, for reading and writing)."""
    kind = backend_name(url)
    if kind == "duckdb":
        path = url.removeprefix("duckdb://")
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        con = ibis.duckdb.connect(path or ":memory:")
        con.raw_sql("SET enable_progress_bar = false")  # never print progress into logs or JSON output
        return con
    if kind == "postgres":
        return ibis.connect(url.replace("postgresql://", "postgres://", 1))
    from pyspark.sql import SparkSession

    rest = url.split("://", 1)[1] if "://" in url else "local"
    master = rest if rest.startswith("local") else f"spark://{rest}"
    session = (
        SparkSession.builder.master(master)
        .appName("kampass")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    return ibis.pyspark.connect(session)


class Snapshots:
    """Published read-only copies of a DuckDB store file, for readers in any number of processes.

    The copies live next to the file (``analytics.duckdb.snapshots/<n>.duckdb``); ``CURRENT`` names
    the newest. A writer publishes a copy after its work is committed: the copy is written under a
    temporary name and made current by an atomic rename, so a reader sees either the old or the new
    complete copy, never a partial one. Older copies are removed; a process that still has one open
    keeps reading it (POSIX semantics) until it opens the new one.

    Examples
    --------
    >>> import tempfile
    >>> home = Path(tempfile.mkdtemp())
    >>> store = AnalyticsStore(f"duckdb://{home / 'a.duckdb'}")
    >>> store.ensure_tables()
    >>> snapshots = Snapshots(home / "a.duckdb")
    >>> snapshots.current() is None
    True
    >>> published = snapshots.publish(store)
    >>> snapshots.current() == published, published.parent.name
    (True, 'a.duckdb.snapshots')
    >>> store.close()
    """

    KEEP = 2  # the current copy and the one before it

    def __init__(self, path: Path) -> None:
        self.path = path
        self.dir = path.with_name(path.name + ".snapshots")

    def current(self) -> Path | None:
        """The newest published copy, or ``None`` before the first publication."""
        try:
            name = (self.dir / "CURRENT").read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        found = self.dir / name
        return found if name and found.exists() else None

    def publish(self, store: AnalyticsStore) -> Path:
        """Copy the store (opened for writing, work committed) and make the copy current."""
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}.duckdb"
        partial = self.dir / f"{name}.partial"
        # after a checkpoint the file holds every committed write and the write-ahead log is empty: a
        # byte copy is a complete database (the caller is the only writer: the file lock keeps other
        # processes out, kampass.common.analytics other threads)
        store.con.raw_sql("CHECKPOINT")
        shutil.copyfile(self.path, partial)
        partial.rename(self.dir / name)
        pointer = self.dir / f"CURRENT.{os.getpid()}"
        pointer.write_text(name + "\n", encoding="ascii")
        pointer.replace(self.dir / "CURRENT")
        self._prune(keep=name)
        return self.dir / name

    def _prune(self, *, keep: str) -> None:
        copies = sorted(self.dir.glob("*.duckdb"), key=lambda p: p.name)
        for old in [p for p in copies if p.name != keep][: max(0, len(copies) - self.KEEP)]:
            old.unlink(missing_ok=True)
        for stale in self.dir.glob("*.partial"):  # left by a writer that died while copying
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)


_readers: dict[Path, duckdb.DuckDBPyConnection] = {}
_readers_lock = threading.Lock()


def open_reader(snapshot: Path, *, dims: Mapping[str, pa.Table] | None = None) -> AnalyticsStore:
    """A store that reads a published copy: one read-only DuckDB database per copy and process,
    one cursor per caller (cursors may be used from different threads)."""
    with _readers_lock:
        base = _readers.get(snapshot)
        if base is None:
            for old in list(_readers):  # an older copy: its open cursors keep it alive until done
                del _readers[old]
            base = _readers[snapshot] = duckdb.connect(str(snapshot), read_only=True)
        cursor = base.cursor()
    cursor.execute("SET enable_progress_bar = false")
    return AnalyticsStore(f"duckdb://{snapshot}", con=ibis.duckdb.from_connection(cursor), dims=dims)


class AnalyticsStore:
    """The facts store: creates missing tables and hands out table expressions.

    ``dims`` are small tables the application supplies with each unit of work (the account
    hierarchy and the customer links): :meth:`table` answers them from memory instead of from the
    store, so that reading never has to write.
    """

    def __init__(self, url: str, *, con: Any = None, dims: Mapping[str, pa.Table] | None = None) -> None:
        self.url = url
        self.kind = backend_name(url)
        self.con = con if con is not None else connect(url)
        self.dims: dict[str, pa.Table] = dict(dims or {})

    def ensure_tables(self) -> None:
        """Create the tables of :data:`SCHEMAS` that do not exist yet.

        A store written before ``invoice_facts`` existed gets its facts computed from its lines
        (once, when the table is created): built under another name and renamed when complete,
        so an interruption leaves no partial facts.
        """
        if self.kind == "pyspark":
            self.recover_swap()
        existing = set(self.con.list_tables())
        for name, schema in SCHEMAS.items():
            if name in existing:
                continue
            if name == INVOICE_FACTS and INVOICE_LINES in existing:
                self._backfill_facts(existing)
            else:
                self.con.create_table(name, schema=schema)

    def _backfill_facts(self, existing: set[str]) -> None:
        from kampass.core.analytics.facts import invoice_facts

        if _BACKFILL in existing:
            self.con.drop_table(_BACKFILL)
        self.con.create_table(_BACKFILL, schema=SCHEMAS[INVOICE_FACTS])
        self.con.insert(_BACKFILL, invoice_facts(self.con.table(INVOICE_LINES)))
        if self.kind == "pyspark":
            self.con.rename_table(_BACKFILL, INVOICE_FACTS)
        else:  # ibis has no rename for DuckDB; the same statement serves PostgreSQL
            result = self.con.raw_sql(f"ALTER TABLE {_BACKFILL} RENAME TO {INVOICE_FACTS}")
            if self.kind == "postgres":
                result.close()  # a cursor (on DuckDB raw_sql hands back the connection itself)

    def recover_swap(self) -> None:
        """Complete or undo an interrupted swap of table versions (Spark; see ``ingest.pipeline``).

        The swap's batch row is appended only after both tables were swapped: while a ``__previous``
        version exists and the current tables hold a batch without a batch row, the swap did not finish,
        and the previous versions are put back; otherwise they are dropped. Left-over ``__next`` tables
        (written, never swapped in) are dropped.
        """
        existing = set(self.con.list_tables())
        names = (INVOICE_LINES, INVOICE_FACTS)
        for name in names:
            if f"{name}{SWAP_NEXT}" in existing and name in existing:
                self.con.drop_table(f"{name}{SWAP_NEXT}", force=True)
        previous = [name for name in names if f"{name}{SWAP_PREVIOUS}" in existing]
        if not previous:
            return
        for name in names:  # interrupted between the two renames of a table
            if name not in existing and f"{name}{SWAP_NEXT}" in existing:
                self.con.rename_table(f"{name}{SWAP_NEXT}", name)
                existing.add(name)
        known = set(self.con.table(IMPORT_BATCHES).select("batch_id").to_pyarrow().column(0).to_pylist())
        stored = set(self.con.table(INVOICE_LINES).select("batch_id").distinct().to_pyarrow().column(0).to_pylist())
        unfinished = bool(stored - known)
        for name in previous:
            if unfinished:
                self.con.drop_table(name, force=True)
                self.con.rename_table(f"{name}{SWAP_PREVIOUS}", name)
            else:
                self.con.drop_table(f"{name}{SWAP_PREVIOUS}", force=True)

    def write_version(self, target: str, name: str, data: pa.Table) -> None:
        """Write ``data``, rows of the table ``name``, as the table ``target`` (replacing one of that name)."""
        data = data.cast(SCHEMAS[name].to_pyarrow())
        if self.kind == "pyspark":
            self.con._session.createDataFrame(data).write.mode("overwrite").saveAsTable(target)
            return
        self.con.create_table(target, data, schema=SCHEMAS[name], overwrite=True)

    def table(self, name: str) -> ibis.Table:
        if name in self.dims:
            return ibis.memtable(self.dims[name].cast(SCHEMAS[name].to_pyarrow()))
        return self.con.table(name)

    def use_dims(self, dims: Mapping[str, pa.Table]) -> None:
        """Answer these tables from memory from now on (see the class docstring)."""
        self.dims.update(dims)

    def replace(self, name: str, data: pa.Table) -> None:
        """Replace the whole content of a (small) dimension table in one statement."""
        data = data.cast(SCHEMAS[name].to_pyarrow())
        self.con.create_table(name, data, schema=SCHEMAS[name], overwrite=True)

    def insert(self, name: str, data: pa.Table | ibis.Table, *, facts: pa.Table | ibis.Table | None = None) -> None:
        """Append rows (one INSERT statement: all or nothing).

        Invoice lines bring their ``invoice_facts`` along: ``facts`` when the caller has computed
        them (the importer does, while validating), else computed here from ``data``. The lines
        are written first; a failure in between leaves lines of a batch without an
        ``import_batches`` row, which the importer deletes (with their facts) before the next import.
        """
        if name == INVOICE_LINES and facts is None:
            facts = self._facts_of(data)
        self._append(name, data)
        if name == INVOICE_LINES:
            assert facts is not None
            self._append(INVOICE_FACTS, facts)

    def _facts_of(self, lines: pa.Table | ibis.Table) -> pa.Table | ibis.Table:
        from kampass.core.analytics.facts import invoice_facts

        if isinstance(lines, ibis.Table):
            return invoice_facts(lines)
        local = ibis.duckdb.connect()  # small appends: summed in memory, then sent as Arrow
        try:
            table = lines.cast(SCHEMAS[INVOICE_LINES].to_pyarrow())
            return invoice_facts(local.create_table("lines", table)).to_pyarrow()
        finally:
            local.disconnect()

    def _append(self, name: str, data: pa.Table | ibis.Table) -> None:
        if isinstance(data, pa.Table):
            data = data.cast(SCHEMAS[name].to_pyarrow())
            if self.kind == "pyspark":
                # ibis converts decimals one by one on Spark and fails on NULL; Spark takes Arrow directly
                self.con._session.createDataFrame(data).write.insertInto(name)
                return
        self.con.insert(name, data)

    def close(self) -> None:
        disconnect = getattr(self.con, "disconnect", None)
        if disconnect is not None:
            disconnect()
