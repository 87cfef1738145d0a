"""No lost updates by removals on the roadmap: deleting an initiative or a topic that someone else changed
after the user (or API client) saw it deletes nothing; the page shows what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.common.concurrency import ConcurrentEdit
from kampass.roadmap import services
from kampass.roadmap.models import Initiative, Topic
from kampass.roadmap.tests.factories import InitiativeFactory, TopicFactory


def test_stale_initiative_delete_is_refused_in_service_page_and_api(conflicts, client, head, admin_user):
    initiative = InitiativeFactory(title="Price discipline", description="old")
    client.force_login(head)
    url = reverse("roadmap-initiative-delete", args=[initiative.pk])
    mine = conflicts.remove_button(client, url, url)
    assert mine["version"] == "1"
    services.initiative_update(actor=admin_user, initiative=initiative, description="theirs: monthly review")
    with pytest.raises(ConcurrentEdit):
        services.initiative_delete(actor=head, initiative=initiative, version=1)
    body = conflicts.assert_conflict_page(client.post(url, mine), "old", "theirs: monthly review", str(admin_user))
    assert f'href="{reverse("roadmap-initiative", args=[initiative.pk])}"' in body
    path = f"/roadmap/initiatives/{initiative.pk}"
    assert conflicts.api_call(client, head, "delete", path, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "delete", f"{path}?version=1")
    assert (stale.status_code, stale.json()["description"], stale["ETag"]) == (409, "theirs: monthly review", 'W/"2"')
    assert Initiative.objects.filter(pk=initiative.pk).exists()
    assert client.post(url, {"version": "2"}).status_code == 302
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


def test_stale_topic_delete_is_refused_in_service_page_and_api(conflicts, client, head, admin_user):
    topic = TopicFactory(title="Account plans", description="old")
    client.force_login(head)
    url = reverse("topic-delete", args=[topic.pk])
    mine = conflicts.remove_button(client, url, url)
    services.topic_update(actor=admin_user, topic=topic, description="theirs: workshop")
    with pytest.raises(ConcurrentEdit):
        services.topic_delete(actor=head, topic=topic, version=1)
    conflicts.assert_conflict_page(client.post(url, mine), "theirs: workshop")
    path = f"/roadmap/topics/{topic.pk}"
    assert conflicts.api_call(client, head, "delete", path, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "delete", f"{path}?version=1").status_code == 409
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert conflicts.api_call(client, head, "delete", f"{path}?version=2").status_code == 204
    assert not Topic.objects.filter(pk=topic.pk).exists()
