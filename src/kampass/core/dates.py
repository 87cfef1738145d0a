"""One date parser for every importer: the day/month order is decided per column from all its values.

A slash or dash date such as ``03/04/2024`` can be 3 April (``dmy``) or 4 March (``mdy``). Value by
value nobody can tell; the column can: a value whose first part is above 12 proves D/M, one whose
second part is above 12 proves M/D. A column with evidence for both, or with none at all, is
*undecidable*: the importer refuses it with a question (:class:`UndecidableDateOrder`) that the
user answers once for the file (a mapping option or a command-line option), never a guess.

Dotted dates (``03.04.2024``) are always day first; ISO dates and timestamps (``2024-04-03``,
``2013-12-20T04:13:07.000+0000``) need no order. Timestamps with a zone are converted to the
given time zone before their date is taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

ORDERS: tuple[str, ...] = ("dmy", "mdy")
SAMPLES = 5

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_DOT = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2}|\d{4})(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?))?")
_SLASH = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{2}|\d{4})"
    r"(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?))?"
)


@dataclass(frozen=True)
class DateOrderEvidence:
    """What the values of one column say about their day/month order.

    ``dmy`` and ``mdy`` hold up to :data:`SAMPLES` values proving each order, ``ambiguous``
    values that fit both; ``order`` is the order proven (``""`` when none or both are).
    """

    dmy: tuple[str, ...]
    mdy: tuple[str, ...]
    ambiguous: tuple[str, ...]
    dmy_count: int = 0
    mdy_count: int = 0
    ambiguous_count: int = 0

    @property
    def needs_order(self) -> bool:
        """Whether the column has day/month dates at all (ISO and dotted dates do not need an order)."""
        return bool(self.dmy_count or self.mdy_count or self.ambiguous_count)

    @property
    def contradictory(self) -> bool:
        return bool(self.dmy_count and self.mdy_count)

    @property
    def order(self) -> str:
        if self.contradictory:
            return ""
        return "dmy" if self.dmy_count else "mdy" if self.mdy_count else ""


def date_order_evidence(values: Iterable[str]) -> DateOrderEvidence:
    """Collect the evidence of all ``values`` of one column.

    Examples
    --------
    >>> e = date_order_evidence(["03/04/2024", "12/25/2024", "", "2024-01-02"])
    >>> e.order, e.mdy, e.ambiguous
    ('mdy', ('12/25/2024',), ('03/04/2024',))
    >>> date_order_evidence(["13/01/2024", "01/13/2024"]).contradictory
    True
    """
    dmy: list[str] = []
    mdy: list[str] = []
    ambiguous: list[str] = []
    counts = {"dmy": 0, "mdy": 0, "ambiguous": 0}
    for raw in values:
        value = raw.strip()
        m = _SLASH.fullmatch(value)
        if m is None:
            continue
        first, second = int(m.group("a")), int(m.group("b"))
        kind, bucket = (
            ("dmy", dmy) if first > 12 >= second else ("mdy", mdy) if second > 12 >= first else ("ambiguous", ambiguous)
        )
        if first > 12 and second > 12:
            continue  # no date in either order: the parser rejects it
        counts[kind] += 1
        if len(bucket) < SAMPLES and value not in bucket:
            bucket.append(value)
    return DateOrderEvidence(
        dmy=tuple(dmy),
        mdy=tuple(mdy),
        ambiguous=tuple(ambiguous),
        dmy_count=counts["dmy"],
        mdy_count=counts["mdy"],
        ambiguous_count=counts["ambiguous"],
    )


class UndecidableDateOrder(ValueError):
    """A column's day/month order cannot be told from its values; the user must say which it is."""

    def __init__(self, *, file: str, column: str, evidence: DateOrderEvidence) -> None:
        self.file, self.column, self.evidence = file, column, evidence
        if evidence.contradictory:
            detail = (
                f"some values are day first ({', '.join(evidence.dmy)}), others month first ({', '.join(evidence.mdy)})"
            )
        else:
            detail = f"every value fits both day/month and month/day (e.g. {', '.join(evidence.ambiguous)})"
        super().__init__(f"{file}, column {column}: {detail}")
        self.detail = detail


