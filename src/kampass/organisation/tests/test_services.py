"""Services of the organisation context: catalogues, the function diagram, targets, ratings and actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.organisation import services
from kampass.organisation.models import (
    Competence,
    CompetenceRating,
    CompetenceTarget,
    DevelopmentAction,
    ProcessActivity,
    RaciAssignment,
    StructureSettings,
)
from kampass.organisation.tests.factories import ActionFactory, ActivityFactory, CompetenceFactory, RoleFactory

# ---------------------------------------------------------------- catalogues


def test_head_adds_an_activity_with_a_key_made_from_the_name(head):
    # when
    activity = services.activity_create(actor=head, name_en="  Joint planning  ", name_de="Gemeinsame Planung")
    # then
    assert activity.key == "joint-planning"
    assert activity.name_en == "Joint planning"
    assert activity.history.first().history_user == head


def test_activity_names_and_keys_are_unique(head):
    # given
    ActivityFactory(key="review", name_en="Review")
    # when / then
    with pytest.raises(ValidationError) as exc:
        services.activity_create(actor=head, name_en="Another", key="review")
    assert "key" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.activity_create(actor=head, name_en="review")
    assert "name_en" in exc.value.message_dict


def test_an_entry_needs_an_english_name(head):
    with pytest.raises(ValidationError) as exc:
        services.competence_create(actor=head, name_en="  ")
    assert "name_en" in exc.value.message_dict


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_edit_the_catalogues(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=user, name_en="X")
    with pytest.raises(PermissionDenied):
        services.role_create(actor=user, name_en="X")
    with pytest.raises(PermissionDenied):
        services.competence_create(actor=user, name_en="X")


def test_admin_renames_and_deactivates_a_role(admin_user):
    role = RoleFactory(name_en="Field service")
    # when
    services.role_update(actor=admin_user, role=role, name_de="Kundendienst", active=False)
    # then
    role.refresh_from_db()
    assert (role.name_de, role.active) == ("Kundendienst", False)


def test_deleting_an_activity_removes_its_row_of_the_diagram(head):
    activity, role = ActivityFactory(), RoleFactory()
    services.raci_set(actor=head, activity=activity, role=role, code="A")
    # when
    services.activity_delete(actor=head, activity=activity)
    # then
    assert not ProcessActivity.objects.filter(pk=activity.pk).exists()
    assert not RaciAssignment.objects.exists()


def test_a_competence_people_were_rated_on_cannot_be_deleted(head, kam):
    competence = CompetenceFactory()
    services.rating_set(actor=head, person=kam, competence=competence, level=3)
    # when / then
    with pytest.raises(ValidationError, match="deactivate"):
        services.competence_delete(actor=head, competence=competence)
    assert Competence.objects.filter(pk=competence.pk).exists()


# ---------------------------------------------------------------- function diagram


def test_setting_changing_and_clearing_a_raci_cell(head):
    activity, role = ActivityFactory(), RoleFactory()
    # when
    cell = services.raci_set(actor=head, activity=activity, role=role, code="r")
    # then
    assert cell is not None
    assert cell.code == "R"
    # when changed
    services.raci_set(actor=head, activity=activity, role=role, code="RA")
    assert RaciAssignment.objects.get().code == "AR"
    # when cleared
    assert services.raci_set(actor=head, activity=activity, role=role, code="") is None
    assert not RaciAssignment.objects.exists()
    assert RaciAssignment.history.count() == 3


def test_an_unknown_raci_code_is_refused(head):
    with pytest.raises(ValidationError) as exc:
        services.raci_set(actor=head, activity=ActivityFactory(), role=RoleFactory(), code="X")
    assert "code" in exc.value.message_dict
    assert not RaciAssignment.objects.exists()


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_edit_the_diagram(request, who):
    with pytest.raises(PermissionDenied):
        services.raci_set(actor=request.getfixturevalue(who), activity=ActivityFactory(), role=RoleFactory(), code="A")


def test_the_workload_threshold_is_stored_once_and_validated(head, kam):
    services.structure_settings_update(actor=head, max_accounts_per_kam=5)
    services.structure_settings_update(actor=head, max_accounts_per_kam=7)
    assert list(StructureSettings.objects.values_list("max_accounts_per_kam", flat=True)) == [7]
    with pytest.raises(ValidationError):
        services.structure_settings_update(actor=head, max_accounts_per_kam=0)
    with pytest.raises(PermissionDenied):
        services.structure_settings_update(actor=kam, max_accounts_per_kam=3)


# ---------------------------------------------------------------- targets and ratings


def test_role_and_personal_targets(head, kam):
    competence = CompetenceFactory()
    # when
    services.target_set(actor=head, competence=competence, level=4, role="kam")
    services.target_set(actor=head, competence=competence, level=5, person=kam)
    # then
    assert CompetenceTarget.objects.get(role="kam", competence=competence).level == 4
    assert CompetenceTarget.objects.get(user=kam).level == 5
    # when the personal target is removed
    assert services.target_set(actor=head, competence=competence, level=None, person=kam) is None
    assert not CompetenceTarget.objects.filter(user=kam).exists()


def test_a_target_is_for_a_role_or_a_person_with_a_level_from_1_to_5(head, kam, viewer):
    competence = CompetenceFactory()
    with pytest.raises(ValidationError):
        services.target_set(actor=head, competence=competence, level=3)
    with pytest.raises(ValidationError):
        services.target_set(actor=head, competence=competence, level=3, role="kam", person=kam)
    with pytest.raises(ValidationError):
        services.target_set(actor=head, competence=competence, level=6, role="kam")
    with pytest.raises(ValidationError):
        services.target_set(actor=head, competence=competence, level=3, role="viewer")
    with pytest.raises(ValidationError):
        services.target_set(actor=head, competence=competence, level=3, person=viewer)
    with pytest.raises(PermissionDenied):
        services.target_set(actor=kam, competence=competence, level=3, person=kam)


def test_head_rates_and_the_kam_proposes_a_self_assessment(head, kam):
    competence = CompetenceFactory()
    # when
    services.rating_set(actor=head, person=kam, competence=competence, level=2, note="first review")
    services.self_rating_set(actor=kam, competence=competence, self_level=4)
    # then
    rating = CompetenceRating.objects.get(user=kam, competence=competence)
    assert (rating.level, rating.self_level, rating.note, rating.rated_by) == (2, 4, "first review", head)


def test_a_kam_cannot_rate_anybody_nor_self_assess_others(kam, kam2, controller):
    competence = CompetenceFactory()
    with pytest.raises(PermissionDenied):
        services.rating_set(actor=kam, person=kam, competence=competence, level=5)
    with pytest.raises(PermissionDenied):
        services.rating_set(actor=kam, person=kam2, competence=competence, level=5)
    with pytest.raises(PermissionDenied):
        services.self_rating_set(actor=controller, competence=competence, self_level=3)
    assert not CompetenceRating.objects.exists()


def test_ratings_need_a_profile_person_and_a_level_from_1_to_5(head, kam, viewer):
    competence = CompetenceFactory()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.rating_set(actor=head, person=viewer, competence=competence, level=3)
    with pytest.raises(ValidationError) as exc:
        services.rating_set(actor=head, person=kam, competence=competence, level=0)
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.self_rating_set(actor=kam, competence=competence, self_level=6)
    assert "self_level" in exc.value.message_dict


# ---------------------------------------------------------------- development actions


def test_a_kam_plans_an_own_action_and_marks_it_blocked(kam, head):
    competence = CompetenceFactory()
    action = services.action_create(actor=kam, person=kam, title=" Pricing training ", competence=competence)
    assert action.title == "Pricing training"
    # when
    services.action_update(actor=kam, action=action, blocked=True, blocked_cause="resources", blocked_note="No budget")
    # then
    action.refresh_from_db()
    assert (action.blocked, action.blocked_cause, action.blocked_note) == (True, "resources", "No budget")
    # when unblocked, cause and note go
    services.action_update(actor=kam, action=action, blocked=False)
    action.refresh_from_db()
    assert (action.blocked, action.blocked_cause, action.blocked_note) == (False, "", "")


def test_a_blocked_action_needs_a_cause_and_must_be_open(kam):
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=kam, person=kam, title="X", blocked=True)
    assert "blocked_cause" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=kam, person=kam, title="X", status="done", blocked=True, blocked_cause="process")
    assert "blocked" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=kam, person=kam, title="  ")
    assert "title" in exc.value.message_dict
    assert not DevelopmentAction.objects.exists()


def test_kams_plan_only_for_themselves_and_edit_only_their_own(kam, kam2, head, controller):
    with pytest.raises(PermissionDenied):
        services.action_create(actor=kam, person=kam2, title="For a colleague")
    with pytest.raises(PermissionDenied):
        services.action_create(actor=controller, person=kam, title="X")
    foreign = ActionFactory(person=kam2)
    with pytest.raises(PermissionDenied):
        services.action_update(actor=kam, action=foreign, title="Mine now")
    with pytest.raises(PermissionDenied):
        services.action_delete(actor=kam, action=foreign)
    own = ActionFactory(person=kam)
    with pytest.raises(PermissionDenied):
        services.action_update(actor=kam, action=own, person=kam2)
    # the head of KAM plans for anybody with a profile and moves actions
    services.action_create(actor=head, person=kam2, title="Coaching", owner=head)
    services.action_update(actor=head, action=own, person=kam2)
    own.refresh_from_db()
    assert own.person == kam2


def test_the_owner_of_an_action_may_update_it_but_not_delete_it(kam, kam2):
    action = ActionFactory(person=kam2, owner=kam)
    services.action_update(actor=kam, action=action, status="in_progress")
    action.refresh_from_db()
    assert action.status == "in_progress"
    with pytest.raises(PermissionDenied):
        services.action_delete(actor=kam, action=action)


def test_actions_are_only_for_people_with_a_profile(head, viewer):
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=head, person=viewer, title="X")
    assert "person" in exc.value.message_dict
