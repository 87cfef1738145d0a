"""API: initiatives CRUD, status, measurements, the measure trigger and the summary, with denials."""

from __future__ import annotations

import pytest

from kampass.roadmap.models import GuardrailMeasurement, Initiative
from kampass.roadmap.tests.factories import InitiativeFactory, MeasurementFactory


def test_without_credentials_is_401(client, db):
    assert client.get("/api/v1/roadmap/initiatives").status_code == 401
    assert client.post("/api/v1/roadmap/measure").status_code == 401
    assert client.get("/api/v1/roadmap/summary").status_code == 401


def test_list_shape_and_filters(api, viewer, kam):
    # given
    a = InitiativeFactory(title="Leakage", owner=kam)
    InitiativeFactory(title="Tools", logic="tools", status="planned")
    MeasurementFactory(initiative=a, value=0.1)
    # when
    body = api(viewer, "get", "/roadmap/initiatives").json()
    # then
    assert body["count"] == 2
    assert {i["title"] for i in body["items"]} == {"Leakage", "Tools"}
    first = next(i for i in body["items"] if i["title"] == "Leakage")
    assert first["latest"]["value"] == 0.1
    assert first["latest"]["warning"] is True
    assert first["logic_name"] == "Commercialisation"
    assert first["owner_id"] == kam.pk
    warned = api(viewer, "get", "/roadmap/initiatives?warning=true").json()
    assert [i["id"] for i in warned["items"]] == [a.pk]
    paged = api(viewer, "get", "/roadmap/initiatives?limit=1&offset=1").json()
    assert paged["count"] == 2
    assert len(paged["items"]) == 1


def test_create_with_catalogue_defaults(api, head, kam, key_account):
    # when
    r = api(
        head,
        "post",
        "/roadmap/initiatives",
        {
            "logic": "facts_strategy",
            "owner_id": kam.pk,
            "account_ids": [key_account.pk],
            "starts": "2026-01-01",
            "ends": "2026-07-01",
        },
    )
    # then
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["guardrail_key"] == "findings_with_action_share"
    assert body["guardrail_direction"] == "min"
    assert body["guardrail_threshold"] == 0.7
    assert body["account_ids"] == [key_account.pk]
    assert body["title"] == "Facts & Strategy"


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"logic": "nope"}, "logic"),
        ({"logic": "tools", "starts": "2026-05-01", "ends": "2026-04-01"}, "ends"),
        ({"logic": "tools", "guardrail_threshold": 2}, "guardrail_threshold"),
        ({"logic": "tools", "owner_id": 999999}, "owner_id"),
    ],
)
def test_create_validation_is_422_naming_the_field(api, head, payload, loc):
    r = api(head, "post", "/roadmap/initiatives", payload)
    assert r.status_code == 422
    assert [loc] in [d["loc"] for d in r.json()["detail"]]
    assert not Initiative.objects.exists()


def test_create_with_a_non_key_account_is_422(api, head, prospect):
    r = api(head, "post", "/roadmap/initiatives", {"logic": "tools", "account_ids": [prospect.pk]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["account_ids"]


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_create_is_403_for_others(api, request, role):
    r = api(request.getfixturevalue(role), "post", "/roadmap/initiatives", {"logic": "tools"})
    assert r.status_code == 403
    assert not Initiative.objects.exists()


def test_get_and_404(api, viewer):
    i = InitiativeFactory()
    assert api(viewer, "get", f"/roadmap/initiatives/{i.pk}").json()["id"] == i.pk
    assert api(viewer, "get", "/roadmap/initiatives/999999").status_code == 404


def test_patch_by_owner_kam_and_denials(api, kam, kam2, viewer):
    i = InitiativeFactory(owner=kam)
    r = api(kam, "patch", f"/roadmap/initiatives/{i.pk}", {"ends": "2027-01-31", "status": "paused"})
    assert r.status_code == 200, r.content
    assert (r.json()["ends"], r.json()["status"]) == ("2027-01-31", "paused")
    assert api(kam, "patch", f"/roadmap/initiatives/{i.pk}", {"guardrail_threshold": 0.5}).status_code == 403
    assert api(kam2, "patch", f"/roadmap/initiatives/{i.pk}", {"title": "x"}).status_code == 403
    assert api(viewer, "patch", f"/roadmap/initiatives/{i.pk}", {"title": "x"}).status_code == 403
    assert api(kam, "patch", "/roadmap/initiatives/999999", {"title": "x"}).status_code == 404
    i.refresh_from_db()
    assert i.guardrail_threshold == 0.08


def test_patch_validation_and_null(api, head):
    i = InitiativeFactory()
    assert api(head, "patch", f"/roadmap/initiatives/{i.pk}", {"ends": "2020-01-01"}).status_code == 422
    r = api(head, "patch", f"/roadmap/initiatives/{i.pk}", {"title": None})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["title"]


def test_status_endpoint(api, head, viewer):
    i = InitiativeFactory(status="planned")
    assert api(viewer, "post", f"/roadmap/initiatives/{i.pk}/status", {"status": "active"}).status_code == 403
    r = api(head, "post", f"/roadmap/initiatives/{i.pk}/status", {"status": "active"})
    assert r.json()["status"] == "active"
    assert api(head, "post", f"/roadmap/initiatives/{i.pk}/status", {"status": "bogus"}).status_code == 422


def test_delete(api, head, kam):
    i = InitiativeFactory(owner=kam)
    assert api(kam, "delete", f"/roadmap/initiatives/{i.pk}").status_code == 403
    assert api(head, "delete", f"/roadmap/initiatives/{i.pk}").status_code == 204
    assert api(head, "delete", f"/roadmap/initiatives/{i.pk}").status_code == 404


def test_measurements_list_and_record(api, head, viewer):
    i = InitiativeFactory()
    MeasurementFactory(initiative=i, value=0.05)
    r = api(head, "post", f"/roadmap/initiatives/{i.pk}/measurements", {"value": 0.09, "note": "by hand"})
    assert r.status_code == 201
    assert r.json()["warning"] is True
    assert r.json()["measured_by"] == str(head)
    body = api(viewer, "get", f"/roadmap/initiatives/{i.pk}/measurements").json()
    assert body["count"] == 2
    assert body["items"][0]["value"] == 0.09  # newest first
    assert api(viewer, "post", f"/roadmap/initiatives/{i.pk}/measurements", {"value": 0.1}).status_code == 403
    assert api(head, "post", f"/roadmap/initiatives/{i.pk}/measurements", {"value": 3}).status_code == 422


def test_measure_trigger(api, head, kam, monkeypatch):
    from kampass.programme import facade as programme_facade

    i = InitiativeFactory()
    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: {"leakage_share": 0.12})
    assert api(kam, "post", "/roadmap/measure").status_code == 403
    r = api(head, "post", "/roadmap/measure")
    assert r.status_code == 200
    assert (r.json()["measured"], r.json()["warnings"], r.json()["skipped"]) == (1, 1, [])
    assert GuardrailMeasurement.objects.get(initiative=i).value == 0.12


def test_summary(api, viewer):
    i = InitiativeFactory()
    MeasurementFactory(initiative=i, value=0.2)
    body = api(viewer, "get", "/roadmap/summary").json()
    assert body["initiatives"][0]["id"] == i.pk
    assert body["guardrails"][0]["warning"] is True
    assert (body["topics_active"], body["topics_limit"], body["topics_over_limit"]) == (0, 5, False)
