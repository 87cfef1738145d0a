"""Temporal backtest: train on what was known at a date, score what was open then, compare with what happened.

Input is a :class:`DealHistory`: per deal the day it was opened, the day it closed (``NaT`` while open)
and whether it was won, its amount (or none: the forecast then counts deals) and the feature columns
known when it was opened (columns known only after closing must already be left out; see
:func:`history_leakage` and the mapping's ``known_after_close``).

For each origin ``D`` (:func:`backtest`):

1. **What was known at D** (:func:`known_at`): the deals opened before ``D``; a deal closed on or after
   ``D`` is open in this view (its close day and outcome are hidden). Everything a scorer learns from
   comes from this view only -- a deal closed after the origin never contributes its outcome.
2. **Training rows** are *snapshots* at earlier dates ``D - H - k * step`` (``H`` the horizon, ``step``
   :data:`SNAPSHOT_STEP_DAYS`, ``k = 0, 1, ...`` back to the first deal): each deal open at such a
   date is a row with its features and its age then (``days_open``), labelled 1 if it was won within
   ``H`` days after the snapshot. Since ``snapshot + H <= D``, every label is known at ``D``. The
   training rows answer the same question as the one asked at ``D``.
3. **Scored rows**: the deals open at ``D`` (opened before ``D``, not closed before ``D``); the outcome
   is 1 when the deal was won on a day in ``[D, D + H)``.
4. Per scorer (:mod:`kampass.core.forecasting.scorers`) Brier, log loss, ECE and ROC AUC (``None`` when
   the open deals have one outcome only); the paired bootstrap 95 % interval of the per-deal Brier
   difference kampass - trailing base rate (resampling deals, seeded).
5. **Period total**: the expected total ``sum(amount * p)`` of the kampass probabilities, and its
   P10/P50/P90 band, against the actual total won in ``[D, D + H)``. Where the history known at ``D``
   allows, the band is **empirical** (``band`` = ``"empirical"``): the expected total times the 10th,
   50th and 90th percentile of the past errors actual / forecast of a trailing-rate forecast of the
   period total made ``H`` days ahead (:func:`drift_ratios`, weekly dates), so that it holds drift,
   model error and the lumpiness of amounts as they occurred. With fewer than :data:`MIN_DRIFT_RATIOS`
   such errors it is the Monte-Carlo distribution of independent wins
   (:func:`~kampass.core.forecasting.forecast.forecast_distribution`, ``band`` = ``"bernoulli"``),
   which holds none of them.

The summary pools the deals of all origins: the mean Brier difference kampass - base rate with its
paired bootstrap interval (resampled within each origin), the same against naive Bayes, and the
coverage of the P10-P90 band over the origins.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kampass.core.forecasting.evaluation import Scores
from kampass.core.forecasting.forecast import forecast_distribution
from kampass.core.forecasting.leakage import LeakageFinding, detect_leakage
from kampass.core.forecasting.metrics import brier_score, expected_calibration_error, log_loss, roc_auc
from kampass.core.forecasting.scorers import LabelledRows, Scorer, default_scorers
from kampass.core.forecasting.table import FloatArray

SNAPSHOT_STEP_DAYS = 30
DRIFT_STEP_DAYS = 7
"""Past forecast errors for the band are taken at weekly dates."""
MIN_DRIFT_RATIOS = 4
BOOTSTRAP = 2000
AGE_COLUMN = "days_open"
Days = npt.NDArray[np.datetime64]


@dataclass(frozen=True)
class DealHistory:
    """Deals with their dates. ``closed`` is ``NaT`` for a deal open at the end of the data; ``won`` is
    meaningful for closed deals; ``amount`` ``None`` means the data has no amounts (totals count deals);
    ``features`` hold one row per deal, known when it was opened; ``end`` is the last day the data
    describes (outcomes after it are unknown)."""

    ids: tuple[str, ...]
    opened: Days
    closed: Days
    won: npt.NDArray[np.bool_]
    features: pa.Table
    end: np.datetime64
    amount: FloatArray | None = None
    amount_unit: str = "amount"
    stage: tuple[str | None, ...] = ()
    owner_probability: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, index: npt.NDArray[np.int64]) -> DealHistory:
        return replace(
            self,
            ids=tuple(self.ids[int(i)] for i in index),
            opened=self.opened[index],
            closed=self.closed[index],
            won=self.won[index],
            features=self.features.take(pa.array(index, type=pa.int64())),
            amount=None if self.amount is None else self.amount[index],
            stage=tuple(self.stage[int(i)] for i in index) if self.stage else (),
            owner_probability=None if self.owner_probability is None else self.owner_probability[index],
        )


def _day(value: Any) -> np.datetime64:
    return np.datetime64(value, "D")


def known_at(history: DealHistory, day: Any) -> DealHistory:
    """The history as it was known at ``day``: deals opened before it; closes on or after it hidden.

    Examples
    --------
    >>> h = DealHistory(
    ...     ids=("a", "b", "c"),
    ...     opened=np.array(["2024-01-01", "2024-01-05", "2024-03-01"], dtype="datetime64[D]"),
    ...     closed=np.array(["2024-01-20", "2024-02-10", "NaT"], dtype="datetime64[D]"),
    ...     won=np.array([True, True, False]),
    ...     features=pa.table({"x": [1, 2, 3]}),
    ...     end=np.datetime64("2024-06-01"),
    ... )
    >>> v = known_at(h, "2024-02-01")
    >>> v.ids, v.closed.astype(str).tolist(), v.won.tolist(), str(v.end)
    (('a', 'b'), ['2024-01-20', 'NaT'], [True, False], '2024-01-31')
    """
    d = _day(day)
    view = history.take(np.flatnonzero(history.opened < d))
    hidden = ~(view.closed < d)  # NaT compares False: open deals stay open
    return replace(
        view,
        closed=np.where(hidden, np.datetime64("NaT", "D"), view.closed),
        won=np.where(hidden, False, view.won),
        end=min(history.end, d - np.timedelta64(1, "D")),
    )


def open_at(history: DealHistory, day: Any) -> npt.NDArray[np.int64]:
    """Indices of the deals open at ``day``: opened before it and not closed before it."""
    d = _day(day)
    return np.flatnonzero((history.opened < d) & ~(history.closed < d))


def won_within(history: DealHistory, index: npt.NDArray[np.int64], day: Any, horizon: int) -> npt.NDArray[np.int64]:
    """1 for the deals of ``index`` won on a day in ``[day, day + horizon)``, else 0."""
    d = _day(day)
    c = history.closed[index]
    return ((c >= d) & (c < d + np.timedelta64(horizon, "D")) & history.won[index]).astype(np.int64)


def _amounts(history: DealHistory, index: npt.NDArray[np.int64]) -> FloatArray:
    if history.amount is None:
        return np.ones(len(index), dtype=np.float64)
    return np.nan_to_num(history.amount[index], nan=0.0)


def snapshot(history: DealHistory, day: Any, horizon: int) -> tuple[LabelledRows, npt.NDArray[np.int64]]:
    """The deals open at ``day`` as rows (features, ``days_open``) labelled won within ``horizon``; their indices."""
    d = _day(day)
    index = open_at(history, d)
    age = (d - history.opened[index]).astype(np.float64)
    features = history.features.take(pa.array(index, type=pa.int64())).append_column(AGE_COLUMN, pa.array(age))
    rows = LabelledRows(
        features=features,
        as_of=np.full(len(index), d, dtype="datetime64[D]"),
        stage=tuple(history.stage[int(i)] for i in index) if history.stage else (),
        owner_probability=(history.owner_probability[index] if history.owner_probability is not None else np.empty(0)),
        outcomes=won_within(history, index, d, horizon),
        deals=index.astype(np.int64),
    )
    return rows, index


def _concat(parts: Sequence[LabelledRows]) -> LabelledRows:
    return LabelledRows(
        features=pa.concat_tables([p.features for p in parts]),
        as_of=np.concatenate([p.as_of for p in parts]),
        stage=tuple(s for p in parts for s in p.stage) if all(p.stage for p in parts) else (),
        owner_probability=np.concatenate([p.owner_probability for p in parts]),
        outcomes=np.concatenate([p.outcomes for p in parts]),
        deals=np.concatenate([p.deals for p in parts]),
    )


def training_rows(view: DealHistory, origin: Any, horizon: int, *, step_days: int = SNAPSHOT_STEP_DAYS) -> LabelledRows:
    """Snapshots of ``view`` (the history known at ``origin``) at ``origin - horizon - k * step_days``.

    Raises ``ValueError`` when no deal was open at any of these dates.
    """
    d = _day(origin) - np.timedelta64(horizon, "D")
    first = view.opened.min() if len(view) else d
    parts = []
    while d > first:
        rows, _ = snapshot(view, d, horizon)
        if len(rows):
            parts.append(rows)
        d -= np.timedelta64(step_days, "D")
    if not parts:
        raise ValueError(f"no deal was open {horizon} days or more before {_day(origin)}: nothing to learn from")
    return _concat(parts)


def drift_ratios(view: DealHistory, origin: Any, horizon: int, *, step_days: int = DRIFT_STEP_DAYS) -> FloatArray:
    """Past errors of a trailing-rate forecast of the period total ``horizon`` days ahead, as ratios
    actual / forecast.

    At dates ``t = origin - horizon - k * step_days`` (all resolved by ``origin``) the actual total is the
    amount won within the horizon by the deals open at ``t``; the forecast made with what was resolved
    at ``t`` is their total amount times the share of the deals open at ``t - horizon`` that were won
    within the horizon (a count, as the trailing base rate). The ratio carries both drift and the
    difference between won amounts and won counts; dates whose earlier share is 0 are skipped.
    """
    origin_day = _day(origin)
    first = view.opened.min() if len(view) else origin_day
    gap = np.timedelta64(horizon, "D")

    def share(t: np.datetime64) -> float:
        index = open_at(view, t)
        return float(won_within(view, index, t, horizon).mean()) if len(index) else math.nan

    ratios = []
    t = origin_day - gap
    while t - gap > first:
        index = open_at(view, t)
        amounts = _amounts(view, index)
        before = share(t - gap)
        if before > 0 and amounts.sum() > 0:
            actual = float((amounts * won_within(view, index, t, horizon)).sum())
            ratios.append(actual / (before * float(amounts.sum())))
        t -= np.timedelta64(step_days, "D")
    return np.asarray(ratios, dtype=np.float64)


@dataclass(frozen=True)
class Band:
    """The forecast of the period total: expected value, P10/P50/P90 and how the band was made."""

    expected: float
    p10: float
    p50: float
    p90: float
    method: str


def forecast_band(
    probabilities: FloatArray, amounts: FloatArray, ratios: FloatArray, *, simulations: int = 4000, seed: int = 0
) -> Band:
    """P10/P50/P90 of the won total: the expected total times the percentiles of the past error ``ratios``
    when there are at least :data:`MIN_DRIFT_RATIOS`, else the Bernoulli band (see the module docstring).

    Examples
    --------
    >>> p, a = np.full(100, 0.2), np.ones(100)
    >>> plain = forecast_band(p, a, np.array([]))
    >>> wide = forecast_band(p, a, np.array([0.5, 1.0, 1.5, 2.0, 1.0]))
    >>> plain.method, round(plain.expected, 6), (plain.p10, plain.p50, plain.p90)
    ('bernoulli', 20.0, (15.0, 20.0, 25.0))
    >>> wide.method, [round(x, 6) for x in (wide.p10, wide.p50, wide.p90)]
    ('empirical', [14.0, 20.0, 36.0])
    """
    expected = float((probabilities * amounts).sum())
    if len(ratios) < MIN_DRIFT_RATIOS:
        f = forecast_distribution(
            list(probabilities), list(amounts), ["t"] * len(probabilities), simulations=simulations, seed=seed
        )
        if not f:
            return Band(expected, 0.0, 0.0, 0.0, "bernoulli")
        return Band(expected, float(f[0].p10), float(f[0].p50), float(f[0].p90), "bernoulli")
    p10, p50, p90 = np.quantile(ratios, [0.1, 0.5, 0.9])
    return Band(expected, expected * float(p10), expected * float(p50), expected * float(p90), "empirical")


@dataclass(frozen=True)
class Difference:
    """Mean per-deal Brier difference of two scorers and its paired bootstrap 95 % interval."""

    mean: float
    low: float
    high: float

    def to_json(self) -> dict[str, Any]:
        return {"mean": self.mean, "ci95": [self.low, self.high]}


def paired_difference(
    groups: Sequence[npt.NDArray[np.float64]], *, resamples: int = BOOTSTRAP, seed: int = 0
) -> Difference:
    """Mean of the per-deal differences pooled over ``groups`` and a percentile bootstrap 95 % interval,
    resampling deals with replacement within each group (origin), seeded.

    Examples
    --------
    >>> d = paired_difference([np.array([-0.1, -0.2, -0.15, -0.05])], seed=1)
    >>> round(d.mean, 3), d.high < 0
    (-0.125, True)
    """
    pooled = np.concatenate(list(groups)) if groups else np.empty(0)
    if len(pooled) == 0:
        return Difference(math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    sums = np.zeros(resamples, dtype=np.float64)
    for g in groups:
        if len(g):
            draws = rng.integers(0, len(g), (resamples, len(g)))
            sums += g[draws].sum(axis=1)
    means = sums / len(pooled)
    low, high = np.quantile(means, [0.025, 0.975])
    return Difference(float(pooled.mean()), float(low), float(high))


def _scores(p: FloatArray, y: npt.NDArray[np.int64]) -> Scores:
    auc = roc_auc(p, y) if 0 < int(y.sum()) < len(y) else math.nan
    return Scores(brier=brier_score(p, y), log_loss=log_loss(p, y), ece=expected_calibration_error(p, y), auc=auc)


@dataclass(frozen=True)
class OriginResult:
    """One origin of the backtest: the open deals, their outcomes and every scorer's probabilities."""

    as_of: np.datetime64
    training_rows: int
    training_won: int
    latest_training_label: np.datetime64
    ids: tuple[str, ...]
    outcomes: npt.NDArray[np.int64]
    amounts: FloatArray
    probabilities: dict[str, FloatArray]
    scores: dict[str, Scores]
    band: Band
    difference: Difference

    @property
    def actual(self) -> float:
        return float((self.amounts * self.outcomes).sum())

    @property
    def covered(self) -> bool:
        return self.band.p10 <= self.actual <= self.band.p90

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": str(self.as_of),
            "open": len(self.ids),
            "won": int(self.outcomes.sum()),
            "training_rows": self.training_rows,
            "training_won": self.training_won,
            "scorers": {name: _scores_json(s) for name, s in self.scores.items()},
            "kampass_minus_base_rate_brier": self.difference.to_json(),
            "forecast": {
                "actual": self.actual,
                "expected": self.band.expected,
                "p10": self.band.p10,
                "p50": self.band.p50,
                "p90": self.band.p90,
                "band": self.band.method,
                "covered": self.covered,
            },
        }