def decide_date_order(
    values: Iterable[str], *, file: str, column: str, given: str = ""
) -> tuple[str, DateOrderEvidence]:
    """The day/month order of one column: ``given`` (the user's answer) or the one its values prove.

    Returns ``""`` when the column has no day/month dates (ISO or dotted only). Raises
    :class:`UndecidableDateOrder` when it has and neither decides.

    Examples
    --------
    >>> decide_date_order(["2/26/2018 19:58", "5/8/2018 20:17"], file="f.csv", column="won_date")[0]
    'mdy'
    >>> try:
    ...     decide_date_order(["01/02/2018"], file="f.csv", column="d")
    ... except UndecidableDateOrder as exc:
    ...     print(exc.detail)
    every value fits both day/month and month/day (e.g. 01/02/2018)
    >>> decide_date_order(["01/02/2018"], file="f.csv", column="d", given="dmy")[0]
    'dmy'
    """
    evidence = date_order_evidence(values)
    return decide_from_evidence(evidence, file=file, column=column, given=given), evidence


def decide_from_evidence(evidence: DateOrderEvidence, *, file: str, column: str, given: str = "") -> str:
    """The order of a column whose evidence was collected elsewhere (e.g. counted by a database over
    a large file): ``given``, or the one the evidence proves, ``""`` without day/month dates; raises
    :class:`UndecidableDateOrder` like :func:`decide_date_order`.

    Examples
    --------
    >>> decide_from_evidence(DateOrderEvidence(dmy=("13/01/2024",), mdy=(), ambiguous=(), dmy_count=1),
    ...                      file="f.csv", column="d")
    'dmy'
    """
    if given and given not in ORDERS:
        raise ValueError(f"date order must be one of {', '.join(ORDERS)}, not {given!r}")
    if given:
        return given
    if not evidence.needs_order:
        return ""
    if evidence.order:
        return evidence.order
    raise UndecidableDateOrder(file=file, column=column, evidence=evidence)


def parse_date(value: str, order: str = "", *, tz: tzinfo | None = None) -> date | None:
    """The date of ``value`` (``None`` when it is none), day/month dates read in ``order``.

    Understands ISO dates and timestamps (with ``Z``, ``+0000`` or ``+00:00`` zones and fractions
    of a second; zoned ones are converted to ``tz`` when given), dotted day-first dates and
    slash or dash dates with an optional time. A day/month date without an ``order`` is ``None``.

    Examples
    --------
    >>> parse_date("2013-12-20T04:13:07.000+0000")
    datetime.date(2013, 12, 20)
    >>> from datetime import timedelta, timezone
    >>> parse_date("2013-12-20T23:13:07.000+0000", tz=timezone(timedelta(hours=1)))
    datetime.date(2013, 12, 21)
    >>> parse_date("03/04/2024", "mdy"), parse_date("03/04/2024", "dmy"), parse_date("3.4.24")
    (datetime.date(2024, 3, 4), datetime.date(2024, 4, 3), datetime.date(2024, 4, 3))
    >>> parse_date("2/26/2018 19:58", "mdy"), parse_date("31.02.2030"), parse_date("03/04/2024")
    (datetime.date(2018, 2, 26), None, None)
    """
    text = value.strip()
    try:
        if m := _ISO.fullmatch(text):
            if m.group("tz") and m.group("time"):
                stamp = text.replace(" ", "T", 1).replace(",", ".")
                stamp = re.sub(r"\s*Z$", "+00:00", stamp)
                stamp = re.sub(r"\s*([+-]\d{2}):?(\d{2})$", r"\1:\2", stamp)
                moment = datetime.fromisoformat(_pad_fraction(stamp))
                return (moment.astimezone(tz) if tz is not None else moment).date()
            return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if m := _DOT.fullmatch(text):
            return date(_year(m.group("y")), int(m.group("m")), int(m.group("d")))
        if m := _SLASH.fullmatch(text):
            a, b = int(m.group("a")), int(m.group("b"))
            if order == "dmy":
                return date(_year(m.group("y")), b, a)
            if order == "mdy":
                return date(_year(m.group("y")), a, b)
            return None
    except ValueError:
        return None
    return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 and year < 70 else year + 1900 if len(text) == 2 else year


def _pad_fraction(stamp: str) -> str:
    """Python 3.11's ``fromisoformat`` wants 3 or 6 digits of fraction; pad or cut to 6."""
    m = re.search(r"\.(\d+)", stamp)
    if m is None:
        return stamp
    digits = (m.group(1) + "000000")[:6]
    return stamp[: m.start(1)] + digits + stamp[m.end(1) :]
