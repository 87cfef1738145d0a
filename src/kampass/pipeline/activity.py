"""The pipeline's entries of an account's timeline (registered in :mod:`kampass.common.activity`):
opportunities opened, moved to another stage, won or lost, and their amount, close date, owner and
probability edited, from their change history; risks recorded, changing status or removed, and contacts
joining or leaving an opportunity's buying centre or given other roles there, from theirs; and the
commentable target ``opportunity`` (registered in :mod:`kampass.common.comments`).

The queries do not grow with the number of entries: each history is read in one query (with the record
before ``since`` of every object changed since, to see what changed), the owners' names in one more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.common.activity import Activity
from kampass.common.comments import Target
from kampass.pipeline.models import (
    Opportunity,
    OpportunityContact,
    OpportunityStageChange,
    Outcome,
    Risk,
    RiskStatus,
)

#: the opportunity's fields whose edits the timeline lists (the stage has its own entries)
EDITED_FIELDS = ("amount", "expected_close_date", "owner", "owner_probability")


def _field_label(name: str) -> str:
    return str(capfirst(getattr(Opportunity._meta.get_field(name), "verbose_name", name)))


def _edits(r: Any, prev: Any, owners: dict[int, str]) -> list[str]:
    """The edits of the watched fields from ``prev`` to ``r`` (two history records of one opportunity), in
    words: ``Amount: 100,000 EUR → 120,000 EUR``."""
    out = []
    if r.amount != prev.amount or r.currency != prev.currency:
        old = f"{number_format(prev.amount, 0, force_grouping=True)} {prev.currency}"
        new = f"{number_format(r.amount, 0, force_grouping=True)} {r.currency}"
        out.append((_field_label("amount"), old, new))
    if r.expected_close_date != prev.expected_close_date:
        old, new = (
            date_format(d, "SHORT_DATE_FORMAT") if d else "–" for d in (prev.expected_close_date, r.expected_close_date)
        )
        out.append((_field_label("expected_close_date"), old, new))
    if r.owner_id != prev.owner_id:
        old, new = (owners.get(pk, "–") if pk else "–" for pk in (prev.owner_id, r.owner_id))
        out.append((_field_label("owner"), old, new))
    if r.owner_probability != prev.owner_probability:
        old, new = (f"{p} %" if p is not None else "–" for p in (prev.owner_probability, r.owner_probability))
        out.append((_field_label("owner_probability"), old, new))
    return [f"{label}: {old} → {new}" for label, old, new in out]


def _with_previous(records: Any, since: dt.datetime | None) -> list[tuple[Any, Any]]:
    """Each history record of the objects changed since ``since`` (all objects without it) with the
    record before it of the same object (``None`` for its first); one query."""
    if since is not None:
        records = records.filter(id__in=records.filter(history_date__gte=since).values("id"))
    out: list[tuple[Any, Any]] = []
    previous: Any = None
    for r in records.order_by("id", "history_date", "history_id"):
        out.append((r, previous if previous is not None and previous.id == r.id else None))
        previous = r
    return out


def account_activity(
    account_ids: Sequence[int], *, user: Any, since: dt.datetime | None = None, limit: int = 500
) -> list[Activity]:
    """Opportunities opened, won and lost (from their change history) and moved to another stage (from
    the stage history) on ``account_ids``, newest first, those ``user`` may see."""
    opportunities = Opportunity.objects.filter(account_id__in=list(account_ids)).select_related("account")
    visible = [o.pk for o in opportunities if user.has_perm("pipeline.view_opportunity", o)]
    # the record before ``since`` of each opportunity is needed to see what changed after it
    records = _with_previous(Opportunity.history.filter(id__in=visible).select_related("history_user"), since)
    owner_ids = {r.owner_id for r, _prev in records if r.owner_id}
    owners = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=owner_ids)} if owner_ids else {}
    out: list[Activity] = []
    for r, prev in records:
        if r.history_type == "-" or (since is not None and r.history_date < since):
            continue
        texts = []
        if r.history_type == "+" or prev is None:
            texts.append(_("Opportunity “%(name)s” opened") % {"name": r.name})
        else:
            if r.outcome != prev.outcome and r.outcome == Outcome.WON:
                texts.append(_("Opportunity “%(name)s” won") % {"name": r.name})
            elif r.outcome != prev.outcome and r.outcome == Outcome.LOST:
                texts.append(_("Opportunity “%(name)s” lost") % {"name": r.name})
            edits = _edits(r, prev, owners)
            if edits:
                texts.append(_("Opportunity “%(name)s”: %(changes)s") % {"name": r.name, "changes": "; ".join(edits)})
        link = reverse("opportunity-detail", args=[r.id])
        for text in texts:
            out.append(Activity(r.history_date, str(r.history_user or "–"), "opportunity", text, link, r.account_id))
    by_id = {o.pk: o for o in opportunities}
    out += _risk_activity(visible, by_id, since)
    out += _buying_centre_activity(visible, by_id, since)
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


def _risk_activity(
    visible: list[int], opportunities: dict[int, Opportunity], since: dt.datetime | None
) -> list[Activity]:
    """Risks of the ``visible`` opportunities recorded, changing status or removed."""
    statuses = dict(RiskStatus.choices)
    out: list[Activity] = []
    records = _with_previous(Risk.history.filter(opportunity_id__in=visible).select_related("history_user"), since)
    for r, prev in records:
        if since is not None and r.history_date < since:
            continue
        opportunity = opportunities[r.opportunity_id]
        if r.history_type == "+" or prev is None:
            text = _("Risk “%(title)s” recorded on “%(opportunity)s” (%(status)s)") % {
                "title": r.title,
                "opportunity": opportunity.name,
                "status": statuses.get(r.status, r.status),
            }
        elif r.history_type == "-":
            text = _("Risk “%(title)s” on “%(opportunity)s” removed") % {
                "title": r.title,
                "opportunity": opportunity.name,
            }
        elif r.status != prev.status:
            text = _("Risk “%(title)s”: %(old)s → %(new)s") % {
                "title": r.title,
                "old": statuses.get(prev.status, prev.status),
                "new": statuses.get(r.status, r.status),
            }
        else:
            continue
        link = reverse("opportunity-detail", args=[r.opportunity_id])
        out.append(Activity(r.history_date, str(r.history_user or "–"), "risk", text, link, opportunity.account_id))
    return out


def _roles(roles: Any) -> str:
    return ", ".join(accounts_facade.buying_role_labels(list(roles or []))) or "–"


def _buying_centre_activity(
    visible: list[int], opportunities: dict[int, Opportunity], since: dt.datetime | None
) -> list[Activity]:
    """Contacts joining or leaving the buying centres of the ``visible`` opportunities, or given other roles
    there (the contacts' names in one query)."""
    history = OpportunityContact.history.filter(opportunity_id__in=visible).select_related("history_user")
    records = _with_previous(history, since)
    names = accounts_facade.contact_names(sorted({r.contact_id for r, _prev in records}))
    out: list[Activity] = []
    for r, prev in records:
        if since is not None and r.history_date < since:
            continue
        opportunity = opportunities[r.opportunity_id]
        params = {"contact": names.get(r.contact_id, f"#{r.contact_id}"), "opportunity": opportunity.name}
        if r.history_type == "+" or prev is None:
            text = _("%(contact)s joins the buying centre of “%(opportunity)s” (roles: %(roles)s)") % {
                **params,
                "roles": _roles(r.roles),
            }
        elif r.history_type == "-":
            text = _("%(contact)s left the buying centre of “%(opportunity)s”") % params
        elif sorted(r.roles or []) != sorted(prev.roles or []):
            text = _("%(contact)s on “%(opportunity)s”: roles %(old)s → %(new)s") % {
                **params,
                "old": _roles(prev.roles),
                "new": _roles(r.roles),
            }
        else:
            continue
        link = reverse("opportunity-detail", args=[r.opportunity_id])
        out.append(
            Activity(r.history_date, str(r.history_user or "–"), "buying_centre", text, link, opportunity.account_id)
        )
    return out


def comment_target(target_id: int, key: str) -> Target | None:
    """The opportunity ``target_id`` as a commentable target (no key)."""
    o = Opportunity.objects.filter(pk=target_id).select_related("account").first()
    if o is None or key:
        return None
    return Target("opportunity", o.pk, "", o.account_id, o.name, reverse("opportunity-detail", args=[o.pk]), o)


def may_view_comments(user: Any, target: Target) -> bool:
    """The readers of the opportunity."""
    return bool(user.has_perm("pipeline.view_opportunity", target.obj))
