"""The as-of features the win-probability model sees: only what is known when an open
opportunity is scored.

One row per opportunity, a plain dict as ``kampass.core.forecasting`` takes it:

* ``amount`` — the deal value (number; currencies are not converted, hence also ``currency``);
* ``currency``;
* ``industry``, ``country`` — of the account;
* ``kam_status`` — the account's KAM status on the day the opportunity was opened (from the
  dated status changes), not today's (an account may have become key account *because* of
  the deal);
* ``lead_source``, ``opportunity_type``;
* ``owner`` — the user (username) or the imported owner name;
* ``products``, ``competitors`` — how many are named;
* ``opened_quarter`` — the calendar quarter the opportunity was opened in (``"Q1"``..);
* ``stage_order`` — the stage the opportunity is in at scoring time: for an open one its
  current stage; for a closed one (training) the last *open* stage it was in before closing,
  from the stage history (missing when no history says so).

Never used, because they describe the deal up to its closing: the outcome and its reason,
the close date, the closed stage, the forecast category (Salesforce sets it to "Closed" or
"Omitted" on closing), the owner's probability (set to 0/100 on closing), the age of the
deal or days in stage, and the calibrated probability itself.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kampass.pipeline.models import Opportunity, OpportunityStageChange, StageKind

FEATURES = (
    "amount",
    "currency",
    "industry",
    "country",
    "kam_status",
    "lead_source",
    "opportunity_type",
    "owner",
    "products",
    "competitors",
    "opened_quarter",
    "stage_order",
)
CATEGORICAL = (
    "currency",
    "industry",
    "country",
    "kam_status",
    "lead_source",
    "opportunity_type",
    "owner",
    "opened_quarter",
)
NUMERIC = ("amount", "products", "competitors", "stage_order")


class _StatusAsOf:
    """The KAM status of accounts on a given day, from their dated status changes."""

    def __init__(self, account_ids: Iterable[int]) -> None:
        from kampass.accounts.models import AccountStatusChange

        self._changes: dict[int, tuple[list[dt.date], list[str], str]] = {}
        grouped: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
        rows = (
            AccountStatusChange.objects.filter(account_id__in=set(account_ids))
            .order_by("effective_date", "changed_at", "pk")
            .values_list("account_id", "effective_date", "from_status", "to_status")
        )
        for account_id, day, from_status, to_status in rows:
            grouped[account_id].append((day, from_status, to_status))
        for account_id, changes in grouped.items():
            self._changes[account_id] = ([c[0] for c in changes], [c[2] for c in changes], changes[0][1])

    def status(self, account_id: int, day: dt.date, current: str) -> str:
        entry = self._changes.get(account_id)
        if entry is None:
            return current
        days, statuses, before_first = entry
        i = bisect.bisect_right(days, day)
        if i == 0:
            return before_first or statuses[0]
        return statuses[i - 1]


def _owner_key(opportunity: Opportunity) -> str:
    if opportunity.owner_id and opportunity.owner is not None:
        return opportunity.owner.username
    return opportunity.owner_name


def feature_rows(opportunities: list[Opportunity]) -> list[dict[str, Any]]:
    """As-of feature rows for ``opportunities`` (with ``account``, ``stage`` and ``owner`` loaded)."""
    status = _StatusAsOf(o.account_id for o in opportunities)
    closed_ids = [o.pk for o in opportunities if o.outcome != "open"]
    last_open_order: dict[int, int] = {}
    if closed_ids:
        changes = (
            OpportunityStageChange.objects.filter(opportunity_id__in=closed_ids, to_stage__kind=StageKind.OPEN)
            .order_by("changed_at", "pk")
            .values_list("opportunity_id", "to_stage__order")
        )
        for opportunity_id, order in changes:
            last_open_order[opportunity_id] = order  # the last one wins
    rows = []
    for o in opportunities:
        account = o.account
        if o.outcome == "open":
            stage_order: int | None = o.stage.order
        else:
            stage_order = last_open_order.get(o.pk)
        rows.append(
            {
                "amount": float(o.amount),
                "currency": o.currency,
                "industry": account.industry or None,
                "country": str(account.country) or None,
                "kam_status": status.status(account.pk, o.created_on, account.kam_status),
                "lead_source": o.lead_source or None,
                "opportunity_type": o.opportunity_type or None,
                "owner": _owner_key(o) or None,
                "products": len(o.products or []),
                "competitors": len(o.competitors or []),
                "opened_quarter": f"Q{(o.created_on.month - 1) // 3 + 1}",
                "stage_order": stage_order,
            }
        )
    return rows


def constant_features(rows: list[dict[str, Any]]) -> list[str]:
    """Features that carry no information in ``rows`` (always missing or one single value)."""
    out = []
    for name in FEATURES:
        values = {r.get(name) for r in rows}
        if len(values) <= 1:
            out.append(name)
    return out
