"""The live forecast's band: empirical from kampass's own past errors stored by the last backtest run,
the Bernoulli band with a visible note when too few exist, and never computed in a web request.

Given stored past errors and scored deals, the P10/P50/P90 of each period are computed independently
here (mean +- t * sd * sqrt(1 + 1/n) of the log errors, the unit one average deal of the period)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from scipy import stats  # type: ignore[import-untyped]

from kampass.common.models import JobStatus
from kampass.pipeline import selectors
from kampass.pipeline.models import BacktestRun, Opportunity
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

ERRORS = [0.15, -0.2, 0.3, 0.05, -0.1]


def stored(errors: list[float], *, period: str = "month", horizon: int = 30) -> BacktestRun:
    calibration = {
        "as_of": "2030-01-01",
        "min_errors": 3,
        "periods": {period: {"horizon": horizon, "errors": errors}},
    }
    result = {"origins": [], "verdict": {"best_baseline": "base_rate", "model_better": True}}
    return BacktestRun.objects.create(
        status=JobStatus.DONE, result=result, band_calibration=calibration, finished_at=timezone.now()
    )


@pytest.fixture
def deals(group):
    amounts = {"A": 100_000, "B": 40_000, "C": 25_000}
    made = {}
    for name, amount in amounts.items():
        close = dt.date(2030, 1, 15) if name != "C" else dt.date(2030, 2, 10)
        o = make_opportunity(account=group, name=name, amount=Decimal(amount), expected_close_date=close)
        Opportunity.objects.filter(pk=o.pk).update(probability={"A": 0.6, "B": 0.3, "C": 0.5}[name])
        made[name] = (amount, {"A": 0.6, "B": 0.3, "C": 0.5}[name])
    return made


def independent(deals: list[tuple[int, float]], errors: list[float]) -> tuple[float, float, float]:
    expected = sum(a * p for a, p in deals)
    unit = statistics.fmean(a for a, _ in deals)
    n = len(errors)
    mean, sd = statistics.fmean(errors), statistics.stdev(errors)
    half = stats.t.ppf(0.9, n - 1) * sd * math.sqrt(1 + 1 / n)
    return tuple(max(0.0, (expected + unit) * math.exp(mean + k * half) - unit) for k in (-1, 0, 1))  # type: ignore[return-value]


def test_the_live_band_is_the_interval_of_the_stored_past_errors(deals, head):
    stored(ERRORS)
    report = selectors.forecast(user=head, period="month")
    assert report.band.method == "empirical"
    assert report.band.errors == 5
    assert report.band.horizon == 30
    january, february = report.rows
    for row, names in ((january, "AB"), (february, "C")):
        p10, p50, p90 = independent([deals[n] for n in names], ERRORS)
        assert row.band == "empirical"
        assert row.band_errors == 5
        assert float(row.p50 or 0) == pytest.approx(p50, abs=0.01)
        assert float(row.p10 or 0) == pytest.approx(p10, rel=0.01)  # t90 approximates Student's t
        assert float(row.p90 or 0) == pytest.approx(p90, rel=0.01)
    doc = report.as_json()
    assert doc["band"]["method"] == "empirical"
    assert doc["band"]["errors"] == 5
    assert doc["rows"][0]["calibrated"]["band"] == "empirical"
    # the quarter has no stored errors: its band is the Bernoulli one
    quarter = selectors.forecast(user=head, period="quarter")
    assert quarter.band.method == "bernoulli"
    assert quarter.band.reason == "too_few"
    assert quarter.rows[0].band == "bernoulli"


def test_with_too_few_past_errors_the_band_is_bernoulli_with_a_note(deals, head, client):
    plain = selectors.forecast(user=head, period="month")
    assert plain.band.method == "bernoulli"
    assert plain.band.reason == "no_calibration"
    stored(ERRORS[:2])
    report = selectors.forecast(user=head, period="month")
    assert report.band.method == "bernoulli"
    assert report.band.reason == "too_few"
    assert report.band.errors == 2
    assert [(r.p10, r.p50, r.p90) for r in report.rows] == [(r.p10, r.p50, r.p90) for r in plain.rows]
    assert report.as_json()["band"] | {"calibrated_at": None} == {
        "method": "bernoulli",
        "errors": 2,
        "min_errors": 3,
        "horizon_days": 30,
        "calibrated_as_of": "2030-01-01",
        "calibrated_at": None,
        "reason": "too_few",
        "groups": "bernoulli",
    }
    client.force_login(head)
    body = client.get(reverse("forecast")).content.decode()
    assert 'data-band="bernoulli"' in body
    assert "only 2 past forecast errors, at least 3 are needed" in body
    head.language = "de"
    head.save()
    with translation.override("de"):
        body = client.get(reverse("forecast"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "nur 2 frühere Fehler des Forecasts" in body


def test_no_web_request_computes_the_calibration(deals, head, client, api, monkeypatch):
    from kampass.core.forecasting import backtest
    from kampass.pipeline.services import backtests as services

    def refuse(*args, **kwargs):
        raise AssertionError("the band's calibration is computed in the background only")

    for name in ("calibration_errors", "past_errors", "past_forecast", "past_scores", "inner_scores"):
        monkeypatch.setattr(backtest, name, refuse)
    monkeypatch.setattr(services, "band_calibration", refuse)
    run = stored(ERRORS)
    client.force_login(head)
    body = client.get(reverse("forecast")).content.decode()
    assert 'data-band="empirical"' in body
    assert "5 past forecasts of a 30-day total" in body
    doc = api(head, "get", "/forecast").json()
    assert doc["band"]["method"] == "empirical"
    assert doc["band"]["errors"] == 5
    # the selector reads what is stored: a changed calibration changes the band
    before = doc["rows"][0]["calibrated"]["p90"]
    BacktestRun.objects.filter(pk=run.pk).update(
        band_calibration={
            "as_of": "2030-01-01",
            "min_errors": 3,
            "periods": {"month": {"horizon": 30, "errors": [0.0, 0.5, 1.0]}},
        }
    )
    after = api(head, "get", "/forecast").json()
    assert after["band"]["errors"] == 3
    assert after["rows"][0]["calibrated"]["p90"] != before


@pytest.mark.compute
def test_a_backtest_run_stores_the_calibration_in_the_background(head):
    from kampass.core.forecasting.backtest import calibration_errors
    from kampass.core.forecasting.scorers import default_scorers
    from kampass.pipeline.recorded_history import recorded_deal_history
    from kampass.pipeline.services.backtests import (
        BAND_HORIZONS,
        _prepared,
        backtest_run_create,
        backtest_run_execute,
    )
    from kampass.pipeline.tests.test_backtest_recorded import generate

    generate()
    run = backtest_run_execute(str(backtest_run_create(actor=head, horizon=60, enqueue=False).pk), actor=head)
    assert run.status == JobStatus.DONE
    calibration = run.band_calibration
    assert calibration["as_of"] == str(timezone.localdate())
    assert calibration["min_errors"] == 3
    history = _prepared(recorded_deal_history(), 0)[0]
    kampass = [s for s in default_scorers(seed=0, owner=history.owner_probability is not None) if s.name == "kampass"]
    for period, horizon in BAND_HORIZONS.items():
        stored_errors = calibration["periods"][period]["errors"]
        assert calibration["periods"][period]["horizon"] == horizon
        assert 3 <= len(stored_errors) <= 12
        assert stored_errors == pytest.approx(calibration_errors(history, horizon, scorers=kampass).tolist())
    report = selectors.forecast(user=head, period="quarter")
    assert report.band.errors == len(calibration["periods"]["quarter"]["errors"])
