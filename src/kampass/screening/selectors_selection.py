"""Reads of the selection portfolio: the catalogue in force, the facts behind the computed criteria,
the newest ratings, every account's scores (with contributions and rank stability) and the rounds.

Which accounts are scored: the top of each account tree (an account without a parent) and every
account with a KAM status other than prospect; each with its figures over its whole subtree.

The facts (all as of a day ``as_of``, default today):

* ``revenue_12m``, ``contribution_margin_12m``: gross revenue and contribution / gross revenue of the
  365 days up to the newest invoice day on or before ``as_of`` (the latest year with invoice facts),
  in the reporting currency (commercial facade);
* ``growth_12m``: that revenue against the 365 days before it, as relative change (None without
  revenue in the earlier year);
* ``win_rate_24m``: won / (won + lost) of the opportunities closed in the 730 days up to ``as_of``
  (pipeline facade);
* ``decision_maker_coverage``: decision makers covered at the aimed level / decision makers (accounts facade);
* ``relationship_rank``: the newest relationship stage's rank 1..5 (planning facade);
* ``share_of_wallet``: revenue / realistic wallet of the subtree from the newest wallet estimate on or
  before ``as_of`` (this context's wallet part; None without an estimate or with a zero wallet).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.core.screening import portfolio as core
from kampass.pipeline import facade as pipeline_facade
from kampass.planning import facade as planning_facade
from kampass.screening.facade import potential as wallet_potential
from kampass.screening.models.selection import (
    Catalogue,
    Criterion,
    CriterionKind,
    Decision,
    Rating,
    RoundStatus,
    SelectionRound,
)


def reporting_currency() -> str:
    """The currency the figures are summed in (``KAMPASS_REPORTING_CURRENCY``)."""
    from django.conf import settings

    return str(getattr(settings, "KAMPASS_REPORTING_CURRENCY", "") or "EUR")


def current_catalogue() -> Catalogue | None:
    """The catalogue version in force (the newest), or None before the first is published."""
    return Catalogue.objects.order_by("-number").first()


def catalogue_criteria(catalogue: Catalogue) -> list[Criterion]:
    return list(catalogue.criteria.order_by("position", "pk"))


def core_criteria(catalogue: Catalogue) -> list[core.Criterion]:
    """The catalogue's criteria as the pure scoring sees them (weights as floats)."""
    return [core.Criterion(c.key, c.dimension, float(c.weight)) for c in catalogue_criteria(catalogue)]


def scored_account_ids() -> list[int]:
    """The accounts the portfolio scores: the roots of the account trees and every account with a
    KAM status other than prospect."""
    rows = accounts_facade.account_tree_rows()
    return sorted(r.id for r in rows if r.parent_id is None or r.kam_status != "prospect")


def newest_ratings(account_ids: Iterable[int]) -> dict[int, dict[str, Rating]]:
    """``{account_id: {criterion key: the newest Rating}}``."""
    out: dict[int, dict[str, Rating]] = defaultdict(dict)
    for r in (
        Rating.objects.filter(account_id__in=list(account_ids))
        .select_related("rated_by")
        .order_by("account_id", "criterion_key", "rated_at", "pk")
    ):
        out[r.account_id][r.criterion_key] = r
    return out


def rating_history(account_id: int) -> QuerySet[Rating]:
    return Rating.objects.filter(account_id=account_id).select_related("rated_by").order_by("-rated_at", "-pk")


def _sum_over(subtrees: dict[int, list[int]], per_account: dict[int, Any], attr: str) -> dict[int, Decimal]:
    return {
        root: sum((getattr(per_account[a], attr) for a in ids if a in per_account), Decimal(0))
        for root, ids in subtrees.items()
    }


def newest_invoice_day(account_ids: Iterable[int], *, as_of: dt.date) -> dt.date | None:
    """The newest invoice day on or before ``as_of`` of these accounts' lines (None without lines): one
    aggregate in the analytics store, not every account's daily revenue read into Python."""
    return commercial_facade.newest_sale_day(account_ids, as_of=as_of)


def account_facts(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, dict[str, float | None]]:
    """``{account_id: {fact: value}}`` of the facts in the module docstring, over each account's subtree."""
    roots = sorted(set(account_ids))
    subtrees = accounts_facade.subtree_account_ids_of(roots)
    every = sorted({a for ids in subtrees.values() for a in ids})
    facts: dict[int, dict[str, float | None]] = {a: dict.fromkeys(_FACTS) for a in roots}
    end = newest_invoice_day(every, as_of=as_of)
    if end is not None:
        year = dt.timedelta(days=364)
        now = commercial_facade.account_pnl_between(every, start=end - year, end=end, currency=reporting_currency())
        before_end = end - year - dt.timedelta(days=1)
        before = commercial_facade.account_pnl_between(
            every, start=before_end - year, end=before_end, currency=reporting_currency()
        )
        gross, contribution = _sum_over(subtrees, now, "gross_revenue"), _sum_over(subtrees, now, "contribution")
        gross_before = _sum_over(subtrees, before, "gross_revenue")
        for a in roots:
            if gross[a] > 0:
                facts[a]["revenue_12m"] = float(gross[a])
                facts[a]["contribution_margin_12m"] = float(contribution[a] / gross[a])
            if gross_before[a] > 0:
                facts[a]["growth_12m"] = float(gross[a] / gross_before[a] - 1)
    closed = pipeline_facade.closed_counts_between(every, start=as_of - dt.timedelta(days=730), end=as_of)
    for a, ids in subtrees.items():
        won = sum(closed.get(i, (0, 0))[0] for i in ids)
        lost = sum(closed.get(i, (0, 0))[1] for i in ids)
        if won + lost:
            facts[a]["win_rate_24m"] = won / (won + lost)
    for a, cov in accounts_facade.decision_maker_coverage(roots).items():
        facts[a]["decision_maker_coverage"] = cov.share
    for a, rank in planning_facade.relationship_ranks(roots, as_of=as_of).items():
        facts[a]["relationship_rank"] = float(rank) if rank is not None else None
    for a, wallet in wallet_potential(roots, as_of=as_of).items():
        facts[a]["share_of_wallet"] = wallet.share
    return facts