def _number(x: float) -> float | None:
    return None if math.isnan(x) else x


def _scores_json(s: Scores) -> dict[str, float | None]:
    return {"brier": s.brier, "log_loss": s.log_loss, "ece": s.ece, "auc": _number(s.auc)}


@dataclass(frozen=True)
class BacktestReport:
    """All origins and the pooled summary (see the module docstring)."""

    horizon: int
    unit: str
    origins: tuple[OriginResult, ...]
    leakage: tuple[LeakageFinding, ...] = ()
    features: tuple[str, ...] = ()
    seed: int = 0
    scorers: tuple[str, ...] = field(default=())

    def difference(self, other: str) -> Difference:
        groups = [
            (o.probabilities["kampass"] - o.outcomes) ** 2 - (o.probabilities[other] - o.outcomes) ** 2
            for o in self.origins
        ]
        return paired_difference(groups, seed=self.seed)

    @property
    def band_coverage(self) -> float:
        return sum(o.covered for o in self.origins) / len(self.origins) if self.origins else math.nan

    def to_json(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "kampass_minus_base_rate_brier": self.difference("base_rate").to_json(),
            "kampass_minus_naive_bayes_brier": self.difference("naive_bayes").to_json(),
            "band_coverage": _number(self.band_coverage),
            "origins": len(self.origins),
            "deals_scored": int(sum(len(o.ids) for o in self.origins)),
        }
        for name in self.scorers:
            y = np.concatenate([o.outcomes for o in self.origins])
            p = np.concatenate([o.probabilities[name] for o in self.origins])
            summary.setdefault("brier", {})[name] = brier_score(p, y)
        return {
            "horizon": self.horizon,
            "unit": self.unit,
            "features": list(self.features),
            "leakage": [f.to_json() for f in self.leakage],
            "origins": [o.to_json() for o in self.origins],
            "summary": summary,
        }


