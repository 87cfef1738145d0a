"""Calendar periods of quotas and forecasts: months, quarters and years, their labels and bounds."""

from __future__ import annotations

import calendar
from datetime import date

PERIOD_KINDS: tuple[str, ...] = ("month", "quarter", "year")
PERIODS_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "year": 1}


def target_period_bounds(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """First and last day of month/quarter ``number`` of ``year`` (``number`` is 1 for a year).

    Examples
    --------
    >>> target_period_bounds("quarter", 2026, 4)
    (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    >>> target_period_bounds("month", 2028, 2)
    (datetime.date(2028, 2, 1), datetime.date(2028, 2, 29))
    >>> target_period_bounds("year", 2027)
    (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    """
    if kind not in PERIODS_PER_YEAR:
        raise ValueError(f"unknown period kind {kind!r} (month, quarter or year)")
    if not 1 <= number <= PERIODS_PER_YEAR[kind]:
        raise ValueError(f"{kind} {number} does not exist (1..{PERIODS_PER_YEAR[kind]})")
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    first_month, months = (number, 1) if kind == "month" else (3 * (number - 1) + 1, 3)
    last_month = first_month + months - 1
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def target_period_label(kind: str, year: int, number: int = 1) -> str:
    """``"2026"``, ``"2026-Q4"`` or ``"2026-12"``: the labels the forecast uses for its periods.

    >>> [target_period_label(kind, 2026, n) for kind, n in (("quarter", 4), ("month", 3), ("year", 1))]
    ['2026-Q4', '2026-03', '2026']
    """
    if kind == "year":
        return f"{year}"
    if kind == "quarter":
        return f"{year}-Q{number}"
    return f"{year}-{number:02d}"


def period_of(day: date, kind: str) -> tuple[int, int]:
    """(year, number) of the ``kind`` period that holds ``day``.

    >>> [period_of(date(2026, 11, 5), kind) for kind in ("quarter", "month", "year")]
    [(2026, 4), (2026, 11), (2026, 1)]
    """
    if kind == "year":
        return day.year, 1
    if kind == "quarter":
        return day.year, (day.month - 1) // 3 + 1
    return day.year, day.month
