"""Demo whitespace: the demo accounts get their recommendations live from the demo invoice lines; the
first key account with recommendations gets one opportunity created from its top recommendation and, when
it has a second one, that product group marked as not relevant (with a reason).

Loading again changes nothing; ``reset=True`` deletes the demo's marks and whitespace records first.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kampass.accounts import facade as accounts_facade
from kampass.screening import selectors_whitespace as selectors
from kampass.screening import services_whitespace as services
from kampass.screening.models.whitespace import NotRelevantMark, WhitespaceOpportunity

NOT_RELEVANT_REASON = "The customer sources this range from its own brand; asked at the last review."


def _actor() -> Any:
    from kampass.users.models import Role, User

    return (
        User.objects.filter(username="head").first()
        or User.objects.filter(role__in=[Role.HEAD, Role.ADMIN]).order_by("pk").first()
    )


@transaction.atomic
def demo_whitespace_load(*, reset: bool = False) -> int:
    """Load the demo's whitespace opportunity and mark; returns how many records were created."""
    if reset:
        NotRelevantMark.objects.filter(reason=NOT_RELEVANT_REASON).delete()
        WhitespaceOpportunity.objects.all().delete()
    actor = _actor()
    if actor is None or WhitespaceOpportunity.objects.exists():
        return 0
    data = selectors.purchases()
    for ref in accounts_facade.key_account_refs():
        recs = selectors.recommendations([ref.id], data=data).get(ref.id, ())
        if not recs:
            continue
        account = selectors.account_or_none(ref.id)
        services.recommendation_to_opportunity(
            actor=actor, account=account, product_group=recs[0].product_group, data=data
        )
        if len(recs) < 2:
            return 1
        services.not_relevant_mark(
            actor=actor, account=account, product_group=recs[1].product_group, reason=NOT_RELEVANT_REASON
        )
        return 2
    return 0
