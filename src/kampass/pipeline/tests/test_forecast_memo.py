"""The forecast's simulations are kept in the process by a digest of their inputs: the same pipeline
gives the same (kept) result, and any changed input is simulated afresh."""

from __future__ import annotations

from decimal import Decimal

from kampass.core.forecasting import forecast_distribution
from kampass.pipeline.selectors import revenue_forecast


def test_the_same_inputs_are_simulated_once_and_a_changed_amount_again(monkeypatch):
    # given a memo of its own and a simulation that counts its calls
    monkeypatch.setattr(revenue_forecast, "_distributions", revenue_forecast.ProcessMemo(size=4))
    calls: list[int] = []

    def counted(*args, **kwargs):
        calls.append(1)
        return forecast_distribution(*args, **kwargs)

    monkeypatch.setattr("kampass.core.forecasting.forecast_distribution", counted)
    p, amounts, periods = [0.2, 0.7], [Decimal("100"), Decimal("50")], ["2027-01", "2027-02"]
    # when
    first = revenue_forecast._distribution(p, amounts, periods, simulations=500, seed=0)
    again = revenue_forecast._distribution(list(p), list(amounts), list(periods), simulations=500, seed=0)
    changed = revenue_forecast._distribution(p, [Decimal("100"), Decimal("51")], periods, simulations=500, seed=0)
    other_seed = revenue_forecast._distribution(p, amounts, periods, simulations=500, seed=1)
    # then
    assert again == first == forecast_distribution(p, amounts, periods, simulations=500, seed=0)
    assert changed != first
    assert changed[1].expected == Decimal("35.70")
    assert other_seed[0].expected == first[0].expected
    assert len(calls) == 3


def test_periods_are_part_of_the_key():
    # the same probabilities and amounts in other periods are another forecast
    p, amounts = [0.5, 0.5], [Decimal("10"), Decimal("10")]
    a = revenue_forecast._distribution(p, amounts, ["2027-01", "2027-01"], simulations=200, seed=0)
    b = revenue_forecast._distribution(p, amounts, ["2027-01", "2027-02"], simulations=200, seed=0)
    assert [x.period for x in a] == ["2027-01"]
    assert [x.period for x in b] == ["2027-01", "2027-02"]
