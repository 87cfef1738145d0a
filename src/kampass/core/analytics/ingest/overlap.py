"""Overlapping imports: lines of a new file that an earlier import already wrote.

A file that shares lines with an earlier import (the full year after an extract of it, two
exports whose date ranges overlap) would count those lines twice. A line is identified by its
*natural key*, the columns of :data:`IDENTITY` as the mapping read them (invoice, stock code,
quantity, unit price, date, customer). Equal lines inside one file are real (an order line
entered twice is two lines), so keys are counted with their multiplicity: the *n*-th line of the
new file with a key matches the *n*-th line with that key already in the store.

The importer finds the matches in DuckDB before it writes anything (:func:`find_overlap`), over
the stored lines in the new file's date range, and then, as the user chose (:data:`OVERLAP_MODES`):

``skip`` (the default)
    the matching lines of the new file are not written: each key ends up as often as in the
    file or in the store, whichever is more;
``replace``
    every stored line whose key the new file holds is deleted (and the facts of the batches it
    belonged to computed again), then all lines of the new file are written: for its keys the
    new file is the truth;
``import``
    everything is written, overlap or not (an explicit choice; the overlap is still reported).
"""

# ruff: noqa: S608  (SQL over the importer's generated temporary tables)
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

OVERLAP_MODES: tuple[str, ...] = ("skip", "replace", "import")
IDENTITY: tuple[str, ...] = ("invoice_no", "stock_code", "quantity", "unit_price", "invoice_date", "customer_id")
"""The columns of ``invoice_lines`` that identify a transaction line."""


@dataclass(frozen=True, kw_only=True)
class EarlierImport:
    """An earlier import that holds lines of the new file: ``lines`` of them."""

    batch_id: str
    file_name: str
    imported_at: datetime | None
    lines: int


@dataclass(frozen=True, kw_only=True)
class Overlap:
    """How a file overlaps the store: ``lines`` of its ``of`` good lines were imported before, in
    ``earlier``; ``mode`` is what the import did about it: ``skipped`` lines of the file not
    written, ``replaced`` stored lines deleted (for a dry run: what it would do)."""

    lines: int
    of: int
    mode: str
    earlier: tuple[EarlierImport, ...] = ()
    skipped: int = 0
    replaced: int = 0

    def describe(self) -> str:
        """One sentence in English (the web pages word it in the user's language).

        Examples
        --------
        >>> e = EarlierImport(batch_id="b1", file_name="extract.csv",
        ...                   imported_at=datetime(2026, 1, 2, 9, 30, tzinfo=UTC), lines=3)
        >>> Overlap(lines=3, of=10, mode="skip", earlier=(e,), skipped=3).describe()
        '3 of 10 lines were imported before, in import extract.csv on 2026-01-02; skipped.'
        """
        where = ", ".join(
            f"{e.file_name} on {e.imported_at:%Y-%m-%d}" if e.imported_at else e.file_name for e in self.earlier
        )
        outcome = {
            "skip": "skipped",
            "replace": f"the earlier {self.replaced} lines replaced",
            "import": "imported again",
        }[self.mode]
        return f"{self.lines} of {self.of} lines were imported before, in import {where}; {outcome}."

    def as_json(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "of": self.of,
            "mode": self.mode,
            "skipped": self.skipped,
            "replaced": self.replaced,
            "earlier": [
                {
                    "batch_id": e.batch_id,
                    "file_name": e.file_name,
                    "imported_at": e.imported_at.isoformat() if e.imported_at else None,
                    "lines": e.lines,
                }
                for e in self.earlier
            ],
        }


def _same(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in IDENTITY)


