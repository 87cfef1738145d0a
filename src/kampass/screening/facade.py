"""What other contexts may ask of the screening context (the programme reads the portfolio, potential
and segment signals; the planning context shows share of wallet and potential in the plan's situation).
Returns frozen dataclasses and plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def _segment_dispersion() -> float | None:
    from kampass.screening.selectors_segments import segment_dispersion

    return segment_dispersion()


def _portfolio_dispersion() -> float | None:
    from kampass.screening.selectors_selection import portfolio_dispersion

    return portfolio_dispersion()


#: the parts of ``account_heterogeneity`` (name -> function giving a dispersion 0..1 or ``None``): over the
#: current segments, and over the portfolio's quadrants of the newest closed selection round
_HETEROGENEITY_PARTS: dict[str, Callable[[], float | None]] = {
    "segments": _segment_dispersion,
    "portfolio": _portfolio_dispersion,
}


def account_heterogeneity() -> float | None:
    """How different the key accounts are: the mean of the parts in :data:`_HETEROGENEITY_PARTS` that are
    known, each a Gini-Simpson dispersion (the probability that two key accounts drawn at random fall into
    different segments, or quadrants): 0 = all alike .. towards 1 = all different; ``None`` when no part is
    known (no segment run and no closed selection round yet)."""
    from kampass.core.screening.segments import combined_heterogeneity

    return combined_heterogeneity({name: part() for name, part in _HETEROGENEITY_PARTS.items()})


def _segment_signals() -> dict[str, float | None]:
    """The screening facts for the programme's recommender (read by :mod:`kampass.programme.facade`).

    * ``account_heterogeneity`` (score 0..1): :func:`account_heterogeneity` (dispersion of the key accounts
      over the current segments, and over the portfolio once it exists); ``None`` without a segment run;
    * ``key_account_segments`` (count): segments of the current segment run; ``None`` without a run;
    * ``segment_separation`` (score -1..1): the mean silhouette of the current run (how clearly the segments
      are apart; above about 0.25 they are distinct); ``None`` without a run or with one segment;
    * ``key_accounts_segmented_share`` (share 0..1): today's key accounts that are in a segment of the
      current run (0 without a run; new key accounts lower it); ``None`` without key accounts.
    """
    from kampass.screening.selectors_segments import current_run, segmented_share

    run = current_run()
    return {
        "account_heterogeneity": account_heterogeneity(),
        "key_account_segments": float(run.k) if run else None,
        "segment_separation": run.silhouette if run else None,
        "key_accounts_segmented_share": segmented_share(run),
    }


@dataclass(frozen=True)
class AccountSegment:
    """The segment of an account in the current segment run: its number, size, profile in English and
    German, and the run's date."""

    account_id: int
    run_id: int
    number: int
    size: int
    description_en: str
    description_de: str
    computed_at: Any


def account_segment(account_id: int) -> AccountSegment | None:
    """The account's segment in the current segment run; ``None`` when it is in none."""
    from kampass.screening.selectors_segments import account_segment as find

    s = find(account_id)
    if s is None:
        return None
    return AccountSegment(account_id, s.run_id, s.number, s.size, s.description_en, s.description_de, s.run.computed_at)


@dataclass(frozen=True)
class WalletFigures:
    """The newest realistic wallet of an account with all its subsidiaries (on or before a day), in
    ``currency``: revenue of the twelve months to ``as_of``, the wallet (the ``q`` quantile of comparable
    accounts' yearly revenue) with its band, share of wallet (``None`` without a wallet) and potential;
    ``floored``: a wallet of the subtree was raised to its revenue; ``window_days``: the revenue's period
    (below 365: annualised)."""

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
    floored: bool = False
    window_days: int = 365


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
            e.subtree_floored, e.window_days,
        )  # fmt: skip
    return out


def share_of_wallet(account_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, float | None]:
    """``{account_id: share of wallet}`` (revenue / wallet, with subsidiaries) of the accounts that have a
    wallet estimate on or before ``as_of``; ``None`` where the wallet is zero."""
    return {a: f.share for a, f in potential(account_ids, as_of=as_of).items()}


def _wallet_signals() -> dict[str, float | None]:
    """The wallet part's facts for the programme's recommender (Facts & Strategy: "potentials are
    chronically overestimated"):

    * ``potential_optimism`` (relative): mean of estimate / model wallet - 1 over all KAMs' own potential
      estimates that have a model wallet to compare with; ``None`` without such estimates.
    """
    from kampass.screening.selectors_wallet import potential_optimism_overall

    return {"potential_optimism": potential_optimism_overall()}


def programme_signals() -> dict[str, float | None]:
    """The screening facts for the programme's recommender (read by :mod:`kampass.programme.facade`): the
    segment part's (see :func:`_segment_signals`) and the wallet part's (see :func:`_wallet_signals`)."""
    return {**_segment_signals(), **_wallet_signals()}


def wallet_shares(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, Any]:
    """The share-of-wallet provider registered in ``common.account_facts`` (the planning context's KPI)."""
    from kampass.common.account_facts import WalletShare

    return {a: WalletShare(f.as_of, f.q, f.share) for a, f in potential(account_ids, as_of=as_of).items()}


def wallet_figures(account_id: int, *, as_of: dt.date) -> Any:
    """The wallet-figures provider registered in ``common.account_facts`` (the plan's situation section):
    the newest estimate of the account with its subsidiaries on or before ``as_of``, ``None`` without one."""
    from kampass.common.account_facts import WalletFigures as Facts

    f = potential([account_id], as_of=as_of).get(account_id)
    if f is None:
        return None
    return Facts(
        f.as_of, f.q, f.currency, f.revenue, f.wallet, f.wallet_low, f.wallet_high, f.share, f.share_low,
        f.share_high, f.potential, f.potential_low, f.potential_high, f.floored, f.window_days,
    )  # fmt: skip
