"""The temporal backtest on kampass's own opportunities: run it (CLI or background task), store its
result, and decide which scorer the forecast uses.

The result document is the one ``kampass forecast backtest --json`` prints
(:meth:`~kampass.core.forecasting.backtest.BacktestReport.to_json`) plus:

* ``"pooled"`` -- per scorer Brier, log loss, ECE and AUC over the deals of all origins;
* ``"verdict"`` -- the best baseline (lowest pooled Brier among the baselines), the paired bootstrap
  95 % interval of the per-deal Brier difference kampass - that baseline, and ``model_better``: the
  upper end of the interval is at most 0. When it is above 0 the model is **not** better than the best
  baseline: the model report says so and the forecast uses that baseline (see ``switch``) until a run
  shows the model better again;
* ``"notes"`` -- what the history reader and the leakage guard noticed.

``band_calibration`` (stored on every finished run, :func:`band_calibration`): kampass's own past errors
of period totals, from which the live forecast's band is made.

``switch`` (stored on the run when the model was not better): the best baseline fitted on everything
known today (snapshots up to today, labelled within the horizon) and its probabilities for the
opportunities open today, by primary key, and ``default`` for opportunities opened after the run.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kampass.common.models import ACTIVE_STATUSES, JobStatus
from kampass.common.permissions import authorize
from kampass.pipeline.models import BacktestRun
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user

if TYPE_CHECKING:
    from kampass.pipeline.recorded_history import RecordedHistory

# numpy, pyarrow and the core's forecasting (scikit-learn) are imported where a backtest runs, not when
# the services are loaded
log = logging.getLogger(__name__)

BASELINES = ("base_rate", "stage_rate", "naive_bayes", "owner")
DEFAULT_HORIZON = 90


class BacktestRefused(ValidationError):
    """The backtest cannot run (another one is queued or running, or the history allows no origin)."""


def _pooled(report: Any) -> dict[str, dict[str, float | None]]:
    import numpy as np

    from kampass.core.forecasting.metrics import brier_score, expected_calibration_error, log_loss, roc_auc

    y = np.concatenate([o.outcomes for o in report.origins])
    pooled: dict[str, dict[str, float | None]] = {}
    for name in report.scorers:
        p = np.concatenate([o.probabilities[name] for o in report.origins])
        auc = roc_auc(p, y) if 0 < int(y.sum()) < len(y) else math.nan
        pooled[name] = {
            "brier": brier_score(p, y),
            "log_loss": log_loss(p, y),
            "ece": expected_calibration_error(p, y),
            "auc": None if math.isnan(auc) else auc,
        }
    return pooled


def verdict(report: Any, pooled: Mapping[str, Mapping[str, float | None]]) -> dict[str, Any]:
    """The best baseline by pooled Brier score and whether the model beats it (module docstring)."""
    baselines = [(float(pooled[n]["brier"] or 0.0), n) for n in BASELINES if n in pooled]
    best = min(baselines)[1]
    difference = report.difference(best)
    return {
        "best_baseline": best,
        "kampass_minus_best_brier": difference.to_json(),
        "model_better": bool(difference.high <= 0),
    }


def _prepared(recorded: RecordedHistory, seed: int) -> tuple[Any, list[Any], list[str]]:
    """The history with the flagged columns left out and the amount as a feature (the as-of amount of the
    recorded history's features, else the amount as first recorded); the findings; notes."""
    import pyarrow as pa

    from kampass.core.forecasting.backtest import history_leakage
    from kampass.core.forecasting.leakage import flagged_columns

    history = recorded.history
    notes = list(recorded.notes)
    findings = history_leakage(history, seed=seed)
    flagged = flagged_columns(findings)
    for f in findings:
        notes.append(f"leakage guard: {f.column} -- {f.evidence}")
    drop = [c for c in flagged if c in history.features.column_names]
    if drop:
        history = replace(history, features=history.features.drop_columns(drop))
    if history.amount is not None:
        if "amount" in flagged:
            history = replace(history, amount=None)
        elif "amount" not in history.features.column_names:
            history = replace(history, features=history.features.append_column("amount", pa.array(history.amount)))
    return history, findings, notes


def backtest_recorded(
    *,
    actor: Actor,
    origins: Sequence[dt.date],
    horizon: int = DEFAULT_HORIZON,
    seed: int = 0,
    recorded: RecordedHistory | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The backtest of kampass's own opportunities at ``origins`` (the result document; module docstring).

    Raises :class:`BacktestRefused` when there are no origins or an origin cannot be backtested.
    ``keep``, when given, receives the prepared history and the report (for :func:`backtest_run_execute`).
    """
    authorize(actor, "pipeline.view_model")
    import numpy as np

    from kampass.core.forecasting.backtest import backtest
    from kampass.pipeline.recorded_history import recorded_deal_history

    recorded = recorded or recorded_deal_history()
    if not origins:
        raise BacktestRefused(
            _(
                "No origin to backtest: the opportunities need a history of at least %(days)d days "
                "(the horizon) before an origin, and every origin's horizon must have passed."
            )
            % {"days": horizon}
        )
    history, findings, notes = _prepared(recorded, seed)
    try:
        report = backtest(
            history,
            [np.datetime64(d, "D") for d in origins],
            horizon=horizon,
            seed=seed,
            leakage=findings,
            progress=progress,
        )
    except ValueError as exc:
        raise BacktestRefused(_("The backtest cannot run: %(reason)s") % {"reason": exc}) from None
    doc = report.to_json()
    pooled = _pooled(report)
    doc["pooled"] = pooled
    doc["verdict"] = verdict(report, pooled)
    doc["notes"] = notes
    if keep is not None:
        keep.update(history=history, report=report)
    return doc


def current_scores(
    history: Any, pks: Sequence[int], scorer_name: str, horizon: int, *, seed: int = 0
) -> dict[str, Any]:
    """``scorer_name`` fitted on everything known today and its probabilities for the deals open today."""
    import numpy as np

    from kampass.core.forecasting.backtest import known_at, snapshot, training_rows
    from kampass.core.forecasting.scorers import default_scorers

    tomorrow = history.end + np.timedelta64(1, "D")
    scorer = next(s for s in default_scorers(seed=seed, owner=True) if s.name == scorer_name)
    train = training_rows(known_at(history, tomorrow), tomorrow, horizon)
    predict = scorer.fit(train)
    target, index = snapshot(history, tomorrow, horizon)
    probabilities = np.asarray(predict(target), dtype=np.float64) if len(target) else np.empty(0)
    return {
        "scorer": scorer_name,
        "probabilities": {str(pks[int(i)]): float(p) for i, p in zip(index, probabilities, strict=True)},
        "default": float(train.outcomes.mean()),
    }


#: The horizon (days) of each forecast period's past errors: a month's total, a quarter's total.
BAND_HORIZONS = {"month": 30, "quarter": 91}


def band_calibration(history: Any, *, seed: int = 0) -> dict[str, Any]:
    """The calibration of the live forecast's band, made in the background with a backtest run: per
    forecast period (``BAND_HORIZONS``) kampass's own past errors of the total won within that horizon
    (:func:`kampass.core.forecasting.backtest.calibration_errors`, newest first), with the horizon, the
    day the calibration was made as of and the minimum number of errors for an empirical band."""
    from kampass.core.forecasting.backtest import MIN_PAST, calibration_errors
    from kampass.core.forecasting.scorers import default_scorers

    kampass = [
        s for s in default_scorers(seed=seed, owner=history.owner_probability is not None) if s.name == "kampass"
    ]
    periods = {}
    for period, horizon in BAND_HORIZONS.items():
        errors = calibration_errors(history, horizon, scorers=kampass)
        periods[period] = {"horizon": horizon, "errors": [float(e) for e in errors]}
    return {"as_of": str(history.end), "min_errors": MIN_PAST, "periods": periods}


@transaction.atomic
def backtest_run_create(*, actor: Actor, horizon: int = DEFAULT_HORIZON, enqueue: bool = True) -> BacktestRun:
    """Queue a backtest of kampass's own opportunities (background task); one at a time."""
    authorize(actor, "pipeline.train_model")
    if BacktestRun.objects.filter(status__in=ACTIVE_STATUSES).exists():
        raise BacktestRefused(_("A backtest is already queued or running."), code="backtest_running")
    run = BacktestRun.objects.create(horizon=horizon, created_by=actor if _is_user(actor) else None)
    if enqueue:
        from kampass.pipeline.tasks import run_backtest

        run_id = str(run.pk)
        transaction.on_commit(lambda: run_backtest.enqueue(run_id))
    return run


def backtest_run_execute(run_id: str, *, actor: Actor | None = None) -> BacktestRun:
    """Run a queued backtest, recording origins done on the run, then its result and (when the model
    was not better) the better scorer's probabilities for the open opportunities."""
    from kampass.common.cli import system_actor
    from kampass.pipeline.recorded_history import default_origins, recorded_deal_history

    run = BacktestRun.objects.get(pk=run_id)
    actor = actor or run.created_by or system_actor()
    language = (run.created_by.language if run.created_by else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            recorded = recorded_deal_history()
            origins = default_origins(recorded.history, run.horizon)
            run.mark(JobStatus.RUNNING, origins_total=len(origins), origins_done=0)

            def tick(done: int, total: int) -> None:
                BacktestRun.objects.filter(pk=run.pk).update(
                    origins_done=done,
                    message=_("origin %(done)d of %(total)d done") % {"done": done, "total": total},
                )

            keep: dict[str, Any] = {}
            doc = backtest_recorded(
                actor=actor, origins=origins, horizon=run.horizon, recorded=recorded, progress=tick, keep=keep
            )
            switch: dict[str, Any] = {}
            if not doc["verdict"]["model_better"]:
                switch = current_scores(keep["history"], recorded.pks, doc["verdict"]["best_baseline"], run.horizon)
            calibration = band_calibration(keep["history"])
        except Exception as exc:
            log.exception("backtest %s failed", run_id)
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
            run.mark(JobStatus.FAILED, error=reason)
            raise
        message = _("Done")
    run.mark(JobStatus.DONE, result=doc, switch=switch, band_calibration=calibration, message=message)
    run.refresh_from_db()
    return run
