"""The open pipeline of an account or its subtree, for the account page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from kampass.accounts.models import Account
from kampass.pipeline.models import Outcome
from kampass.pipeline.selectors.lists import OpportunityFilters, opportunity_list
from kampass.pipeline.selectors.risks import _risk_cost_by_currency, risk_list
from kampass.users.actors import Actor


@dataclass(frozen=True)
class AccountPipeline:
    """Open pipeline of an account (or its subtree) for the account page."""

    open_count: int
    amounts: dict[str, Decimal]
    won_count: int
    lost_count: int
    expected_risk_cost: dict[str, Decimal]


def account_pipeline(*, user: Actor, account: Account, subtree: bool = False) -> AccountPipeline:
    filters = OpportunityFilters(account=account.pk, subtree=subtree)
    qs = opportunity_list(user=user, filters=filters).order_by()
    by_outcome = dict(qs.values_list("outcome").annotate(n=Count("pk")))
    amounts = dict(qs.filter(outcome=Outcome.OPEN).values_list("currency").annotate(s=Sum("amount")))
    risks = risk_list(user=user, account=account.pk, subtree=subtree, active_only=True).exclude(
        opportunity__outcome=Outcome.LOST
    )
    return AccountPipeline(
        open_count=by_outcome.get(Outcome.OPEN, 0),
        amounts=amounts,
        won_count=by_outcome.get(Outcome.WON, 0),
        lost_count=by_outcome.get(Outcome.LOST, 0),
        expected_risk_cost=_risk_cost_by_currency(risks),
    )
