"""Risk registers: severity bands, visible risks, the risk matrix and the expected risk cost."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kampass.accounts.models import Account
from kampass.common import fx
from kampass.core.kpis import DUE_SOON_DAYS
from kampass.pipeline.models import ACTIVE_RISK_STATUSES, Opportunity, Risk
from kampass.pipeline.selectors.lists import visible_q
from kampass.users.actors import Actor

#: Severity bands of a likelihood x impact score (1-25), highest first: (lowest score, band).
RISK_SEVERITY_BANDS: tuple[tuple[int, str], ...] = ((20, "critical"), (10, "high"), (5, "medium"), (1, "low"))


def risk_severity(score: int) -> str:
    """Band of a likelihood x impact score: low (1-4), medium (5-9), high (10-16), critical (20-25)."""
    return next((band for lowest, band in RISK_SEVERITY_BANDS if score >= lowest), "low")


@dataclass(frozen=True)
class RiskRow:
    """A risk with the severity band of its score (for the risk register)."""

    risk: Risk
    severity: str


@dataclass(frozen=True)
class RiskCost:
    """Expected risk cost of some risks: per currency (``by_currency``, as the risks are recorded) and
    consolidated into ``currency`` (``total``), each risk's expected cost converted at the rate of its
    opportunity's expected close date (today's for a date in the future or none, as the pipeline's
    amounts); ``conversion`` names the conversion ("" when nothing was converted) and any amount left
    out for want of a rate."""

    by_currency: dict[str, Decimal] = field(default_factory=dict)
    currency: str = fx.DEFAULT_REPORTING_CURRENCY
    total: Decimal = Decimal(0)
    conversion: str = ""

    @property
    def mixed(self) -> bool:
        """Whether the risks are in another currency than the total's (the total then says so)."""
        return any(code != self.currency for code in self.by_currency)


def risk_cost(risks: Iterable[Risk], *, currency: str, today: dt.date | None = None) -> RiskCost:
    """The expected cost of ``risks`` (each with its opportunity loaded) per currency and consolidated
    into ``currency`` (see :class:`RiskCost`); risks without a cost do not count."""
    today = today or timezone.localdate()
    total = fx.Consolidation(currency.upper())
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for r in risks:
        cost = r.expected_cost
        if cost is None:
            continue
        by_currency[r.currency] += cost
        total.add(cost, r.currency, fx.pipeline_rate_day(r.opportunity.expected_close_date, today))
    return RiskCost(dict(by_currency), total.currency, total.total, total.describe())


def risk_list(
    *,
    user: Actor,
    opportunity: Opportunity | None = None,
    account: int | None = None,
    subtree: bool = False,
    active_only: bool = False,
) -> QuerySet[Risk]:
    """Visible risks, of one opportunity, one account or one account's subtree."""
    qs = Risk.objects.select_related("opportunity", "opportunity__account", "owner")
    q = visible_q(user, "opportunity__")
    if q is not None:
        qs = qs.filter(q)
    if opportunity is not None:
        qs = qs.filter(opportunity=opportunity)
    if account:
        if subtree:
            root = Account.objects.filter(pk=account).values_list("path", flat=True).first()
            qs = qs.filter(opportunity__account__path__startswith=root) if root else qs.none()
        else:
            qs = qs.filter(opportunity__account_id=account)
    if active_only:
        qs = qs.filter(status__in=ACTIVE_RISK_STATUSES)
    return qs


@dataclass(frozen=True)
class RiskMatrix:
    """Counts of risks by likelihood x impact: ``cells[likelihood - 1][impact - 1]``."""

    cells: list[list[int]]
    total: int
    expected_cost: dict[str, Decimal]
    #: the expected cost per currency and consolidated into the view currency
    cost: RiskCost = field(default_factory=RiskCost)

    def count(self, likelihood: int, impact: int) -> int:
        return self.cells[likelihood - 1][impact - 1]


def risk_matrix(
    *,
    user: Actor,
    opportunity: Opportunity | None = None,
    account: int | None = None,
    subtree: bool = False,
    active_only: bool = True,
    currency: str = "",
) -> RiskMatrix:
    """The 5x5 risk matrix of the visible (by default: active) risks in scope, with their expected cost
    per currency and consolidated into ``currency`` (default: the user's view currency)."""
    qs = risk_list(user=user, opportunity=opportunity, account=account, subtree=subtree, active_only=active_only)
    cells = [[0] * 5 for _ in range(5)]
    for likelihood, impact, n in qs.values_list("likelihood", "impact").annotate(n=Count("pk")).order_by():
        cells[likelihood - 1][impact - 1] += n
    cost = risk_cost(qs, currency=currency or fx.view_currency(user))
    return RiskMatrix(cells, sum(map(sum, cells)), cost.by_currency, cost)


def risks_due_of(user: Actor, *, today: dt.date) -> list[Risk]:
    """The active risks of ``user``'s deals (the opportunities they own) or owned by ``user`` whose due date
    has passed or is at most :data:`~kampass.core.kpis.DUE_SOON_DAYS` days away, the most overdue first ("My work")."""
    pk = getattr(user, "pk", None)
    qs = Risk.objects.filter(
        Q(opportunity__owner_id=pk) | Q(owner_id=pk),
        status__in=ACTIVE_RISK_STATUSES,
        due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
    )
    return list(qs.select_related("opportunity__account").order_by("due_date", "pk"))
