"""The last backtest on kampass's own opportunities, the scorer the forecast uses because of it, and the
win rate and calibration per quarter (the drift view of the model report)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kampass.common.models import JobStatus
from kampass.pipeline.models import BacktestRun, ModelVersion, Opportunity, Outcome


def latest_backtest_run() -> BacktestRun | None:
    """The most recent backtest run (any status)."""
    return BacktestRun.objects.select_related("created_by").order_by("-created_at").first()


def last_finished_backtest() -> BacktestRun | None:
    """The most recent finished backtest: the one whose result the report shows and the forecast follows."""
    return (
        BacktestRun.objects.filter(status=JobStatus.DONE)
        .select_related("created_by")
        .order_by("-finished_at", "-created_at")
        .first()
    )


def backtest_run_active(run: BacktestRun | None) -> bool:
    return run is not None and run.active


@dataclass(frozen=True)
class ScorerSwitch:
    """The forecast uses ``scorer`` (a baseline) instead of the model: the last backtest (``run_at``)
    showed the model not better than it (``difference``: mean and 95 % interval of the Brier difference
    model - baseline). ``probabilities`` by opportunity id; ``default`` for opportunities opened since."""

    scorer: str
    run_at: dt.datetime
    difference: dict[str, Any]
    probabilities: dict[str, float]
    default: float

    def probability(self, pk: int) -> float:
        return self.probabilities.get(str(pk), self.default)


def forecast_scorer() -> ScorerSwitch | None:
    """The better scorer the forecast uses while the last finished backtest shows the model not better
    than the best baseline; ``None`` when the model is used (no backtest yet, or the model was better)."""
    run = last_finished_backtest()
    if run is None or not run.switch or run.result.get("verdict", {}).get("model_better", True):
        return None
    return ScorerSwitch(
        scorer=str(run.switch["scorer"]),
        run_at=run.finished_at or run.created_at,
        difference=run.result["verdict"]["kampass_minus_best_brier"],
        probabilities={str(k): float(v) for k, v in run.switch.get("probabilities", {}).items()},
        default=float(run.switch.get("default", 0.0)),
    )


@dataclass(frozen=True)
class BandCalibration:
    """kampass's own past errors of period totals (log ratios, newest first) per forecast period, stored by
    the last finished backtest run (``run_at``; calibration as of ``as_of``): the live forecast's band is
    empirical for a period with at least ``min_errors`` of them."""

    run_at: dt.datetime
    as_of: str
    min_errors: int
    errors: dict[str, tuple[float, ...]]
    horizons: dict[str, int]

    def for_period(self, period: str) -> tuple[float, ...]:
        return self.errors.get(period, ())


def band_calibration() -> BandCalibration | None:
    """The stored calibration of the forecast band (made in the background with the last finished
    backtest run; never computed here); ``None`` before a run stored one."""
    run = last_finished_backtest()
    if run is None or not run.band_calibration:
        return None
    stored = run.band_calibration
    periods = stored.get("periods", {})
    return BandCalibration(
        run_at=run.finished_at or run.created_at,
        as_of=str(stored.get("as_of", "")),
        min_errors=int(stored.get("min_errors", 3)),
        errors={k: tuple(float(e) for e in v.get("errors", ())) for k, v in periods.items()},
        horizons={k: int(v.get("horizon", 0)) for k, v in periods.items()},
    )


@dataclass(frozen=True)
class QuarterRow:
    """One calendar quarter of closing: closed deals, the share won and the mean predicted probability
    (the active version's out-of-fold probability of the deals it was trained on; ``None`` without)."""

    quarter: str
    closed: int
    won: int
    predicted: int
    mean_predicted: float | None

    @property
    def win_rate(self) -> float:
        return self.won / self.closed if self.closed else 0.0


def win_rate_by_quarter(version: ModelVersion | None) -> list[QuarterRow]:
    """Win rate and calibration over time: per quarter the opportunities closed in it (won or lost), the
    share won and the mean out-of-fold probability the active ``version`` gave them."""
    holdout: dict[str, float] = dict(version.holdout) if version is not None and version.holdout else {}
    closed: dict[str, int] = defaultdict(int)
    won: dict[str, int] = defaultdict(int)
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    rows = (
        Opportunity.objects.exclude(outcome=Outcome.OPEN)
        .filter(closed_on__isnull=False)
        .values_list("pk", "closed_on", "outcome")
    )
    for pk, day, outcome in rows.iterator(chunk_size=2000):
        assert day is not None  # filtered above
        q = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        closed[q] += 1
        won[q] += outcome == Outcome.WON
        p = holdout.get(str(pk))
        if p is not None:
            sums[q] += float(p)
            counts[q] += 1
    return [
        QuarterRow(q, closed[q], won[q], counts[q], sums[q] / counts[q] if counts[q] else None) for q in sorted(closed)
    ]
