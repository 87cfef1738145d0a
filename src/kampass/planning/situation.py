"""The "Situation" of a plan: our position at the account (and the accounts below it) as of the plan
date, from kampass's own facts, never typed in: revenue, contribution and leakage share (commercial
context), open pipeline, win rate and buying-centre coverage (pipeline context), and the realistic wallet
with share of wallet and potential (screening context, through ``common.account_facts``: planning may not
import screening)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common import account_facts, fx
from kampass.pipeline import facade as pipeline_facade

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Situation:
    """The figures the plan's situation section shows (``commercial`` None when no invoice data, ``wallet``
    None without a wallet estimate of the account on or before the plan date)."""

    account_count: int
    commercial: Any
    pipeline: Any
    wallet: account_facts.WalletFigures | None = None


def position(plan: Any) -> Situation:
    """Our position at the plan's account subtree as of the plan date."""
    ids = accounts_facade.subtree_account_ids(plan.account_id)
    currency = fx.reporting_currency()
    try:
        commercial = commercial_facade.account_position(ids, as_of=plan.as_of, currency=currency)
    except Exception:  # no analytics store yet, or it cannot be read: the section says so
        log.warning("no commercial position for plan %s", plan.pk, exc_info=True)
        commercial = None
    return Situation(
        len(ids),
        commercial,
        pipeline_facade.account_pipeline_position(ids, as_of=plan.as_of, currency=currency),
        account_facts.wallet_figures(plan.account_id, as_of=plan.as_of),
    )
