"""No lost updates by removals in the organisation: deleting a catalogue entry or a development action
that someone else changed after the user (or API client) saw it deletes nothing; the page shows what
changed and offers to delete it anyway."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.common.concurrency import ConcurrentEdit
from kampass.organisation import services
from kampass.organisation.models import DevelopmentAction
from kampass.organisation.tests.factories import ActionFactory, ActivityFactory, CompetenceFactory, RoleFactory

CATALOGUES = [
    ("activities", ActivityFactory, services.activity_update, services.activity_delete, "activity", "activity"),
    ("roles", RoleFactory, services.role_update, services.role_delete, "role", "role"),
    (
        "competences",
        CompetenceFactory,
        services.competence_update,
        services.competence_delete,
        "competence",
        "competence",
    ),
]


@pytest.mark.parametrize(("path", "factory", "update", "delete", "kwarg", "name"), CATALOGUES)
def test_stale_catalogue_delete_is_refused_in_service_page_and_api(
    conflicts, client, head, admin_user, path, factory, update, delete, kwarg, name
):
    # given an entry someone changed after the head opened its delete page (which carries version 1)
    entry = factory(name_en="Plan the account", description_en="old")
    client.force_login(head)
    url = reverse(f"organisation-{name}-delete", args=[entry.pk])
    mine = conflicts.remove_button(client, url, url)
    assert mine["version"] == "1"
    update(actor=admin_user, **{kwarg: entry}, description_en="theirs: quarterly")
    # then the service, the page and the API all refuse to delete it based on version 1
    with pytest.raises(ConcurrentEdit):
        delete(actor=head, **{kwarg: entry}, version=1)
    conflicts.assert_conflict_page(client.post(url, mine), "old", "theirs: quarterly")
    api = f"/organisation/{path}/{entry.pk}"
    assert conflicts.api_call(client, head, "delete", api, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "delete", f"{api}?version=1")
    assert (stale.status_code, stale.json()["description_en"], stale["ETag"]) == (409, "theirs: quarterly", 'W/"2"')
    assert type(entry).objects.filter(pk=entry.pk).exists()
    # and deleting it anyway (the version saved now) deletes it
    assert client.post(url, {"version": "2"}).status_code == 302
    assert not type(entry).objects.filter(pk=entry.pk).exists()


def test_stale_action_delete_is_refused_in_service_page_and_api(conflicts, client, head, admin_user, kam):
    action = ActionFactory(person=kam, title="Negotiation training", notes="old")
    client.force_login(head)
    url = reverse("organisation-action-delete", args=[action.pk])
    mine = conflicts.remove_button(client, url, url)
    services.action_update(actor=admin_user, action=action, notes="theirs: booked for June")
    with pytest.raises(ConcurrentEdit):
        services.action_delete(actor=head, action=action, version=1)
    conflicts.assert_conflict_page(client.post(url, mine), "theirs: booked for June")
    api = f"/organisation/development-actions/{action.pk}"
    assert conflicts.api_call(client, head, "delete", api, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "delete", f"{api}?version=1").status_code == 409
    assert DevelopmentAction.objects.filter(pk=action.pk).exists()
    assert conflicts.api_call(client, head, "delete", api, if_match='W/"2"').status_code == 204
    assert not DevelopmentAction.objects.filter(pk=action.pk).exists()
