"""Risk registers: severity bands, visible risks, the risk matrix and the expected risk cost."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet

from kampass.accounts.models import Account
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


def _risk_cost_by_currency(risks: Iterable[Risk]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in risks:
        cost = r.expected_cost
        if cost is not None:
            out[r.currency] += cost
    return dict(out)


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

    def count(self, likelihood: int, impact: int) -> int:
        return self.cells[likelihood - 1][impact - 1]


def risk_matrix(
    *,
    user: Actor,
    opportunity: Opportunity | None = None,
    account: int | None = None,
    subtree: bool = False,
    active_only: bool = True,
) -> RiskMatrix:
    """The 5x5 risk matrix of the visible (by default: active) risks in scope."""
    qs = risk_list(user=user, opportunity=opportunity, account=account, subtree=subtree, active_only=active_only)
    cells = [[0] * 5 for _ in range(5)]
    for likelihood, impact, n in qs.values_list("likelihood", "impact").annotate(n=Count("pk")).order_by():
        cells[likelihood - 1][impact - 1] += n
    return RiskMatrix(cells, sum(map(sum, cells)), _risk_cost_by_currency(qs))
