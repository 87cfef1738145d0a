"""The day/month order of an invoice-line file's date column, decided from *all* its values.

The rule is :mod:`kampass.core.dates` (the one rule of every importer): a value whose first part is
above 12 proves day first, one whose second part is above 12 proves month first; a column with
evidence for both, or with day/month dates and no evidence at all, cannot be decided and is refused
with a question (:class:`DateOrderQuestion`) that the mapping's ``date_order`` or the import's date
order option answers. Here the evidence is counted by DuckDB over the whole column of the file
(the staged lines' ``date_raw``, see :mod:`~kampass.core.analytics.ingest.pipeline`), not over a
sample: a file whose first thousand dates are ambiguous is decided by a later one.
"""

# ruff: noqa: S608  (SQL over a generated read_csv call; no user text is spliced in)
from __future__ import annotations

import re
from typing import Any

from kampass.core.analytics.ingest.errors import IngestError
from kampass.core.dates import ORDERS, DateOrderEvidence, UndecidableDateOrder, decide_from_evidence

SAMPLES = 5
# kampass.core.dates._SLASH in RE2 (no back-references: the same separator twice is spelt out)
_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?"
_PARTS_SQL = r"(\d{1,2})(?:/(\d{1,2})/|-(\d{1,2})-)(?:\d{2}|\d{4})" + _TAIL


class DateOrderQuestion(IngestError):
    """The day/month order of a date column cannot be told from its values: the user must say it.

    ``column`` is the file's column name, ``evidence`` what its values say (samples and counts).
    """

    def __init__(self, *, file: str, column: str, evidence: DateOrderEvidence) -> None:
        self.column = column
        self.evidence = evidence
        detail = UndecidableDateOrder(file=file, column=column, evidence=evidence).detail
        self.detail = detail
        super().__init__(
            file=file,
            problem=(
                f"column {column}: is it day/month or month/day? {detail}. Say which with "
                f"--date-order dmy or --date-order mdy (or date_order: in the mapping)"
            ),
        )


