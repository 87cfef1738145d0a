"""Numbers, money, shares and dates as the export's language writes them (call with it active)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format, number_format

from kampass.common.charts import CURRENCY_SYMBOLS


def money(amount: Decimal, currency: str) -> str:
    """``€1,234,567`` in English, ``1.234.567 €`` in German (whole units).

    >>> from django.utils import translation
    >>> with translation.override("de"):
    ...     money(Decimal("1234567.4"), "EUR")
    '1.234.567\\xa0€'
    """
    from django.utils.translation import get_language

    text = number_format(amount.quantize(Decimal(1)), 0, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    if (get_language() or "en").startswith("de"):
        return f"{text}\u00a0{symbol}"
    return f"{symbol}{text}" if len(symbol) == 1 else f"{symbol}\u00a0{text}"


def share(value: float | None) -> str:
    """A share 0..1 as a whole percentage (``40%``, German ``40 %``), ``–`` when unknown.

    >>> share(0.4), share(None)
    ('40%', '–')
    """
    from django.utils.translation import get_language

    if value is None:
        return "–"
    text = number_format(round(value * 100), 0, use_l10n=True)
    return f"{text}\u00a0%" if (get_language() or "en").startswith("de") else f"{text}%"


def day(value: dt.date | None) -> str:
    """A date in the language's short format (``–`` when none)."""
    return date_format(value, "SHORT_DATE_FORMAT") if value else "–"
