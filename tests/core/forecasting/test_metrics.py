"""Scores against hand computations and against scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from kampass.core.forecasting import (
    brier_score,
    expected_calibration_error,
    log_loss,
    reliability_bins,
    roc_auc,
)

P = [0.1, 0.4, 0.35, 0.8, 0.95, 0.05]
Y = [0, 0, 1, 1, 1, 0]


def test_brier_by_hand():
    # (0.01 + 0.16 + 0.4225 + 0.04 + 0.0025 + 0.0025) / 6
    assert brier_score(P, Y) == pytest.approx(0.6375 / 6, abs=1e-15)


def test_log_loss_by_hand():
    expected = -(math.log(0.9) + math.log(0.6) + math.log(0.35) + math.log(0.8) + math.log(0.95) + math.log(0.95)) / 6
    assert log_loss(P, Y) == pytest.approx(expected, abs=1e-12)


def test_log_loss_clips_certain_mistakes():
    assert log_loss([0.0], [1]) == pytest.approx(-math.log(1e-15))


def test_ece_by_hand():
    # bins: [0,0.1): 0.05 (y0) -> gap 0.05; [0.1,0.2): 0.1 (y0) -> 0.1; [0.3,0.4): 0.35 (y1) -> 0.65;
    # [0.4,0.5): 0.4 (y0) -> 0.4; [0.8,0.9): 0.8 (y1) -> 0.2; [0.9,1]: 0.95 (y1) -> 0.05
    assert expected_calibration_error(P, Y) == pytest.approx((0.05 + 0.1 + 0.65 + 0.4 + 0.2 + 0.05) / 6)


def test_ece_pools_a_bin():
    # one bin [0.7, 0.8): mean prediction 0.75, observed 0.5 -> gap 0.25 for all four
    assert expected_calibration_error([0.7, 0.8 - 1e-9, 0.75, 0.75], [1, 0, 1, 0]) == pytest.approx(0.25)


def test_probability_one_falls_in_the_last_bin():
    (b,) = reliability_bins([1.0, 0.95], [1, 1])
    assert (b.lower, b.upper, b.count, b.observed_rate) == (0.9, 1.0, 2, 1.0)


def test_reliability_bins_by_hand():
    bins = reliability_bins([0.12, 0.18, 0.55, 0.51, 0.59], [0, 1, 1, 1, 0])
    assert [(b.lower, b.upper, b.count) for b in bins] == [(0.1, 0.2, 2), (0.5, 0.6, 3)]
    assert bins[0].mean_predicted == pytest.approx(0.15)
    assert bins[0].observed_rate == pytest.approx(0.5)
    assert bins[1].mean_predicted == pytest.approx(0.55)
    assert bins[1].observed_rate == pytest.approx(2 / 3)


def test_auc_by_hand():
    # won scores 0.35, 0.8, 0.95 vs lost 0.1, 0.4, 0.05: pairs won>lost: 0.35 beats 2, 0.8 and 0.95 beat 3 -> 8/9
    assert roc_auc(P, Y) == pytest.approx(8 / 9)


def test_auc_needs_both_outcomes():
    with pytest.raises(ValueError, match="won and lost"):
        roc_auc([0.2, 0.3], [1, 1])


@pytest.mark.parametrize(
    ("p", "y", "message"),
    [([0.2], [1, 0], "equal length"), ([1.2], [1], r"\[0, 1\]"), ([0.2], [2], "0 or 1"), ([], [], "no predictions")],
)
def test_bad_input_is_refused(p, y, message):
    with pytest.raises(ValueError, match=message):
        brier_score(p, y)


scored = st.integers(min_value=2, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 1.0]) | st.floats(0, 1), min_size=n, max_size=n),
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
    )
)


@settings(max_examples=150, deadline=None)
@given(scored)
def test_scores_agree_with_scikit_learn(case):
    p, y = np.array(case[0]), np.array(case[1])
    assert brier_score(p, y) == pytest.approx(skm.brier_score_loss(y, p), abs=1e-12)
    assert log_loss(p, y) == pytest.approx(skm.log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1]), abs=1e-9)
    if 0 < y.sum() < len(y):
        assert roc_auc(p, y) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
    bins = reliability_bins(p, y)
    assert sum(b.count for b in bins) == len(p)
    ece = sum(b.count * abs(b.mean_predicted - b.observed_rate) for b in bins) / len(p)
    assert expected_calibration_error(p, y) == pytest.approx(ece, abs=1e-9)
