"""``GET /api/v1/rates``: the loaded exchange rates, filtered and paginated, for head, controller and admin only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kampass.common.exchange_rates import rates_load_text
from kampass.common.tests.factories import ecb_table

pytestmark = pytest.mark.django_db

FILE = """date,currency,rate,base
2024-03-01,USD,1.0850,EUR
2024-03-01,CHF,0.9500,EUR
2024-03-08,USD,1.0900,EUR
2024-03-15,USD,1.1000,EUR
2024-03-15,GBP,0.8000,CHF
"""


@pytest.fixture
def loaded():
    rates_load_text(text=FILE, name="treasury.csv", source="Treasury")


def test_lists_the_loaded_rates_by_currency_and_day(api, head, loaded):
    body = api(head, "get", "/rates").json()
    assert body["count"] == 5
    assert [(r["currency"], r["day"]) for r in body["items"]] == [
        ("CHF", "2024-03-01"), ("GBP", "2024-03-15"), ("USD", "2024-03-01"), ("USD", "2024-03-08"),
        ("USD", "2024-03-15"),
    ]  # fmt: skip
    usd = body["items"][2]
    assert (usd["per_euro"], usd["base"], usd["base_rate"], usd["source"]) == ("1.085", "EUR", "1.085", "Treasury")
    # a rate against another base is stored per euro: 0.80 GBP per CHF x the ECB's CHF per EUR of the day (the
    # file's CHF rate of 1 March is more than a week old on 15 March)
    gbp = body["items"][1]
    assert (gbp["base"], gbp["base_rate"]) == ("CHF", "0.8")
    assert Decimal(gbp["per_euro"]) == Decimal("0.8") * ecb_table("2024-03-15")["CHF"]


def test_filters_by_currency_and_days_and_pages(api, controller, loaded):
    body = api(controller, "get", "/rates?currency=USD&from=2024-03-02&to=2024-03-15").json()
    assert [r["day"] for r in body["items"]] == ["2024-03-08", "2024-03-15"]
    page = api(controller, "get", "/rates?currency=USD&limit=1&offset=1").json()
    assert (page["count"], [r["day"] for r in page["items"]]) == (3, ["2024-03-08"])
    assert api(controller, "get", "/rates?currency=SEK").json() == {"items": [], "count": 0}


def test_refusals(api, admin_user, kam, viewer, loaded):
    assert api(admin_user, "get", "/rates").status_code == 200
    assert api(kam, "get", "/rates").status_code == 403
    assert api(viewer, "get", "/rates").status_code == 403
    assert api(None, "get", "/rates").status_code == 401
    response = api(admin_user, "get", "/rates?from=2024-03-15&to=2024-03-01")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["from"]
    assert api(admin_user, "get", "/rates?currency=usd").status_code == 422
