"""Demo wallets: the realistic wallets of all demo accounts computed from the demo's invoice lines (the
Online Retail extract) by the head of KAM, and two own potential estimates of the demo KAM ("kam"): one
dated at the start of the invoice history (its twelve months have passed: compared with what the account
then bought) and one as of the newest invoice day (compared with the model's wallet).

Loading again recomputes the wallets (replacing those of the same day) and adds no second pair of
estimates; ``reset=True`` deletes the demo KAM's estimates first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kampass.accounts import facade as accounts_facade
from kampass.screening import services_wallet
from kampass.screening.models import PotentialEstimate, WalletEstimate

REASONS = (
    "Their new plant opens next spring; purchasing told us they will double volumes.",
    "Budget talks with the buyer: they plan to consolidate suppliers, we are on the short list.",
)


def _user(username: str) -> Any:
    from kampass.users.models import User

    return User.objects.filter(username=username).first()


@transaction.atomic
def demo_wallet_load(*, reset: bool = False) -> int:
    """Compute the demo wallets and enter the demo KAM's estimates; returns how many records were written."""
    head, kam = _user("head"), _user("kam")
    if reset and kam is not None:
        PotentialEstimate.objects.filter(estimated_by=kam).delete()
    if head is None:
        return 0
    try:
        stored = services_wallet.wallet_estimates_compute(actor=head)
    except ValidationError:
        return 0  # no invoice lines linked to accounts (the demo's transactions were not loaded)
    created = len(stored)
    if kam is None or PotentialEstimate.objects.filter(estimated_by=kam).exists():
        return created
    own = {a.account_id for a in accounts_facade.kam_assignments() if a.user_id == kam.pk}
    mine = [
        e for e in WalletEstimate.objects.filter(pk__in=[s.pk for s in stored], account_id__in=own) if e.revenue > 0
    ]
    mine.sort(key=lambda e: (-e.subtree_revenue, e.account_id))
    if not mine:
        return created
    newest = mine[0].as_of
    first_day = newest - dt.timedelta(days=services_wallet.WINDOW_DAYS + 5)
    for estimate, as_of, factor, reason in (
        (mine[0], first_day, Decimal("1.6"), REASONS[0]),
        (mine[-1], newest, Decimal("1.4"), REASONS[1]),
    ):
        services_wallet.potential_estimate_create(
            actor=kam,
            account_id=estimate.account_id,
            wallet=(estimate.subtree_wallet * factor).quantize(Decimal("1")),
            currency=estimate.currency,
            reason=reason,
            as_of=as_of,
        )
        created += 1
    return created
