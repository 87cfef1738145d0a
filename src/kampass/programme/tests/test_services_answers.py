"""Answering: drafts, validation of ratings and placements, own invitations only, submission."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.programme import services
from kampass.programme.models import Answer, Function, Placement
from kampass.programme.tests.conftest import fill, make_round, open_round_with


@pytest.fixture
def kam_round(head, kam, kam2):
    return open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM), (None, Function.SALES)])


def test_answers_are_saved_as_drafts_and_can_change(kam, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    key = catalogue.statements[0].key
    # when
    services.answer_save(actor=kam, respondent=resp, statement=key, rating=2)
    services.answer_save(actor=kam, respondent=resp, statement=key, rating=4)
    services.answer_save(actor=kam, respondent=resp, statement=catalogue.statements[1].key, rating=None)
    # then
    assert dict(resp.answers.values_list("statement", "rating")) == {key: 4, catalogue.statements[1].key: None}
    resp.refresh_from_db()
    assert resp.submitted_at is None


@pytest.mark.parametrize("rating", [0, 6, -1, True, "3"])
def test_invalid_ratings_are_refused(kam, kam_round, catalogue, rating):
    resp = kam_round.respondents.get(user=kam)
    with pytest.raises(ValidationError) as exc:
        services.answer_save(actor=kam, respondent=resp, statement=catalogue.statements[0].key, rating=rating)
    assert "rating" in exc.value.message_dict
    assert not Answer.objects.exists()


def test_unknown_statement_is_refused(kam, kam_round):
    resp = kam_round.respondents.get(user=kam)
    with pytest.raises(ValidationError, match="Unknown statement"):
        services.answer_save(actor=kam, respondent=resp, statement="nonsense.corporate.9", rating=3)


@pytest.mark.parametrize(("current", "target"), [(4, 0), (0, -4), (1.5, 0)])
def test_invalid_placements_are_refused(kam, kam_round, catalogue, current, target):
    resp = kam_round.respondents.get(user=kam)
    with pytest.raises(ValidationError):
        services.placement_save(
            actor=kam, respondent=resp, tension_field=catalogue.tension_fields[0].key, current=current, target=target
        )
    assert not Placement.objects.exists()


def test_a_half_placement_is_a_valid_draft(kam, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    p = services.placement_save(
        actor=kam, respondent=resp, tension_field=catalogue.tension_fields[0].key, current=-3, target=None
    )
    assert (p.current, p.target) == (-3, None)


def test_nobody_answers_someone_elses_questionnaire(kam, kam2, controller, viewer, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    for intruder in (kam2, controller, viewer):
        with pytest.raises(PermissionDenied):
            services.answer_save(actor=intruder, respondent=resp, statement=catalogue.statements[0].key, rating=3)
        with pytest.raises(PermissionDenied):
            services.respondent_submit(actor=intruder, respondent=resp)


def test_head_enters_answers_on_behalf_of_an_external_respondent(head, kam_round, catalogue):
    external = kam_round.respondents.get(user__isnull=True)
    services.answer_save(actor=head, respondent=external, statement=catalogue.statements[0].key, rating=5)
    assert external.answers.get().rating == 5


def test_no_answers_before_the_round_opens(head, kam, catalogue):
    r = make_round(head)
    resp = services.respondent_add(actor=head, assessment_round=r, function=Function.KAM, user=kam)
    with pytest.raises(ValidationError, match="not open"):
        services.answer_save(actor=kam, respondent=resp, statement=catalogue.statements[0].key, rating=3)


def test_incomplete_questionnaire_is_not_submitted(kam, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    services.answer_save(actor=kam, respondent=resp, statement=catalogue.statements[0].key, rating=3)
    with pytest.raises(ValidationError) as exc:
        services.respondent_submit(actor=kam, respondent=resp)
    errors = exc.value.message_dict
    assert errors["answers"][0].startswith(f"{len(catalogue.statements) - 1} statements are not answered yet.")
    assert errors["placements"] == [
        f"{len(catalogue.tension_fields)} tension fields still need a position now and a target."
    ]
    resp.refresh_from_db()
    assert resp.submitted_at is None


def test_submitting_with_open_statements_as_dont_know(kam, kam_round, catalogue):
    # given all placements but only three answers
    resp = kam_round.respondents.get(user=kam)
    for t in catalogue.tension_fields:
        services.placement_save(actor=kam, respondent=resp, tension_field=t.key, current=1, target=0)
    for s in catalogue.statements[:3]:
        services.answer_save(actor=kam, respondent=resp, statement=s.key, rating=4)
    # when
    services.respondent_submit(actor=kam, respondent=resp, unanswered_as_dont_know=True)
    # then
    resp.refresh_from_db()
    assert resp.submitted_at is not None
    assert resp.answers.count() == len(catalogue.statements)
    assert resp.answers.filter(rating__isnull=True).count() == len(catalogue.statements) - 3


def test_submitted_answers_are_locked_until_reopened(head, kam, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    fill(resp, catalogue, random.Random(3))
    services.respondent_submit(actor=kam, respondent=resp)
    with pytest.raises(ValidationError, match="submitted"):
        services.answer_save(actor=kam, respondent=resp, statement=catalogue.statements[0].key, rating=1)
    with pytest.raises(PermissionDenied):
        services.respondent_reopen(actor=kam, respondent=resp)
    services.respondent_reopen(actor=head, respondent=resp)
    services.answer_save(actor=kam, respondent=resp, statement=catalogue.statements[0].key, rating=1)


def test_nobody_answers_on_behalf_of_an_internal_user_not_even_the_head(head, admin_user, kam, kam_round, catalogue):
    # given: the key account manager's own questionnaire
    resp = kam_round.respondents.get(user=kam)
    key, tension = catalogue.statements[0].key, catalogue.tension_fields[0].key
    for manager in (head, admin_user):
        # when / then: every way of answering is denied
        with pytest.raises(PermissionDenied):
            services.answer_save(actor=manager, respondent=resp, statement=key, rating=5)
        with pytest.raises(PermissionDenied):
            services.placement_save(actor=manager, respondent=resp, tension_field=tension, current=1, target=1)
        with pytest.raises(PermissionDenied):
            services.respondent_submit(actor=manager, respondent=resp, unanswered_as_dont_know=True)
    assert not resp.answers.exists()
    # and the user answers it themselves
    services.answer_save(actor=kam, respondent=resp, statement=key, rating=4)
    assert resp.answers.get().rating == 4
