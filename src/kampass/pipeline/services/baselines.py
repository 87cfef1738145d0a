"""The baselines beside the model in its cross-validation (stored with each model version): the win rate
per stage reached and the owners' probabilities, on the same folds as the model, the base rate and naive
Bayes (:func:`kampass.core.forecasting.evaluation.fold_assignment`).

* ``stage_rate`` -- per held-out fold, the win rate of the training folds' opportunities per last open
  stage reached (``stage_order``; smoothed as :class:`~kampass.core.forecasting.scorers.StageRate`);
* ``owner`` -- the owner's probability as first recorded while the opportunity was open, scored over the
  opportunities that have one (``"rows"`` says how many); left out with fewer than :data:`MIN_OWNER_ROWS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MIN_OWNER_ROWS = 20


def _bins(probabilities: Any, outcomes: Any) -> list[dict[str, Any]]:
    from kampass.core.forecasting.metrics import reliability_bins

    return [
        {
            "lower": b.lower,
            "upper": b.upper,
            "count": b.count,
            "mean_predicted": b.mean_predicted,
            "observed_rate": b.observed_rate,
        }
        for b in reliability_bins(probabilities, outcomes)
    ]


def _scores(probabilities: Any, outcomes: Any) -> dict[str, float | None]:
    import math

    from kampass.core.forecasting.evaluation import Scores

    s = Scores.of(probabilities, outcomes)
    return {"brier": s.brier, "log_loss": s.log_loss, "ece": s.ece, "auc": None if math.isnan(s.auc) else s.auc}


def cv_baselines(
    pks: Sequence[int],
    rows: Sequence[dict[str, Any]],
    outcomes: Sequence[int],
    *,
    folds: int,
    seed: int,
    groups: Sequence[Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Out-of-fold scores and reliability bins of the stage win rate and the owners' probabilities.

    One row per training row (``pks[i]`` its opportunity; several snapshot rows may share one): with
    ``groups`` the folds keep each group's rows together, as the model's cross-validation does."""
    import numpy as np
    import pyarrow as pa

    from kampass.core.forecasting.evaluation import fold_assignment
    from kampass.core.forecasting.scorers import LabelledRows, StageRate
    from kampass.pipeline.recorded_history import first_owner_probabilities

    y = np.asarray(outcomes, dtype=np.int64)
    n = len(y)
    fold = fold_assignment(y, folds=folds, seed=seed, groups=groups)
    stages = tuple(None if r.get("stage_order") is None else str(r["stage_order"]) for r in rows)
    empty = np.full(n, np.datetime64("2000-01-01"), dtype="datetime64[D]")
    p_stage = np.empty(n, dtype=np.float64)
    for k in range(folds):
        train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        fitted = StageRate().fit(
            LabelledRows(pa.table({"row": train}), empty[train], tuple(stages[i] for i in train), outcomes=y[train])
        )
        p_stage[test] = fitted(LabelledRows(pa.table({"row": test}), empty[test], tuple(stages[i] for i in test)))
    metrics: dict[str, Any] = {"stage_rate": _scores(p_stage, y)}
    reliability = {"stage_rate": _bins(p_stage, y)}
    owner = first_owner_probabilities()
    given = [i for i, pk in enumerate(pks) if pk in owner]
    if len(given) >= MIN_OWNER_ROWS:
        p_owner = np.asarray([owner[pks[i]] for i in given], dtype=np.float64)
        metrics["owner"] = {**_scores(p_owner, y[given]), "rows": len(given)}
        reliability["owner"] = _bins(p_owner, y[given])
    return metrics, reliability
