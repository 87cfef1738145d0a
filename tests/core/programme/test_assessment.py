"""Scoring an assessment round against hand computations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kampass.core.assessment import (
    DISAGREEMENT_SPREAD,
    Answer,
    FieldScore,
    Placement,
    compare_rounds,
    score_fields,
    tension_profile,
)
from kampass.core.concept import FIELDS, PERSPECTIVES, builtin_catalogue

CAT = builtin_catalogue()


def cell(scores, field, perspective):
    return next(s for s in scores if s.field == field and s.perspective == perspective)


def test_field_scores_match_a_hand_computation():
    # given three respondents answering the first three statements of skills/operative
    s1, s2, s3 = (s.key for s in CAT.statements_of("skills", "operative")[:3])
    answers = [
        Answer("ann", "head", s1, 4),
        Answer("ann", "head", s2, 5),
        Answer("ann", "head", s3, None),
        Answer("bob", "kam", s1, 2),
        Answer("bob", "kam", s2, 3),
        Answer("bob", "kam", s3, 3),
        Answer("cyd", "sales", s1, None),
        Answer("cyd", "sales", s2, None),
    ]
    # when the round is scored
    scores = score_fields(CAT, answers)
    # then: ratings 4,5,2,3,3 -> mean 17/5 = 3.4; deviations .6,1.6,-1.4,-.4,-.4 -> var (0.36+2.56+1.96+0.16+0.16)/5
    s = cell(scores, "skills", "operative")
    assert s.mean == pytest.approx(3.4)
    assert s.spread == pytest.approx(math.sqrt(5.2 / 5))
    assert (s.answers, s.dont_know, s.disagreement) == (5, 3, False)
    # and every other cell is empty but present, in catalogue order
    assert [(x.field, x.perspective) for x in scores] == [(f, p) for f in FIELDS for p in PERSPECTIVES]
    empty = cell(scores, "skills", "corporate")
    assert (empty.mean, empty.spread, empty.answers, empty.dont_know, empty.disagreement) == (None, None, 0, 0, False)


def test_disagreement_is_flagged_when_ratings_spread_widely():
    # ratings 1 and 5 on one statement: pstdev 2.0 >= 1.2; ratings 2 and 4: pstdev 1.0 < 1.2
    key = CAT.statements_of("structure", "corporate")[0].key
    other = CAT.statements_of("structure", "operative")[0].key
    scores = score_fields(
        CAT,
        [
            Answer("a", "head", key, 1),
            Answer("b", "kam", key, 5),
            Answer("a", "head", other, 2),
            Answer("b", "kam", other, 4),
        ],
    )
    assert cell(scores, "structure", "corporate").spread == 2.0
    assert cell(scores, "structure", "corporate").disagreement
    assert cell(scores, "structure", "operative").spread == 1.0
    assert not cell(scores, "structure", "operative").disagreement
    assert DISAGREEMENT_SPREAD == 1.2


def test_the_last_answer_of_a_respondent_counts_and_unknown_statements_are_ignored():
    key = CAT.statements_of("scorecard", "corporate")[0].key
    scores = score_fields(
        CAT, [Answer("a", "kam", key, 1), Answer("a", "kam", key, 4), Answer("a", "kam", "retired.statement", 5)]
    )
    s = cell(scores, "scorecard", "corporate")
    assert (s.mean, s.answers) == (4.0, 1)


def test_a_rating_outside_one_to_five_is_an_error():
    key = CAT.statements[0].key
    with pytest.raises(ValueError, match=r"outside 1\.\.5"):
        score_fields(CAT, [Answer("a", "kam", key, 6)])


def test_tension_profile_per_group_with_hand_computed_means_and_warnings():
    # given head of KAM and two KAMs placing the company on 'scope' (holistic -3 .. selective +3)
    placements = [
        Placement("ann", "head", "scope", 3, 1),
        Placement("bob", "kam", "scope", 2, 0),
        Placement("cyd", "kam", "scope", 3, -1),
        Placement("ann", "head", "regulation", -3, -3),
        Placement("bob", "kam", "regulation", -3, -2),
    ]
    # when the profile is computed
    profile = {t.key: t for t in tension_profile(CAT, placements)}
    # then scope: current (3+2+3)/3 = 2.667 (extreme right), target 0 (balanced)
    scope = profile["scope"]
    assert scope.current == pytest.approx(8 / 3)
    assert scope.target == pytest.approx(0.0)
    assert scope.by_group == {"head": (3.0, 1.0), "kam": (2.5, -0.5)}
    assert scope.warnings == ("current_extreme_right",)
    assert scope.gap == pytest.approx(-8 / 3)
    assert scope.respondents == 3
    # regulation: current -3 and target -2.5, both extreme left
    assert profile["regulation"].warnings == ("current_extreme_left", "target_extreme_left")
    # fields nobody placed are present and empty
    assert [t.key for t in tension_profile(CAT, placements)] == [t.key for t in CAT.tension_fields]
    empty = profile["integration"]
    assert (empty.current, empty.target, empty.by_group, empty.warnings) == (None, None, {}, ())


def test_tension_disagreement_between_respondents_and_between_groups():
    # spread: positions -3 and +3 -> pstdev 3 >= 1.5
    wide = tension_profile(CAT, [Placement("a", "head", "direction", -3, 0), Placement("b", "kam", "direction", 3, 0)])[
        7
    ]
    assert wide.key == "direction"
    assert wide.current == 0.0
    assert wide.warnings == ("disagreement",)
    # groups: management targets -1, KAMs +1 on 'integration' (spread 1.0 < 1.5, but groups 2 apart)
    split = tension_profile(
        CAT,
        [
            Placement("a", "management", "integration", 0, -1),
            Placement("b", "kam", "integration", 0, 1),
        ],
    )[8]
    assert split.target_spread == 1.0
    assert split.warnings == ("disagreement",)
    # agreement: no warning
    calm = tension_profile(CAT, [Placement("a", "head", "scope", 0, 1), Placement("b", "kam", "scope", 1, 1)])[3]
    assert calm.warnings == ()


def test_a_position_outside_the_scale_is_an_error():
    with pytest.raises(ValueError, match=r"outside -3\.\.3"):
        tension_profile(CAT, [Placement("a", "kam", "scope", 0, 4)])


def test_round_comparison_matches_cell_by_cell():
    before = score_fields(
        CAT,
        [Answer("a", "kam", CAT.statements_of("strategy", "operative")[0].key, 2)],
    )
    after = score_fields(
        CAT,
        [
            Answer("a", "kam", CAT.statements_of("strategy", "operative")[0].key, 4),
            Answer("a", "kam", CAT.statements_of("strategy", "corporate")[0].key, 3),
        ],
    )
    changes = {(c.field, c.perspective): c for c in compare_rounds(before, after)}
    assert len(changes) == 12
    assert (changes["strategy", "operative"].before, changes["strategy", "operative"].after) == (2.0, 4.0)
    assert changes["strategy", "operative"].delta == 2.0
    assert (changes["strategy", "corporate"].before, changes["strategy", "corporate"].delta) == (None, None)
    assert changes["skills", "corporate"].delta is None


ratings = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
answer_sets = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from([s.key for s in CAT.statements]), ratings),
    max_size=80,
)


@settings(max_examples=60, deadline=None)
@given(answer_sets)
def test_property_scores_stay_in_range_and_count_every_latest_answer(rows):
    answers = [Answer(r, "g", s, v) for r, s, v in rows]
    scores = score_fields(CAT, answers)
    assert len(scores) == 12
    latest = {(r, s): v for r, s, v in rows}
    assert sum(x.answers + x.dont_know for x in scores) == len(latest)
    for x in scores:
        if x.answers:
            assert 1.0 <= x.mean <= 5.0
            assert 0.0 <= x.spread <= 2.0
        else:
            assert x.mean is None
            assert x.spread is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["head", "kam"]),
            st.sampled_from([t.key for t in CAT.tension_fields]),
            st.integers(-3, 3),
            st.integers(-3, 3),
        ),
        max_size=40,
    )
)
def test_property_tension_means_stay_on_the_scale(rows):
    profile = tension_profile(CAT, [Placement(r, g, k, c, t) for r, g, k, c, t in rows])
    assert len(profile) == 9
    for t in profile:
        for value in (t.current, t.target, *(v for pair in t.by_group.values() for v in pair)):
            if value is not None:
                assert -3.0 <= value <= 3.0


def test_field_score_reference():
    assert FieldScore("skills", "operative", None, None, 0, 0, False).ref == "skills.operative"
