"""Monte-Carlo forecast against closed forms, and the owner calibration table by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scipy import stats

from kampass.core.forecasting import forecast_distribution, owner_calibration


def test_identical_deals_follow_the_binomial_distribution():
    # given 40 deals of 250.00 each won with probability 0.3 in one period
    n, p, amount = 40, 0.3, Decimal("250.00")
    # when
    (f,) = forecast_distribution([p] * n, [amount] * n, ["2027-01"] * n, simulations=20_000, seed=7)
    # then: revenue = 250 * Binomial(40, 0.3); percentiles within one deal of the exact quantiles
    assert f.deals == n
    assert f.expected == Decimal("3000.00")
    for simulated, q in ((f.p10, 0.1), (f.p50, 0.5), (f.p90, 0.9)):
        exact = Decimal(int(stats.binom.ppf(q, n, p))) * amount
        assert abs(simulated - exact) <= amount
        assert simulated % amount == 0  # a value that really occurs


def test_chunked_simulation_keeps_independent_deals():
    # more deals than one chunk: the sum's spread must match the closed-form variance
    n = 10_000
    (f,) = forecast_distribution([0.5] * n, [1.0] * n, ["p"] * n, simulations=2_000, seed=1, approximate=False)
    sd = (n * 0.25) ** 0.5  # 50
    assert float(f.p50) == pytest.approx(5_000, abs=5)
    assert float(f.p90 - f.p10) == pytest.approx(2 * 1.2816 * sd, rel=0.1)


def test_many_small_deals_get_closed_form_percentiles_that_match_the_simulation():
    import numpy as np

    # given 5,000 deals with varied probabilities and amounts (nearly symmetric total)
    rng = np.random.default_rng(11)
    p = rng.uniform(0.05, 0.95, 5_000).tolist()
    amounts = [Decimal(str(round(a, 2))) for a in rng.uniform(1_000, 50_000, 5_000)]
    periods = ["2027-01"] * 5_000
    # when computed in closed form and by simulation
    (closed,) = forecast_distribution(p, amounts, periods)
    (simulated,) = forecast_distribution(p, amounts, periods, simulations=40_000, seed=3, approximate=False)
    # then the expectation is the same exact figure and the percentiles agree within 3 % of a standard deviation
    # (the simulation's own error of a percentile is about 1 %)
    sd = float(np.sqrt(sum(x * (1 - x) * float(a) ** 2 for x, a in zip(p, amounts, strict=True))))
    assert closed.expected == simulated.expected
    for mine, theirs in ((closed.p10, simulated.p10), (closed.p50, simulated.p50), (closed.p90, simulated.p90)):
        assert abs(float(mine - theirs)) < 0.03 * sd
    assert closed != simulated  # (it did take the closed form: simulated percentiles differ in the cents)


def test_skewed_totals_are_still_simulated_however_many_deals():
    # given 5,000 deals almost never won (expected 0.5 wins: the total is far from normal)
    n = 5_000
    (f,) = forecast_distribution([0.0001] * n, [100.0] * n, ["p"] * n, seed=4)
    # then the percentiles are the lumpy values that occur: P10 and P50 nothing, P90 one deal
    assert (f.p10, f.p50, f.p90) == (Decimal("0.00"), Decimal("0.00"), Decimal("100.00"))


def test_certain_and_hopeless_deals():
    f = forecast_distribution([1.0, 0.0], [Decimal("10.50"), Decimal("99")], ["a", "a"])
    assert (f[0].expected, f[0].p10, f[0].p50, f[0].p90) == (Decimal("10.50"),) * 4


def test_periods_sorted_and_seed_fixes_the_result():
    args = ([0.5, 0.5, 0.2], [100.0, 200.0, 50.0], ["2027-Q2", "2027-Q1", "2027-Q2"])
    first = forecast_distribution(*args, seed=3)
    assert [f.period for f in first] == ["2027-Q1", "2027-Q2"]
    assert first == forecast_distribution(*args, seed=3)


def test_forecast_input_errors():
    with pytest.raises(ValueError, match="length"):
        forecast_distribution([0.5], [1.0, 2.0], ["a"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        forecast_distribution([50], [1.0], ["a"])


def test_owner_calibration_by_hand():
    # given ann says 0.9 and 0.7 (one won), bob gives no number on one deal; model numbers everywhere
    rows = owner_calibration(
        owner_probabilities=[0.9, 0.7, None, 0.2, 0.4],
        model_probabilities=[0.6, 0.4, 0.5, 0.3, None],
        outcomes=[1, 0, 1, 0, 1],
        groups=["ann", "ann", "bob", "bob", "bob"],
    )
    ann, bob = rows
    assert (ann.group, ann.deals, ann.win_rate) == ("ann", 2, 0.5)
    assert ann.owner_mean == pytest.approx(0.8)
    assert ann.owner_bias == pytest.approx(0.3)  # optimistic
    assert ann.owner_brier == pytest.approx((0.01 + 0.49) / 2)
    assert ann.model_bias == pytest.approx(0.0)
    assert ann.model_brier == pytest.approx((0.16 + 0.16) / 2)
    # bob: owner numbers on deals 4 and 5 (one won of two), model numbers on deals 3 and 4
    assert (bob.deals, bob.win_rate) == (3, pytest.approx(2 / 3))
    assert bob.owner_mean == pytest.approx(0.3)
    assert bob.owner_bias == pytest.approx(0.3 - 0.5)  # sandbagging
    assert bob.owner_brier == pytest.approx((0.04 + 0.36) / 2)
    assert bob.model_mean == pytest.approx(0.4)
    assert bob.model_bias == pytest.approx(0.4 - 0.5)
    assert bob.model_brier == pytest.approx((0.25 + 0.09) / 2)


def test_owner_calibration_without_owner_numbers():
    (row,) = owner_calibration([None, None], [0.2, 0.4], [0, 1], ["team", "team"])
    assert (row.owner_mean, row.owner_bias, row.owner_brier) == (None, None, None)
    assert row.model_mean == pytest.approx(0.3)


def test_owner_calibration_refuses_percentages():
    with pytest.raises(ValueError, match="percent"):
        owner_calibration([80.0], [0.5], [1], ["ann"])
