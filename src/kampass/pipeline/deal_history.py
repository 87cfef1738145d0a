"""Read a CRM export with dates (CSV or XLSX) into a :class:`~kampass.core.forecasting.backtest.DealHistory` for
``kampass forecast backtest FILE --mapping ...`` (nothing is written to the database).

The mapping is the importer's YAML (built-in ``salesforce`` and ``generic``, or a file; see
:mod:`kampass.pipeline.importing`) with an optional ``backtest:`` section::

    backtest:
      join: {file: closed_deals.csv, key: mql_id}  # a second file (next to FILE) joined by a key column
      closed_means_won: true        # every deal with a close date was won (lost deals never close)
      known_after_close: [seller_id, business_segment]  # columns filled in only at/after closing
      date_order: mdy               # for slash dates the values cannot decide

Fields used: ``external_id`` (required), ``close_date``, ``created_date`` or ``age_days`` (opened =
close date - age, for a file without a created date), ``amount`` (optional: without it totals count
deals), ``stage`` with the mapping's ``stages`` (``Closed Won`` / ``Closed Lost`` close a deal; any other
stage is open) or else ``is_closed``/``is_won``, or ``closed_means_won``. When stage and flags
disagree the stage wins and the number of such rows is reported.

Features are the remaining columns: not the mapped fields (ids, name, dates, stage, flags,
probability, forecast category, description), not the ``known_after_close`` columns, not id-like
columns (named like an id and at least 90 % distinct, as in ``forecast evaluate``). The stage and the
owner's probability of a closed deal are its final values in an export without history, so they are
not used as features either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from kampass.common.import_limits import import_limits
from kampass.common.imports.table import TableError, opened_as_csv
from kampass.common.imports.values import HeaderColumns
from kampass.core.analytics.ingest.limits import LimitExceeded
from kampass.core.dates import UndecidableDateOrder, decide_date_order, parse_date
from kampass.core.forecasting.backtest import DealHistory

BUILT_IN = ("salesforce", "generic")
NOT_FEATURES = (
    "external_id",
    "name",
    "close_date",
    "created_date",
    "stage_changed_date",
    "age_days",
    "stage",
    "open_stage",
    "is_closed",
    "is_won",
    "probability",
    "forecast_category",
    "description",
)
WON, LOST = "closed won", "closed lost"
TRUE = frozenset({"true", "1", "yes", "y", "ja", "wahr", "x"})


class HistoryFileError(Exception):
    """The file or the mapping cannot be used for a backtest (the message says why)."""


@dataclass(frozen=True)
class BacktestMapping:
    name: str
    columns: dict[str, tuple[str, ...]]
    stages: dict[str, str]
    join_file: str = ""
    join_on: str = ""
    closed_means_won: bool = False
    known_after_close: tuple[str, ...] = ()
    date_order: str = ""


@dataclass(frozen=True)
class HistoryFile:
    """The history read from a file, and what the reader noticed (for the user)."""

    history: DealHistory
    notes: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def load_backtest_mapping(name_or_path: str) -> BacktestMapping:
    """The mapping by built-in name or YAML path, with its ``backtest:`` section."""
    if name_or_path in BUILT_IN:
        text = resources.files("kampass.pipeline").joinpath("mappings", f"{name_or_path}.yaml").read_text("utf-8")
        stem = name_or_path
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise HistoryFileError(
                f"{name_or_path}: no such mapping file and no built-in mapping ({', '.join(BUILT_IN)})"
            )
        text, stem = path.read_text("utf-8"), path.stem
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HistoryFileError(f"{name_or_path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise HistoryFileError(f"{name_or_path}: a mapping needs a 'columns' section (field: column)")
    columns = {
        str(k): tuple(map(str, v)) if isinstance(v, list) else (str(v),)
        for k, v in data["columns"].items()
        if v not in (None, "")
    }
    if "external_id" not in columns:
        raise HistoryFileError(f"{name_or_path}: columns must name external_id")
    section = data.get("backtest") or {}
    join = section.get("join") or {}
    return BacktestMapping(
        name=str(data.get("name") or stem),
        columns=columns,
        stages={str(k).lower(): str(v).lower() for k, v in (data.get("stages") or {}).items()},
        join_file=str(join.get("file") or ""),
        join_on=str(join.get("key") or ""),
        closed_means_won=bool(section.get("closed_means_won", False)),
        known_after_close=tuple(str(c) for c in section.get("known_after_close") or ()),
        date_order=str(section.get("date_order") or data.get("date_order") or ""),
    )


def _read_table(path: Path) -> pa.Table:
    """The file as an Arrow table with inferred column types: CSV (any delimiter, UTF-8 or Windows-1252,
    plain or gzipped) or XLSX (first sheet), within the installation's import limits."""
    if not path.is_file():
        raise HistoryFileError(f"File not found: {path}")
    try:
        with opened_as_csv(path, file_name=path.name, limits=import_limits()) as source:
            return pacsv.read_csv(
                source.raw,
                read_options=pacsv.ReadOptions(encoding=source.encoding),
                parse_options=pacsv.ParseOptions(delimiter=source.delimiter, quote_char=source.quote),
                convert_options=pacsv.ConvertOptions(
                    null_values=[""], strings_can_be_null=True, decimal_point="," if source.decimal_comma else "."
                ),
            )
    except (TableError, LimitExceeded) as exc:
        raise HistoryFileError(f"Cannot read {path}: {exc}") from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise HistoryFileError(f"Cannot read {path} as a table: {exc}") from None


