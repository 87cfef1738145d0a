"""Scores of probability forecasts against 0/1 outcomes.

All functions take predicted probabilities of the positive outcome (a win) and the observed
outcomes (1 = won, 0 = lost) and return plain floats, so that the figures can be recomputed by
anybody with a calculator or another library:

* the **Brier score**, the mean squared difference between probability and outcome
  (0 is perfect, 0.25 is a coin toss);
* the **log loss**, the mean negative log-likelihood (probabilities clipped to ``[1e-15, 1 - 1e-15]``);
* the **expected calibration error** (ECE) over ``bins`` equal-width bins of the probability:
  the count-weighted mean of ``|mean predicted - observed rate|`` per bin, the last bin closed;
* the **ROC AUC**, the probability that a random won deal scores higher than a random lost one
  (ties count half; the Mann-Whitney statistic);
* the **reliability bins** behind a reliability diagram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
EPS = 1e-15


@dataclass(frozen=True)
class ReliabilityBin:
    """One equal-width bin of a reliability diagram: deals whose predicted probability fell in
    ``[lower, upper)`` (the last bin includes 1.0), their mean prediction and observed win rate."""

    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


def _arrays(
    probabilities: Sequence[float] | FloatArray, outcomes: Sequence[int] | npt.NDArray[np.int_]
) -> tuple[FloatArray, FloatArray]:
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    if p.ndim != 1 or y.ndim != 1 or len(p) != len(y):
        raise ValueError(f"probabilities and outcomes must be flat and of equal length, got {p.shape} and {y.shape}")
    if len(p) == 0:
        raise ValueError("no predictions to score")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("probabilities must lie in [0, 1]")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0 or 1")
    return p, y


def brier_score(probabilities: Sequence[float] | FloatArray, outcomes: Sequence[int] | npt.NDArray[np.int_]) -> float:
    """Mean squared difference between predicted probability and outcome.

    Examples
    --------
    >>> round(brier_score([0.9, 0.2], [1, 0]), 6)
    0.025
    """
    p, y = _arrays(probabilities, outcomes)
    return float(np.mean((p - y) ** 2))


def log_loss(probabilities: Sequence[float] | FloatArray, outcomes: Sequence[int] | npt.NDArray[np.int_]) -> float:
    """Mean negative natural log-likelihood of the outcomes; probabilities clipped to ``[1e-15, 1-1e-15]``.

    Examples
    --------
    >>> round(log_loss([0.5, 0.5], [1, 0]), 6)
    0.693147
    """
    p, y = _arrays(probabilities, outcomes)
    p = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _bin_index(p: FloatArray, bins: int) -> npt.NDArray[np.intp]:
    return np.minimum((p * bins).astype(np.intp), bins - 1)


def reliability_bins(
    probabilities: Sequence[float] | FloatArray, outcomes: Sequence[int] | npt.NDArray[np.int_], *, bins: int = 10
) -> list[ReliabilityBin]:
    """The non-empty ones of ``bins`` equal-width probability bins, in order.

    Bins without any prediction are left out (they have no mean to draw); ``lower``/``upper``
    say where each bin lies.

    Examples
    --------
    >>> bins = reliability_bins([0.05, 0.15, 0.12, 1.0], [0, 1, 0, 1])
    >>> [(b.lower, b.count, b.mean_predicted, b.observed_rate) for b in bins]
    [(0.0, 1, 0.05, 0.0), (0.1, 2, 0.135, 0.5), (0.9, 1, 1.0, 1.0)]
    """
    p, y = _arrays(probabilities, outcomes)
    idx = _bin_index(p, bins)
    counts = np.bincount(idx, minlength=bins)
    sum_p = np.bincount(idx, weights=p, minlength=bins)
    sum_y = np.bincount(idx, weights=y, minlength=bins)
    return [
        ReliabilityBin(
            lower=round(k / bins, 12),
            upper=round((k + 1) / bins, 12),
            count=int(counts[k]),
            mean_predicted=float(round(sum_p[k] / counts[k], 12)),
            observed_rate=float(round(sum_y[k] / counts[k], 12)),
        )
        for k in range(bins)
        if counts[k]
    ]


def expected_calibration_error(
    probabilities: Sequence[float] | FloatArray, outcomes: Sequence[int] | npt.NDArray[np.int_], *, bins: int = 10
) -> float:
    """Count-weighted mean absolute gap between mean prediction and observed rate over equal-width bins.

    Examples
    --------
    Two deals at 0.8, one won: the bin's gap is 0.3; one deal at 0.1, lost: gap 0.1.

    >>> round(expected_calibration_error([0.8, 0.8, 0.1], [1, 0, 0]), 6)
    0.233333
    """
    p, y = _arrays(probabilities, outcomes)
    idx = _bin_index(p, bins)
    gap = np.abs(np.bincount(idx, weights=p, minlength=bins) - np.bincount(idx, weights=y, minlength=bins))
    return float(gap.sum() / len(p))


def roc_auc(probabilities: Sequence[float] | FloatArray, outcomes: Sequence[int] | npt.NDArray[np.int_]) -> float:
    """Area under the ROC curve: P(score of a random won deal > score of a random lost deal), ties half.

    Computed from average ranks (Mann-Whitney U). Needs both outcomes present.

    Examples
    --------
    >>> roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    0.75
    >>> roc_auc([0.5, 0.5], [0, 1])
    0.5
    """
    p, y = _arrays(probabilities, outcomes)
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("ROC AUC needs won and lost outcomes")
    order = np.argsort(p, kind="mergesort")
    sorted_p = p[order]
    ranks = np.empty(len(p), dtype=np.float64)
    # average ranks (1-based) over ties
    starts = np.flatnonzero(np.r_[True, sorted_p[1:] != sorted_p[:-1]])
    ends = np.r_[starts[1:], len(p)]
    average = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(average, ends - starts)
    u = ranks[y == 1].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))
