"""Structure of the Vega-Lite specs of the forecast and model-report pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from kampass.pipeline import charts


@pytest.fixture(autouse=True)
def _english():
    """Labels are checked in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@dataclass(frozen=True)
class Period:
    period: str
    expected: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal
    deals: int


@dataclass(frozen=True)
class Bin:
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class Row:
    group: str
    deals: int
    win_rate: float
    owner_mean: float | None
    owner_bias: float | None
    owner_brier: float | None
    model_mean: float | None
    model_bias: float | None
    model_brier: float | None


PERIODS = [
    Period("2026-12", Decimal("100"), Decimal("0"), Decimal("100"), Decimal("250"), 3),
    Period("2027-01", Decimal("50.5"), Decimal("10"), Decimal("40"), Decimal("90"), 2),
]


def _layers(spec):
    return spec["layer"]


def test_fan_chart_has_the_band_and_the_lines_with_the_owner_forecast():
    spec = charts.fan_chart(PERIODS, owner_expected={"2026-12": Decimal("180"), "2027-01": 70}, currency="EUR")
    assert spec is not None
    band, lines = _layers(spec)
    assert band["mark"]["type"] == "area"
    assert band["encoding"]["y"]["field"] == "p10"
    assert band["encoding"]["y2"]["field"] == "p90"
    assert [r["p90"] for r in band["data"]["values"]] == [250.0, 90.0]
    series = {(v["series"], v["period"]): v["value"] for v in lines["data"]["values"]}
    assert series[("Expected (owners' probabilities; stage default where none given)", "2026-12")] == 180.0
    assert series[("Expected (calibrated)", "2027-01")] == 50.5
    assert series[("Median (P50)", "2026-12")] == 100.0
    assert band["encoding"]["x"]["sort"] == ["2026-12", "2027-01"]
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    json.dumps(spec)  # serialisable for the page


def test_fan_chart_is_none_without_periods_and_german_number_format():
    assert charts.fan_chart([], currency="EUR") is None
    with translation.override("de"):
        spec = charts.fan_chart(PERIODS, currency="CHF")
    assert spec is not None
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert "CHF" in spec["layer"][0]["encoding"]["y"]["title"]


def test_reliability_chart_leaves_out_empty_bins_and_draws_the_diagonal():
    bins = {
        "kampass": [Bin(0.0, 0.1, 10, 0.05, 0.1), Bin(0.1, 0.2, 0, 0.0, 0.0)],
        "base_rate": [Bin(0.3, 0.4, 20, 0.35, 0.3)],
    }
    spec = charts.reliability_chart(bins, names={"kampass": "kampass model", "base_rate": "Base rate"})
    diagonal, curve, points = _layers(spec)
    assert diagonal["data"]["values"] == [{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}]
    assert len(points["data"]["values"]) == 2
    assert {v["scorer"] for v in points["data"]["values"]} == {"kampass model", "Base rate"}
    assert points["encoding"]["size"]["field"] == "count"
    assert curve["encoding"]["color"]["scale"]["domain"] == ["kampass model", "Base rate"]
    assert charts.reliability_chart({"kampass": [Bin(0, 0.1, 0, 0, 0)]}, names={}) is None


def test_optimism_chart_has_one_bar_per_group_and_source():
    rows = [
        Row("Anna", 10, 0.3, 0.6, 0.3, 0.2, 0.32, 0.02, 0.15),
        Row("Ben", 4, 0.5, None, None, None, 0.45, -0.05, 0.2),
    ]
    spec = charts.optimism_chart(rows)
    bars, zero = _layers(spec)
    values = bars["data"]["values"]
    assert len(values) == 3  # Ben has no owner's probabilities
    assert {(v["group"], v["source"]) for v in values} == {
        ("Anna", "Owners' probabilities"),
        ("Anna", "Calibrated model"),
        ("Ben", "Calibrated model"),
    }
    assert bars["encoding"]["y"]["sort"] == ["Anna", "Ben"]
    assert zero["mark"]["type"] == "rule"
    assert charts.optimism_chart([Row("x", 1, 0, None, None, None, None, None, None)]) is None


def test_specs_render_to_svg():
    import vl_convert as vlc

    spec = charts.fan_chart(PERIODS, owner_expected={"2026-12": 1}, currency="EUR")
    svg = vlc.vegalite_to_svg(json.dumps(spec))
    assert svg.startswith("<svg")