_FACTS = tuple(sorted({s.fact for s in core.SCORING.values()}))


def criterion_values(
    criteria: list[Criterion], facts: dict[int, dict[str, float | None]], ratings: dict[int, dict[str, Rating]]
) -> dict[int, dict[str, float | None]]:
    """``{account_id: {criterion key: 0..100 or None}}``: computed criteria through their scoring
    function, rated criteria from the newest rating."""
    out: dict[int, dict[str, float | None]] = {}
    for account_id, fs in facts.items():
        values: dict[str, float | None] = {}
        for c in criteria:
            if c.kind == CriterionKind.COMPUTED and c.key in core.SCORING:
                scoring = core.SCORING[c.key]
                fact = fs.get(scoring.fact)
                values[c.key] = scoring.function(fact) if fact is not None else None
            else:
                rating = ratings.get(account_id, {}).get(c.key)
                values[c.key] = core.rating_value(rating.value) if rating else None
        out[account_id] = values
    return out


@dataclass(frozen=True)
class PortfolioRow:
    """One account of the portfolio: reference, revenue and potential (bubble size; the potential of the
    subtree from the newest wallet estimate, ``None`` without one), scores, stability, ratings."""

    account: Any
    revenue: float | None
    score: core.AccountScore
    stability: core.RankStability | None
    ratings: dict[str, Rating]
    potential: float | None = None


@dataclass(frozen=True)
class Portfolio:
    catalogue: Catalogue | None
    criteria: list[Criterion]
    as_of: dt.date
    rows: list[PortfolioRow]


def portfolio(*, as_of: dt.date | None = None, catalogue: Catalogue | None = None) -> Portfolio:
    """Every scored account's scores under the catalogue (default: the one in force) as of ``as_of``."""
    day = as_of or timezone.localdate()
    cat = catalogue or current_catalogue()
    if cat is None:
        return Portfolio(None, [], day, [])
    criteria = catalogue_criteria(cat)
    ids = scored_account_ids()
    facts = account_facts(ids, as_of=day)
    ratings = newest_ratings(ids)
    values = criterion_values(criteria, facts, ratings)
    cc = core_criteria(cat)
    threshold = float(cat.threshold)
    scores = core.score_portfolio(cc, values, threshold=threshold)
    stability = core.rank_stability(cc, values, threshold=threshold)
    refs = {a.id: a for a in accounts_facade.all_accounts()}
    potentials = _potentials_in(reporting_currency(), wallet_potential(ids, as_of=day).values())
    rows = [
        PortfolioRow(
            refs[s.account_id],
            facts[s.account_id].get("revenue_12m"),
            s,
            stability.get(s.account_id),
            ratings.get(s.account_id, {}),
            potentials.get(s.account_id),
        )
        for s in scores
        if s.account_id in refs
    ]
    rows.sort(key=lambda r: (r.stability.rank if r.stability else 10**9, r.account.name))
    return Portfolio(cat, criteria, day, rows)


def _potentials_in(currency: str, figures: Iterable[Any]) -> dict[int, float]:
    """``{account_id: potential}`` of wallet figures converted into ``currency`` at the rate of each
    estimate's day (a wallet is computed in the currency of its invoices, the portfolio is shown in the
    reporting currency); an estimate whose currency no rate source knows is left out, not mixed in."""
    from kampass.common import fx

    out: dict[int, float] = {}
    for w in figures:
        if w.potential is None:
            continue
        try:
            out[w.account_id] = float(fx.convert(w.potential, w.currency, currency, w.as_of))
        except fx.UnknownCurrency:
            continue
    return out


def round_list() -> QuerySet[SelectionRound]:
    return SelectionRound.objects.select_related("catalogue", "opened_by").order_by("-opened_at", "-pk")


def round_decisions(selection_round: SelectionRound) -> QuerySet[Decision]:
    return selection_round.decisions.select_related("account", "decided_by").order_by("account__name", "pk")


def account_score(account_id: int, *, as_of: dt.date | None = None) -> core.AccountScore | None:
    """One account's scores under the catalogue in force (None without a catalogue)."""
    cat = current_catalogue()
    if cat is None:
        return None
    day = as_of or timezone.localdate()
    criteria = catalogue_criteria(cat)
    facts = account_facts([account_id], as_of=day)
    values = criterion_values(criteria, facts, newest_ratings([account_id]))
    return core.score_account(account_id, core_criteria(cat), values[account_id], threshold=float(cat.threshold))


def portfolio_dispersion() -> float | None:
    """Dispersion of today's key accounts over the portfolio's quadrants as decided in the newest closed
    selection round (the quadrant stored with each decision; accounts without a quadrant left out), as
    :func:`kampass.core.screening.segments.dispersion`; ``None`` without a closed round or below two such
    accounts. Stored figures only: nothing is scored for it."""
    from kampass.core.screening.segments import dispersion

    newest = SelectionRound.objects.filter(status=RoundStatus.CLOSED).order_by("-closed_at", "-pk").first()
    if newest is None:
        return None
    keys = accounts_facade.key_account_ids()
    quadrants = (
        Decision.objects.filter(round=newest, account_id__in=keys)
        .exclude(quadrant="")
        .values_list("quadrant", flat=True)
    )
    return dispersion(list(quadrants))
