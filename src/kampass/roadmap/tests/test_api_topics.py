"""API: topics CRUD, status with the limit (409 unless forced), the limit setting, with denials."""

from __future__ import annotations

import pytest

from kampass.roadmap.models import Topic
from kampass.roadmap.tests.factories import TopicFactory


def test_without_credentials_is_401(client, db):
    assert client.get("/api/v1/roadmap/topics").status_code == 401
    assert (
        client.put("/api/v1/roadmap/topic-limit", {"topic_limit": 3}, content_type="application/json").status_code
        == 401
    )


def test_list_in_priority_order_with_filters(api, viewer):
    low = TopicFactory(title="Low", impact=1, effort=5)
    quick = TopicFactory(title="Quick", impact=5, effort=1, field="solutions")
    body = api(viewer, "get", "/roadmap/topics").json()
    assert body["count"] == 2
    assert [t["id"] for t in body["items"]] == [quick.pk, low.pk]
    assert body["items"][0]["quadrant"] == "quick_win"
    assert body["items"][1]["quadrant"] == "thankless"
    assert [t["id"] for t in api(viewer, "get", "/roadmap/topics?field=solutions").json()["items"]] == [quick.pk]


def test_kam_proposes_and_owns(api, kam, key_account):
    r = api(
        kam,
        "post",
        "/roadmap/topics",
        {
            "field": "solutions",
            "title": "Joint pilot",
            "impact": 4,
            "effort": 2,
            "account_id": key_account.pk,
            "partner_contact": "Dr. Keller",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["owner_id"], body["account_id"]) == ("proposed", kam.pk, key_account.pk)


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"field": "marketing", "title": "x"}, "field"),
        ({"field": "screening", "title": "x", "impact": 9}, "impact"),
        ({"field": "screening", "title": "x", "partner_contact": "Dr. K"}, "partner_contact"),
        ({"field": "screening", "title": "x", "account_id": 999999}, "account_id"),
    ],
)
def test_create_validation_is_422(api, head, payload, loc):
    r = api(head, "post", "/roadmap/topics", payload)
    assert r.status_code == 422
    assert [loc] in [d["loc"] for d in r.json()["detail"]]


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_cannot_create_topics(api, request, role):
    assert (
        api(request.getfixturevalue(role), "post", "/roadmap/topics", {"field": "screening", "title": "x"}).status_code
        == 403
    )
    assert not Topic.objects.exists()


def test_patch_and_denials(api, head, kam, kam2):
    t = TopicFactory(owner=kam, created_by=kam)
    assert api(kam, "patch", f"/roadmap/topics/{t.pk}", {"impact": 5}).json()["impact"] == 5
    assert api(kam2, "patch", f"/roadmap/topics/{t.pk}", {"impact": 1}).status_code == 403
    assert api(head, "patch", f"/roadmap/topics/{t.pk}", {"effort": 0}).status_code == 422
    assert api(head, "patch", "/roadmap/topics/999999", {"effort": 2}).status_code == 404


def test_status_beyond_the_limit_is_409_unless_forced(api, head, kam):
    # given: the limit reached
    api(head, "put", "/roadmap/topic-limit", {"topic_limit": 1})
    TopicFactory(status="active")
    t = TopicFactory()
    # when
    refused = api(head, "post", f"/roadmap/topics/{t.pk}/status", {"status": "active"})
    # then
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["active"], refused.json()["limit"]) == ("topic_limit", 1, 1)
    t.refresh_from_db()
    assert t.status == "proposed"
    assert api(kam, "post", f"/roadmap/topics/{t.pk}/status", {"status": "active", "force": True}).status_code == 403
    forced = api(head, "post", f"/roadmap/topics/{t.pk}/status", {"status": "active", "force": True})
    assert forced.status_code == 200
    assert forced.json()["status"] == "active"
    limit = api(head, "get", "/roadmap/topic-limit").json()
    assert limit.pop("version") >= 1  # the limit was set: it has a version (kampass.common.concurrency)
    assert limit == {"topic_limit": 1, "active": 2, "over_limit": True, "completion_rate": 0.0}


def test_limit_setting(api, head, kam, viewer):
    assert api(viewer, "get", "/roadmap/topic-limit").json()["topic_limit"] == 5
    assert api(kam, "put", "/roadmap/topic-limit", {"topic_limit": 3}).status_code == 403
    assert api(head, "put", "/roadmap/topic-limit", {"topic_limit": 0}).status_code == 422
    assert api(head, "put", "/roadmap/topic-limit", {"topic_limit": 3}).json()["topic_limit"] == 3


def test_delete(api, head, kam):
    t = TopicFactory(owner=kam)
    assert api(kam, "delete", f"/roadmap/topics/{t.pk}").status_code == 403
    assert api(head, "delete", f"/roadmap/topics/{t.pk}").status_code == 204
    assert api(head, "get", f"/roadmap/topics/{t.pk}").status_code == 404
