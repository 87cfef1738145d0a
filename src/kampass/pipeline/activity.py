"""The pipeline's entries of an account's timeline (registered in :mod:`kampass.common.activity`):
opportunities opened, moved to another stage, won or lost, from their change history; and the
commentable target ``opportunity`` (registered in :mod:`kampass.common.comments`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kampass.common.activity import Activity
from kampass.common.comments import Target
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome


def account_activity(
    account_ids: Sequence[int], *, user: Any, since: dt.datetime | None = None, limit: int = 500
) -> list[Activity]:
    """Opportunities opened, won and lost (from their change history) and moved to another stage (from
    the stage history) on ``account_ids``, newest first, those ``user`` may see."""
    opportunities = Opportunity.objects.filter(account_id__in=list(account_ids)).select_related("account")
    visible = [o.pk for o in opportunities if user.has_perm("pipeline.view_opportunity", o)]
    records = Opportunity.history.filter(id__in=visible).select_related("history_user")
    if since is not None:
        # the record before ``since`` of each opportunity is needed to see what changed after it
        records = records.filter(id__in=records.filter(history_date__gte=since).values("id"))
    out: list[Activity] = []
    previous: Any = None
    for r in records.order_by("id", "history_date", "history_id"):
        prev = previous if previous is not None and previous.id == r.id else None
        previous = r
        text = ""
        if r.history_type == "+" or prev is None:
            text = _("Opportunity “%(name)s” opened") % {"name": r.name}
        elif r.outcome != prev.outcome and r.outcome == Outcome.WON:
            text = _("Opportunity “%(name)s” won") % {"name": r.name}
        elif r.outcome != prev.outcome and r.outcome == Outcome.LOST:
            text = _("Opportunity “%(name)s” lost") % {"name": r.name}
        if text and r.history_type != "-":
            link = reverse("opportunity-detail", args=[r.id])
            out.append(Activity(r.history_date, str(r.history_user or "–"), "opportunity", text, link, r.account_id))
    # stage moves from the stage history (it also holds the moves imported with their dates)
    moves = OpportunityStageChange.objects.filter(
        opportunity_id__in=visible, from_stage__isnull=False, changed_at__isnull=False
    ).select_related("opportunity", "from_stage", "to_stage", "changed_by")
    if since is not None:
        moves = moves.filter(changed_at__gte=since)
    for m in moves.order_by("-changed_at")[:limit]:
        if m.from_stage is None or m.changed_at is None:  # excluded by the query; for the type checker
            continue
        text = _("Opportunity “%(name)s”: stage %(old)s → %(new)s") % {
            "name": m.opportunity.name,
            "old": _(m.from_stage.name),
            "new": _(m.to_stage.name),
        }
        link = reverse("opportunity-detail", args=[m.opportunity_id])
        out.append(
            Activity(m.changed_at, str(m.changed_by or "–"), "opportunity", text, link, m.opportunity.account_id)
        )
    out.sort(key=lambda a: a.when, reverse=True)
    return out[:limit]


def comment_target(target_id: int, key: str) -> Target | None:
    """The opportunity ``target_id`` as a commentable target (no key)."""
    o = Opportunity.objects.filter(pk=target_id).select_related("account").first()
    if o is None or key:
        return None
    return Target("opportunity", o.pk, "", o.account_id, o.name, reverse("opportunity-detail", args=[o.pk]), o)


def may_view_comments(user: Any, target: Target) -> bool:
    """The readers of the opportunity."""
    return bool(user.has_perm("pipeline.view_opportunity", target.obj))
