"""Forecasting: hardened win probabilities, their honest evaluation and the revenue forecast (issue 4).

* :func:`train_win_model` -> :class:`WinModel` (calibrated P(win), :class:`Factor` explanations,
  serialization) -- :mod:`kampass.core.forecasting.model`;
* :func:`evaluate` -> :class:`EvaluationReport`: the model against the base rate and a naive-Bayes
  frequency scorer on the same stratified folds -- :mod:`kampass.core.forecasting.evaluation`;
* scores: Brier, log loss, expected calibration error, ROC AUC, reliability bins --
  :mod:`kampass.core.forecasting.metrics`;
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
    "NaiveBayesScorer",
    "PeriodForecast",
    "ReliabilityBin",
    "Scores",
    "WinModel",
    "base_rate_scores",
    "brier_score",
    "evaluate",
    "expected_calibration_error",
    "fold_assignment",
    "forecast_distribution",
    "log_loss",
    "owner_calibration",
    "reliability_bins",
    "roc_auc",
    "train_win_model",
]
