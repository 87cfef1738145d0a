"""Reads of the screening landing page: what each part holds now (stored figures only, nothing is
computed for the page: the portfolio, wallets and segments are computed by their own pages and commands)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from kampass.screening.models import SegmentRun, SelectionRound, WalletEstimate, WhitespaceOpportunity


@dataclass(frozen=True)
class ScreeningOverview:
    """The newest selection round (``None`` without one), the accounts with a wallet estimate and the
    newest estimate's day, the current segment run (``None`` without one) and the opportunities created
    from whitespace recommendations."""

    newest_round: Any
    wallet_accounts: int
    wallet_as_of: dt.date | None
    segment_run: Any
    whitespace_opportunities: int


def screening_overview() -> ScreeningOverview:
    wallets = WalletEstimate.objects.aggregate(newest=Max("as_of"))
    return ScreeningOverview(
        newest_round=SelectionRound.objects.order_by("-opened_at", "-pk").first(),
        wallet_accounts=WalletEstimate.objects.values("account_id").distinct().count(),
        wallet_as_of=wallets["newest"],
        segment_run=SegmentRun.objects.order_by("-computed_at", "-pk").first(),
        whitespace_opportunities=WhitespaceOpportunity.objects.count(),
    )
