"""The health score's arithmetic: contributions add up to the score, missing components are left out
(never counted as 0) and the weights are normalised over the present ones."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from kampass.core import scorecard as core

raw_values = st.one_of(st.none(), st.floats(min_value=-2, max_value=50, allow_nan=False))
weights = st.integers(min_value=0, max_value=core.MAX_WEIGHT)


@given(
    st.fixed_dictionaries(dict.fromkeys(core.COMPONENT_KEYS, raw_values)),
    st.fixed_dictionaries(dict.fromkeys(core.COMPONENT_KEYS, weights)),
)
def test_contributions_add_up_to_the_health(raw, w):
    h = core.health(raw, w)

    if h.score is None:
        assert all(c.contribution == 0 for c in h.components)
    else:
        assert 0 <= h.score <= 100
        # the shown contributions add up to the shown score exactly (a checker adds them up), each within 0.1
        # of its exact share
        assert round(sum(c.contribution for c in h.components), 1) == h.score
        total_w = sum(c.weight for c in h.components if c.score is not None and c.weight > 0)
        for c in h.components:
            exact = 100.0 * c.weight * c.score / total_w if c.score is not None else 0.0
            assert abs(c.contribution - exact) < 0.1 + 1e-9


def test_a_missing_component_is_reported_and_its_weight_shared():
    # given two components with the same score, one of them weighted 3, and a third that has no value
    raw = {"leakage_share": 0.1, "decision_maker_coverage": 0.5, "pipeline_coverage": None}
    w = {"leakage_share": 1, "decision_maker_coverage": 3, "pipeline_coverage": 4}

    # when
    h = core.health(raw, w)

    # then the missing one neither drags the score down nor counts in the denominator
    assert h.missing == ("pipeline_coverage",)
    assert h.score == 50.0
    assert h.component("leakage_share").contribution == 12.5  # 100 * 1 * 0.5 / 4
    assert h.component("decision_maker_coverage").contribution == 37.5
    assert h.component("pipeline_coverage").contribution == 0.0


def test_no_signed_off_plan_scores_zero_and_a_met_target_scores_one():
    h = core.health(
        {"plan_freshness": math.inf, "pipeline_coverage": math.inf}, {"plan_freshness": 1, "pipeline_coverage": 1}
    )

    assert h.component("plan_freshness").score == 0.0
    assert h.component("pipeline_coverage").score == 1.0
    assert h.score == 50.0


def test_a_zero_weight_component_is_neither_missing_nor_counted():
    h = core.health({"leakage_share": 0.0, "forecast_bias": None}, {"leakage_share": 1, "forecast_bias": 0})

    assert h.missing == ()
    assert h.score == 100.0


def test_weights_must_be_whole_numbers_in_range_and_not_all_zero():
    assert core.weight_errors(core.default_weights()) == {}
    assert core.weight_errors({"leakage_share": 11}) == {"leakage_share": "range"}
    assert core.weight_errors({"leakage_share": 1.5}) == {"leakage_share": "range"}
    assert core.weight_errors(dict.fromkeys(core.COMPONENT_KEYS, 0)) == {"__all__": "all_zero"}