def _texts(table: pa.Table, column: str) -> list[str]:
    return ["" if v is None else str(v) for v in table.column(column).cast(pa.string()).to_pylist()]


def _dates(table: pa.Table, column: str, file: str, order: str) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    values = _texts(table, column)
    try:
        decided, _ = decide_date_order([v for v in values if v], file=file, column=column, given=order)
    except UndecidableDateOrder as exc:
        raise HistoryFileError(f"{file}, column {column}: {exc.detail}; set date_order in the mapping") from None
    days: list[dt.date | None] = []
    for line, v in enumerate(values, start=2):
        try:
            days.append(parse_date(v, decided) if v else None)
        except ValueError:
            raise HistoryFileError(f"{file}, row {line}, column {column}: “{v}” is not a date") from None
    return np.array([np.datetime64(d, "D") if d else np.datetime64("NaT", "D") for d in days], dtype="datetime64[D]")


def _is_id(table: pa.Table, name: str) -> bool:
    from kampass.pipeline.management.commands.forecast import ID_DISTINCT_SHARE, ID_NAME

    if not ID_NAME.search(name.strip()):
        return False
    return bool(pc.count_distinct(table.column(name)).as_py() >= ID_DISTINCT_SHARE * table.num_rows)


def read_history(path: Path, mapping_name: str) -> HistoryFile:
    """The deal history of ``path`` read with the mapping (see the module docstring)."""
    mapping = load_backtest_mapping(mapping_name)
    file = str(path)
    table = _read_table(path)
    notes: list[str] = []
    join_columns: tuple[str, ...] = ()
    if mapping.join_file:
        other_path = path.parent / mapping.join_file
        other = _read_table(other_path)
        for t, p in ((table, path), (other, other_path)):
            if mapping.join_on not in t.column_names:
                raise HistoryFileError(f"{p}: join column {mapping.join_on!r} is missing")
        keys = set(_texts(table, mapping.join_on))
        unmatched = sum(1 for k in _texts(other, mapping.join_on) if k not in keys)
        if unmatched:
            notes.append(f"{unmatched} row(s) of {other_path.name} match no row of {path.name} and are left out")
        join_columns = tuple(c for c in other.column_names if c != mapping.join_on)
        table = table.join(other, mapping.join_on, join_type="left outer")
    columns = HeaderColumns(table.column_names)
    used: dict[str, str] = {}
    for f in (*NOT_FEATURES, "amount"):
        column = columns.find(mapping.columns.get(f, ()))
        if column is not None:
            used[f] = column
    if "external_id" not in used:
        raise HistoryFileError(f"{file}: no id column ({' | '.join(mapping.columns['external_id'])})")
    if "close_date" not in used:
        raise HistoryFileError(f"{file}: no close date column ({' | '.join(mapping.columns.get('close_date', ()))})")
    n = table.num_rows
    close = _dates(table, used["close_date"], file, mapping.date_order)
    if "created_date" in used:
        opened = _dates(table, used["created_date"], file, mapping.date_order)
    elif "age_days" in used:
        age = np.asarray(table.column(used["age_days"]).cast(pa.float64()).to_numpy(zero_copy_only=False))
        opened = close - np.where(np.isnan(age), 0, age).astype("timedelta64[D]")
        opened[np.isnan(age) | np.isnat(close)] = np.datetime64("NaT")
        notes.append(f"opened = {used['close_date']} - {used['age_days']} (no created date in the file)")
    else:
        raise HistoryFileError(f"{file}: neither a created date nor an age column to date the opening")
    won = np.zeros(n, dtype=bool)
    is_closed = np.zeros(n, dtype=bool)
    if mapping.closed_means_won:
        is_closed = ~np.isnat(close)
        won = is_closed.copy()
    elif "stage" in used:
        stages = [mapping.stages.get(s.lower(), s.lower()) for s in _texts(table, used["stage"])]
        won = np.array([s == WON for s in stages])
        is_closed = np.array([s in (WON, LOST) for s in stages])
        if "is_closed" in used and "is_won" in used:
            flags_closed = np.array([v.lower() in TRUE for v in _texts(table, used["is_closed"])])
            flags_won = np.array([v.lower() in TRUE for v in _texts(table, used["is_won"])])
            disagree = int(((flags_closed != is_closed) | (flags_won != won)).sum())
            if disagree:
                notes.append(
                    f"{disagree} row(s) where {used['stage']} and the closed/won flags disagree: the stage is taken"
                )
    elif "is_closed" in used and "is_won" in used:
        is_closed = np.array([v.lower() in TRUE for v in _texts(table, used["is_closed"])])
        won = is_closed & np.array([v.lower() in TRUE for v in _texts(table, used["is_won"])])
    else:
        raise HistoryFileError(f"{file}: no stage or closed/won columns and closed_means_won is not set")
    closed = np.where(is_closed, close, np.datetime64("NaT", "D"))
    bad = np.isnat(opened) | (is_closed & np.isnat(close))
    if bad.any():
        notes.append(f"{int(bad.sum())} row(s) without an opening or close date left out")
    reversed_ = ~bad & is_closed & (closed < opened)
    if reversed_.any():
        notes.append(f"{int(reversed_.sum())} row(s) closed before they were opened left out")
    keep = np.flatnonzero(~bad & ~reversed_)
    amount = None
    if "amount" in used:
        amount = np.asarray(table.column(used["amount"]).cast(pa.float64()).to_numpy(zero_copy_only=False))[keep]
    left_out = [c for c in mapping.known_after_close if c in table.column_names]
    excluded = set(used.values()) | set(left_out) | {mapping.join_on}
    ids = [c for c in table.column_names if c not in excluded and _is_id(table, c)]
    features = [c for c in table.column_names if c not in excluded and c not in ids]
    undeclared = [c for c in join_columns if c in features]
    if undeclared:
        notes.append(f"columns of {mapping.join_file} not declared known_after_close: {', '.join(undeclared)}")
    if ids:
        notes.append(f"id column(s) not learnt from: {', '.join(ids)}")
    rows = table.take(pa.array(keep, type=pa.int64()))
    dates = np.concatenate([opened[keep], closed[keep][~np.isnat(closed[keep])]])
    history = DealHistory(
        ids=tuple(_texts(rows, used["external_id"])),
        opened=opened[keep],
        closed=closed[keep],
        won=won[keep],
        features=rows.select(features),
        end=dates.max(),
        amount=amount,
        amount_unit=used.get("amount", "amount"),
    )
    return HistoryFile(history=history, notes=notes, left_out=left_out)
