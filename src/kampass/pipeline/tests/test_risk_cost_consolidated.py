"""Expected risk cost over risks in EUR, USD and GBP: kept per currency and consolidated into the view currency,
each risk's expected cost at the rate of its opportunity's expected close date (the last published rate for a
date in the future), checked against the ECB's table read independently; the conversion is named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.common.tests.factories import ecb_table, last_published_day, to_euro
from kampass.pipeline.facade import expected_risk_cost_in
from kampass.pipeline.models import Risk
from kampass.pipeline.selectors import account_pipeline, opportunity_detail, risk_matrix
from kampass.pipeline.services import risk_create
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

FUTURE = dt.date(2099, 6, 30)
# (opportunity, currency, expected close date, ECB day whose rate applies): the deals' risks are in their currency
DEALS = [
    ("E1", "EUR", dt.date(2024, 3, 15), "2024-03-15"),
    ("U1", "USD", dt.date(2024, 3, 15), "2024-03-15"),
    ("U2", "USD", dt.date(2023, 11, 2), "2023-11-02"),
    ("G1", "GBP", FUTURE, None),  # after the last published day: today's (the last) rate
]
# (opportunity, likelihood, cost, status): expected cost = likelihood's probability x cost
RISKS = [
    ("E1", 4, "10000.00", "open"),  # 0.7 -> 7000.00 EUR
    ("U1", 3, "2500.00", "open"),  # 0.5 -> 1250.00 USD
    ("U1", 1, "999.99", "mitigating"),  # 0.1 -> 100.00 USD
    ("U2", 5, "1234.56", "open"),  # 0.9 -> 1111.10 USD
    ("G1", 2, "800.00", "open"),  # 0.3 -> 240.00 GBP
    ("G1", 5, "5000.00", "closed"),  # not active: not counted
]
PROBABILITY = {1: Decimal("0.1"), 2: Decimal("0.3"), 3: Decimal("0.5"), 4: Decimal("0.7"), 5: Decimal("0.9")}


@pytest.fixture
def risks(group, kam):
    deals = {}
    for name, currency, close, _day in DEALS:
        deals[name] = make_opportunity(account=group, name=name, amount=Decimal("1000"), currency=currency,
                                       expected_close_date=close, stage_name="Qualification")  # fmt: skip
    for i, (name, likelihood, cost, status) in enumerate(RISKS):
        risk_create(actor=kam, opportunity=deals[name], title=f"R{i}", category="commercial", likelihood=likelihood,
                    impact=3, cost=cost, status=status)  # fmt: skip
    return deals


def _active() -> list[tuple[Decimal, str, str]]:
    """(expected cost, currency, ECB day) of every active risk, computed here from the table above."""
    day = {name: d or last_published_day() for name, _c, _close, d in DEALS}
    currency = {name: c for name, c, _close, _d in DEALS}
    return [
        ((PROBABILITY[likelihood] * Decimal(cost)).quantize(Decimal("0.01")), currency[name], day[name])
        for name, likelihood, cost, status in RISKS
        if status != "closed"
    ]


def expected_eur() -> Decimal:
    return sum((to_euro(amount, currency, day) for amount, currency, day in _active()), Decimal(0))


def expected_in(target: str) -> Decimal:
    """The active risks' expected cost in ``target`` through the euro: amount / units per euro x units per euro."""
    total = Decimal(0)
    for amount, currency, day in _active():
        table = {**ecb_table(day), "EUR": Decimal(1)}
        total += amount if currency == target else (amount / table[currency] * table[target]).quantize(Decimal("0.01"))
    return total


def test_the_risk_matrix_keeps_per_currency_amounts_and_consolidates_them(head, risks):
    matrix = risk_matrix(user=head)
    assert matrix.expected_cost == {"EUR": Decimal("7000.00"), "USD": Decimal("2461.10"), "GBP": Decimal("240.00")}
    assert matrix.cost.by_currency == matrix.expected_cost
    assert matrix.cost.currency == "EUR"
    assert matrix.cost.total == expected_eur()
    assert matrix.cost.conversion == "converted into EUR at ECB rates (4 amounts in 2 currencies)"


def test_the_users_view_currency_is_the_default(head, risks):
    head.view_currency = "GBP"
    head.save()
    cost = risk_matrix(user=head).cost
    assert cost.currency == "GBP"
    assert cost.total == expected_in("GBP")
    assert cost.conversion == "converted into GBP at ECB rates (4 amounts in 2 currencies)"


def test_the_account_page_figures_and_the_opportunity_detail(head, group, risks):
    summary = account_pipeline(user=head, account=group)
    assert summary.risk_cost.total == expected_eur()
    assert summary.expected_risk_cost == {
        "EUR": Decimal("7000.00"),
        "USD": Decimal("2461.10"),
        "GBP": Decimal("240.00"),
    }
    detail = opportunity_detail(user=head, pk=risks["U2"].pk, explain=False)
    assert detail.risk_cost.by_currency == {"USD": Decimal("1111.10")}
    assert detail.risk_cost.total == to_euro(Decimal("1111.10"), "USD", "2023-11-02")
    assert detail.risk_cost.conversion == "converted into EUR at ECB rates (1 amount in 1 currency)"


def test_the_facade_gives_the_commercial_figures_the_same_total(group, risks):
    cost = expected_risk_cost_in([group.pk], currency="EUR")
    assert cost.by_currency == {"EUR": Decimal("7000.00"), "GBP": Decimal("240.00"), "USD": Decimal("2461.10")}
    assert cost.total == expected_eur()
    assert cost.conversion == "converted into EUR at ECB rates (4 amounts in 2 currencies)"
    assert expected_risk_cost_in([group.pk], currency="GBP").total == expected_in("GBP")


def test_a_risk_in_a_currency_without_a_rate_is_named(head, risks):
    Risk.objects.filter(title="R0").update(currency="XYZ")
    cost = risk_matrix(user=head).cost
    assert cost.total == expected_eur() - Decimal("7000.00")
    assert cost.conversion.endswith("1 amount in XYZ has no exchange rate and is not included")


def test_the_api_answers_the_consolidated_total_in_the_asked_currency(api, head, risks):
    body = api(head, "get", "/risks/matrix?currency=GBP").json()
    assert body["expected_cost"] == {"EUR": "7000.00", "USD": "2461.10", "GBP": "240.00"}
    assert (body["currency"], body["expected_cost_total"]) == ("GBP", str(expected_in("GBP")))
    assert body["conversion"] == "converted into GBP at ECB rates (4 amounts in 2 currencies)"
    assert api(head, "get", "/risks/matrix").json()["expected_cost_total"] == str(expected_eur())
    refused = api(head, "get", "/risks/matrix?currency=XYZ")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["currency"]


def test_the_pages_show_the_total_and_the_conversion(client, head, group, risks):
    client.force_login(head)
    page = client.get(reverse("account-opportunities", args=[group.pk])).content.decode()
    assert 'data-testid="risk-cost-total"' in page
    assert "converted into EUR at ECB rates (4 amounts in 2 currencies)" in page
    detail = client.get(reverse("opportunity-detail", args=[risks["U1"].pk])).content.decode()
    assert 'data-testid="expected-risk-cost-total"' in detail
    head.language = "de"
    head.save()
    german = client.get(reverse("opportunity-detail", args=[risks["U1"].pk])).content.decode()
    assert "Zusammen" in german
