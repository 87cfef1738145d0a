"""The comparison scorers: the base rate and a naive-Bayes frequency scorer.

The naive-Bayes scorer is of the kind open-source CRMs ship for "opportunity scoring": per field,
count how often each value occurred among won and among lost deals, add a small additive prior
(Laplace smoothing, ``alpha``), and multiply the likelihood ratios of a deal's values with the prior
odds, as if the fields were independent given the outcome. Numeric fields are binned by training
quantiles first. It is fast and explainable but, since the fields are far from independent, it is
overconfident; it is the yardstick the calibrated model must beat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kampass.core.forecasting.table import (
    FloatArray,
    Rows,
    infer_types,
    outcome_array,
    read_columns,
    to_float,
    to_text,
)

MISSING_BIN = "(missing)"


def base_rate_scores(outcomes: Sequence[int] | npt.NDArray[Any], rows: int) -> FloatArray:
    """The training win rate as the score of each of ``rows`` deals.

    Examples
    --------
    >>> base_rate_scores([1, 0, 0, 0], 3).tolist()
    [0.25, 0.25, 0.25]
    """
    y = np.asarray(outcomes, dtype=np.float64)
    if len(y) == 0:
        raise ValueError("no outcomes to take the base rate from")
    return np.full(rows, float(y.mean()), dtype=np.float64)


@dataclass(frozen=True)
class _FieldTable:
    """Per-value log likelihood ratio of one field, and the ratio of an unseen value."""

    name: str
    edges: tuple[float, ...] | None  # quantile bin edges of a numeric field; None for categorical
    log_ratio: dict[str, float]
    unseen: float

    def keys(self, values: Sequence[Any] | FloatArray) -> list[str]:
        if self.edges is None:
            return to_text(values)
        x = to_float(self.name, values)
        bins = np.searchsorted(np.asarray(self.edges), x, side="right")
        return [MISSING_BIN if np.isnan(v) else f"bin{b}" for v, b in zip(x, bins, strict=True)]


@dataclass(frozen=True)
class NaiveBayesScorer:
    """Naive-Bayes frequency scorer: per-field won/lost frequency tables with an additive prior.

    ``P(value | won) = (won deals with value + alpha) / (won deals + alpha * values of the field)``
    (one extra slot for values not seen in training), likewise for lost; the score is
    ``sigmoid(log prior odds + sum of log P(value|won) / P(value|lost))``.

    Examples
    --------
    >>> rows = [{"region": "West"}] * 3 + [{"region": "East"}] * 3
    >>> scorer = NaiveBayesScorer.fit(rows, [1, 1, 0, 0, 0, 1])
    >>> [round(float(p), 3) for p in scorer.predict([{"region": "West"}, {"region": "East"}, {"region": "North"}])]
    [0.6, 0.4, 0.5]
    """

    prior_log_odds: float
    fields: tuple[_FieldTable, ...]
    alpha: float

    @staticmethod
    def fit(
        rows: Rows,
        outcomes: Sequence[int] | npt.NDArray[Any],
        *,
        alpha: float = 1.0,
        bins: int = 10,
        exclude: Sequence[str] = (),
        categorical: Sequence[str] | None = None,
        numeric: Sequence[str] | None = None,
    ) -> NaiveBayesScorer:
        """Count won/lost frequencies per field value; numeric fields binned into ``bins`` training quantiles."""
        if alpha <= 0:
            raise ValueError("alpha must be positive")
        columns = read_columns(rows)
        y = outcome_array(outcomes, columns.length)
        types = infer_types(columns, exclude=exclude, categorical=categorical, numeric=numeric)
        won = y == 1
        n_won, n_lost = int(won.sum()), int((~won).sum())
        tables = []
        for name in types.features:
            edges: tuple[float, ...] | None = None
            if name in types.numeric:
                x = to_float(name, columns.values[name])
                present = x[~np.isnan(x)]
                qs = np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]) if len(present) else np.array([])
                edges = tuple(float(e) for e in np.unique(qs))
            table = _FieldTable(name, edges, {}, 0.0)
            keys = np.asarray(table.keys(columns.values[name]), dtype=object)
            values, inverse = np.unique(keys, return_inverse=True)
            won_counts = np.bincount(inverse[won], minlength=len(values))
            lost_counts = np.bincount(inverse[~won], minlength=len(values))
            slots = len(values) + 1  # one slot for a value never seen in training
            won_den, lost_den = n_won + alpha * slots, n_lost + alpha * slots
            ratios = np.log((won_counts + alpha) / won_den) - np.log((lost_counts + alpha) / lost_den)
            log_ratio = {str(v): float(r) for v, r in zip(values, ratios, strict=True)}
            unseen = float(np.log(alpha / won_den) - np.log(alpha / lost_den))
            tables.append(_FieldTable(name, edges, log_ratio, unseen))
        return NaiveBayesScorer(float(np.log(n_won / n_lost)), tuple(tables), alpha)

    def predict(self, rows: Rows) -> FloatArray:
        """P(win) per row."""
        columns = read_columns(rows, wanted=[f.name for f in self.fields])
        logit = np.full(columns.length, self.prior_log_odds, dtype=np.float64)
        for f in self.fields:
            keys = f.keys(columns.values[f.name])
            logit += np.fromiter((f.log_ratio.get(k, f.unseen) for k in keys), dtype=np.float64, count=len(keys))
        return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)