def _constant(rate: float) -> Callable[[LabelledRows], FloatArray]:
    return lambda target: np.full(len(target), rate, dtype=np.float64)


def backtest(
    history: DealHistory,
    origins: Sequence[Any],
    *,
    horizon: int,
    scorers: Sequence[Scorer] | None = None,
    seed: int = 0,
    leakage: Sequence[LeakageFinding] = (),
    progress: Callable[[int, int], None] | None = None,
) -> BacktestReport:
    """Run the backtest at every origin (see the module docstring).

    Raises ``ValueError`` for an origin whose horizon runs past the end of the data, or with nothing to
    learn from.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 400
    >>> opened = np.datetime64("2024-01-01") + rng.integers(0, 300, n).astype("timedelta64[D]")
    >>> good = rng.random(n) < 0.5
    >>> won = rng.random(n) < np.where(good, 0.8, 0.1)
    >>> closed = opened + rng.integers(5, 60, n).astype("timedelta64[D]")
    >>> h = DealHistory(
    ...     ids=tuple(map(str, range(n))), opened=opened, closed=closed, won=won,
    ...     features=pa.table({"good": np.where(good, "yes", "no")}), end=np.datetime64("2025-06-01"),
    ... )
    >>> report = backtest(h, ["2024-08-01"], horizon=60)
    >>> o = report.origins[0]
    >>> o.scores["kampass"].brier < o.scores["base_rate"].brier
    True
    """
    scorers = (
        list(scorers)
        if scorers is not None
        else default_scorers(seed=seed, owner=history.owner_probability is not None)
    )
    results = []
    for k, origin in enumerate(origins):
        d = _day(origin)
        if d + np.timedelta64(horizon, "D") > history.end + np.timedelta64(1, "D"):
            raise ValueError(
                f"the horizon of origin {d} ({horizon} days, to {d + np.timedelta64(horizon, 'D')}) runs past "
                f"the end of the data ({history.end})"
            )
        view = known_at(history, d)
        train = training_rows(view, d, horizon)
        target, index = snapshot(history, d, horizon)
        if len(target) == 0:
            raise ValueError(f"no deal was open at {d}")
        y = target.outcomes
        probabilities: dict[str, FloatArray] = {}
        single = train.outcomes.min() == train.outcomes.max()
        for scorer in scorers:
            predict = _constant(float(train.outcomes[0])) if single else scorer.fit(train)
            probabilities[scorer.name] = np.asarray(predict(target), dtype=np.float64)
        amounts = _amounts(history, index)
        band = forecast_band(probabilities["kampass"], amounts, drift_ratios(view, d, horizon), seed=seed)
        diff = paired_difference(
            [(probabilities["kampass"] - y) ** 2 - (probabilities["base_rate"] - y) ** 2], seed=seed
        )
        results.append(
            OriginResult(
                as_of=d,
                training_rows=len(train),
                training_won=int(train.outcomes.sum()),
                latest_training_label=train.as_of.max() + np.timedelta64(horizon - 1, "D"),
                ids=tuple(history.ids[int(i)] for i in index),
                outcomes=y,
                amounts=amounts,
                probabilities=probabilities,
                scores={name: _scores(p, y) for name, p in probabilities.items()},
                band=band,
                difference=diff,
            )
        )
        if progress is not None:
            progress(k + 1, len(origins))
    return BacktestReport(
        horizon=horizon,
        unit=history.amount_unit if history.amount is not None else "deals",
        origins=tuple(results),
        leakage=tuple(leakage),
        features=(*tuple(history.features.column_names), AGE_COLUMN),
        seed=seed,
        scorers=tuple(s.name for s in scorers),
    )


