"""API: the forecast and the optimism analysis (same figures as the selectors), and the denials."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.pipeline.models import Opportunity
from kampass.pipeline.selectors import OpportunityFilters, forecast
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(kam, kam2, group, other):
    make_opportunity(account=group, name="A", amount=1000, owner=kam, expected_close_date=dt.date(2030, 5, 2))
    make_opportunity(account=other, name="B", amount=500, owner=kam2, expected_close_date=dt.date(2030, 7, 9))
    make_opportunity(account=group, name="C", amount=10, owner=kam, owner_probability=90, stage_name="Closed Lost")
    Opportunity.objects.filter(name="A").update(probability=0.4)


def test_forecast_is_the_selectors_document(api, head, kam, deals):
    body = api(head, "get", "/forecast?period=quarter&group_by=owner").json()
    assert body == forecast(user=head, period="quarter", group_by="owner").as_json()
    assert [r["period"] for r in body["rows"]] == ["2030-Q2", "2030-Q3"]
    assert body["rows"][0]["calibrated"]["expected"] == "400.00"
    mine = api(kam, "get", "/forecast").json()
    assert mine["deals"] == 1
    assert mine == forecast(user=kam, filters=OpportunityFilters()).as_json()


def test_forecast_scope_and_input_errors(api, head, group, deals):
    assert api(head, "get", f"/forecast?account_id={group.pk}&subtree=true").json()["deals"] == 1
    assert api(head, "get", "/forecast?account_id=999999").status_code == 404
    assert api(head, "get", "/forecast?simulations=5").status_code == 422
    assert api(None, "get", "/forecast").status_code == 401


def test_optimism(api, head, kam2, deals):
    body = api(head, "get", "/forecast/optimism?by=owner").json()
    assert body["deals"] == 1
    assert body["rows"][0]["owner_bias"] == pytest.approx(0.9)
    assert api(kam2, "get", "/forecast/optimism").json()["deals"] == 0
    assert api(None, "get", "/forecast/optimism").status_code == 401


@pytest.mark.parametrize(
    ("path", "field", "allowed"),
    [
        ("/forecast?period=year", "period", "'month', 'quarter'"),
        ("/forecast?group_by=team", "group_by", "'owner', 'account'"),
        ("/forecast/optimism?by=bogus", "by", "'owner', 'team', 'account'"),
        ("/opportunities?sort=bogus", "sort", "'close'"),
        ("/opportunities?outcome=maybe", "outcome", "'won'"),
    ],
)
def test_an_unknown_choice_is_a_422_naming_the_allowed_values(api, head, deals, path, field, allowed):
    # when: a value the parameter does not declare
    response = api(head, "get", path)

    # then: refused (not silently answered with the default), with the allowed values
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == [field]
    assert allowed in error["msg"]


def test_forecast_converts_into_the_asked_currency_and_refuses_an_unknown_one(api, head, group, deals):
    make_opportunity(account=group, name="U", amount=200, currency="USD", expected_close_date=dt.date(2030, 5, 3))
    body = api(head, "get", "/forecast?currency=chf").json()
    assert (body["currency"], body["deals"], body["converted"]) == ("CHF", 3, 3)
    assert body["rate_sources"] == ["ECB"]
    assert body["conversion"] == "converted into CHF at ECB rates (3 amounts in 2 currencies)"
    refused = api(head, "get", "/forecast?currency=XYZ")
    assert refused.status_code == 422
    assert "currency" in refused.text
