"""Calendar periods of quotas and forecasts: months, quarters and years, their labels and bounds."""

from __future__ import annotations

import calendar
import re
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


_QUARTER_FORMS = (
    re.compile(r"(?P<year>\d{4})\s*[-/ ]?\s*Q(?P<number>[1-4])"),  # 2027-Q1, 2027 Q1, 2027Q1
    re.compile(r"Q(?P<number>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})"),  # Q1 2027, Q1/2027, Q1-2027
)
_MONTH_FORMS = (
    re.compile(r"(?P<year>\d{4})\s*[-/.]\s*(?P<number>\d{1,2})"),  # 2027-01, 2027/1
    re.compile(r"(?P<number>\d{1,2})\s*[-/.]\s*(?P<year>\d{4})"),  # 01/2027, 1.2027
)


def parse_target_period(text: str) -> tuple[str, int, int] | None:
    """(kind, year, number) of a period written as a year, a quarter or a month; ``None`` when it is none.

    Examples
    --------
    >>> parse_target_period("2027-Q1"), parse_target_period(" q3 2027 "), parse_target_period("2027Q4")
    (('quarter', 2027, 1), ('quarter', 2027, 3), ('quarter', 2027, 4))
    >>> parse_target_period("2027-01"), parse_target_period("11/2027"), parse_target_period("2027")
    (('month', 2027, 1), ('month', 2027, 11), ('year', 2027, 1))
    >>> parse_target_period("2027-13"), parse_target_period("Q5 2027"), parse_target_period("next year")
    (None, None, None)
    """
    value = text.strip().upper()
    if re.fullmatch(r"\d{4}", value):
        return "year", int(value), 1
    for kind, forms in (("quarter", _QUARTER_FORMS), ("month", _MONTH_FORMS)):
        for form in forms:
            m = form.fullmatch(value)
            if m is not None:
                number = int(m.group("number"))
                if 1 <= number <= PERIODS_PER_YEAR[kind]:
                    return kind, int(m.group("year")), number
                return None
    return None
