"""The leakage guard: columns of closed deals that tell the outcome because they were filled in after it.

A model trained on closed deals learns whatever separates won from lost. When a column is only
known once a deal is closed (the final amount, a "won seller" description, a reason for the loss),
the model learns the outcome itself: cross-validation looks perfect and open deals -- which cannot
carry that value yet -- are scored wrongly. :func:`detect_leakage` reports such columns by name with
the evidence, three kinds (:data:`REASONS`):

* ``"separates_outcome"`` -- the column alone separates won from lost almost perfectly: its
  single-feature ROC AUC is at least :data:`SEPARATION_AUC` (0.98). A numeric column is scored by
  its value (both directions, missing values below all others) and by whether it is empty; a
  categorical column by the win rate of its value, counted on the *other* half of the rows (two
  folds, fixed seed), so that an id-like column with a value per deal does not separate by
  memorising. A column that is empty for all lost deals and filled for the won ones (or the
  reverse) is caught by its emptiness.
* ``"final_amount"`` -- a numeric amount-like column (every numeric column, or the ones named by
  ``amount_columns``) is 0 or empty for at least :data:`FINAL_SHARE` (80 %) of the lost deals while
  it is so for at most 20 % of the won deals -- and, where open deals are given, for at most 20 % of
  them: the amounts of closed deals are final values (lost = 0), not the estimate of an open deal.
* ``"near_perfect_score"`` -- an evaluation's ROC AUC of at least :data:`PERFECT_AUC` (0.99) or a Brier
  score of at most :data:`PERFECT_BRIER` (0.01) is itself evidence of leakage (column ``"(score)"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kampass.core.forecasting.metrics import roc_auc
from kampass.core.forecasting.table import (
    FloatArray,
    Rows,
    infer_types,
    outcome_array,
    read_columns,
    to_float,
    to_text,
)

SEPARATION_AUC = 0.98
FINAL_SHARE = 0.8
PERFECT_AUC = 0.99
PERFECT_BRIER = 0.01
SCORE_COLUMN = "(score)"
REASONS = ("separates_outcome", "final_amount", "near_perfect_score")


@dataclass(frozen=True)
class LeakageFinding:
    """A column that looks known only after closing: ``reason`` one of :data:`REASONS`, ``evidence`` in words."""

    column: str
    reason: str
    evidence: str

    def to_json(self) -> dict[str, str]:
        return {"column": self.column, "reason": self.reason, "evidence": self.evidence}


def _auc_both_ways(score: FloatArray, y: npt.NDArray[np.int64]) -> float:
    auc = roc_auc(score, y)
    return max(auc, 1.0 - auc)


def _ranks_to_unit(x: FloatArray) -> FloatArray:
    """Any real scores as values in [0, 1] with the same order (roc_auc wants probabilities)."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=np.float64)
    sorted_x = x[order]
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])
    ends = np.r_[starts[1:], len(x)]
    ranks[order] = np.repeat(np.arange(len(starts), dtype=np.float64), ends - starts)
    return ranks / max(1.0, float(len(starts) - 1))


def _out_of_fold_rates(keys: list[str], y: npt.NDArray[np.int64], seed: int) -> FloatArray:
    """Each row's category win rate counted on the other of two random halves (unseen: the half's rate)."""
    rng = np.random.default_rng(seed)
    half = rng.random(len(y)) < 0.5
    rates = np.empty(len(y), dtype=np.float64)
    for side in (True, False):
        train, test = half != side, half == side
        won: dict[str, int] = {}
        seen: dict[str, int] = {}
        for k, outcome in zip(np.asarray(keys, dtype=object)[train], y[train], strict=True):
            seen[k] = seen.get(k, 0) + 1
            won[k] = won.get(k, 0) + int(outcome)
        prior = float(y[train].mean()) if train.any() else 0.5
        rates[test] = [
            (won[k] + prior) / (seen[k] + 1) if k in seen else prior for k in np.asarray(keys, dtype=object)[test]
        ]
    return rates


