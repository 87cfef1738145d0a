"""The feature matrix of the win model: encoded input columns plus derived columns.

Numeric columns go in as they are (missing = NaN; gradient boosting routes missing values itself).
Categorical columns become category codes for the native categorical support of
:class:`~sklearn.ensemble.HistGradientBoostingClassifier`: the 254 most frequent training
categories keep a code, rarer and unseen ones are treated as missing.

Derived columns (the same generic rules for every data set, chosen on the data's shape, not its
column names) help the trees find relations that would otherwise need many splits:

* **share sum**: when two or more numeric columns only hold values in ``[0, 1]`` in training (shares
  or ratios, e.g. "Ratio Days Validated To Total Days"), their sum -- how much of the whole the
  shares cover together;
* **share x total**: each share column times each non-share numeric column whose training values are
  non-negative whole numbers (counts such as days), turning "share of the time" into "time";
* **differences**: for each pair of non-share whole-number numeric columns, their difference
  (e.g. days in stage minus days from identification to closing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from kampass.core.forecasting.table import (
    MISSING,
    Columns,
    ColumnTypes,
    FloatArray,
    Vocabulary,
    to_float,
    to_text,
)

MAX_CATEGORIES = 254  # HistGradientBoostingClassifier: at most max_bins (255) categories, one for missing


@dataclass(frozen=True)
class Derived:
    """One derived column: ``kind`` is "sum" (of ``inputs``), "product" or "difference" (of two inputs)."""

    name: str
    kind: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Encoder:
    """How raw columns become the model's feature matrix; fitted on training rows.

    ``typical`` holds each input column's training-typical value (median of a numeric column,
    most frequent category of a categorical one), used to explain a score.
    """

    types: ColumnTypes
    vocabularies: Mapping[str, Vocabulary]
    derived: tuple[Derived, ...]
    typical: Mapping[str, Any]

    @property
    def matrix_columns(self) -> tuple[str, ...]:
        return self.types.numeric + tuple(d.name for d in self.derived) + self.types.categorical

    @property
    def categorical_mask(self) -> list[bool]:
        n = len(self.types.numeric) + len(self.derived)
        return [False] * n + [True] * len(self.types.categorical)

    @staticmethod
    def fit(columns: Columns, types: ColumnTypes, *, derive: bool = True) -> Encoder:
        """Vocabularies, derived-column rules and typical values from the training columns.

        Examples
        --------
        >>> from kampass.core.forecasting.table import read_columns, infer_types
        >>> rows = [{"a": 0.2, "b": 0.5, "days": 10, "won_before": 3, "r": "W"}, {"a": 1.0, "b": 0.0, "days": 4, "won_before": 0, "r": "E"}]
        >>> cols = read_columns(rows)
        >>> enc = Encoder.fit(cols, infer_types(cols))
        >>> [d.name for d in enc.derived]
        ['sum(a, b)', 'a * days', 'a * won_before', 'b * days', 'b * won_before', 'days - won_before']
        >>> enc.matrix(cols).tolist()[0]
        [0.2, 0.5, 10.0, 3.0, 0.7, 2.0, 0.6000000000000001, 5.0, 1.5, 7.0, 0.0]
        """
        numbers = {n: to_float(n, columns.values[n]) for n in types.numeric}
        vocabularies = {n: Vocabulary.fit(to_text(columns.values[n]), limit=MAX_CATEGORIES) for n in types.categorical}
        typical: dict[str, Any] = {}
        for n, x in numbers.items():
            present = x[~np.isnan(x)]
            typical[n] = float(np.median(present)) if len(present) else None
        for n, v in vocabularies.items():
            typical[n] = v.categories[0] if v.categories else MISSING
        derived: list[Derived] = []
        if derive:
            shares, counts = [], []
            for n, x in numbers.items():
                present = x[~np.isnan(x)]
                if not len(present):
                    continue
                if present.min() >= 0 and present.max() <= 1 and len(np.unique(present)) > 2:
                    shares.append(n)
                elif present.min() >= 0 and np.all(present == np.round(present)):
                    counts.append(n)
            if len(shares) >= 2:
                derived.append(Derived(f"sum({', '.join(shares)})", "sum", tuple(shares)))
            for s in shares:
                for c in counts:
                    derived.append(Derived(f"{s} * {c}", "product", (s, c)))
            for a, b in combinations(counts, 2):
                derived.append(Derived(f"{a} - {b}", "difference", (a, b)))
        return Encoder(types, vocabularies, tuple(derived), typical)

    def matrix(self, columns: Columns) -> FloatArray:
        """The feature matrix (rows x :attr:`matrix_columns`), float64 with NaN for missing."""
        numbers = {n: to_float(n, columns.values[n]) for n in self.types.numeric}
        parts = [numbers[n] for n in self.types.numeric]
        for d in self.derived:
            xs = [numbers[i] for i in d.inputs]
            if d.kind == "sum":
                parts.append(np.sum(xs, axis=0))
            elif d.kind == "product":
                parts.append(xs[0] * xs[1])
            else:
                parts.append(xs[0] - xs[1])
        for n in self.types.categorical:
            parts.append(self.vocabularies[n].codes(to_text(columns.values[n])))
        return np.column_stack(parts) if parts else np.empty((columns.length, 0))

    def with_value(self, columns: Columns, row: int, feature: str, value: Any) -> None:
        """Set ``feature`` of ``row`` to ``value`` in place (for what-if explanations)."""
        columns.values[feature][row] = value


def check_columns(columns: Columns, needed: Sequence[str]) -> None:
    """Raise a clear error when rows lack a column the model was trained on.

    Examples
    --------
    >>> from kampass.core.forecasting.table import read_columns
    >>> check_columns(read_columns([{"a": 1}]), ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: the rows lack the model's feature column(s) ['b']
    """
    missing = [n for n in needed if n not in columns.names]
    if missing:
        raise ValueError(f"the rows lack the model's feature column(s) {missing}")
