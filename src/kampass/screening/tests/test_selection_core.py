"""Pure rules of the selection portfolio: the decomposition of the scores, quadrants, rank stability
and the proposals of a selection round."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kampass.core.screening import portfolio as core

KEYS = ("a1", "a2", "a3", "p1", "p2")
CATALOGUES = st.tuples(*[st.floats(min_value=0.0, max_value=10.0) for _ in KEYS]).map(
    lambda ws: tuple(
        core.Criterion(k, core.ATTRACTIVENESS if k.startswith("a") else core.POSITION, w)
        for k, w in zip(KEYS, ws, strict=True)
    )
)
VALUES = st.fixed_dictionaries({k: st.one_of(st.none(), st.floats(min_value=0.0, max_value=100.0)) for k in KEYS})


@given(CATALOGUES, VALUES)
def test_contributions_add_up_to_each_score(criteria, values):
    # when
    s = core.score_account(1, criteria, values)
    # then
    for dimension, score in ((core.ATTRACTIVENESS, s.attractiveness), (core.POSITION, s.position)):
        parts = [c.contribution for c in s.contributions if c.dimension == dimension]
        present = [c for c in criteria if c.dimension == dimension and values[c.key] is not None]
        if sum(c.weight for c in present) > 0:
            assert score is not None
            assert math.isclose(sum(parts), score, abs_tol=1e-9)
            assert 0.0 - 1e-9 <= score <= 100.0 + 1e-9
        else:
            assert score is None
            assert all(p == 0 for p in parts)
    assert [c.criterion for c in s.contributions] == list(KEYS)


@given(CATALOGUES, st.dictionaries(st.integers(min_value=1, max_value=50), VALUES, max_size=8))
def test_the_rank_stabilitys_quick_scores_equal_the_full_scores(criteria, portfolio):
    # when the portfolio is scored with and without the contributions
    full = core.score_portfolio(criteria, portfolio)
    quick = core._scores_only(criteria, portfolio, [c.weight for c in criteria], 50.0)
    # then the scores and quadrants are the same floats, so ranks and ties are the same
    assert [(s.account_id, s.attractiveness, s.position, s.quadrant) for s in quick] == [
        (s.account_id, s.attractiveness, s.position, s.quadrant) for s in full
    ]


def test_a_missing_value_is_left_out_and_the_weights_are_shared_among_the_others():
    # given
    criteria = (core.Criterion("a1", core.ATTRACTIVENESS, 3), core.Criterion("a2", core.ATTRACTIVENESS, 1),
                core.Criterion("p1", core.POSITION, 1))  # fmt: skip
    # when: a2 missing, so a1 carries all weight
    s = core.score_account(7, criteria, {"a1": 40.0, "a2": None, "p1": 80.0})
    # then
    assert (s.attractiveness, s.position, s.quadrant) == (40.0, 80.0, core.HOLD)
    assert [(c.criterion, c.value, c.contribution) for c in s.contributions] == [
        ("a1", 40.0, 40.0),
        ("a2", None, 0.0),
        ("p1", 80.0, 80.0),
    ]


def test_weighted_mean_by_hand():
    criteria = (core.Criterion("a1", core.ATTRACTIVENESS, 2), core.Criterion("a2", core.ATTRACTIVENESS, 3))
    s = core.score_account(1, criteria, {"a1": 100.0, "a2": 50.0})
    assert s.attractiveness == pytest.approx((2 * 100 + 3 * 50) / 5)
    assert s.position is None
    assert s.quadrant == ""


@pytest.mark.parametrize(
    ("a", "p", "threshold", "expected"),
    [(50, 50, 50, core.INVEST), (49.9, 50, 50, core.HOLD), (80, 10, 50, core.BIG_STEP), (10, 10, 50, core.WITHDRAW),
     (55, 55, 60, core.WITHDRAW)],
)  # fmt: skip
def test_quadrants(a, p, threshold, expected):
    assert core.quadrant(a, p, threshold) == expected


def test_scoring_functions_are_bounded_and_monotone():
    for scoring in core.SCORING.values():
        xs = [-1e9, -1.0, 0.0, 0.3, 0.7, 1.0, 3.0, 1e3, 1e6, 1e9]
        ys = [scoring.function(x) for x in xs]
        assert all(0.0 <= y <= 100.0 for y in ys)
        assert ys == sorted(ys)
    with pytest.raises(ValueError):
        core.rating_value(6)


def test_rank_stability_reports_the_range_under_plus_minus_20_percent():
    # given: account 1 and 2 are close, 3 is far behind
    criteria = (core.Criterion("a1", core.ATTRACTIVENESS, 1.0), core.Criterion("a2", core.ATTRACTIVENESS, 1.0),
                core.Criterion("p1", core.POSITION, 1.0))  # fmt: skip
    values = {1: {"a1": 100.0, "a2": 0.0, "p1": 60.0}, 2: {"a1": 0.0, "a2": 96.0, "p1": 60.0},
              3: {"a1": 10.0, "a2": 10.0, "p1": 10.0}}  # fmt: skip
    # when
    r = core.rank_stability(criteria, values)
    # then: by hand, base priorities 1: (50 + 60) / 2 = 55, 2: (48 + 60) / 2 = 54; a1 x0.8 puts 2 first
    assert (r[1].rank, r[1].best, r[1].worst) == (1, 1, 2)
    assert (r[2].rank, r[2].best, r[2].worst) == (2, 1, 2)
    assert (r[3].rank, r[3].best, r[3].worst, r[3].stable) == (3, 3, 3, True)
    # the quadrant of 2 (48 attractiveness: hold) flips to invest when a2's weight rises by 20 %
    assert r[2].quadrant_changes >= 1
    assert not r[2].stable


@pytest.mark.parametrize(
    ("status", "quadrant", "move", "to"),
    [
        ("prospect", core.INVEST, core.PROMOTE, "key_account"),
        ("candidate", core.INVEST, core.PROMOTE, "key_account"),
        ("key_account", core.INVEST, core.KEEP, "key_account"),
        ("prospect", core.BIG_STEP, core.PROMOTE, "candidate"),
        ("strategic", core.HOLD, core.DEMOTE, "key_account"),
        ("key_account", core.HOLD, core.KEEP, "key_account"),
        ("key_account", core.WITHDRAW, core.EXIT, "demoted"),
        ("candidate", core.WITHDRAW, core.EXIT, "prospect"),
        ("prospect", core.WITHDRAW, core.KEEP, "prospect"),
        ("key_account", "", core.KEEP, "key_account"),
    ],
)
def test_proposals(status, quadrant, move, to):
    p = core.propose(3, status, quadrant)
    assert (p.move, p.from_status, p.to_status) == (move, status, to)
