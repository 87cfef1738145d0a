"""The open pipeline of an account or its subtree, for the account page."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from kampass.accounts.models import Account
from kampass.common import fx
from kampass.common.account_facts import PipelineTotal
from kampass.pipeline.models import Outcome
from kampass.pipeline.selectors.lists import OpportunityFilters, opportunity_list
from kampass.pipeline.selectors.risks import RiskCost, risk_cost, risk_list
from kampass.users.actors import Actor


@dataclass(frozen=True)
class AccountPipeline:
    """Open pipeline of an account (or its subtree) for the account page: per currency (``amounts``) and
    consolidated into ``currency`` (``total``; each deal at the rate of its expected close date, today's for
    a future one; ``conversion`` says how, "" when nothing was converted)."""

    open_count: int
    amounts: dict[str, Decimal]
    won_count: int
    lost_count: int
    expected_risk_cost: dict[str, Decimal]
    currency: str = "EUR"
    total: Decimal = Decimal(0)
    conversion: str = ""
    #: the expected risk cost per currency and consolidated into ``currency``
    risk_cost: RiskCost = field(default_factory=RiskCost)


def account_pipeline(*, user: Actor, account: Account, subtree: bool = False, currency: str = "") -> AccountPipeline:
    """``currency``: of the consolidated total (default: the user's view currency)."""
    filters = OpportunityFilters(account=account.pk, subtree=subtree)
    qs = opportunity_list(user=user, filters=filters).order_by()
    by_outcome = dict(qs.values_list("outcome").annotate(n=Count("pk")))
    total = fx.Consolidation((currency or fx.view_currency(user)).upper())
    today = timezone.localdate()
    amounts: dict[str, Decimal] = {}
    for amount, amount_currency, close in qs.filter(outcome=Outcome.OPEN).values_list(
        "amount", "currency", "expected_close_date"
    ):
        amounts[amount_currency] = amounts.get(amount_currency, Decimal(0)) + amount
        total.add(amount, amount_currency, fx.pipeline_rate_day(close, today))
    risks = risk_list(user=user, account=account.pk, subtree=subtree, active_only=True).exclude(
        opportunity__outcome=Outcome.LOST
    )
    cost = risk_cost(risks, currency=total.currency, today=today)
    return AccountPipeline(
        open_count=by_outcome.get(Outcome.OPEN, 0),
        amounts=amounts,
        won_count=by_outcome.get(Outcome.WON, 0),
        lost_count=by_outcome.get(Outcome.LOST, 0),
        expected_risk_cost=cost.by_currency,
        currency=total.currency,
        total=total.total,
        conversion=total.describe(),
        risk_cost=cost,
    )


def account_pipeline_total(*, user: Actor, account_id: int, currency: str) -> PipelineTotal | None:
    """The account page's open pipeline (asked through :func:`kampass.common.account_facts.pipeline_total`,
    registered in ``PipelineConfig.ready``): :func:`account_pipeline` of the account itself in ``currency``
    (each amount at the rate of its expected close date, today's for a later or no date) with the rate
    source; ``None`` when ``user`` may not read the pipeline."""
    if not user.has_perm("pipeline.view_pipeline"):
        return None
    summary = account_pipeline(user=user, account=Account.objects.get(pk=account_id), currency=currency)
    return PipelineTotal(
        total=summary.total, currency=summary.currency, deals=summary.open_count, rates=summary.conversion
    )
