"""Results of a round against an independent computation from the stored answers; drafts do not count;
comparison with the previous closed round; the questionnaire's progress."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from kampass.programme import selectors, services
from kampass.programme.models import Function
from kampass.programme.tests.conftest import (
    closed_round,
    fill,
    independent_field_scores,
    independent_tension_means,
    open_round_with,
)
from kampass.users.models import User


def test_round_results_equal_an_independent_computation(head, catalogue):
    # given a closed round with six respondents, some "don't know"
    r = closed_round(head, catalogue, respondents=6, seed=11)
    # when
    res = selectors.round_results(assessment_round=r)
    # then every cell's mean, spread and count equal a computation made here
    expected = independent_field_scores(r, catalogue)
    assert len(res.fields) == 12
    for s in res.fields:
        exp = expected[(s.field, s.perspective)]
        assert s.mean == pytest.approx(exp["mean"])
        assert s.spread == pytest.approx(exp["spread"])
        assert s.answers == exp["answers"]
    means = independent_tension_means(r)
    for t in res.tensions:
        assert (t.current, t.target) == pytest.approx(means[t.key])
    assert res.submitted == 6
    # one respondent per function: every group is below the minimum (3) and its positions are withheld
    assert res.groups == []
    assert sum(n for _, _, n in res.hidden_groups) == 6
    assert all(t.by_group == {} for t in res.tensions)


def test_drafts_do_not_count_in_the_results(head, kam, kam2, catalogue):
    # given two respondents: one submitted (all 5s), one draft (all 1s)
    r = open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM)], minimum=1)
    r = services.round_update(actor=head, assessment_round=r, min_group_respondents=1)
    done, draft = r.respondents.get(user=kam), r.respondents.get(user=kam2)
    fill(done, catalogue, random.Random(1), dont_know=0)
    done.answers.update(rating=5)
    services.respondent_submit(actor=kam, respondent=done)
    fill(draft, catalogue, random.Random(2), dont_know=0)
    draft.answers.update(rating=1)
    # when
    res = selectors.round_results(assessment_round=r)
    # then
    assert {s.mean for s in res.fields} == {5.0}
    assert res.submitted == 1
    assert res.invited == 2


def test_comparison_with_the_previous_closed_round(head, catalogue):
    before = closed_round(head, catalogue, respondents=5, seed=1, title="2025", starts=dt.date(2025, 3, 1))
    after = closed_round(head, catalogue, respondents=5, seed=2, title="2026", starts=dt.date(2026, 3, 1))
    # when
    res = selectors.round_results(assessment_round=after)
    # then
    assert res.previous == before
    old = independent_field_scores(before, catalogue)
    new = independent_field_scores(after, catalogue)
    for c in res.changes:
        assert c.delta == pytest.approx(new[(c.field, c.perspective)]["mean"] - old[(c.field, c.perspective)]["mean"])
    assert selectors.round_results(assessment_round=before).previous is None
    assert selectors.latest_closed_round() == after


def test_questionnaire_groups_statements_and_shows_progress(head, kam, catalogue):
    r = open_round_with(head, [(kam, Function.KAM)], minimum=1)
    resp = r.respondents.get()
    first = catalogue.statements[0]
    services.answer_save(actor=kam, respondent=resp, statement=first.key, rating=None)
    services.placement_save(
        actor=kam, respondent=resp, tension_field=catalogue.tension_fields[0].key, current=2, target=None
    )
    # when
    q = selectors.questionnaire(respondent=resp, lang="de")
    # then
    assert len(q.sections) == 12
    assert q.total == len(catalogue.statements)
    assert q.answered == 1
    assert q.placed == 0  # a half placement is not complete
    section = q.sections[0]
    assert section.statements[0].text == first.text.de
    assert section.statements[0].answered
    assert section.statements[0].rating is None
    assert set(section.statements[0].anchors) == {1, 3, 5}
    assert not q.complete


def test_programme_assessment_uses_the_confirmed_phase(head, catalogue):
    r = closed_round(head, catalogue, respondents=5)
    pa = selectors.programme_assessment(assessment_round=r, signals={})
    assert pa is not None
    assert pa.phase == pa.proposal.phase
    other = next(p.key for p in catalogue.phases if p.key != pa.proposal.phase)
    services.phase_confirm(actor=head, phase=other, note="We know better.", assessment_round=r)
    pa2 = selectors.programme_assessment(assessment_round=r, signals={})
    assert pa2 is not None
    assert pa2.phase == other
    assert pa2.decision is not None
    assert [rec.logic for rec in pa2.recommendations]  # ranked for the confirmed phase
    assert sorted(rec.rank for rec in pa2.recommendations) == list(range(1, len(pa2.recommendations) + 1))


def test_results_are_shown_per_group_only_from_the_minimum_of_respondents(head, catalogue):
    # given: an open round (interim results) with three key account managers and one head of KAM submitted
    from kampass.accounts.tests.factories import UserFactory

    kams = [UserFactory(role="kam") for _ in range(3)]
    the_head = UserFactory(role="head")
    invited: list[tuple[User | None, str]] = [(u, str(Function.KAM)) for u in kams]
    invited.append((the_head, str(Function.HEAD)))
    r = open_round_with(head, invited, minimum=1)
    rng = random.Random(3)
    for resp in r.respondents.all():
        fill(resp, catalogue, rng, dont_know=0)
        assert resp.user is not None
        services.respondent_submit(actor=resp.user, respondent=resp)
    # when
    res = selectors.round_results(assessment_round=r)
    # then: the round (4 >= 3) and the key account managers are shown, the single head is not
    assert res.shown
    assert [(key, n) for key, _label, n in res.groups] == [("kam", 3)]
    assert [(key, n) for key, _label, n in res.hidden_groups] == [("head", 1)]
    assert all(set(t.by_group) == {"kam"} for t in res.tensions)
    # and with a minimum of 5 nothing of the round is shown
    r = services.round_update(actor=head, assessment_round=r, min_group_respondents=5)
    hidden = selectors.round_results(assessment_round=r)
    assert (hidden.shown, hidden.fields, hidden.tensions) == (False, [], [])
