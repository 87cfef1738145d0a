"""Reads of the wallet part of the screening context: the newest wallet estimate of each account with its
share of wallet and potential, and the optimism of the KAMs' own potential estimates.

Optimism of a KAM (:func:`kampass.core.screening.wallet.optimism`, mean of ``estimate / reference - 1``):
* against the model: each estimate against the model's wallet of the account (with its subsidiaries)
  at the time of the estimate;
* against what later happened: each estimate whose twelve months after ``as_of`` lie before the newest
  invoice day, against the gross revenue of the account (with its subsidiaries) in those twelve months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common import fx
from kampass.core.screening import wallet as core
from kampass.screening.models import PotentialEstimate, WalletEstimate

WINDOW_DAYS = 365


@dataclass(frozen=True)
class AccountWallet:
    """The newest wallet estimate of one account, its own and with its subsidiaries (``subtree``)."""

    estimate: WalletEstimate
    own: core.Potential
    subtree: core.Potential


def _potential(e: WalletEstimate, *, subtree: bool) -> core.Potential:
    if subtree:
        return core.potential_of(
            revenue=e.subtree_revenue,
            wallet=e.subtree_wallet,
            wallet_low=e.subtree_wallet_low,
            wallet_high=e.subtree_wallet_high,
            currency=e.currency,
        )
    return core.potential_of(
        revenue=e.revenue, wallet=e.wallet, wallet_low=e.wallet_low, wallet_high=e.wallet_high, currency=e.currency
    )


def subtree_potential(e: WalletEstimate) -> core.Potential:
    """Share of wallet and potential of an estimate's account with all its subsidiaries."""
    return _potential(e, subtree=True)


def newest_estimates(account_ids: Iterable[int] | None = None) -> QuerySet[WalletEstimate]:
    """The newest estimate of each account (newest ``as_of``, then newest computation), by account."""
    qs = WalletEstimate.objects.select_related("account")
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    newest: dict[int, int] = {}
    for pk, account_id in qs.order_by("account_id", "-as_of", "-computed_at", "-pk").values_list("pk", "account_id"):
        newest.setdefault(account_id, pk)
    return qs.filter(pk__in=newest.values()).order_by("account__name", "account_id")


def account_wallets(account_ids: Iterable[int] | None = None) -> list[AccountWallet]:
    """Share of wallet and potential (own and with subsidiaries) of the newest estimate of each account."""
    return [
        AccountWallet(e, _potential(e, subtree=False), _potential(e, subtree=True))
        for e in newest_estimates(account_ids)
    ]


def account_wallet(account_id: int) -> AccountWallet | None:
    found = account_wallets([account_id])
    return found[0] if found else None


def potential_estimates(*, user: Any, account_id: int | None = None) -> QuerySet[PotentialEstimate]:
    """The potential estimates ``user`` may read (everything for managers and readers, else their own)."""
    qs = PotentialEstimate.objects.select_related("account", "estimated_by")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if not user.has_perm("screening.view_all_potentialestimates"):
        qs = qs.filter(estimated_by_id=user.pk) if user.has_perm("screening.view_potentialestimate") else qs.none()
    return qs.order_by("-as_of", "-created_at")


@dataclass(frozen=True)
class KamOptimism:
    """How optimistic one person's potential estimates were (``None``: nothing to compare yet)."""

    user_id: int
    name: str
    estimates: int
    against_model: float | None
    compared_with_model: int
    against_outcome: float | None
    compared_with_outcome: int


def _newest_invoice_day() -> dt.date | None:
    """The day the invoice facts reach up to (of any customer): outcomes end there."""
    return commercial_facade.newest_invoice_day()


def outcome_of(estimate: PotentialEstimate, newest_day: dt.date | None) -> Decimal | None:
    """Gross revenue of the account and its subsidiaries in the twelve months after the estimate's day,
    in its currency; ``None`` while those months are not all invoiced yet."""
    if newest_day is None:
        return None
    start = estimate.as_of + dt.timedelta(days=1)
    end = estimate.as_of + dt.timedelta(days=WINDOW_DAYS)
    if end > newest_day:
        return None
    ids = accounts_facade.subtree_account_ids(estimate.account_id)
    pnl = commercial_facade.account_pnl_between(ids, start=start, end=end, currency=estimate.currency)
    return sum((p.gross_revenue for p in pnl.values()), Decimal("0.00"))


def _model_wallet_in(estimate: PotentialEstimate) -> Decimal | None:
    if estimate.model_wallet is None:
        return None
    if estimate.model_currency == estimate.currency:
        return estimate.model_wallet
    return fx.convert(estimate.model_wallet, estimate.model_currency, estimate.currency, estimate.as_of)


def kam_optimism(*, user: Any) -> list[KamOptimism]:
    """The optimism of each person's potential estimates that ``user`` may read, by name."""
    by: dict[int, list[PotentialEstimate]] = {}
    for e in potential_estimates(user=user):
        by.setdefault(e.estimated_by_id, []).append(e)
    newest_day = _newest_invoice_day() if by else None
    out = []
    for user_id, estimates in by.items():
        vs_model = [(e.wallet, m) for e in estimates if (m := _model_wallet_in(e)) is not None]
        vs_outcome = [(e.wallet, o) for e in estimates if (o := outcome_of(e, newest_day)) is not None]
        person = estimates[0].estimated_by
        out.append(
            KamOptimism(
                user_id,
                person.get_full_name() or person.username,
                len(estimates),
                core.optimism(vs_model),
                sum(1 for _e, r in vs_model if r > 0),
                core.optimism(vs_outcome),
                sum(1 for _e, r in vs_outcome if r > 0),
            )
        )
    return sorted(out, key=lambda k: (k.name.casefold(), k.user_id))


def potential_optimism_overall() -> float | None:
    """Mean of estimate / model wallet - 1 over all potential estimates with a model wallet (all persons)."""
    pairs = [(e.wallet, m) for e in PotentialEstimate.objects.all() if (m := _model_wallet_in(e)) is not None]
    return core.optimism(pairs)


def estimate_notes_json(e: WalletEstimate) -> dict[str, Any]:
    """The notes on an estimate besides its figures (API and CLI, additional keys): the length of the
    period its revenue was taken from and whether it was annualised to twelve months."""
    return {"window_days": e.window_days, "revenue_annualised": e.window_days < core.YEAR_DAYS}


def potential_json(p: core.Potential, *, floored: bool | None = None) -> dict[str, Any]:
    """One account's (or subtree's) figures as JSON values, amounts as decimal strings (API and CLI);
    ``floored`` (when given): the wallet was raised to the revenue (the peers' quantile lay below it)."""
    return {
        "currency": p.currency,
        "revenue": str(p.revenue),
        "wallet": str(p.wallet),
        "wallet_low": str(p.wallet_low),
        "wallet_high": str(p.wallet_high),
        "share_of_wallet": p.share,
        "share_of_wallet_low": p.share_low,
        "share_of_wallet_high": p.share_high,
        "potential": str(p.potential),
        "potential_low": str(p.potential_low),
        "potential_high": str(p.potential_high),
        **({} if floored is None else {"floored": floored}),
    }
