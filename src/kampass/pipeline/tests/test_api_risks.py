"""API: the risk register and the risk matrix, with the denials."""

from __future__ import annotations

import pytest

from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


def test_risk_crud_with_expected_cost(api, kam, group):
    opp = make_opportunity(account=group, actor=kam)
    body = {"title": "Steel price", "category": "commercial", "likelihood": 4, "impact": 3, "cost": "10000"}
    response = api(kam, "post", f"/opportunities/{opp.pk}/risks", body)
    assert response.status_code == 201, response.content
    risk = response.json()
    assert (risk["expected_cost"], risk["score"], risk["currency"]) == ("7000.00", 12, "EUR")
    response = api(kam, "patch", f"/risks/{risk['id']}", {"likelihood": 2, "status": "mitigating"})
    assert response.json()["expected_cost"] == "3000.00"
    matrix = api(kam, "get", "/risks/matrix").json()
    assert matrix["cells"][1][2] == 1
    assert matrix["total"] == 1
    assert matrix["expected_cost"] == {"EUR": "3000.00"}
    assert api(kam, "get", f"/risks?opportunity_id={opp.pk}").json()["count"] == 1
    assert api(kam, "delete", f"/risks/{risk['id']}").status_code == 204
    assert api(kam, "get", f"/risks/{risk['id']}").status_code == 404


def test_risk_denials_and_validation(api, kam, kam2, viewer, group):
    opp = make_opportunity(account=group, actor=kam)
    body = {"title": "T", "category": "technical", "likelihood": 1, "impact": 1}
    assert api(kam2, "post", f"/opportunities/{opp.pk}/risks", body).status_code == 403
    assert api(viewer, "post", f"/opportunities/{opp.pk}/risks", body).status_code == 403
    response = api(kam, "post", f"/opportunities/{opp.pk}/risks", body | {"likelihood": 9, "category": "x"})
    assert response.status_code == 422
    # the schema refuses both: the category is not one of the declared values, the likelihood beyond 1..5
    assert {e["loc"][0] for e in response.json()["detail"]} == {"category", "likelihood"}
    response = api(kam, "post", f"/opportunities/{opp.pk}/risks", body | {"likelihood": 9})
    assert {e["loc"][0] for e in response.json()["detail"]} == {"likelihood"}
    risk = api(kam, "post", f"/opportunities/{opp.pk}/risks", body).json()
    assert api(kam2, "get", f"/risks/{risk['id']}").status_code == 403
    assert api(kam2, "patch", f"/risks/{risk['id']}", {"impact": 5}).status_code == 403
    assert api(viewer, "delete", f"/risks/{risk['id']}").status_code == 403
    assert api(kam2, "get", "/risks").json()["count"] == 0
    assert api(viewer, "get", "/risks").json()["count"] == 1
