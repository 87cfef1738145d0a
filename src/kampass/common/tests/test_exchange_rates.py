"""Rate files an administrator loads: preferred over the ECB's for their day (and a week after), validated
whole, reloadable; ``kampass rates load|list``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kampass.common import fx
from kampass.common.exchange_rates import RateFileInvalid, rates_load, rates_load_text
from kampass.common.models import ExchangeRate
from kampass.common.tests.ecb_table import ecb_table

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2024, 3, 15)


def test_a_loaded_rate_is_preferred_over_the_ecb_for_its_day_and_the_week_after():
    # given the treasury's USD rate for a Friday
    rates_load_text(text="date,currency,rate\n2024-03-15,USD,1.2500\n", name="t.csv", source="Treasury")
    # then that day and up to 7 days later use it, named by its source
    r = fx.rate("USD", "EUR", FRIDAY)
    assert (r.rate, r.source, r.on) == (Decimal(1) / Decimal("1.25"), "Treasury", FRIDAY)
    assert fx.convert(Decimal("1000"), "USD", "EUR", FRIDAY + dt.timedelta(days=7)) == Decimal("800.00")
    assert fx.rate("EUR", "USD", FRIDAY + dt.timedelta(days=3)).source == "Treasury"
    # before it, and more than a week after, the ECB's rate of the day
    before = fx.rate("EUR", "USD", dt.date(2024, 3, 14))
    assert (before.source, before.rate) == ("ECB", ecb_table("2024-03-14")["USD"])
    later = fx.rate("EUR", "USD", dt.date(2024, 3, 25))
    assert (later.source, later.rate) == ("ECB", ecb_table("2024-03-25")["USD"])
    # a cross rate with one loaded and one ECB leg names both sources
    cross = fx.rate("USD", "GBP", FRIDAY)
    assert cross.source == "Treasury + ECB"
    assert cross.rate == ecb_table("2024-03-15")["GBP"] / Decimal("1.25")


def test_a_rate_against_another_base_is_stored_per_euro():
    rates_load_text(text="date,currency,rate,base\n2024-03-15,CHF,0.90,USD\n", name="t.csv", source="Bank")
    stored = ExchangeRate.objects.get(currency="CHF")
    assert stored.per_euro == (Decimal("0.90") * ecb_table("2024-03-15")["USD"]).quantize(Decimal("1e-10"))
    assert (stored.base, stored.base_rate) == ("USD", Decimal("0.90"))


def test_loading_again_replaces_and_the_cache_follows():
    rates_load_text(text="date,currency,rate\n2024-03-15,USD,1.25\n", name="a.csv", source="A")
    assert fx.rate("EUR", "USD", FRIDAY).rate == Decimal("1.25")
    rates_load_text(text="date,currency,rate\n2024-03-15,USD,1.20\n", name="b.csv", source="B")
    assert ExchangeRate.objects.count() == 1
    assert (fx.rate("EUR", "USD", FRIDAY).rate, fx.rate("EUR", "USD", FRIDAY).source) == (Decimal("1.2"), "B")


def test_a_bad_file_names_every_bad_cell_and_loads_nothing():
    text = (
        "date,currency,rate\n"
        "2024-03-15,USD,1.25\n"
        "15.03.2024,USD,1.25\n"
        "2024-03-15,XYZ,1.25\n"
        "2024-03-15,GBP,0\n"
        "2024-03-15,JPY,-3\n"
    )
    with pytest.raises(RateFileInvalid) as caught:
        rates_load_text(text=text, name="bad.csv", source="X")
    found = [(e.row, e.column, e.value) for e in caught.value.errors]
    assert found == [(3, "date", "15.03.2024"), (4, "currency", "XYZ"), (5, "rate", "0"), (6, "rate", "-3")]
    assert "unknown currency" in str(caught.value)
    assert "not a positive number" in str(caught.value)
    assert "not a date" in str(caught.value)
    assert not ExchangeRate.objects.exists()


def test_the_messages_are_german_for_a_german_user():
    with translation.override("de"), pytest.raises(RateFileInvalid) as caught:
        rates_load_text(text="date,currency,rate\nx,XYZ,0\n", name="bad.csv", source="X")
    message = str(caught.value)
    assert "unbekannte Währung" in message
    assert "kein Datum" in message
    assert "keine positive Zahl" in message


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(RateFileInvalid, match="rate"):
        rates_load_text(text="date,currency\n2024-03-15,USD\n", name="bad.csv", source="X")


def test_the_command_loads_and_lists(tmp_path, capsys):
    path = tmp_path / "treasury-2024-03.csv"
    path.write_text("date,currency,rate\n2024-03-15,USD,1.25\n2024-03-15,GBP,0.85\n2024-03-22,USD,1.26\n")
    call_command("rates", "load", str(path))
    out = capsys.readouterr().out
    assert "3 rates loaded from treasury-2024-03.csv: GBP, USD, 2024-03-15 to 2024-03-22" in out
    call_command("rates", "list")
    out = capsys.readouterr().out
    assert "treasury-2024-03.csv" in out
    assert "USD" in out
    assert "GBP" in out
    assert rates_load(path=path, source="T2").rates == 3  # again, under another name: replaced, not added
    assert ExchangeRate.objects.count() == 3


def test_the_command_refuses_a_bad_file_with_the_reasons(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,currency,rate\n2024-02-30,USD,1.25\n")
    with pytest.raises(CommandError, match=r"row 2, column date, value '2024-02-30'"):
        call_command("rates", "load", str(path))
