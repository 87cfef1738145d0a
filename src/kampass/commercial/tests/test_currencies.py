"""Profitability over invoice lines in several currencies: every line converted at the ECB rate of its invoice
day into one currency (independent computation from the ECB's own table), nothing left out; one currency
needs no conversion."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from kampass.accounts.services import account_create
from kampass.commercial import selectors
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.common.exchange_rates import rates_load_text
from kampass.common.tests.factories import ecb_table

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def priced(currency: str, *args, **kwargs):
    row = line(*args, **kwargs)
    row["currency"] = currency
    return row


@pytest.fixture
def mixed(admin_user):
    group = account_create(actor=admin_user, name="Group plc", currency="EUR")
    site = account_create(actor=admin_user, name="Group Site", parent=group, currency="EUR")
    CustomerLink.objects.bulk_create(
        [CustomerLink(customer_id="G", account=group), CustomerLink(customer_id="S", account=site)]
    )
    rows = [
        priced("GBP", "1", "G", "10", "25.00", date=dt.date(2024, 3, 15), unit_cost="10.00"),
        priced("GBP", "2", "G", "-1", "25.00", "returns", date=dt.date(2024, 3, 18)),
        priced("USD", "3", "S", "4", "110.00", date=dt.date(2023, 11, 2), unit_cost="60.00"),
        priced("EUR", "4", "S", "3", "100.00", date=dt.date(2024, 1, 10)),
    ]
    insert_lines(rows)
    return group, site, rows


def in_euro(row, column: str) -> Decimal:
    value = row[column] if column != "cost" else row["quantity"] * row["unit_cost"]
    if row["currency"] == "EUR":
        return value
    day = row["invoice_date"].date().isoformat()
    rate = ecb_table(day)[row["currency"]]
    if column == "cost":  # the unit cost is converted, then multiplied by the quantity
        return row["quantity"] * (row["unit_cost"] / rate).quantize(Decimal("0.0001"))
    return (value / rate).quantize(Decimal("0.0001"))


def test_profitability_totals_in_the_reporting_currency_equal_the_independent_computation(head, mixed):
    group, site, rows = mixed
    report = selectors.profitability(user=head, account=group, subtree=True)
    assert report.currency == "EUR"
    gross = sum((in_euro(r, "amount") for r in rows if r["amount"] > 0), Decimal(0))
    pocket = sum((in_euro(r, "amount") for r in rows), Decimal(0))
    costs = sum((in_euro(r, "cost") for r in rows if r["unit_cost"] is not None), Decimal(0))
    assert report.totals.lines == 4  # nothing left out
    assert report.totals.gross_revenue.quantize(CENT) == gross.quantize(CENT)
    assert report.totals.pocket_revenue.quantize(CENT) == pocket.quantize(CENT)
    assert report.totals.contribution.quantize(CENT) == (pocket - costs).quantize(CENT)
    assert report.conversion == "converted into EUR at ECB rates (3 amounts in 2 currencies)"
    # the subtree roll-up: the group's own lines plus the site's, both in EUR
    by_id = {f.account_id: f for f in report.accounts}
    assert by_id[site.pk].pocket_revenue.quantize(CENT) == sum(
        (in_euro(r, "amount") for r in rows if r["customer_id"] == "S"), Decimal(0)
    ).quantize(CENT)


def test_account_profitability_and_another_view_currency(head, mixed):
    group, _site, _rows = mixed
    data = selectors.account_profitability(account=group, subtree=True, user=head, currency="GBP")
    assert data.currency == "GBP"
    assert data.figures.lines == 4
    assert "converted into GBP" in data.conversion
    assert "2 amounts in 2 currencies" in data.conversion
    assert sum(m.pocket_revenue for m in data.months) == data.figures.pocket_revenue


def test_a_loaded_rate_converts_the_lines_of_its_days(head, mixed):
    group, _site, _rows = mixed
    rates_load_text(text="date,currency,rate\n2024-03-15,GBP,0.80\n", name="t.csv", source="Treasury")
    report = selectors.profitability(user=head, account=group)  # the group's own GBP lines, 15 and 18 March
    assert report.totals.gross_revenue == Decimal("312.5000")  # 250 GBP / 0.80
    assert report.totals.pocket_revenue == Decimal("281.2500")  # the return of the 18th: same week, same rate
    assert "Treasury" in report.conversion


def test_lines_in_one_currency_are_not_converted(head, world):
    report = selectors.profitability(user=head)
    assert (report.currency, report.conversion) == ("GBP", "")


def test_the_profitability_page_names_the_conversion(client, head, mixed):
    group, _site, _rows = mixed
    client.force_login(head)
    body = client.get(reverse("account-profitability", args=[group.pk]), {"subtree": "1"}).content.decode()
    assert 'data-testid="profitability-currency"' in body
    assert "Figures in EUR: converted into EUR at ECB rates (3 amounts in 2 currencies)" in body


def test_an_account_whose_lines_are_in_another_currency_shows_them_converted(client, head, world):
    # the lines are in GBP, the account's master data says EUR
    client.force_login(head)
    body = client.get(reverse("account-profitability", args=[world.group.pk])).content.decode()
    assert "The account's currency (master data) is EUR, its invoice lines are in GBP" in body
    in_eur = selectors.profitability(user=head, account=world.group, currency="EUR")
    assert in_eur.conversion.startswith("converted into EUR at ECB rates")
    contribution = in_eur.totals.contribution.quantize(CENT, rounding=ROUND_HALF_UP)  # as the template rounds
    assert f"contribution {contribution} EUR" in body
    detail = client.get(reverse("account-detail", args=[world.group.pk])).content.decode()
    assert 'data-testid="account-currency">EUR<' in detail
