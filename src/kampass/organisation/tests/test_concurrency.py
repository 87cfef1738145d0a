"""No lost updates in the organisation: a stale edit of a catalogue entry, a competence profile or a
development action (form or API) is refused and the change saved in the meantime survives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.organisation import services
from kampass.organisation.models import CompetenceRating, DevelopmentAction, ProcessActivity
from kampass.organisation.tests.factories import ActionFactory, ActivityFactory, CompetenceFactory, RoleFactory

CATALOGUES = [
    ("activities", ActivityFactory, services.activity_update, "activity", "organisation-activity-edit"),
    ("roles", RoleFactory, services.role_update, "role", "organisation-role-edit"),
    ("competences", CompetenceFactory, services.competence_update, "competence", "organisation-competence-edit"),
]


@pytest.mark.parametrize(("path", "factory", "update", "kwarg", "edit_url"), CATALOGUES)
def test_stale_catalogue_edit_answers_409_in_the_form_and_the_api(
    conflicts, client, head, admin_user, path, factory, update, kwarg, edit_url
):
    entry = factory(name_en="Plan the account", description_en="old")
    client.force_login(head)
    url = reverse(edit_url, args=[entry.pk])
    mine = conflicts.loaded_form(client, url, description_en="mine: yearly")
    update(actor=admin_user, **{kwarg: entry}, description_en="theirs: quarterly")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: yearly", "theirs: quarterly")
    api = f"/organisation/{path}/{entry.pk}"
    assert (
        conflicts.api_call(client, head, "patch", api, {"description_en": "mine"}, if_match='W/"1"').status_code == 412
    )
    stale = conflicts.api_call(client, head, "patch", api, {"description_en": "mine", "version": 1})
    assert (stale.status_code, stale.json()["description_en"], stale["ETag"]) == (409, "theirs: quarterly", 'W/"2"')
    assert type(entry).objects.get(pk=entry.pk).description_en == "theirs: quarterly"


def test_catalogue_get_carries_the_etag(conflicts, client, head):
    entry = ActivityFactory()
    response = conflicts.api_call(client, head, "get", f"/organisation/activities/{entry.pk}")
    assert (response["ETag"], response.json()["version"]) == ('W/"1"', 1)
    assert ProcessActivity.objects.get(pk=entry.pk).version == 1


def test_stale_profile_edit_answers_409_and_keeps_the_other_rating(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory(name_en="Negotiation")
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=2)
    client.force_login(head)
    url = reverse("organisation-profile-edit", args=[kam.pk])
    mine = conflicts.loaded_form(
        client, url, **{f"level_{competence.pk}": "5", f"note_{competence.pk}": "mine: great deal"}
    )
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=3, note="theirs: steady")
    body = conflicts.assert_conflict_page(client.post(url, mine), "mine: great deal", "theirs: steady")
    assert "Negotiation: rating" in body
    rating = CompetenceRating.objects.get(user=kam, competence=competence)
    assert (rating.level, rating.note) == (3, "theirs: steady")


def test_profile_edit_is_refused_when_a_rating_was_created_meanwhile(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory(name_en="Negotiation")
    client.force_login(head)
    url = reverse("organisation-profile-edit", args=[kam.pk])
    mine = conflicts.loaded_form(client, url, **{f"level_{competence.pk}": "5"})
    assert mine[f"version_{competence.pk}"] == "0"
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=3)
    conflicts.assert_conflict_page(client.post(url, mine))
    assert CompetenceRating.objects.get(user=kam, competence=competence).level == 3


def test_rating_put_stale_answers_412_and_409(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory()
    path = f"/organisation/profiles/{kam.pk}/ratings/{competence.pk}"
    first = conflicts.api_call(client, head, "put", path, {"level": 2, "version": 0})
    assert (first.status_code, first.json()["version"], first["ETag"]) == (200, 1, 'W/"1"')
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=4)
    assert conflicts.api_call(client, head, "put", path, {"level": 1}, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "put", path, {"level": 1, "version": 1})
    assert (stale.status_code, stale.json()["level"]) == (409, 4)
    assert CompetenceRating.objects.get(user=kam, competence=competence).level == 4


def test_stale_action_edit_answers_409_in_the_form_and_the_api(conflicts, client, head, admin_user, kam):
    action = ActionFactory(person=kam, title="Negotiation training", notes="old")
    client.force_login(head)
    url = reverse("organisation-action-edit", args=[action.pk])
    mine = conflicts.loaded_form(client, url, notes="mine: book in May")
    services.action_update(actor=admin_user, action=action, notes="theirs: booked for June")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: book in May", "theirs: booked for June")
    api = f"/organisation/development-actions/{action.pk}"
    assert conflicts.api_call(client, head, "patch", api, {"notes": "mine"}, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "patch", api, {"notes": "mine", "version": 1}).status_code == 409
    assert DevelopmentAction.objects.get(pk=action.pk).notes == "theirs: booked for June"
