"""Writes of the segments of key accounts: compute a segment run from kampass's facts and store it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.core.screening import segments as core
from kampass.screening.models import Segment, SegmentMembership, SegmentRun

WINDOW_DAYS = 365
"""Revenue and product-group mix are those of the last year up to ``as_of``; growth compares it with the year before."""


def product_group_key(stock_code: str, product_group: str) -> str:
    """The product group a goods line counts for in the segments' product-group mix: the product group the
    import mapping gave the line (e.g. the first three digits of an Online Retail stock code) when it is one,
    else the normalised stock code (:func:`core.normalise_product_group`; also when the mapping fell back to
    the raw stock code). This is the one place that decides it: point it at a product-group mapping when
    one exists."""
    group, code = product_group.strip(), stock_code.strip()
    if group and group != code:
        return group
    return core.normalise_product_group(code or group)


@dataclass(frozen=True)
class SegmentFacts:
    """The facts of the key accounts a run groups: ``facts`` per account, the window's last day and currency."""

    facts: list[core.AccountFacts]
    as_of: dt.date
    currency: str


def _newest_invoice_day(account_ids: list[int]) -> dt.date | None:
    daily = commercial_facade.daily_gross_revenue(account_ids)
    days = [rows[-1][0] for rows in daily.values() if rows]
    return max(days) if days else None


def segment_facts(*, as_of: dt.date | None = None) -> SegmentFacts:
    """The facts of every key account over its subtree: product-group mix and revenue of the goods bought in
    the year up to ``as_of`` (default: the newest invoice day of the key accounts, else today), growth
    against the year before, leakage share and margin trend, buying-centre size, industry and country."""
    keys = [a.id for a in accounts_facade.key_account_refs()]
    subtree = accounts_facade.subtree_account_ids_of(keys)
    every = sorted({i for ids in subtree.values() for i in ids})
    if as_of is None:
        as_of = _newest_invoice_day(every) or timezone.localdate()
    currency = fx.reporting_currency()
    since = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    before = since - dt.timedelta(days=WINDOW_DAYS)
    mix: dict[int, dict[str, float]] = {}
    prior: dict[int, Decimal] = {}
    for row in commercial_facade.stock_code_revenue(every, since=since, until=as_of, currency=currency):
        group = product_group_key(row.stock_code, row.product_group)
        into = mix.setdefault(row.account_id, {})
        into[group] = into.get(group, 0.0) + float(row.amount)
    for row in commercial_facade.stock_code_revenue(
        every, since=before, until=since - dt.timedelta(days=1), currency=currency
    ):
        prior[row.account_id] = prior.get(row.account_id, Decimal(0)) + row.amount
    health = commercial_facade.account_health_figures(keys)
    firms = accounts_facade.account_profiles(keys)
    facts = []
    for k in keys:
        own: dict[str, float] = {}
        for i in subtree[k]:
            for g, v in mix.get(i, {}).items():
                own[g] = own.get(g, 0.0) + v
        revenue = sum(own.values())
        before_revenue = float(sum((prior.get(i, Decimal(0)) for i in subtree[k]), Decimal(0)))
        growth = (revenue - before_revenue) / before_revenue if before_revenue > 0 else None
        h = health.get(k)
        f = firms.get(k)
        numeric: dict[str, float | None] = {
            "revenue": revenue,
            "growth": growth,
            "leakage_share": h.leakage_share if h else None,
            "margin_trend": h.margin_trend if h else None,
            "buying_centre": float(f.buying_centre) if f else None,
        }
        categories = {"industry": f.industry, "country": f.country} if f else {}
        facts.append(core.AccountFacts(k, own, numeric, categories))
    return SegmentFacts(facts, as_of, currency)


@transaction.atomic
def segment_run_compute(
    *, actor: Any, as_of: dt.date | None = None, k_min: int = 2, k_max: int = 8, seed: int = 0
) -> SegmentRun:
    """Group the key accounts into segments (:func:`kampass.core.screening.segments.segment_accounts`) and
    store the run with its segments and memberships. Only the administrator and the head of KAM may;
    refused with a ``ValidationError`` with fewer than three key accounts or a bad ``k`` range."""
    authorize(actor, "screening.add_segmentrun")
    if k_min < 2 or k_max < k_min:
        raise ValidationError({"k_max": _("The range of segment counts must start at 2 or more and not be empty.")})
    found = segment_facts(as_of=as_of)
    if len(found.facts) < 3:
        raise ValidationError(
            _("Segments need at least three key accounts; there are %(n)d.") % {"n": len(found.facts)}
        )
    result = core.segment_accounts(found.facts, k_min=k_min, k_max=k_max, seed=seed)
    run = SegmentRun.objects.create(
        computed_at=timezone.now(),
        as_of=found.as_of,
        k=result.k,
        silhouette=result.silhouette,
        silhouettes={str(k): v for k, v in result.silhouettes.items()},
        features=list(result.features),
        accounts=len(found.facts),
        computed_by=actor if getattr(actor, "pk", None) else None,
    )
    for s in result.segments:
        segment = Segment.objects.create(
            run=run,
            number=s.number,
            size=len(s.members),
            profile=[{"feature": d.feature, "z": round(d.z, 4), "mean": round(d.mean, 6)} for d in s.profile],
            description_en=core.describe(s, "en")[:500],
            description_de=core.describe(s, "de")[:500],
        )
        SegmentMembership.objects.bulk_create(
            SegmentMembership(run=run, segment=segment, account_id=a) for a in s.members
        )
    return run
