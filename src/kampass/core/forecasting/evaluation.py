"""Cross-validated evaluation of the win model against the base rate and naive Bayes.

Stratified K-fold cross-validation with the folds fixed by the seed
(:class:`sklearn.model_selection.StratifiedKFold` with ``shuffle=True, random_state=seed``); every
scorer is trained on the same training folds and predicts the same held-out fold, so each row gets
one out-of-fold probability per scorer and the scores compare like with like.

Rows are treated as independent records. Where a file repeats a deal (the IBM data's "Opportunity
Number" is not unique: 183 numbers on 379 rows, all with the same outcome, 46 with identical values;
with 5 folds and seed 0, 135 of these groups fall into more than one fold), a repeated row may be
predicted from its twin. With under 0.5 % of the rows affected this can lower the Brier score by at
most about 0.0004 (379 rows x 0.074 mean squared error / 78,025 rows, were all of them predicted
perfectly); the issue fixes plain stratified folds, so they are not grouped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold  # type: ignore[import-untyped]

from kampass.core.forecasting.metrics import (
    ReliabilityBin,
    brier_score,
    expected_calibration_error,
    log_loss,
    reliability_bins,
    roc_auc,
)
from kampass.core.forecasting.model import train_win_model
from kampass.core.forecasting.naive_bayes import NaiveBayesScorer, base_rate_scores
from kampass.core.forecasting.table import FloatArray, Rows, infer_types, outcome_array, read_columns

SCORERS = ("kampass", "base_rate", "naive_bayes")


@dataclass(frozen=True)
class Scores:
    """The scores of one scorer's out-of-fold probabilities (see :mod:`kampass.core.forecasting.metrics`)."""

    brier: float
    log_loss: float
    ece: float
    auc: float

    @staticmethod
    def of(probabilities: FloatArray, outcomes: npt.NDArray[Any]) -> Scores:
        """All four scores of ``probabilities`` against ``outcomes``.

        Examples
        --------
        >>> s = Scores.of(np.array([0.9, 0.2, 0.6]), np.array([1, 0, 1]))
        >>> round(s.brier, 4), s.auc
        (0.07, 1.0)
        """
        return Scores(
            brier=brier_score(probabilities, outcomes),
            log_loss=log_loss(probabilities, outcomes),
            ece=expected_calibration_error(probabilities, outcomes),
            auc=roc_auc(probabilities, outcomes),
        )


@dataclass(frozen=True)
class EvaluationReport:
    """Result of :func:`evaluate`: scores, reliability bins and out-of-fold predictions per scorer
    (keys ``"kampass"``, ``"base_rate"``, ``"naive_bayes"``), outcomes in input row order, and the
    seconds spent training the kampass model over all folds."""

    rows: int
    folds: int
    seed: int
    scores: dict[str, Scores]
    reliability: dict[str, list[ReliabilityBin]]
    predictions: dict[str, FloatArray]
    outcomes: npt.NDArray[np.int64]
    train_seconds: float

    def to_json(self) -> dict[str, Any]:
        """The contract document: ``{"rows", "folds", "seed", "kampass": {"brier", "log_loss", "ece", "auc"},
        "base_rate": {...}, "naive_bayes": {...}}``."""
        doc: dict[str, Any] = {"rows": self.rows, "folds": self.folds, "seed": self.seed}
        for name in SCORERS:
            s = self.scores[name]
            doc[name] = {"brier": s.brier, "log_loss": s.log_loss, "ece": s.ece, "auc": s.auc}
        return doc


