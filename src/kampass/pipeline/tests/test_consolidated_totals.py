"""Board, forecast and per-account totals over deals in EUR, USD and GBP: each amount converted at the rate of
its expected close date (the last published rate for a date in the future), checked against the ECB's table
read independently; nothing is left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.common.exchange_rates import rates_load_text
from kampass.common.tests.factories import last_published_day, to_euro
from kampass.pipeline.models import Opportunity, Stage
from kampass.pipeline.selectors import account_pipeline, forecast, pipeline_board
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

FUTURE = dt.date(2099, 6, 30)
# (name, amount, currency, expected close date, ECB day whose rate applies)
DEALS = [
    ("E1", "1000.00", "EUR", dt.date(2024, 3, 15), "2024-03-15"),
    ("U1", "2500.00", "USD", dt.date(2024, 3, 15), "2024-03-15"),
    ("U2", "1234.56", "USD", dt.date(2023, 11, 2), "2023-11-02"),
    ("G1", "800.00", "GBP", dt.date(2024, 1, 10), "2024-01-10"),
    ("G2", "4000.00", "GBP", FUTURE, None),  # after the last published day: today's (the last) rate
]


@pytest.fixture
def mixed(group):
    for name, amount, currency, close, _day in DEALS:
        make_opportunity(account=group, name=name, amount=Decimal(amount), currency=currency,
                         expected_close_date=close, stage_name="Qualification")  # fmt: skip


def expected_eur() -> Decimal:
    return sum(
        (to_euro(Decimal(amount), currency, day or last_published_day()) for _n, amount, currency, _c, day in DEALS),
        Decimal(0),
    )


def test_board_column_total_equals_the_independent_computation(head, mixed):
    board = pipeline_board(user=head)
    column = next(c for c in board.columns if c.count)
    assert column.count == len(DEALS)
    assert board.currency == "EUR"
    assert column.total == expected_eur()
    # the per-currency amounts are kept beside the total
    assert column.amounts == {"EUR": Decimal("1000.00"), "USD": Decimal("3734.56"), "GBP": Decimal("4800.00")}
    assert column.conversion == "converted into EUR at ECB rates (4 amounts in 2 currencies)"
    assert board.conversion == column.conversion


def test_forecast_pipeline_total_equals_the_independent_computation(head, mixed):
    report = forecast(user=head, period="quarter", simulations=200)
    assert report.deals == len(DEALS)
    assert sum((r.pipeline for r in report.rows), Decimal(0)) == expected_eur()
    assert report.converted == 4
    assert report.rate_sources == ("ECB",)
    assert report.as_json()["conversion"] == "converted into EUR at ECB rates (4 amounts in 2 currencies)"
    # the owners' expected revenue (no owner's probability: the stage's) is over the converted amounts too
    probability = Stage.objects.filter(name="Qualification").values_list("probability", flat=True).first()
    assert probability is not None
    owner_total = sum((r.owner_expected for r in report.rows), Decimal(0))
    assert float(owner_total) == pytest.approx(float(expected_eur()) * probability / 100, abs=0.05)


def test_the_users_view_currency_is_the_default(head, mixed):
    head.view_currency = "GBP"
    head.save()
    board = pipeline_board(user=head)
    column = next(c for c in board.columns if c.count)
    assert board.currency == "GBP"
    assert "converted into GBP" in column.conversion
    assert "3 amounts in 2 currencies" in column.conversion


def test_a_loaded_rate_takes_over_and_is_named(head, mixed):
    rates_load_text(text="date,currency,rate\n2024-03-15,USD,1.25\n", name="t.csv", source="Treasury")
    column = next(c for c in pipeline_board(user=head).columns if c.count)
    usd_at_treasury = Decimal("2000.00")  # 2500 USD / 1.25
    assert column.total == expected_eur() - to_euro(Decimal("2500.00"), "USD", "2024-03-15") + usd_at_treasury
    assert column.conversion == "converted into EUR at ECB, Treasury rates (4 amounts in 2 currencies)"


def test_account_pipeline_total_over_a_subtree(head, group, site, mixed):
    make_opportunity(account=site, name="S1", amount=Decimal("500.00"), currency="USD",
                     expected_close_date=dt.date(2024, 3, 15))  # fmt: skip
    summary = account_pipeline(user=head, account=group, subtree=True)
    assert summary.total == expected_eur() + to_euro(Decimal("500.00"), "USD", "2024-03-15")
    assert summary.conversion == "converted into EUR at ECB rates (5 amounts in 2 currencies)"
    own = account_pipeline(user=head, account=group)
    assert own.total == expected_eur()


def test_an_amount_without_any_rate_is_named_not_silently_dropped(head, group, mixed):
    Opportunity.objects.filter(name="E1").update(currency="XYZ")  # e.g. an import's code no source knows
    column = next(c for c in pipeline_board(user=head).columns if c.count)
    assert column.total == expected_eur() - Decimal("1000.00")
    assert column.conversion == (
        "converted into EUR at ECB rates (4 amounts in 2 currencies); "
        "1 amount in XYZ has no exchange rate and is not included"
    )
