"""Initiatives: creation with catalogue defaults, validation, who may change what, status changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.roadmap import services
from kampass.roadmap.models import Initiative
from kampass.roadmap.tests.factories import InitiativeFactory


def test_create_takes_the_guardrail_from_the_catalogue(head):
    # when
    i = services.initiative_create(actor=head, logic="commercialisation")
    # then
    assert i.title == "Commercialisation"
    assert (i.guardrail_key, i.guardrail_unit, i.guardrail_direction) == ("leakage_share", "share", "max")
    assert i.guardrail_threshold == pytest.approx(0.08)
    assert i.status == "planned"
    assert i.history.count() == 1


def test_create_with_an_own_metric_takes_its_unit(head):
    # when
    i = services.initiative_create(
        actor=head,
        logic="structure",
        guardrail_key="accounts_with_team_share",
        guardrail_threshold=0.9,
        guardrail_direction="min",
    )
    # then
    assert (i.guardrail_unit, i.guardrail_direction, i.guardrail_threshold) == ("share", "min", 0.9)


def test_create_with_key_accounts_and_owner(head, kam, key_account):
    # when
    i = services.initiative_create(
        actor=head,
        logic="tools",
        owner=kam,
        accounts=[key_account],
        starts=dt.date(2026, 2, 1),
        ends=dt.date(2026, 8, 1),
    )
    # then
    assert list(i.accounts.all()) == [key_account]
    assert i.owner == kam


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"logic": "marketing"}, "logic"),
        ({"starts": dt.date(2026, 5, 1), "ends": dt.date(2026, 4, 1)}, "ends"),
        ({"starts": dt.date(2026, 5, 1), "ends": dt.date(2026, 5, 1)}, "ends"),
        ({"guardrail_threshold": 1.5}, "guardrail_threshold"),
        ({"guardrail_threshold": -0.1}, "guardrail_threshold"),
        ({"guardrail_direction": "sideways"}, "guardrail_direction"),
        ({"status": "active"}, "starts"),
    ],
)
def test_create_refuses_bad_input_with_the_field_named(head, changes, field):
    # when
    with pytest.raises(ValidationError) as exc:
        services.initiative_create(actor=head, **{"logic": "commercialisation", **changes})
    # then
    assert field in exc.value.message_dict
    assert not Initiative.objects.exists()


def test_count_threshold_must_be_whole(head):
    with pytest.raises(ValidationError) as exc:
        services.initiative_create(actor=head, logic="structure", guardrail_threshold=1.5)
    assert "whole number" in exc.value.message_dict["guardrail_threshold"][0]


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_and_admin_create(request, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.initiative_create(actor=user, logic="tools")


def test_admin_creates(admin_user):
    assert services.initiative_create(actor=admin_user, logic="tools").pk


def test_kam_owner_updates_dates_status_and_accounts(kam, key_account):
    # given
    i = InitiativeFactory(owner=kam)
    # when
    services.initiative_update(
        actor=kam, initiative=i, ends=dt.date(2027, 3, 1), status="paused", accounts=[key_account], title="Renamed"
    )
    # then
    i.refresh_from_db()
    assert (i.ends, i.status, i.title) == (dt.date(2027, 3, 1), "paused", "Renamed")
    assert list(i.accounts.all()) == [key_account]


def test_kam_owner_may_not_change_the_guardrail_or_owner(kam, kam2):
    i = InitiativeFactory(owner=kam)
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=kam, initiative=i, guardrail_threshold=0.5)
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=kam, initiative=i, owner=kam2)
    # sending the unchanged values is fine (forms send every field)
    services.initiative_update(actor=kam, initiative=i, guardrail_threshold=0.08, owner=kam)


def test_other_kam_may_not_update(kam, kam2):
    i = InitiativeFactory(owner=kam)
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=kam2, initiative=i, title="x")


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_may_not_update_or_change_status(request, role):
    user = request.getfixturevalue(role)
    i = InitiativeFactory(owner=user)
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=user, initiative=i, title="x")
    with pytest.raises(PermissionDenied):
        services.initiative_set_status(actor=user, initiative=i, status="done")


def test_changing_the_logic_resets_the_guardrail_to_the_new_logics(head):
    i = services.initiative_create(actor=head, logic="commercialisation")
    services.initiative_update(actor=head, initiative=i, logic="people")
    i.refresh_from_db()
    assert (i.guardrail_key, i.guardrail_direction, i.guardrail_threshold) == ("blocked_actions_share", "max", 0.2)


def test_update_refuses_end_before_start_and_saves_nothing(head):
    i = InitiativeFactory()
    with pytest.raises(ValidationError) as exc:
        services.initiative_update(actor=head, initiative=i, ends=dt.date(2025, 1, 1), title="Changed")
    assert "ends" in exc.value.message_dict
    i.refresh_from_db()
    assert i.title != "Changed"


def test_activating_without_start_starts_today(head):
    i = InitiativeFactory(status="planned", starts=None, ends=None)
    services.initiative_set_status(actor=head, initiative=i, status="active")
    i.refresh_from_db()
    assert i.status == "active"
    assert i.starts is not None


def test_same_status_is_refused(head):
    i = InitiativeFactory(status="active")
    with pytest.raises(ValidationError):
        services.initiative_set_status(actor=head, initiative=i, status="active")
    with pytest.raises(ValidationError):
        services.initiative_set_status(actor=head, initiative=i, status="finished")


def test_delete_only_by_managers(head, kam):
    i = InitiativeFactory(owner=kam)
    with pytest.raises(PermissionDenied):
        services.initiative_delete(actor=kam, initiative=i)
    services.initiative_delete(actor=head, initiative=i)
    assert not Initiative.objects.exists()


def test_history_records_the_actor(head):
    i = services.initiative_create(actor=head, logic="tools")
    services.initiative_update(actor=head, initiative=i, title="Tools rollout")
    latest = i.history.order_by("-history_date").first()
    assert latest.history_user == head
    assert latest.title == "Tools rollout"
