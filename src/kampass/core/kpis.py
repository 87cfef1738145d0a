"""The KPI catalogue of the account workspace and the rules of objectives and reviews: pure, no Django.

A **KPI** is a figure of one key account (a group: its whole subtree) that objectives are bound to.
kampass **computes** most of them from its own facts as of a date; the others are **manual**: a key
account manager records dated values. Each KPI has a unit (money, share, count or level) and a
direction (whether higher is better).

An **objective** has a baseline, a target and a due date; its **progress** is the part of the way from
baseline to target covered so far, and its **status** compares that with the part of the time elapsed.
A **review** of an account is due at its cadence (monthly, quarterly, ...) after the last one held.

>>> kpi("revenue").unit, kpi("leakage_share").higher_is_better, kpi("customer_satisfaction").computed
('money', False, False)
>>> progress(Decimal("100"), Decimal("200"), Decimal("150"))
0.5
>>> tracking_status(0.5, 0.5), tracking_status(0.3, 0.5), tracking_status(0.1, 0.5)
('on_track', 'at_risk', 'off_track')
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# ---- units ----------------------------------------------------------------------------------------

MONEY = "money"
SHARE = "share"
COUNT = "count"
LEVEL = "level"
UNITS: tuple[str, ...] = (MONEY, SHARE, COUNT, LEVEL)


@dataclass(frozen=True)
class KpiDefinition:
    """One KPI of the catalogue.

    ``computed``: kampass computes the value from its facts (else manual values are recorded);
    ``available``: False for a computed KPI whose source does not exist yet (its value is ``None``).
    """

    key: str
    label_en: str
    label_de: str
    unit: str
    higher_is_better: bool
    computed: bool
    description_en: str = ""
    description_de: str = ""
    available: bool = True

    def label(self, lang: str) -> str:
        """The label in ``lang`` (German for ``de*``, else English).

        >>> kpi("win_rate").label("de-ch")
        'Gewinnquote'
        """
        return self.label_de if lang.startswith("de") else self.label_en

    def description(self, lang: str) -> str:
        """The definition in ``lang`` (German for ``de*``, else English)."""
        return self.description_de if lang.startswith("de") else self.description_en


CATALOGUE: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "revenue", "Revenue (12 months)", "Umsatz (12 Monate)", MONEY, True, True,
        "Gross revenue of the invoice lines of the last 12 months, in the reporting currency.",
        "Bruttoumsatz der Rechnungspositionen der letzten 12 Monate, in der Berichtswährung.",
    ),
    KpiDefinition(
        "contribution", "Contribution (12 months)", "Deckungsbeitrag (12 Monate)", MONEY, True, True,
        "Pocket revenue minus costs of the last 12 months, in the reporting currency.",
        "Pocket-Umsatz abzüglich Kosten der letzten 12 Monate, in der Berichtswährung.",
    ),
    KpiDefinition(
        "pocket_margin", "Pocket margin", "Pocket-Marge", SHARE, True, True,
        "Pocket revenue divided by gross revenue of the last 12 months.",
        "Pocket-Umsatz geteilt durch Bruttoumsatz der letzten 12 Monate.",
    ),
    KpiDefinition(
        "leakage_share", "Leakage share", "Anteil Erlösschmälerungen", SHARE, False, True,
        "All leakage divided by gross revenue of the last 12 months.",
        "Alle Erlösschmälerungen geteilt durch den Bruttoumsatz der letzten 12 Monate.",
    ),
    KpiDefinition(
        "pipeline_coverage", "Pipeline coverage", "Pipeline-Abdeckung", SHARE, True, True,
        "Open weighted pipeline divided by the account's sales target of the next period.",
        "Offene gewichtete Pipeline geteilt durch das Umsatzziel des Accounts für die nächste Periode.",
    ),
    KpiDefinition(
        "win_rate", "Win rate (12 months)", "Gewinnquote", SHARE, True, True,
        "Opportunities won of those won or lost in the last 12 months.",
        "Gewonnene Opportunities von den in den letzten 12 Monaten gewonnenen oder verlorenen.",
    ),
    KpiDefinition(
        "decision_makers_covered", "Decision makers covered at target level",
        "Entscheider auf Zielniveau abgedeckt", COUNT, True, True,
        "Buying-centre members with a deciding role (decider, economic buyer, approver) whom a team member "
        "covers at the relationship level aimed for.",
        "Mitglieder des Buying Centers mit entscheidender Rolle (Entscheider, wirtschaftlicher Käufer, "
        "Genehmiger), die ein Teammitglied auf dem angestrebten Beziehungsniveau abdeckt.",
    ),
    KpiDefinition(
        "relationship_level", "Relationship stage", "Beziehungsphase", LEVEL, True, True,
        "Rank of the newest relationship stage on the ladder 1 (exploratory) to 5 (integrated).",
        "Rang der neuesten Beziehungsphase auf der Leiter 1 (explorativ) bis 5 (integriert).",
    ),
    KpiDefinition(
        "share_of_wallet", "Share of wallet", "Share of Wallet", SHARE, True, True,
        "Revenue of the last 12 months / realistic wallet (the 0.8 quantile of comparable accounts' yearly "
        "revenue), with the subsidiaries, from the newest wallet estimate on or before the day.",
        "Umsatz der letzten 12 Monate / realistisches Kundenpotenzial (das 0,8-Quantil des Jahresumsatzes "
        "vergleichbarer Accounts), mit Tochtergesellschaften, aus der neuesten Potenzialschätzung bis zum Stichtag.",
    ),
    KpiDefinition(
        "customer_satisfaction", "Customer satisfaction", "Kundenzufriedenheit", LEVEL, True, False,
        "A score from the customer's survey, recorded by hand.",
        "Ein Wert aus der Kundenbefragung, von Hand erfasst.",
    ),
    KpiDefinition(
        "joint_initiatives", "Joint initiatives", "Gemeinsame Initiativen", COUNT, True, False,
        "Number of joint initiatives running with the customer, recorded by hand.",
        "Anzahl laufender gemeinsamer Initiativen mit dem Kunden, von Hand erfasst.",
    ),
    KpiDefinition(
        "supplier_rating", "Supplier rating", "Lieferantenbewertung", LEVEL, True, False,
        "The customer's rating of us as a supplier, recorded by hand.",
        "Die Bewertung durch den Kunden als Lieferant, von Hand erfasst.",
    ),
)  # fmt: skip

KPI_BY_KEY: dict[str, KpiDefinition] = {k.key: k for k in CATALOGUE}
COMPUTED_KEYS: tuple[str, ...] = tuple(k.key for k in CATALOGUE if k.computed)
MANUAL_KEYS: tuple[str, ...] = tuple(k.key for k in CATALOGUE if not k.computed)


def kpi(key: str) -> KpiDefinition:
    """The catalogue entry of ``key`` (``KeyError`` for an unknown key).

    >>> kpi("pipeline_coverage").label_en
    'Pipeline coverage'
    """
    return KPI_BY_KEY[key]


# ---- objectives -----------------------------------------------------------------------------------

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
ACHIEVED = "achieved"
NO_DATA = "no_data"
TRACKING_STATUSES: tuple[str, ...] = (ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)

#: how far progress may lag the time elapsed and still count as on track, and as at risk
ON_TRACK_LAG = 0.1
AT_RISK_LAG = 0.25


def progress(baseline: Decimal, target: Decimal, actual: Decimal | float | None) -> float | None:
    """The part of the way from ``baseline`` to ``target`` that ``actual`` has covered:
    ``(actual - baseline) / (target - baseline)``; works for KPIs to lower (target below baseline) too.
    ``None`` without an actual value or when target equals baseline.

    >>> progress(Decimal("0.10"), Decimal("0.05"), Decimal("0.08"))
    0.4
    >>> progress(Decimal(1), Decimal(1), Decimal(2)) is None, progress(Decimal(1), Decimal(2), None) is None
    (True, True)
    >>> progress(Decimal(100), Decimal(200), Decimal(90))
    -0.1
    """
    if actual is None or target == baseline:
        return None
    return round(float((Decimal(str(actual)) - baseline) / (target - baseline)), 4)


def elapsed_share(start: dt.date, due: dt.date, today: dt.date) -> float:
    """The part of the time from ``start`` to ``due`` that has passed on ``today`` (0..1).

    >>> elapsed_share(dt.date(2027, 1, 1), dt.date(2027, 12, 31), dt.date(2027, 7, 2))
    0.5
    >>> elapsed_share(dt.date(2027, 1, 1), dt.date(2027, 1, 1), dt.date(2026, 1, 1))
    0.0
    """
    if due <= start:
        return 1.0 if today >= due else 0.0
    share = (today - start).days / (due - start).days
    return round(min(1.0, max(0.0, share)), 4)


def tracking_status(progress_share: float | None, elapsed: float) -> str:
    """Where an objective stands: ``achieved`` (target reached), ``on_track`` (progress at most 10 points
    behind the time elapsed), ``at_risk`` (at most 25 points behind), ``off_track`` (further behind, or
    due and not reached), ``no_data`` (no actual value).

    >>> tracking_status(1.2, 0.3), tracking_status(None, 0.3), tracking_status(0.9, 1.0)
    ('achieved', 'no_data', 'off_track')
    """
    if progress_share is None:
        return NO_DATA
    if progress_share >= 1:
        return ACHIEVED
    if elapsed >= 1:
        return OFF_TRACK
    if progress_share >= elapsed - ON_TRACK_LAG:
        return ON_TRACK
    if progress_share >= elapsed - AT_RISK_LAG:
        return AT_RISK
    return OFF_TRACK


# ---- reviews --------------------------------------------------------------------------------------

CADENCE_MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}

#: a planned review counts as due this many days before its date
DUE_SOON_DAYS = 14


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (the last day of a shorter month where needed).

    >>> add_months(dt.date(2027, 1, 31), 1), add_months(dt.date(2027, 11, 15), 3)
    (datetime.date(2027, 2, 28), datetime.date(2028, 2, 15))
    """
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due(last_held: dt.date | None, cadence: str, *, start: dt.date) -> dt.date:
    """When the next regular review of an account is due: one cadence after the last one held, else
    one cadence after ``start`` (e.g. when the account became a key account or its plan started).

    >>> next_review_due(dt.date(2027, 3, 10), "quarterly", start=dt.date(2027, 1, 1))
    datetime.date(2027, 6, 10)
    >>> next_review_due(None, "monthly", start=dt.date(2027, 1, 1))
    datetime.date(2027, 2, 1)
    """
    return add_months(last_held or start, CADENCE_MONTHS[cadence])


def due_state(due_on: dt.date, today: dt.date) -> str:
    """``overdue`` (past its date), ``due`` (within the next 14 days) or ``upcoming`` for a planned review.

    >>> [due_state(dt.date(2027, 5, d), dt.date(2027, 5, 10)) for d in (9, 10, 24, 25)]
    ['overdue', 'due', 'due', 'upcoming']
    """
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due"
    return "upcoming"
