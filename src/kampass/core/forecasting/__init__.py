"""Forecasting: hardened win probabilities, their honest evaluation and the revenue forecast (issue 4).

* :func:`train_win_model` -> :class:`WinModel` (calibrated P(win), :class:`Factor` explanations,
  serialization) -- :mod:`kampass.core.forecasting.model`;
* :func:`evaluate` -> :class:`EvaluationReport`: the model against the base rate and a naive-Bayes
  frequency scorer on the same stratified folds -- :mod:`kampass.core.forecasting.evaluation`;
* scores: Brier, log loss, expected calibration error, ROC AUC, reliability bins --
  :mod:`kampass.core.forecasting.metrics`;
* :func:`detect_leakage` -- the leakage guard: columns known only after closing --
  :mod:`kampass.core.forecasting.leakage`;
* :func:`~kampass.core.forecasting.backtest.backtest` -- the temporal backtest against the baselines of
  :mod:`kampass.core.forecasting.scorers` -- :mod:`kampass.core.forecasting.backtest`;
* :func:`forecast_distribution` (Monte-Carlo P10/P50/P90 per period) and :func:`owner_calibration`
  (owners' optimism against outcomes) -- :mod:`kampass.core.forecasting.forecast`.

Rows are plain records (a list of dicts) or a :class:`pyarrow.Table`; see
:mod:`kampass.core.forecasting.table` for how column types are inferred.
"""

from kampass.core.forecasting.evaluation import EvaluationReport, Scores, evaluate, fold_assignment
from kampass.core.forecasting.forecast import (
    CalibrationRow,
    PeriodForecast,
    forecast_distribution,
    owner_calibration,
)
from kampass.core.forecasting.leakage import LeakageFinding, detect_leakage, flagged_columns, score_leakage
from kampass.core.forecasting.metrics import (
    ReliabilityBin,
    brier_score,
    expected_calibration_error,
    log_loss,
    reliability_bins,
    roc_auc,
)
from kampass.core.forecasting.model import Factor, WinModel, train_win_model
from kampass.core.forecasting.naive_bayes import NaiveBayesScorer, base_rate_scores

__all__ = [
    "CalibrationRow",
    "EvaluationReport",
    "Factor",
    "LeakageFinding",
    "NaiveBayesScorer",
    "PeriodForecast",
    "ReliabilityBin",
    "Scores",
    "WinModel",
    "base_rate_scores",
    "brier_score",
    "detect_leakage",
    "evaluate",
    "expected_calibration_error",
    "flagged_columns",
    "fold_assignment",
    "forecast_distribution",
    "log_loss",
    "owner_calibration",
    "reliability_bins",
    "roc_auc",
    "score_leakage",
    "train_win_model",
]
