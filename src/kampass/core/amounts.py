"""Amounts written by people: thousands separators and decimal marks of US and European spreadsheets."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation


class AmbiguousAmount(ValueError):
    """An amount whose one separator may be a thousands separator or a decimal mark (``1,500``)."""


def parse_amount(text: str) -> Decimal | None:
    """The amount ``text`` writes, US (``1,250,000.50``) or European (``1.250.000,50``, ``1 250 000``);
    ``None`` when it is no number. A single ``,`` or ``.`` followed by exactly three digits may be either
    (``1,500`` is 1500 in the US and 1.5 in Germany): :class:`AmbiguousAmount` is raised, nothing guessed.

    Examples
    --------
    >>> [str(parse_amount(t)) for t in ("1,250,000.50", "1.250.000,50", "1 250 000", "250000", "1250,5", "12.5")]
    ['1250000.50', '1250000.50', '1250000', '250000', '1250.5', '12.5']
    >>> parse_amount("EUR 12"), parse_amount(""), parse_amount("1,2,3.4.5")
    (None, None, None)
    >>> parse_amount("1,500")
    Traceback (most recent call last):
    ...
    kampass.core.amounts.AmbiguousAmount: 1,500
    """
    value = re.sub(r"[\s\u00a0\u202f']", "", text)
    if not value or not re.fullmatch(r"[+-]?[\d.,]+", value):
        return None
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        decimal_mark = "." if value.rfind(".") > value.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        if value.count(decimal_mark) > 1:
            return None
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif commas > 1 or dots > 1:
        mark = "," if commas else "."
        if not re.fullmatch(rf"[+-]?\d{{1,3}}(\{mark}\d{{3}})+", value):
            return None
        value = value.replace(mark, "")
    elif commas or dots:
        mark = "," if commas else "."
        whole, _sep, fraction = value.partition(mark)
        if len(fraction) == 3 and whole.lstrip("+-") not in ("", "0"):
            raise AmbiguousAmount(text.strip())
        value = value.replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
