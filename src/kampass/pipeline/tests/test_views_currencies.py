"""Pages with consolidated totals: the board, the forecast and the account's opportunities show the total in
the view currency and say how it was converted, in English and German."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from kampass.pipeline.tests.factories import make_opportunity

PAST = dt.date(2024, 3, 15)


def deals(group):
    make_opportunity(account=group, name="Euro deal", amount=Decimal("1000"), expected_close_date=PAST)
    make_opportunity(account=group, name="Dollar deal", amount=Decimal("1000"), currency="USD",
                     expected_close_date=PAST)  # fmt: skip


def test_the_board_shows_the_converted_column_total_and_how(client, head, group):
    deals(group)
    client.force_login(head)
    body = client.get(reverse("pipeline-board")).content.decode()
    assert 'data-testid="board-conversion"' in body
    assert "Column totals in EUR: converted into EUR at ECB rates (1 amount in 1 currency)." in body
    assert 'data-testid="stage-total"' in body
    assert "1,000 USD" in body  # the amounts in their own currencies stay beside the total


def test_the_board_in_german_and_in_the_users_currency(client, head, group):
    deals(group)
    head.language, head.view_currency = "de", "USD"
    head.save()
    client.force_login(head)
    body = client.get(reverse("pipeline-board")).content.decode()
    assert "Spaltensummen in USD: umgerechnet in USD zu Kursen von ECB (1 Betrag in 1 Währung)." in body


def test_the_forecast_names_the_conversion_instead_of_leaving_deals_out(client, head, group):
    deals(group)
    client.force_login(head)
    response = client.get(reverse("forecast"))
    body = response.content.decode()
    assert response.context["report"].deals == 2
    assert "in other currencies" not in body
    assert 'data-testid="forecast-conversion"' in body
    assert "converted into EUR at ECB rates (1 amount in 1 currency)" in body
    chf = client.get(reverse("forecast"), {"currency": "CHF"}).context["report"]
    assert (chf.currency, chf.converted) == ("CHF", 2)
    assert client.get(reverse("forecast"), {"currency": "XYZ"}).context["report"].currency == "EUR"


def test_the_accounts_opportunities_name_the_other_currency(client, head, group):
    deals(group)
    client.force_login(head)
    body = client.get(reverse("account-opportunities", args=[group.pk])).content.decode()
    assert 'data-testid="open-total"' in body
    assert 'data-testid="account-currency-note"' in body
    assert "open opportunities are also in USD" in body