def find_overlap(con: Any, *, good: str, stored: str, batches: str, matched: str, earlier: str, mode: str) -> Overlap:
    """Find the lines of ``good`` that the store already holds (see the module docstring).

    ``good`` is a query of the new file's good lines with ``rid`` (their position) and the
    :data:`IDENTITY` columns; ``stored`` a relation with the stored lines (``batch_id``,
    ``source_row`` and the identity columns) and ``batches`` one with the committed import
    batches. Creates the temporary tables ``matched`` (``rid, batch_id, source_row``: the new
    lines imported before) and ``earlier`` (``batch_id, source_row``: every stored line whose key
    the new file holds, the lines ``replace`` deletes).

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> cols = ", ".join(IDENTITY)
    >>> _ = con.execute(f"CREATE TABLE old AS SELECT 'b1' AS batch_id, r AS source_row, 'I' || r AS invoice_no, "
    ...     "'S' AS stock_code, 1 AS quantity, 2 AS unit_price, DATE '2011-01-01' AS invoice_date, "
    ...     "NULL AS customer_id FROM range(2, 5) t(r)")  # invoices I2, I3, I4
    >>> _ = con.execute("CREATE TABLE batches AS SELECT 'b1' AS batch_id, 'a.csv' AS file_name, "
    ...     "TIMESTAMPTZ '2026-01-02 10:00:00+00' AS imported_at")
    >>> _ = con.execute(f"CREATE TABLE new AS SELECT r AS rid, 'I' || (r + 3) AS invoice_no, 'S' AS stock_code, "
    ...     "1 AS quantity, 2 AS unit_price, DATE '2011-01-01' AS invoice_date, NULL AS customer_id "
    ...     "FROM range(0, 4) t(r)")  # invoices I3 .. I6
    >>> o = find_overlap(con, good="SELECT * FROM new", stored="old", batches="batches",
    ...                  matched="m", earlier="e", mode="skip")
    >>> o.lines, o.of, [(e.file_name, e.lines) for e in o.earlier]
    (2, 4, [('a.csv', 2)])
    """
    keys = ", ".join(IDENTITY)
    con.execute(
        f"CREATE TEMP TABLE {matched}_new AS SELECT rid, {keys}, "
        f"row_number() OVER (PARTITION BY {keys} ORDER BY rid) AS occ FROM ({good})"
    )
    try:
        total = int(con.execute(f"SELECT count(*) FROM {matched}_new").fetchone()[0])
        # only the stored lines in the new file's date range can match
        con.execute(
            f"CREATE TEMP TABLE {earlier} AS "
            f"SELECT o.batch_id, o.source_row, {', '.join(f'o.{c}' for c in IDENTITY)}, "
            f"row_number() OVER (PARTITION BY {', '.join(f'o.{c}' for c in IDENTITY)} "
            f"ORDER BY o.batch_id, o.source_row) AS occ "
            f"FROM {stored} o SEMI JOIN (SELECT DISTINCT {keys} FROM {matched}_new) k ON {_same('o', 'k')} "
            f"WHERE o.invoice_date BETWEEN (SELECT min(invoice_date) FROM {matched}_new) "
            f"AND (SELECT max(invoice_date) FROM {matched}_new) "
            f"AND o.batch_id IN (SELECT batch_id FROM {batches})"
        )
        con.execute(
            f"CREATE TEMP TABLE {matched} AS SELECT n.rid, o.batch_id, o.source_row "
            f"FROM {matched}_new n JOIN {earlier} o ON {_same('n', 'o')} AND n.occ = o.occ"
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {matched}_new")
    lines = int(con.execute(f"SELECT count(*) FROM {matched}").fetchone()[0])
    replaced = int(con.execute(f"SELECT count(*) FROM {earlier}").fetchone()[0])
    rows = con.execute(
        # the time as epoch microseconds: DuckDB's Python datetimes with a zone need pytz
        f"SELECT m.batch_id, b.file_name, epoch_us(b.imported_at), count(*) FROM {matched} m "
        f"JOIN (SELECT DISTINCT batch_id, file_name, imported_at FROM {batches}) b USING (batch_id) "
        "GROUP BY ALL ORDER BY 3, 1"
    ).fetchall()
    earlier_imports = tuple(
        EarlierImport(
            batch_id=str(b),
            file_name=str(f),
            imported_at=None if at is None else datetime.fromtimestamp(at / 1_000_000, UTC),
            lines=int(n),
        )
        for b, f, at, n in rows
    )
    return Overlap(
        lines=lines,
        of=total,
        mode=mode,
        earlier=earlier_imports,
        skipped=lines if mode == "skip" else 0,
        replaced=replaced if mode == "replace" and lines else 0,
    )


__all__ = ["IDENTITY", "OVERLAP_MODES", "EarlierImport", "Overlap", "find_overlap"]
