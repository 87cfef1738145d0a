"""API: opportunities, stage changes, qualification, buying-centre links, and the denials."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import PositionFactory
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def test_without_credentials_is_401(api):
    assert api(None, "get", "/opportunities").status_code == 401
    assert api(None, "post", "/opportunities", {"account_id": 1, "name": "x", "amount": "1"}).status_code == 401


def test_kam_creates_lists_and_reads_own_opportunities_only(api, kam, group, site, other):
    # when
    body = {"account_id": site.pk, "name": "Retrofit", "amount": "1200.5", "competitors": ["Otis"]}
    response = api(kam, "post", "/opportunities", body | {"expected_close_date": "2030-02-28"})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "1200.50"
    assert body["stage_name"] == "Prospecting"
    assert body["owner_id"] == kam.pk
    assert body["competitors"] == ["Otis"]
    theirs = make_opportunity(account=other, name="Kone deal")
    listed = api(kam, "get", "/opportunities").json()
    assert listed["count"] == 1
    assert [o["name"] for o in listed["items"]] == ["Retrofit"]
    assert api(kam, "get", f"/opportunities/{theirs.pk}").status_code == 403
    assert api(kam, "get", "/opportunities/999999").status_code == 404
    # head sees both; subtree filter
    assert api(kam, "get", f"/opportunities?account_id={group.pk}&subtree=true").json()["count"] == 1
    assert api(kam, "get", f"/opportunities?account_id={group.pk}").json()["count"] == 0


def test_create_denied_and_invalid(api, kam, viewer, group, other):
    assert api(kam, "post", "/opportunities", {"account_id": other.pk, "name": "x", "amount": "1"}).status_code == 403
    assert (
        api(viewer, "post", "/opportunities", {"account_id": group.pk, "name": "x", "amount": "1"}).status_code == 403
    )
    response = api(kam, "post", "/opportunities", {"account_id": group.pk, "name": "", "amount": "-1"})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} >= {("name",), ("amount",)}
    response = api(kam, "post", "/opportunities", {"account_id": group.pk, "name": "x", "amount": "1", "stage_id": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["stage_id"]
    assert not Opportunity.objects.exists()


def test_patch_stage_change_and_delete(api, kam, kam2, controller, group):
    opp = make_opportunity(account=group, actor=kam)
    assert api(kam, "patch", f"/opportunities/{opp.pk}", {"amount": "99", "owner_probability": 40}).status_code == 200
    assert api(kam2, "patch", f"/opportunities/{opp.pk}", {"amount": "1"}).status_code == 403
    assert api(controller, "patch", f"/opportunities/{opp.pk}", {"amount": "1"}).status_code == 403
    response = api(kam, "post", f"/opportunities/{opp.pk}/stage", {"stage_id": stage("Closed Lost").pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["reason"]
    response = api(kam, "post", f"/opportunities/{opp.pk}/stage", {"stage_id": stage("Closed Lost").pk,
                                                                    "reason": "Price"})  # fmt: skip
    assert response.status_code == 200
    assert response.json()["outcome"] == "lost"
    history = api(controller, "get", f"/opportunities/{opp.pk}/stage-history").json()
    assert [h["to_stage"] for h in history] == ["Prospecting", "Closed Lost"]
    assert api(kam2, "delete", f"/opportunities/{opp.pk}").status_code == 403
    assert api(kam, "delete", f"/opportunities/{opp.pk}").status_code == 204
    assert api(kam, "get", f"/opportunities/{opp.pk}").status_code == 404


def test_qualification_and_flags(api, kam, viewer, group):
    opp = make_opportunity(account=group, stage_name="Negotiation/Review", actor=kam)
    assert api(kam, "get", f"/opportunities/{opp.pk}").json()["qualification_flags"] == ["economic_buyer", "champion"]
    url = f"/opportunities/{opp.pk}/qualification/economic_buyer"
    assert api(viewer, "put", url, {"status": "confirmed", "evidence": "CFO"}).status_code == 403
    assert api(kam, "put", url, {"status": "confirmed"}).status_code == 422
    assert api(kam, "put", f"/opportunities/{opp.pk}/qualification/budget", {"status": "missing"}).status_code == 422
    rows = api(kam, "put", url, {"status": "confirmed", "evidence": "CFO signs"}).json()
    assert [r["element"] for r in rows if r["flagged"]] == ["champion"]
    assert len(api(viewer, "get", f"/opportunities/{opp.pk}/qualification").json()) == 8


def test_buying_centre_links(api, kam, kam2, group):
    opp = make_opportunity(account=group, actor=kam)
    contact = PositionFactory(account=group).contact
    url = f"/opportunities/{opp.pk}/contacts/{contact.pk}"
    assert api(kam2, "put", url, {"roles": ["decider"]}).status_code == 403
    assert api(kam, "put", url, {"roles": ["wizard"]}).status_code == 422
    response = api(kam, "put", url, {"roles": ["decider", "economic_buyer"]})
    assert response.status_code == 200
    assert response.json()["roles"] == ["decider", "economic_buyer"]
    assert len(api(kam, "get", f"/opportunities/{opp.pk}/contacts").json()) == 1
    assert api(kam, "delete", url).status_code == 204
    assert api(kam, "delete", url).status_code == 404


def test_stage_sets(api, viewer):
    sets = api(viewer, "get", "/stage-sets").json()
    assert sets[0]["is_default"] is True
    assert [s["name"] for s in sets[0]["stages"]][-2:] == ["Closed Won", "Closed Lost"]
