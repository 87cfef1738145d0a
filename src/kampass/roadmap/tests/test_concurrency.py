"""No lost updates on the roadmap: a stale edit of an initiative (form, status form, API), a topic
(form, rating, status, API) or the topic limit is refused and the change saved meanwhile survives."""

from __future__ import annotations

from django.urls import reverse

from kampass.roadmap import services
from kampass.roadmap.models import Initiative, RoadmapSettings, Topic
from kampass.roadmap.tests.factories import InitiativeFactory, TopicFactory

# ---------------------------------------------------------------- initiatives


def test_stale_initiative_edit_answers_409_and_keeps_the_other_change(conflicts, client, head, admin_user):
    initiative = InitiativeFactory(title="Price discipline", description="old")
    client.force_login(head)
    url = reverse("roadmap-initiative-edit", args=[initiative.pk])
    mine = conflicts.loaded_form(client, url, description="mine: weekly review")
    services.initiative_update(actor=admin_user, initiative=initiative, description="theirs: monthly review")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: weekly review", "theirs: monthly review")
    assert Initiative.objects.get(pk=initiative.pk).description == "theirs: monthly review"


def test_stale_initiative_status_form_answers_409(conflicts, client, head, admin_user):
    initiative = InitiativeFactory(status="active")
    client.force_login(head)
    detail = client.get(reverse("roadmap-initiative", args=[initiative.pk])).content.decode()
    assert 'name="version" value="1"' in detail  # the status form carries the version it was shown with
    services.initiative_update(actor=admin_user, initiative=initiative, description="meanwhile")
    response = client.post(reverse("roadmap-initiative-status", args=[initiative.pk]), {"status": "done", "version": 1})
    conflicts.assert_conflict_page(response)
    assert Initiative.objects.get(pk=initiative.pk).status == "active"


def test_initiative_api_stale_answers_412_and_409(conflicts, client, head, admin_user):
    initiative = InitiativeFactory(description="old")
    path = f"/roadmap/initiatives/{initiative.pk}"
    assert conflicts.api_call(client, head, "get", path)["ETag"] == 'W/"1"'
    services.initiative_update(actor=admin_user, initiative=initiative, description="theirs")
    assert conflicts.api_call(client, head, "patch", path, {"description": "mine"}, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "patch", path, {"description": "mine", "version": 1})
    assert (stale.status_code, stale.json()["description"], stale.json()["version"]) == (409, "theirs", 2)
    status = conflicts.api_call(client, head, "post", f"{path}/status", {"status": "done", "version": 1})
    assert status.status_code == 409
    assert Initiative.objects.get(pk=initiative.pk).description == "theirs"
    assert Initiative.objects.get(pk=initiative.pk).status == "active"


# ---------------------------------------------------------------- topics


def test_stale_topic_edit_answers_409(conflicts, client, head, admin_user):
    topic = TopicFactory(title="Account plans", description="old")
    client.force_login(head)
    url = reverse("topic-edit", args=[topic.pk])
    mine = conflicts.loaded_form(client, url, description="mine: template")
    services.topic_update(actor=admin_user, topic=topic, description="theirs: workshop")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: template", "theirs: workshop")
    assert Topic.objects.get(pk=topic.pk).description == "theirs: workshop"


def test_stale_topic_rating_and_status_answer_409(conflicts, client, head, admin_user):
    topic = TopicFactory(impact=3, effort=3)
    client.force_login(head)
    page = client.get(reverse("topics")).content.decode()
    assert f'name="version" value="{topic.version}"' in page
    services.topic_update(actor=admin_user, topic=topic, impact=5)
    rating = client.post(reverse("topic-rating", args=[topic.pk]), {"impact": 1, "effort": 1, "version": 1})
    conflicts.assert_conflict_page(rating)
    status = client.post(
        reverse("topic-status", args=[topic.pk]), {"status": "active", "version": 1}, headers={"HX-Request": "true"}
    )
    conflicts.assert_conflict_page(status)
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.impact, stored.effort, stored.status) == (5, 3, "proposed")


def test_stale_topic_rating_through_htmx_answers_the_conflict_view(conflicts, client, head, admin_user):
    # given a rating based on version 1 while someone else saved version 2
    topic = TopicFactory(impact=3, effort=3)
    client.force_login(head)
    services.topic_update(actor=admin_user, topic=topic, impact=5)
    # when it arrives through HTMX: the conflict view (409, swapped in by kampass.js), not the out-of-band reply
    rating = client.post(
        reverse("topic-rating", args=[topic.pk]),
        {"impact": 1, "effort": 1, "version": 1},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + reverse("topics") + "?field=screening"},
    )
    body = conflicts.assert_conflict_page(rating)
    # and "discard my entry" leads back to the list the user was on (the rating's address takes POST only)
    assert f'href="{reverse("topics")}?field=screening">Discard my entry' in body
    assert client.get(reverse("topics") + "?field=screening").status_code == 200
    assert rating["Kampass-Conflict"] == "1"
    assert "HX-Reswap" not in rating
    assert "hx-swap-oob" not in body
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.impact, stored.effort, stored.version) == (5, 3, 2)


def test_topic_api_stale_answers_412_and_409(conflicts, client, head, admin_user):
    topic = TopicFactory(description="old")
    path = f"/roadmap/topics/{topic.pk}"
    assert conflicts.api_call(client, head, "get", path)["ETag"] == 'W/"1"'
    services.topic_update(actor=admin_user, topic=topic, description="theirs")
    assert conflicts.api_call(client, head, "patch", path, {"description": "mine"}, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "patch", path, {"description": "mine", "version": 1}).status_code == 409
    stale_status = conflicts.api_call(client, head, "post", f"{path}/status", {"status": "active", "version": 1})
    assert (stale_status.status_code, stale_status.json()["version"]) == (409, 2)
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.description, stored.status) == ("theirs", "proposed")


# ---------------------------------------------------------------- topic limit


def test_stale_topic_limit_answers_409_in_the_page_and_the_api(conflicts, client, head, admin_user):
    loaded = services.topic_limit_set(actor=admin_user, limit=5).version
    client.force_login(admin_user)  # may set the limit
    assert f'name="version" value="{loaded}"' in client.get(reverse("topics")).content.decode()
    services.topic_limit_set(actor=admin_user, limit=7)
    conflicts.assert_conflict_page(client.post(reverse("topic-limit"), {"topic_limit": 3, "version": loaded}))
    stale_tag = f'W/"{loaded}"'
    assert (
        conflicts.api_call(
            client, head, "put", "/roadmap/topic-limit", {"topic_limit": 3}, if_match=stale_tag
        ).status_code
        == 412
    )
    stale = conflicts.api_call(client, head, "put", "/roadmap/topic-limit", {"topic_limit": 3, "version": loaded})
    assert (stale.status_code, stale.json()["topic_limit"], stale["ETag"]) == (409, 7, f'W/"{loaded + 1}"')
    assert RoadmapSettings.objects.get(pk=1).topic_limit == 7
    fresh = conflicts.api_call(client, head, "put", "/roadmap/topic-limit", {"topic_limit": 3, "version": loaded + 1})
    assert (fresh.status_code, fresh.json()["version"]) == (200, loaded + 2)
