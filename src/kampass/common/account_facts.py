"""Dated facts about accounts that one context provides and another reads, without importing it.

The commercial context knows the invoice revenue of an account; the pipeline context's win model
reads what an account had bought before a day. The contexts may not import each other both ways
(the commercial context already asks the pipeline's facade for risk costs), so the commercial app
registers its provider here when Django starts (``CommercialConfig.ready``) and the pipeline asks
this module. Without a registered provider there are no revenue facts (an empty answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

DailyRevenue = dict[int, list[tuple[dt.date, str, Decimal]]]
_providers: dict[str, Callable[[Iterable[int]], DailyRevenue]] = {}


def register_daily_revenue(provider: Callable[[Iterable[int]], DailyRevenue]) -> None:
    """Register the function giving gross revenue per account, day and currency (oldest day first)."""
    _providers["daily_revenue"] = provider


def daily_gross_revenue(account_ids: Iterable[int]) -> DailyRevenue:
    """``{account_id: [(day, currency, amount), ...]}`` from the registered provider, else ``{}``."""
    provider = _providers.get("daily_revenue")
    return provider(account_ids) if provider is not None else {}