def _share(mask: npt.NDArray[np.bool_]) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def detect_leakage(
    rows: Rows,
    outcomes: Sequence[int] | npt.NDArray[Any],
    *,
    amount_columns: Sequence[str] | None = None,
    open_amounts: Mapping[str, Sequence[Any] | FloatArray] | None = None,
    categorical: Sequence[str] | None = None,
    numeric: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    seed: int = 0,
) -> list[LeakageFinding]:
    """The columns of closed deals ``rows`` (outcomes 1 won / 0 lost) that look known only after closing.

    ``amount_columns`` limits the final-amount check to these columns (default: every numeric one);
    ``open_amounts`` gives, per amount column, the values of the open deals for comparison.

    Examples
    --------
    >>> rows = [{"final": 1000.0 * w, "region": r} for w, r in [(1, "W"), (0, "E"), (0, "W"), (1, "E")] * 30]
    >>> [(f.column, f.reason) for f in detect_leakage(rows, [1, 0, 0, 1] * 30)]
    [('final', 'separates_outcome'), ('final', 'final_amount')]
    """
    columns = read_columns(rows)
    y = outcome_array(outcomes, columns.length)
    if y.min(initial=1) == y.max(initial=0):
        return []  # one outcome only: nothing can separate
    types = infer_types(columns, exclude=exclude, categorical=categorical, numeric=numeric)
    findings: list[LeakageFinding] = []
    won, lost = y == 1, y == 0
    for name in types.features:
        if name in types.numeric:
            x = to_float(name, columns.values[name])
            empty = np.isnan(x)
            floor = np.nanmin(x) - 1.0 if (~empty).any() else 0.0
            by_value = _auc_both_ways(_ranks_to_unit(np.where(empty, floor, x)), y)
            by_empty = _auc_both_ways(empty.astype(np.float64), y)
            auc = max(by_value, by_empty)
            if auc >= SEPARATION_AUC:
                what = "its emptiness" if by_empty >= by_value else "its value"
                evidence = (
                    f"single-feature ROC AUC {auc:.3f} (by {what}); empty in {_pct(_share(empty[won]))} of won "
                    f"and {_pct(_share(empty[lost]))} of lost deals"
                )
                findings.append(LeakageFinding(name, "separates_outcome", evidence))
        else:
            keys = to_text(columns.values[name])
            empty = np.asarray([k == "" for k in keys])
            by_empty = _auc_both_ways(empty.astype(np.float64), y)
            by_value = _auc_both_ways(_out_of_fold_rates(keys, y, seed), y)
            auc = max(by_value, by_empty)
            if auc >= SEPARATION_AUC:
                if by_empty >= by_value:
                    detail = f"empty in {_pct(_share(empty[won]))} of won and {_pct(_share(empty[lost]))} of lost deals"
                else:
                    detail = f"{len(set(keys))} distinct values whose win rates nearly decide the outcome"
                findings.append(
                    LeakageFinding(name, "separates_outcome", f"single-feature ROC AUC {auc:.3f}; {detail}")
                )
    for name in amount_columns if amount_columns is not None else types.numeric:
        if name not in columns.values:
            continue
        x = to_float(name, columns.values[name])
        zero = np.isnan(x) | (x == 0)
        lost_zero, won_zero = _share(zero[lost]), _share(zero[won])
        if lost_zero < FINAL_SHARE or won_zero > 1 - FINAL_SHARE:
            continue
        evidence = f"0 or empty for {_pct(lost_zero)} of lost and {_pct(won_zero)} of won deals"
        if open_amounts is not None and name in open_amounts:
            o = to_float(name, open_amounts[name])
            open_zero = _share(np.isnan(o) | (o == 0))
            if len(o) and open_zero > 1 - FINAL_SHARE:
                continue
            evidence += f", but only for {_pct(open_zero)} of {len(o):,} open deals"
        findings.append(LeakageFinding(name, "final_amount", evidence + ": the closed deals carry final values"))
    return findings


def score_leakage(*, auc: float, brier: float, scorer: str = "kampass") -> list[LeakageFinding]:
    """A finding when an evaluation's score is too good to be true (see the module docstring).

    Examples
    --------
    >>> score_leakage(auc=1.0, brier=0.0)[0].evidence.split(":")[0]
    'kampass scores ROC AUC 1.0000 and Brier 0.0000 in evaluation'
    >>> score_leakage(auc=0.94, brier=0.07)
    []
    """
    if auc < PERFECT_AUC and brier > PERFECT_BRIER:
        return []
    return [
        LeakageFinding(
            SCORE_COLUMN,
            "near_perfect_score",
            f"{scorer} scores ROC AUC {auc:.4f} and Brier {brier:.4f} in evaluation: almost perfect, "
            "look for a column known only after closing",
        )
    ]


def flagged_columns(findings: Sequence[LeakageFinding]) -> list[str]:
    """The distinct columns named by ``findings`` (without the score finding), in order."""
    seen: dict[str, None] = {}
    for f in findings:
        if f.column != SCORE_COLUMN:
            seen.setdefault(f.column)
    return list(seen)
