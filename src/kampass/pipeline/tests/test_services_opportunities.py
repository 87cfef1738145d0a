"""Opportunity services: create, update, delete, stage changes and who may do them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kampass.pipeline.models import ForecastCategory, Opportunity, OpportunityStageChange, Outcome
from kampass.pipeline.services import (
    opportunity_change_stage,
    opportunity_create,
    opportunity_delete,
    opportunity_update,
)
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def test_kam_creates_an_opportunity_on_a_team_account_in_the_first_open_stage(kam, site):
    # when
    opp = opportunity_create(actor=kam, account=site, name=" Escalator retrofit ", amount="250000.50")
    # then
    assert opp.name == "Escalator retrofit"
    assert opp.amount == Decimal("250000.50")
    assert opp.currency == "EUR"
    assert opp.stage.name == "Prospecting"
    assert opp.outcome == Outcome.OPEN
    assert opp.owner == kam
    assert opp.owner_probability is None  # none given: the stage's default is not stored as the owner's
    first = OpportunityStageChange.objects.get(opportunity=opp)
    assert first.from_stage is None
    assert first.to_stage == opp.stage
    assert first.changed_by == kam


def test_kam_may_not_create_on_another_teams_account(kam, other):
    with pytest.raises(PermissionDenied):
        opportunity_create(actor=kam, account=other, name="X", amount=1)


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_may_not_create(request, role, group):
    with pytest.raises(PermissionDenied):
        opportunity_create(actor=request.getfixturevalue(role), account=group, name="X", amount=1)


def test_head_creates_anywhere(head, other):
    assert opportunity_create(actor=head, account=other, name="Y", amount=1).pk


def test_create_reports_bad_input(kam, group):
    with pytest.raises(ValidationError) as exc:
        opportunity_create(actor=kam, account=group, name="", amount="-5")
    assert {"name", "amount"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        opportunity_create(actor=kam, account=group, name="A", amount="12,5x")
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        opportunity_create(actor=kam, account=group, name="A", amount=1, owner_probability=120)
    assert "owner_probability" in exc.value.message_dict
    assert not Opportunity.objects.exists()


def test_created_lost_needs_a_reason(kam, group):
    with pytest.raises(ValidationError) as exc:
        opportunity_create(actor=kam, account=group, name="A", amount=1, stage=stage("Closed Lost"))
    assert "reason" in exc.value.message_dict


def test_update_changes_fields_and_lists(kam, group):
    opp = make_opportunity(account=group)
    opportunity_update(actor=kam, opportunity=opp, competitors="Otis, KONE ,Otis", products=["Drive"], amount="5")
    opp.refresh_from_db()
    assert opp.competitors == ["Otis", "KONE"]
    assert opp.products == ["Drive"]
    assert opp.amount == Decimal(5)
    with pytest.raises(TypeError):
        opportunity_update(actor=kam, opportunity=opp, stage=stage("Closed Won"))


def test_update_denied_for_other_kam_and_readers(kam2, viewer, group):
    opp = make_opportunity(account=group)
    for actor in (kam2, viewer):
        with pytest.raises(PermissionDenied):
            opportunity_update(actor=actor, opportunity=opp, name="Z")


def test_moving_to_another_account_needs_rights_there(kam, group, other):
    opp = make_opportunity(account=group)
    with pytest.raises(PermissionDenied):
        opportunity_update(actor=kam, opportunity=opp, account=other)


def test_delete(kam, kam2, group):
    opp = make_opportunity(account=group)
    pk = opp.pk
    with pytest.raises(PermissionDenied):
        opportunity_delete(actor=kam2, opportunity=opp)
    opportunity_delete(actor=kam, opportunity=opp)
    assert not Opportunity.objects.filter(pk=pk).exists()
    assert Opportunity.history.filter(id=pk, history_type="-", history_user=kam).exists()


def test_stage_change_records_history_and_closing_sets_outcome(kam, group):
    # given
    opp = make_opportunity(account=group)
    # when
    opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Negotiation/Review"), note="Price agreed")
    change = opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Closed Won"))
    # then
    opp.refresh_from_db()
    assert opp.outcome == Outcome.WON
    assert opp.closed_on == timezone.localdate()
    assert opp.forecast_category == ForecastCategory.CLOSED
    assert change.from_stage is not None
    assert change.from_stage.name == "Negotiation/Review"
    assert [c.to_stage.name for c in opp.stage_changes.all()] == ["Prospecting", "Negotiation/Review", "Closed Won"]


def test_lost_needs_a_reason_and_reopening_clears_the_outcome(kam, group):
    opp = make_opportunity(account=group)
    with pytest.raises(ValidationError) as exc:
        opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Closed Lost"))
    assert "reason" in exc.value.message_dict
    opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Closed Lost"), reason="Lost on price")
    opp.refresh_from_db()
    assert opp.outcome == Outcome.LOST
    assert opp.outcome_reason == "Lost on price"
    opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Qualification"))
    opp.refresh_from_db()
    assert opp.outcome == Outcome.OPEN
    assert opp.closed_on is None
    assert opp.outcome_reason == ""


def test_stage_change_refuses_same_stage_and_foreign_stage_and_other_users(kam, kam2, group):
    from kampass.pipeline.models import Stage, StageSet

    opp = make_opportunity(account=group)
    with pytest.raises(ValidationError):
        opportunity_change_stage(actor=kam, opportunity=opp, stage=opp.stage)
    short = StageSet.objects.create(name="Repeat orders")
    foreign = Stage.objects.create(stage_set=short, name="Quote", order=1, probability=50)
    with pytest.raises(ValidationError):
        opportunity_change_stage(actor=kam, opportunity=opp, stage=foreign)
    with pytest.raises(PermissionDenied):
        opportunity_change_stage(actor=kam2, opportunity=opp, stage=stage("Qualification"))
    assert opp.stage_changes.count() == 1
