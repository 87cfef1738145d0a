"""Round services: who may manage rounds, opening, closing with too few respondents, deleting drafts."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.programme import services
from kampass.programme.models import DEFAULT_MIN_RESPONDENTS, AssessmentRound, Function, RoundStatus
from kampass.programme.tests.conftest import fill, make_round, open_round_with


def test_head_creates_a_draft_round_on_the_current_catalogue(head, catalogue):
    # when
    r = services.round_create(actor=head, title="  Spring 2026 ", starts=dt.date(2026, 3, 1))
    # then
    assert r.status == RoundStatus.DRAFT
    assert r.title == "Spring 2026"
    assert r.min_respondents == DEFAULT_MIN_RESPONDENTS
    assert r.catalogue_version == catalogue.version
    assert r.created_by == head


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_create_rounds(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.round_create(actor=user, title="X", starts=dt.date(2026, 1, 1))
    assert not AssessmentRound.objects.exists()


def test_end_before_start_is_refused(admin_user):
    with pytest.raises(ValidationError) as exc:
        services.round_create(actor=admin_user, title="X", starts=dt.date(2026, 3, 1), ends=dt.date(2026, 2, 1))
    assert "ends" in exc.value.message_dict


def test_minimum_respondents_must_be_positive(head):
    with pytest.raises(ValidationError) as exc:
        services.round_create(actor=head, title="X", starts=dt.date(2026, 3, 1), min_respondents=0)
    assert "min_respondents" in exc.value.message_dict


def test_a_round_without_respondents_cannot_be_opened(head):
    r = make_round(head)
    with pytest.raises(ValidationError, match="Invite at least one respondent"):
        services.round_open(actor=head, assessment_round=r)


def test_closing_with_too_few_submitted_respondents_names_the_numbers(head, kam, kam2, catalogue):
    # given an open round needing 2 with three invited and one submitted
    r = open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM), (None, Function.SALES)], minimum=2)
    first = r.respondents.get(user=kam)
    fill(first, catalogue, random.Random(1))
    services.respondent_submit(actor=kam, respondent=first)
    # when / then
    with pytest.raises(ValidationError) as exc:
        services.round_close(actor=head, assessment_round=r)
    assert exc.value.messages == [
        "The round cannot be closed: 1 of 3 invited respondents has submitted, but at least 2 are needed."
    ]
    r.refresh_from_db()
    assert r.status == RoundStatus.OPEN


def test_closing_with_enough_submissions_ignores_drafts(head, kam, kam2, catalogue):
    r = open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM), (None, Function.SALES)], minimum=2)
    for user in (kam, kam2):
        resp = r.respondents.get(user=user)
        fill(resp, catalogue, random.Random(user.pk))
        services.respondent_submit(actor=user, respondent=resp)
    # when
    closed = services.round_close(actor=head, assessment_round=r)
    # then
    assert closed.status == RoundStatus.CLOSED
    assert closed.closed_at is not None


def test_kam_cannot_close_a_round(head, kam):
    r = open_round_with(head, [(kam, Function.KAM)], minimum=1)
    with pytest.raises(PermissionDenied):
        services.round_close(actor=kam, assessment_round=r)


def test_only_draft_rounds_are_deleted(head, kam):
    r = open_round_with(head, [(kam, Function.KAM)])
    with pytest.raises(ValidationError, match="Only a draft round"):
        services.round_delete(actor=head, assessment_round=r)
    draft = make_round(head, title="Draft")
    services.round_delete(actor=head, assessment_round=draft)
    assert not AssessmentRound.objects.filter(pk=draft.pk).exists()


def test_a_user_is_invited_once_and_externals_need_a_name(head, kam):
    r = make_round(head)
    services.respondent_add(actor=head, assessment_round=r, function=Function.KAM, user=kam)
    with pytest.raises(ValidationError) as exc:
        services.respondent_add(actor=head, assessment_round=r, function=Function.KAM, user=kam)
    assert "user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.respondent_add(actor=head, assessment_round=r, function=Function.SALES)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.respondent_add(actor=head, assessment_round=r, function="janitor", name="X")
    assert "function" in exc.value.message_dict


@pytest.mark.parametrize(("role_user", "function"), [("head", "head"), ("kam", "kam"), ("controller", "controlling")])
def test_an_invited_users_function_follows_their_role(request, head, role_user, function):
    # given
    r = make_round(head)
    user = request.getfixturevalue(role_user)
    # when: invited without choosing a function
    resp = services.respondent_add(actor=head, assessment_round=r, user=user)
    # then
    assert resp.function == function


def test_a_chosen_function_wins_and_externals_or_roles_without_one_must_choose(head, kam, viewer):
    r = make_round(head)
    assert services.respondent_add(actor=head, assessment_round=r, user=kam, function="sales").function == "sales"
    with pytest.raises(ValidationError) as external:
        services.respondent_add(actor=head, assessment_round=r, name="Customer buyer")
    assert "function" in external.value.message_dict
    with pytest.raises(ValidationError) as no_default:
        services.respondent_add(actor=head, assessment_round=r, user=viewer)
    assert "function" in no_default.value.message_dict
    assert r.respondents.count() == 1


@pytest.mark.parametrize("minimum", [0, -1])
def test_minimum_respondents_per_group_must_be_at_least_one(head, minimum):
    with pytest.raises(ValidationError) as exc:
        services.round_create(actor=head, title="x", starts=dt.date(2026, 1, 1), min_group_respondents=minimum)
    assert "min_group_respondents" in exc.value.message_dict
    assert services.round_create(actor=head, title="y", starts=dt.date(2026, 1, 1)).min_group_respondents == 3
