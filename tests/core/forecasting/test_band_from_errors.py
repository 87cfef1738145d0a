"""The band from past errors (``band_from_errors``) and the live band's calibration (``calibration_errors``).

Given a generated history and a scorer whose probability is a known constant, every past forecast and
its actual total are computed independently here (deals open at each inner origin, won within the
horizon), and so are the log errors and the prediction interval built from them."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from kampass.core.forecasting.backtest import (
    MAX_PAST,
    MIN_PAST,
    DealHistory,
    band_from_errors,
    calibration_errors,
    forecast_band,
    inner_origins,
    t90,
)
from kampass.core.forecasting.scorers import LabelledRows

RATE = 0.3


class Constant:
    """A scorer named like kampass's that gives every deal the same probability."""

    name = "kampass"

    def fit(self, rows: LabelledRows):
        return lambda target: np.full(len(target), RATE)


def interval(expected: float, errors: list[float], unit: float) -> tuple[float, float, float]:
    """Independently: mean +- t * sd * sqrt(1 + 1/n) of the log errors, back into totals."""
    n = len(errors)
    mean, sd = statistics.fmean(errors), statistics.stdev(errors)
    half = stats.t.ppf(0.9, n - 1) * sd * math.sqrt(1 + 1 / n)
    return tuple((expected + unit) * math.exp(mean + k * half) - unit for k in (-1, 0, 1))  # type: ignore[return-value]


def test_the_band_is_the_prediction_interval_of_the_errors():
    errors = [0.12, -0.3, 0.25, 0.05, -0.1, 0.4]
    band = band_from_errors(50_000.0, np.array(errors), unit=8_000.0)
    p10, p50, p90 = interval(50_000.0, errors, 8_000.0)
    assert band.method == "empirical"
    assert band.errors == 6
    assert band.expected == 50_000.0
    # t90 is the Cornish-Fisher approximation of Student's t (within 1 % from 3 degrees of freedom)
    assert band.p50 == pytest.approx(p50, rel=1e-12)
    assert band.p10 == pytest.approx(p10, rel=0.01)
    assert band.p90 == pytest.approx(p90, rel=0.01)
    with pytest.raises(ValueError, match="at least 2"):
        band_from_errors(1.0, np.array([0.1]))


def test_the_backtests_band_is_the_same_function():
    p, a = np.full(50, 0.4), np.arange(1.0, 51.0)
    errors = np.log(np.array([0.8, 1.1, 1.3, 0.9]))
    assert forecast_band(p, a, errors, unit=7.0) == band_from_errors(float((p * a).sum()), errors, unit=7.0)
    assert forecast_band(p, a, errors[: MIN_PAST - 1], unit=7.0).method == "bernoulli"
    assert t90(5) == pytest.approx(stats.t.ppf(0.9, 5), rel=0.01)


def generated(seed: int = 4) -> tuple[DealHistory, list[dict]]:
    rng = np.random.default_rng(seed)
    n = 400
    start = dt.date(2023, 1, 1)
    deals = []
    for i in range(n):
        opened = start + dt.timedelta(days=int(rng.integers(0, 600)))
        closed = opened + dt.timedelta(days=int(rng.integers(3, 80)))
        deals.append(
            {
                "id": str(i),
                "opened": opened,
                "closed": closed,
                "won": bool(rng.random() < 0.35),
                "amount": float(rng.integers(1, 50) * 1000),
            }
        )
    end = dt.date(2024, 9, 30)
    for d in deals:
        if d["closed"] > end:
            d["closed"] = None
    history = DealHistory(
        ids=tuple(d["id"] for d in deals),
        opened=np.array([d["opened"] for d in deals], dtype="datetime64[D]"),
        closed=np.array([d["closed"] or "NaT" for d in deals], dtype="datetime64[D]"),
        won=np.array([d["won"] for d in deals]),
        features=pa.table({"x": ["a"] * n}),
        end=np.datetime64(end, "D"),
        amount=np.array([d["amount"] for d in deals]),
    )
    return history, deals


@pytest.mark.parametrize("horizon", [30, 91])
def test_the_calibration_errors_are_the_past_forecasts_errors(horizon):
    history, deals = generated()
    errors = calibration_errors(history, horizon, scorers=[Constant()])
    tomorrow = dt.date(2024, 10, 1)
    expected = []
    step = horizon // 3
    # inner origins: on the grid of days since 1970 divisible by horizon // 3, horizon passed by tomorrow
    latest = (tomorrow - dt.timedelta(days=horizon) - dt.date(1970, 1, 1)).days
    t = dt.date(1970, 1, 1) + dt.timedelta(days=latest - latest % step)
    assert next(str(x) for x in inner_origins(np.datetime64(tomorrow), horizon)) == str(t)
    while len(expected) < MAX_PAST:
        open_ = [d for d in deals if d["opened"] < t and not (d["closed"] is not None and d["closed"] < t)]
        end = t + dt.timedelta(days=horizon)
        won = sum(d["amount"] for d in open_ if d["won"] and d["closed"] is not None and t <= d["closed"] < end)
        unit = statistics.fmean(d["amount"] for d in open_)
        forecast = RATE * sum(d["amount"] for d in open_)
        expected.append(math.log((won + unit) / (forecast + unit)))
        t -= dt.timedelta(days=step)
    assert len(errors) == MAX_PAST
    assert errors.tolist() == pytest.approx(expected, rel=1e-9)