def column_evidence(con: Any, *, source_sql: str, column: str) -> DateOrderEvidence:
    """The evidence of every value of ``column`` (an SQL column of ``source_sql``, e.g. ``c4`` of a
    ``read_csv`` call), counted in DuckDB with the rule of :func:`kampass.core.dates.date_order_evidence`.

    The distinct values are classified (dates repeat: a million invoice lines have some ten thousand
    distinct timestamps), one regular expression each; sample values are fetched only for a column
    that cannot be decided (they are only needed for the question).
    """
    kinds = f"""
        SELECT v, n, CASE WHEN a > 12 AND b > 12 THEN NULL WHEN a > 12 THEN 'dmy' WHEN b > 12 THEN 'mdy'
                          ELSE 'ambiguous' END AS kind
        FROM (
          SELECT v, n, TRY_CAST(p.a AS INTEGER) AS a, TRY_CAST(coalesce(nullif(p.bs, ''), p.bd) AS INTEGER) AS b
          FROM (
            SELECT v, n, regexp_extract(v, '^({_PARTS_SQL})$', ['all', 'a', 'bs', 'bd']) AS p
            FROM (
              SELECT trim({column}) AS v, count(*) AS n FROM {source_sql}
              -- the cheap test first: ISO and dotted dates are no candidates (most files have no others)
              WHERE contains({column}, '/') OR substr(ltrim({column}), 2, 1) = '-'
                 OR substr(ltrim({column}), 3, 1) = '-'
              GROUP BY 1
            )
          )
          WHERE p['all'] <> ''
        )"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE kampass_date_kinds AS {kinds}")
    try:
        counts = {
            str(kind): int(n)
            for kind, n in con.execute(
                "SELECT kind, sum(n) FROM kampass_date_kinds WHERE kind IS NOT NULL GROUP BY kind"
            ).fetchall()
        }
        dmy, mdy, ambiguous = counts.get("dmy", 0), counts.get("mdy", 0), counts.get("ambiguous", 0)
        decided = (dmy > 0) != (mdy > 0)

        def samples(kind: str) -> tuple[str, ...]:
            if decided or not counts.get(kind):
                return ()
            rows = con.execute(
                f"SELECT v FROM kampass_date_kinds WHERE kind = '{kind}' ORDER BY v LIMIT {SAMPLES}"
            ).fetchall()
            return tuple(str(r[0]) for r in rows)

        return DateOrderEvidence(
            dmy=samples("dmy"),
            mdy=samples("mdy"),
            ambiguous=samples("ambiguous"),
            dmy_count=dmy,
            mdy_count=mdy,
            ambiguous_count=ambiguous,
        )
    finally:
        con.execute("DROP TABLE IF EXISTS kampass_date_kinds")


def decide_column_order(evidence: DateOrderEvidence, *, file: str, column: str, given: str = "") -> str:
    """The order of the column (``""``: it has no day/month dates), or :class:`DateOrderQuestion`.

    Examples
    --------
    >>> e = DateOrderEvidence(dmy=(), mdy=("12/13/2011",), ambiguous=("01/02/2011",), mdy_count=1, ambiguous_count=900)
    >>> decide_column_order(e, file="f.csv", column="InvoiceDate")
    'mdy'
    >>> only_ambiguous = DateOrderEvidence(dmy=(), mdy=(), ambiguous=("01/02/2011",), ambiguous_count=1)
    >>> try:
    ...     decide_column_order(only_ambiguous, file="f.csv", column="InvoiceDate")
    ... except DateOrderQuestion as q:
    ...     print(q.column, "|", q.detail)
    InvoiceDate | every value fits both day/month and month/day (e.g. 01/02/2011)
    >>> decide_column_order(only_ambiguous, file="f.csv", column="InvoiceDate", given="dmy")
    'dmy'
    """
    try:
        return decide_from_evidence(evidence, file=file, column=column, given=given)
    except UndecidableDateOrder as exc:
        raise DateOrderQuestion(file=file, column=column, evidence=exc.evidence) from exc


_DAY_MONTH_FORMAT = re.compile(r"%-?([dm])[/-]%-?([dm])[/-]%-?[Yy]")


def format_order(fmt: str) -> str:
    """The day/month order of a slash or dash strptime format (``""`` for ISO, dotted and other formats).

    Examples
    --------
    >>> format_order("%d/%m/%Y %H:%M"), format_order("%m-%d-%y"), format_order("%d.%m.%Y"), format_order("%Y-%m-%d")
    ('dmy', 'mdy', '', '')
    """
    m = _DAY_MONTH_FORMAT.match(fmt)
    if m is None or m.group(1) == m.group(2):
        return ""
    return "dmy" if m.group(1) == "d" else "mdy"


def leading_order(formats: tuple[str, ...]) -> str:
    """The order an ambiguous date is read in with ``formats`` tried in turn: that of the day/month
    formats when all of one order come before all of the other, else ``""`` (it depends on the
    value's shape).

    Examples
    --------
    >>> leading_order(("%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y")), leading_order(("%m/%d/%Y %H:%M",))
    ('dmy', 'mdy')
    >>> leading_order(("%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y")), leading_order(("%Y-%m-%d",))
    ('', '')
    """
    orders = [o for o in (format_order(f) for f in formats) if o]
    other_seen = False
    for order in orders:
        if order != orders[0]:
            other_seen = True
        elif other_seen:
            return ""
    return orders[0] if orders else ""


def formats_for_order(formats: tuple[str, ...], order: str, *, file: str, column: str) -> tuple[str, ...]:
    """The mapping's date formats without the day/month formats of the other order, those of the
    column's order first.

    Raises :class:`IngestError` when the column's dates are day/month ones and the mapping has no
    format of their order (every line would be rejected).

    Examples
    --------
    >>> fmts = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%d.%m.%Y")
    >>> formats_for_order(fmts, "mdy", file="f.csv", column="Date")
    ('%m/%d/%Y %H:%M', '%Y-%m-%d', '%d.%m.%Y')
    >>> formats_for_order(fmts, "", file="f.csv", column="Date") == fmts
    True
    """
    if order not in ORDERS:
        return formats
    kept = tuple(f for f in formats if format_order(f) in ("", order))
    if not any(format_order(f) == order for f in kept):
        reading = {"dmy": "day/month", "mdy": "month/day"}[order]
        raise IngestError(
            file=file,
            problem=(
                f"column {column}: the dates are {reading} dates, but the mapping's date_formats have no "
                f"{reading} format (add one, e.g. {'%d/%m/%Y' if order == 'dmy' else '%m/%d/%Y'})"
            ),
        )
    # the formats of the column's order first: most values then match at the first try
    return tuple(sorted(kept, key=lambda f: format_order(f) != order))
