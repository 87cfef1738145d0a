"""Solutions and co-creation in figures: solution reuse across key accounts and the revenue of
innovations against their effort (the guardrails of the Selected Key Accounts and Innovation logics).

Pure functions over plain values; the ``solutions`` context feeds them from its models and from the
pipeline and commercial facades.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

#: Days of the window the innovation ratio looks at (the last twelve months).
WINDOW_DAYS = 365


def reuse_share(uses: Iterable[tuple[int, int]]) -> float | None:
    """Share of the solutions in use that are used at two or more distinct key accounts.

    ``uses`` holds ``(solution_id, key_account_id)`` pairs (duplicates count once). ``None`` when
    no solution is in use.

    Examples
    --------
    >>> reuse_share([(1, 10), (1, 11), (2, 10), (3, 12), (3, 12)])
    0.3333333333333333
    >>> reuse_share([]) is None
    True
    """
    accounts: dict[int, set[int]] = defaultdict(set)
    for solution_id, account_id in uses:
        accounts[solution_id].add(account_id)
    if not accounts:
        return None
    return sum(1 for ids in accounts.values() if len(ids) >= 2) / len(accounts)


def window_before(day: date, days: int = WINDOW_DAYS) -> tuple[date, date]:
    """The window of ``days`` days that ends with ``day`` (both ends included).

    Examples
    --------
    >>> window_before(date(2026, 6, 30))
    (datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    """
    return day - timedelta(days=days - 1), day


def overlap_days(start: date, end: date, window_start: date, window_end: date) -> int:
    """Days (ends included) that the period ``start``..``end`` shares with the window; 0 when apart.

    Examples
    --------
    >>> overlap_days(date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 5), date(2026, 2, 1))
    6
    >>> overlap_days(date(2026, 1, 1), date(2026, 1, 10), date(2026, 2, 1), date(2026, 3, 1))
    0
    """
    first, last = max(start, window_start), min(end, window_end)
    return max((last - first).days + 1, 0)


def prorated(amount: Decimal, start: date, end: date, window_start: date, window_end: date) -> Decimal:
    """The part of ``amount`` (spread evenly over the days ``start``..``end``) that falls into the window.

    Examples
    --------
    >>> prorated(Decimal("1000"), date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 6), date(2026, 12, 31))
    Decimal('500.00')
    >>> prorated(Decimal("1000"), date(2026, 1, 10), date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31))
    Decimal('1000.00')
    """
    if end < start:  # a period that ends before it starts (bad data): count it as one day at its start
        end = start
    total = (end - start).days + 1
    inside = overlap_days(start, end, window_start, window_end)
    return (Decimal(amount) * inside / total).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class RevenueEffort:
    """The parts of ``innovation_revenue_effort_ratio`` over one window, all in one currency.

    ``revenue_share`` = innovation revenue / key-account revenue; ``effort_share`` = innovation
    effort / effort base; ``ratio`` = revenue share / effort share (``None`` when not computable).
    """

    innovation_revenue: Decimal
    key_account_revenue: Decimal
    innovation_effort: Decimal
    effort_base: Decimal
    revenue_share: float | None
    effort_share: float | None
    ratio: float | None


def revenue_effort(
    *, innovation_revenue: Decimal, key_account_revenue: Decimal, innovation_effort: Decimal, effort_base: Decimal
) -> RevenueEffort:
    """Revenue share of innovations divided by their effort share.

    The revenue share is ``innovation_revenue / key_account_revenue``, the effort share
    ``innovation_effort / effort_base``; the ratio is ``None`` when either base is zero or no
    effort was spent (a ratio without a denominator says nothing).

    Examples
    --------
    >>> r = revenue_effort(innovation_revenue=Decimal("50"), key_account_revenue=Decimal("1000"),
    ...                    innovation_effort=Decimal("20"), effort_base=Decimal("1000"))
    >>> r.revenue_share, r.effort_share, r.ratio
    (0.05, 0.02, 2.5)
    >>> revenue_effort(innovation_revenue=Decimal("5"), key_account_revenue=Decimal("0"),
    ...                innovation_effort=Decimal("1"), effort_base=Decimal("0")).ratio is None
    True
    """
    revenue_share = float(innovation_revenue / key_account_revenue) if key_account_revenue > 0 else None
    effort_share = float(innovation_effort / effort_base) if effort_base > 0 else None
    ratio = None
    if revenue_share is not None and effort_share:
        ratio = revenue_share / effort_share
    return RevenueEffort(
        innovation_revenue, key_account_revenue, innovation_effort, effort_base, revenue_share, effort_share, ratio
    )
