"""Training is robust to any small mix of rows (issue 10, item 21).

A feature present in a single deal (e.g. the stage order of the one won deal that was reopened
and re-closed) is missing in every training row of some fold; scikit-learn's binning then failed
with "window shape cannot be larger than input array shape". Every fold model now learns only
from the columns that hold a value in its own training part.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kampass.core.forecasting import evaluate, train_win_model

CATEGORICAL = ["owner", "lead_source"]
NUMERIC = ["amount", "stage_order"]


def test_a_feature_only_one_deal_has_trains_and_evaluates():
    # given: 40 closed deals; only one (reopened and re-closed) has a stage order
    rows: list[dict[str, Any]] = [
        {"amount": 1000.0 * (i + 1), "owner": "kam" if i % 2 else "head", "lead_source": None, "stage_order": None}
        for i in range(40)
    ]
    rows[0]["stage_order"] = 3
    outcomes = [1 if i % 3 == 0 else 0 for i in range(40)]
    # when
    report = evaluate(rows, outcomes, folds=5, seed=0, categorical=CATEGORICAL, numeric=NUMERIC)
    model = train_win_model(rows, outcomes, seed=0, categorical=CATEGORICAL, numeric=NUMERIC)
    # then
    assert report.rows == 40
    p = model.predict(rows)
    assert np.all((p >= 0) & (p <= 1))


def test_a_model_stored_before_the_fold_models_still_scores():
    # given: a model whose bag holds bare boosters (as versions stored before FoldModel)
    from dataclasses import replace

    rows = [{"amount": float(a), "owner": o} for a, o in [(1, "a"), (50, "b")] * 30]
    outcomes = [1, 0] * 30
    model = train_win_model(rows, outcomes, categorical=["owner"], numeric=["amount"])
    bare = replace(model, boosters=tuple(f.booster for f in model.boosters))
    # when / then
    assert bare.predict(rows).tolist() == model.predict(rows).tolist()


values = {
    "amount": st.one_of(st.none(), st.sampled_from([1000.0, 25000.0, 70000.0])),
    "stage_order": st.one_of(st.none(), st.sampled_from([1, 3, 5])),
    "owner": st.one_of(st.none(), st.sampled_from(["kam", "head"])),
    "lead_source": st.one_of(st.none(), st.just("Fair")),
}


@st.composite
def mixes(draw: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """A few closed deals, both outcomes, drawn from few values: all-empty columns, single
    non-empty values, constant columns and exact duplicates all occur."""
    n = draw(st.integers(min_value=2, max_value=14))
    distinct = draw(st.lists(st.fixed_dictionaries(values), min_size=1, max_size=n))
    rows = [dict(distinct[draw(st.integers(0, len(distinct) - 1))]) for _ in range(n)]
    outcomes = draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n).filter(lambda y: 0 < sum(y) < len(y)))
    return rows, outcomes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mix=mixes())
def test_any_small_mix_trains_evaluates_and_scores(mix):
    rows, outcomes = mix
    # when
    model = train_win_model(rows, outcomes, categorical=CATEGORICAL, numeric=NUMERIC)
    # then: probabilities for the training rows and for unseen values
    p = model.predict([*rows, {"amount": 5.0, "stage_order": 9, "owner": "new", "lead_source": None}])
    assert p.shape == (len(rows) + 1,)
    assert np.all(np.isfinite(p))
    assert np.all((p >= 0) & (p <= 1))
    if min(sum(outcomes), len(outcomes) - sum(outcomes)) >= 2:
        report = evaluate(rows, outcomes, folds=2, categorical=CATEGORICAL, numeric=NUMERIC)
        assert np.all(np.isfinite(report.predictions["kampass"]))


def test_one_outcome_only_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="both won"):
        train_win_model([{"amount": 1.0}, {"amount": 2.0}], [1, 1], numeric=["amount"])