def fold_assignment(
    outcomes: Sequence[int] | npt.NDArray[Any],
    *,
    folds: int,
    seed: int,
    groups: Sequence[Any] | npt.NDArray[Any] | None = None,
) -> npt.NDArray[np.int64]:
    """The fold (0..folds-1) that holds out each row: stratified by outcome, shuffled by ``seed``.

    With ``groups`` (e.g. the deal of each snapshot row) all rows of a group fall into one fold
    (:class:`sklearn.model_selection.StratifiedGroupKFold`), so no deal is predicted from itself.

    Examples
    --------
    >>> fold_assignment([1, 0, 1, 0, 0, 1], folds=3, seed=0).tolist()
    [2, 2, 1, 0, 1, 0]
    >>> a = fold_assignment([1, 1, 0, 0, 0, 0, 1, 1], folds=2, seed=0, groups=[1, 1, 2, 2, 3, 3, 4, 4])
    >>> bool(a[0] == a[1] and a[2] == a[3] and a[4] == a[5] and a[6] == a[7])
    True
    """
    y = np.asarray(outcomes)
    assignment = np.empty(len(y), dtype=np.int64)
    if groups is not None:
        grouped = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        for k, (_, held_out) in enumerate(grouped.split(np.zeros((len(y), 1)), y, np.asarray(groups))):
            assignment[held_out] = k
        return assignment
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (_, held_out) in enumerate(splitter.split(np.zeros((len(y), 1)), y)):
        assignment[held_out] = k
    return assignment


def _take(rows: Rows, index: npt.NDArray[np.int64]) -> Rows:
    if isinstance(rows, pa.Table):
        return rows.take(pa.array(index))
    return [rows[int(i)] for i in index]


def evaluate(
    rows: Rows,
    outcomes: Sequence[int] | npt.NDArray[Any],
    *,
    folds: int = 5,
    seed: int = 0,
    exclude: Sequence[str] = (),
    categorical: Sequence[str] | None = None,
    numeric: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    groups: Sequence[Any] | npt.NDArray[Any] | None = None,
) -> EvaluationReport:
    """Out-of-fold scores of the kampass model, the base rate and naive Bayes on the same folds.

    ``progress(done, total)`` is called after each fold (for a progress bar). ``groups`` keeps rows
    of one group (the snapshots of one deal) in one fold, also in the model's inner folds.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rows = [{"size": float(s), "region": "West" if s > 0.5 else "East"} for s in rng.random(200)]
    >>> won = [int(r["size"] > 0.5) for r in rows]
    >>> report = evaluate(rows, won, folds=2)
    >>> report.rows, report.folds, sorted(report.scores)
    (200, 2, ['base_rate', 'kampass', 'naive_bayes'])
    >>> report.scores["kampass"].brier < report.scores["base_rate"].brier
    True
    """
    columns = read_columns(rows)
    y = outcome_array(outcomes, columns.length)
    if folds < 2:
        raise ValueError("folds must be at least 2")
    smaller = int(np.bincount(y, minlength=2).min())
    if smaller < folds:
        raise ValueError(
            f"{folds} folds need at least {folds} won and {folds} lost deals; "
            f"there are {int(y.sum())} won and {len(y) - int(y.sum())} lost"
        )
    # fix the column types once on all rows, so that every fold treats a column alike
    types = infer_types(columns, exclude=exclude, categorical=categorical, numeric=numeric)
    group_array = None if groups is None else np.asarray(groups)
    assignment = fold_assignment(y, folds=folds, seed=seed, groups=group_array)
    predictions = {name: np.empty(len(y), dtype=np.float64) for name in SCORERS}
    train_seconds = 0.0
    for k in range(folds):
        train = np.flatnonzero(assignment != k)
        test = np.flatnonzero(assignment == k)
        train_rows, test_rows = _take(rows, train), _take(rows, test)
        started = time.perf_counter()
        model = train_win_model(
            train_rows,
            y[train],
            seed=seed,
            categorical=types.categorical,
            numeric=types.numeric,
            exclude=exclude,
            groups=None if group_array is None else group_array[train],
        )
        train_seconds += time.perf_counter() - started
        predictions["kampass"][test] = model.predict(test_rows)
        predictions["base_rate"][test] = base_rate_scores(y[train], len(test))
        nb = NaiveBayesScorer.fit(
            train_rows, y[train], categorical=types.categorical, numeric=types.numeric, exclude=exclude
        )
        predictions["naive_bayes"][test] = nb.predict(test_rows)
        if progress is not None:
            progress(k + 1, folds)
    return EvaluationReport(
        rows=len(y),
        folds=folds,
        seed=seed,
        scores={name: Scores.of(p, y) for name, p in predictions.items()},
        reliability={name: reliability_bins(p, y) for name, p in predictions.items()},
        predictions=predictions,
        outcomes=y,
        train_seconds=train_seconds,
    )