def history_leakage(history: DealHistory, *, seed: int = 0) -> list[LeakageFinding]:
    """The leakage guard on a whole history: feature columns that separate the won from the lost deals
    (where closed deals of both outcomes exist), or the won deals from all others (a column filled in only
    once a deal is won, when lost deals never close), and amounts of closed deals that look final against
    the open deals' amounts (column ``"amount"``). Each column and reason is reported once."""
    findings: list[LeakageFinding] = []
    closed = ~np.isnat(history.closed)
    checks = [
        (np.flatnonzero(closed), history.won[closed].astype(np.int64)),
        (np.arange(len(history)), (history.won & closed).astype(np.int64)),
    ]
    if history.features.num_columns:
        for index, y in checks:
            if 0 < int(y.sum()) < len(y):
                rows = history.features.take(pa.array(index, type=pa.int64()))
                findings += detect_leakage(rows, y, amount_columns=[], seed=seed)
    if history.amount is not None and closed.any():
        findings += detect_leakage(
            pa.table({"amount": pa.array(history.amount[closed], type=pa.float64())}),
            history.won[closed].astype(np.int64),
            amount_columns=["amount"],
            open_amounts={"amount": history.amount[~closed]},
            seed=seed,
        )
    seen: set[tuple[str, str]] = set()
    unique = []
    for f in findings:
        if (f.column, f.reason) not in seen:
            seen.add((f.column, f.reason))
            unique.append(f)
    return unique
