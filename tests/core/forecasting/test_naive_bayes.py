"""The naive-Bayes frequency scorer and the base rate, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from kampass.core.forecasting import NaiveBayesScorer, base_rate_scores


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_frequency_tables_with_additive_prior():
    # given 4 won and 6 lost deals over two fields
    rows = (
        [{"region": "West", "route": "direct"}] * 3
        + [{"region": "East", "route": "direct"}]
        + [{"region": "East", "route": "reseller"}] * 5
        + [{"region": "West", "route": "reseller"}]
    )
    won = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    # when
    scorer = NaiveBayesScorer.fit(rows, won, alpha=1.0)
    p = scorer.predict([{"region": "West", "route": "direct"}, {"region": "North", "route": "reseller"}])
    # then: 2 values per field + 1 unseen slot; won denominators 4 + 3, lost 6 + 3
    # West: won 3, lost 1; direct: won 4, lost 0; North unseen; reseller: won 0, lost 6
    west = math.log((3 + 1) / 7) - math.log((1 + 1) / 9)
    direct = math.log((4 + 1) / 7) - math.log((0 + 1) / 9)
    unseen = math.log(1 / 7) - math.log(1 / 9)
    reseller = math.log((0 + 1) / 7) - math.log((6 + 1) / 9)
    prior = math.log(4 / 6)
    assert p[0] == pytest.approx(sigmoid(prior + west + direct))
    assert p[1] == pytest.approx(sigmoid(prior + unseen + reseller))


def test_numeric_fields_are_binned_by_training_quantiles():
    # given amounts 1..100, won exactly when above 50
    rows = [{"amount": float(a)} for a in range(1, 101)]
    won = [int(a > 50) for a in range(1, 101)]
    # when
    scorer = NaiveBayesScorer.fit(rows, won, bins=4)
    # then: quartile edges; each bin is pure, so low amounts score low and high ones high
    (field,) = scorer.fields
    assert field.edges == pytest.approx((25.75, 50.5, 75.25))
    low, high, missing = scorer.predict([{"amount": 3.0}, {"amount": 90.0}, {"amount": None}])
    assert low == pytest.approx(sigmoid(math.log(1 / 55) - math.log(26 / 55)))
    assert high == pytest.approx(1 - low)
    assert missing == pytest.approx(0.5)  # never seen: likelihood ratio 1, prior odds 1


def test_arrow_table_and_records_score_alike():
    rows = [{"region": r, "amount": a} for r, a in [("W", 1.0), ("E", 5.0), ("W", 2.0), ("E", 7.0), ("W", None)]]
    won = [1, 0, 1, 0, 1]
    table = pa.Table.from_pylist(rows)
    a = NaiveBayesScorer.fit(rows, won).predict(rows)
    b = NaiveBayesScorer.fit(table, won).predict(table)
    np.testing.assert_array_equal(a, b)


def test_excluded_columns_are_not_used():
    rows = [{"id": i, "region": "W" if i % 2 else "E"} for i in range(10)]
    scorer = NaiveBayesScorer.fit(rows, [i % 2 for i in range(10)], exclude=["id"])
    assert [f.name for f in scorer.fields] == ["region"]


def test_base_rate():
    np.testing.assert_array_equal(base_rate_scores(np.array([1, 1, 0, 0, 0]), 2), [0.4, 0.4])
    with pytest.raises(ValueError):
        base_rate_scores([], 3)
