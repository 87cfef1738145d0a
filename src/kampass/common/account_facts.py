"""Dated facts about accounts that one context provides and another reads, without importing it.

The commercial context knows the invoice revenue of an account; the pipeline context's win model
reads what an account had bought before a day. The contexts may not import each other both ways
(the commercial context already asks the pipeline's facade for risk costs), so the commercial app
registers its provider here when Django starts (``CommercialConfig.ready``) and the pipeline asks
this module. Without a registered provider there are no revenue facts (an empty answer).

The screening context's wallet estimates reach the planning context the same way (planning may not
import screening, which reads the planning facade): :func:`wallet_shares` for the share-of-wallet KPI and
:func:`wallet_figures` for the plan's situation section, both registered in ``ScreeningConfig.ready``.

The other way round, the accounts context shows an account's open pipeline (the pipeline context's
opportunities) on the account page without importing the pipeline: the pipeline app registers
:func:`pipeline_total`'s provider when Django starts (``PipelineConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DailyRevenue = dict[int, list[tuple[dt.date, str, Decimal]]]
_providers: dict[str, Callable[[Iterable[int]], DailyRevenue]] = {}


def register_daily_revenue(provider: Callable[[Iterable[int]], DailyRevenue]) -> None:
    """Register the function giving gross revenue per account, day and currency (oldest day first)."""
    _providers["daily_revenue"] = provider


def daily_gross_revenue(account_ids: Iterable[int]) -> DailyRevenue:
    """``{account_id: [(day, currency, amount), ...]}`` from the registered provider, else ``{}``."""
    provider = _providers.get("daily_revenue")
    return provider(account_ids) if provider is not None else {}


@dataclass(frozen=True)
class PipelineTotal:
    """The open pipeline of one account's own opportunities (those the user may read), in one currency:
    each amount converted at the rate of its expected close date (today's for a later or no date);
    ``rates`` names the rate source of what was converted, and what could not be (empty: nothing was)."""

    total: Decimal
    currency: str
    deals: int
    rates: str


_pipeline_providers: dict[str, Callable[..., PipelineTotal | None]] = {}


def register_pipeline_total(provider: Callable[..., PipelineTotal | None]) -> None:
    """Register the function giving an account's open pipeline total (the pipeline app does, when ready)."""
    _pipeline_providers["pipeline_total"] = provider


def pipeline_total(*, user: Any, account_id: int, currency: str) -> PipelineTotal | None:
    """The open pipeline of the account ``account_id`` in ``currency`` as ``user`` may see it; ``None``
    without a registered provider or when the user may not read the account's opportunities."""
    provider = _pipeline_providers.get("pipeline_total")
    return provider(user=user, account_id=account_id, currency=currency) if provider is not None else None


@dataclass(frozen=True)
class WalletShare:
    """An account's share of wallet (revenue / realistic wallet, with its subsidiaries) from the newest
    wallet estimate dated ``as_of`` (the quantile ``q`` of comparable accounts' spend); ``share`` is
    ``None`` where the wallet is zero."""

    as_of: dt.date
    q: Decimal
    share: float | None


_wallet_providers: dict[str, Callable[..., dict[int, WalletShare]]] = {}


def register_wallet_shares(provider: Callable[..., dict[int, WalletShare]]) -> None:
    """Register the function ``(account_ids, *, as_of) -> {account_id: WalletShare}`` (the screening app
    does, ``ScreeningConfig.ready``; the planning context's share-of-wallet KPI reads it, as the screening
    context itself reads the planning facade)."""
    _wallet_providers["wallet_shares"] = provider


def wallet_shares(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, WalletShare]:
    """``{account_id: WalletShare}`` of the accounts with a wallet estimate on or before ``as_of``, from the
    registered provider; ``{}`` without one."""
    provider = _wallet_providers.get("wallet_shares")
    return provider(list(account_ids), as_of=as_of) if provider is not None else {}


@dataclass(frozen=True)
class WalletFigures:
    """The realistic wallet of one account with all its subsidiaries from the newest wallet estimate dated
    ``as_of`` (the quantile ``q`` of comparable accounts' yearly spend), in ``currency``: our revenue
    (annualised from the last ``window_days`` when the invoice history was short), the wallet and its
    band, share of wallet (``None`` with a zero wallet) and potential with their intervals; ``floored``:
    the wallet of at least one account of the subtree was raised to its revenue (its peers buy less)."""

    as_of: dt.date
    q: Decimal
    currency: str
    revenue: Decimal
    wallet: Decimal
    wallet_low: Decimal
    wallet_high: Decimal
    share: float | None
    share_low: float | None
    share_high: float | None
    potential: Decimal
    potential_low: Decimal
    potential_high: Decimal
    floored: bool
    window_days: int

    @property
    def annualised(self) -> bool:
        return self.window_days < 365


_wallet_figure_providers: dict[str, Callable[..., WalletFigures | None]] = {}


def register_wallet_figures(provider: Callable[..., WalletFigures | None]) -> None:
    """Register the function ``(account_id, *, as_of) -> WalletFigures | None`` (the screening app does,
    ``ScreeningConfig.ready``; the plan's situation section reads it)."""
    _wallet_figure_providers["wallet_figures"] = provider


def wallet_figures(account_id: int, *, as_of: dt.date) -> WalletFigures | None:
    """The wallet figures of the account with its subsidiaries from its newest wallet estimate on or before
    ``as_of``; ``None`` without an estimate or without a registered provider."""
    provider = _wallet_figure_providers.get("wallet_figures")
    return provider(account_id, as_of=as_of) if provider is not None else None
