"""What other contexts may ask of the screening context (the programme reads the portfolio, potential
and segment signals; the planning context shows share of wallet and potential in the plan's situation).
Returns frozen dataclasses and plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class WalletFigures:
    """The newest realistic wallet of an account with all its subsidiaries (on or before a day), in
    ``currency``: revenue of the twelve months to ``as_of``, the wallet (the ``q`` quantile of comparable
    accounts' yearly revenue) with its band, share of wallet (``None`` without a wallet) and potential."""

    account_id: int
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


def potential(account_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, WalletFigures]:
    """``{account_id: WalletFigures}`` from the newest wallet estimate of each account (with its
    subsidiaries) dated on or before ``as_of`` (default: any); accounts without one are left out."""
    from kampass.screening.models import WalletEstimate
    from kampass.screening.selectors_wallet import subtree_potential

    qs = WalletEstimate.objects.filter(account_id__in=list(account_ids))
    if as_of is not None:
        qs = qs.filter(as_of__lte=as_of)
    out: dict[int, WalletFigures] = {}
    for e in qs.order_by("account_id", "-as_of", "-computed_at", "-pk"):
        if e.account_id in out:
            continue
        p = subtree_potential(e)
        out[e.account_id] = WalletFigures(
            e.account_id, e.as_of, e.q, p.currency, p.revenue, p.wallet, p.wallet_low, p.wallet_high,
            p.share, p.share_low, p.share_high, p.potential, p.potential_low, p.potential_high,
        )  # fmt: skip
    return out


def share_of_wallet(account_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, float | None]:
    """``{account_id: share of wallet}`` (revenue / wallet, with subsidiaries) of the accounts that have a
    wallet estimate on or before ``as_of``; ``None`` where the wallet is zero."""
    return {a: f.share for a, f in potential(account_ids, as_of=as_of).items()}


def programme_signals() -> dict[str, float | None]:
    """The wallet part's facts for the programme's recommender (Facts & Strategy: "potentials are
    chronically overestimated"):

    * ``potential_optimism`` (relative): mean of estimate / model wallet - 1 over all KAMs' own potential
      estimates that have a model wallet to compare with; ``None`` without such estimates.
    """
    from kampass.screening.selectors_wallet import potential_optimism_overall

    return {"potential_optimism": potential_optimism_overall()}
