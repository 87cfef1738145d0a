"""An account's open pipeline in the account's currency, for the account page (asked through
:func:`kampass.common.account_facts.pipeline_total`, registered in ``PipelineConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kampass.common import fx
from kampass.common.account_facts import PipelineTotal
from kampass.pipeline.models import Outcome
from kampass.pipeline.selectors.lists import visible_opportunities


def account_pipeline_total(*, user: Any, account_id: int, currency: str) -> PipelineTotal | None:
    """The open opportunities of the account itself that ``user`` may read, their amounts converted into
    ``currency`` at the rate of their expected close date (today's for a later or no date), with the rate
    source; ``None`` when ``user`` may not read the pipeline."""
    if not user.has_perm("pipeline.view_pipeline"):
        return None
    today = timezone.localdate()
    total = fx.Consolidation(currency=currency.upper())
    deals = visible_opportunities(user).filter(account_id=account_id, outcome=Outcome.OPEN)
    for amount, deal_currency, expected in deals.values_list("amount", "currency", "expected_close_date"):
        total.add(amount, deal_currency, fx.pipeline_rate_day(expected, today))
    return PipelineTotal(total=total.total, currency=total.currency, deals=total.amounts, rates=total.describe())
