"""Deal records as columns: reading rows, inferring column types, encoding them as numbers.

Rows are plain records, a list of mappings ``{column: value}`` (values ``str``, ``int``, ``float``
or ``None``), or a :class:`pyarrow.Table`. A column is *numeric* when every non-missing value is
an ``int`` or ``float`` (an Arrow integer, float or decimal column), otherwise *categorical*;
``numeric=[...]`` and ``categorical=[...]`` override the inference. Strings in a numeric column
are parsed with ``float()``; a value that does not parse is an error naming the column.
Booleans are categorical (``"True"``/``"False"``).

Missing values: ``None`` (or NaN) in a numeric column is missing; in a categorical column it is
its own category ``""`` -- the empty string, just as an empty CSV cell -- so that "not filled in"
can carry information of its own.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

FloatArray: TypeAlias = npt.NDArray[np.float64]
ObjectArray: TypeAlias = npt.NDArray[np.object_]
Rows: TypeAlias = "Sequence[Mapping[str, Any]] | pa.Table"

MISSING = ""
"""The category of a missing categorical value."""


@dataclass(frozen=True)
class Columns:
    """Rows in columnar form: raw values per column (objects), the number of rows and column order."""

    names: tuple[str, ...]
    values: dict[str, Sequence[Any] | FloatArray]
    length: int


def read_columns(rows: Rows, *, wanted: Sequence[str] | None = None) -> Columns:
    """The columns of ``rows`` (only ``wanted`` ones, if given; missing keys read as ``None``).

    Examples
    --------
    >>> c = read_columns([{"region": "West", "amount": 10}, {"region": "East"}])
    >>> c.names, c.values["amount"], c.length
    (('region', 'amount'), [10, None], 2)
    """
    if isinstance(rows, pa.Table):
        names = tuple(rows.column_names) if wanted is None else tuple(wanted)
        unknown = [n for n in names if n not in rows.column_names]
        if unknown:
            raise ValueError(f"columns {unknown} are not in the rows; columns: {list(rows.column_names)}")
        values: dict[str, Sequence[Any] | FloatArray] = {}
        for n in names:
            column = rows.column(n)
            kind = column.type
            if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
                values[n] = np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
            else:
                values[n] = column.to_pylist()
        return Columns(names, values, rows.num_rows)
    records = list(rows)
    if wanted is None:
        seen: dict[str, None] = {}
        for record in records:
            for key in record:
                seen.setdefault(key)
        names = tuple(seen)
    else:
        names = tuple(wanted)
    return Columns(names, {n: [r.get(n) for r in records] for n in names}, len(records))


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_numeric_values(values: Sequence[Any] | FloatArray) -> bool:
    """Whether every non-missing value is a number (booleans are not), and at least one is present.

    Examples
    --------
    >>> is_numeric_values([1, 2.5, None]), is_numeric_values(["1", 2]), is_numeric_values([True])
    (True, False, False)
    """
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        return bool((~np.isnan(values)).any())
    present = False
    for v in values:
        if _is_missing(v):
            continue
        if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
            return False
        present = True
    return present


def to_float(name: str, values: Sequence[Any] | FloatArray) -> FloatArray:
    """A numeric column as float64, missing values NaN; strings parsed, errors name the column.

    Examples
    --------
    >>> to_float("amount", [1, "2.5", None, ""]).tolist()
    [1.0, 2.5, nan, nan]
    """
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        return values
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and not v.strip()):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"column {name!r} is numeric but row {i} has the value {v!r}") from None
    return out


def _text(v: Any) -> str:
    if _is_missing(v):
        return MISSING
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def to_text(values: Sequence[Any] | FloatArray) -> list[str]:
    """A categorical column as strings; missing values become ``""``, whole floats print as integers.

    Examples
    --------
    >>> to_text(["a", None, 3, 3.0, 2.5, float("nan")])
    ['a', '', '3', '3', '2.5', '']
    """
    return [_text(v) for v in (values.tolist() if isinstance(values, np.ndarray) else values)]


@dataclass(frozen=True)
class ColumnTypes:
    """Which input columns are numeric and which categorical, in input order."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @property
    def features(self) -> tuple[str, ...]:
        return self.numeric + self.categorical


def infer_types(
    columns: Columns,
    *,
    exclude: Sequence[str] = (),
    categorical: Sequence[str] | None = None,
    numeric: Sequence[str] | None = None,
) -> ColumnTypes:
    """Numeric and categorical columns of ``columns`` minus ``exclude``; given lists override inference.

    Examples
    --------
    >>> c = read_columns([{"id": 1, "region": "West", "amount": 10.0, "size": 3}])
    >>> infer_types(c, exclude=["id"], categorical=["size"])
    ColumnTypes(numeric=('amount',), categorical=('region', 'size'))
    """
    forced_cat = set(categorical or ())
    forced_num = set(numeric or ())
    both = forced_cat & forced_num
    if both:
        raise ValueError(f"columns {sorted(both)} are given as both numeric and categorical")
    unknown = sorted((forced_cat | forced_num | set(exclude)) - set(columns.names))
    if unknown:
        raise ValueError(f"columns {unknown} are not in the rows; columns: {list(columns.names)}")
    num: list[str] = []
    cat: list[str] = []
    for name in columns.names:
        if name in exclude:
            continue
        if name in forced_cat:
            cat.append(name)
        elif name in forced_num or is_numeric_values(columns.values[name]):
            num.append(name)
        else:
            cat.append(name)
    if not num and not cat:
        raise ValueError("no feature columns left to learn from")
    return ColumnTypes(tuple(num), tuple(cat))


@dataclass(frozen=True)
class Vocabulary:
    """The categories of one column seen in training, most frequent first, and the most frequent one."""

    categories: tuple[str, ...]

    @staticmethod
    def fit(values: Sequence[str], *, limit: int | None = None) -> Vocabulary:
        """Categories by descending frequency (ties by name), at most ``limit``.

        Examples
        --------
        >>> Vocabulary.fit(["b", "a", "b", "c", "a", "b"], limit=2).categories
        ('b', 'a')
        """
        counts = Counter(values)
        ordered = sorted(counts, key=lambda v: (-counts[v], v))
        return Vocabulary(tuple(ordered[:limit] if limit is not None else ordered))

    def codes(self, values: Sequence[str]) -> FloatArray:
        """Category codes as floats; categories not in the vocabulary are NaN.

        Examples
        --------
        >>> Vocabulary(("b", "a")).codes(["a", "z", "b"]).tolist()
        [1.0, nan, 0.0]
        """
        index = {c: float(i) for i, c in enumerate(self.categories)}
        return np.fromiter((index.get(v, np.nan) for v in values), dtype=np.float64, count=len(values))


def outcome_array(outcomes: Sequence[int] | npt.NDArray[Any], length: int) -> npt.NDArray[np.int64]:
    """Outcomes as an int array of 0/1 of the given length; both classes must be present.

    Examples
    --------
    >>> outcome_array([1, 0, True], 3).tolist()
    [1, 0, 1]
    """
    y = np.asarray(outcomes)
    if y.ndim != 1 or len(y) != length:
        raise ValueError(f"{len(y)} outcomes for {length} rows")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("outcomes must be 0 (lost) or 1 (won)")
    y = y.astype(np.int64)
    if y.min() == y.max():
        raise ValueError("outcomes must contain both won (1) and lost (0) deals")
    return y
