"""The planning context's entries of an account's timeline (registered in :mod:`kampass.common.activity`):
plan versions created and their status changes, actions created and their status changes, from the
change history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kampass.common.activity import Activity
from kampass.common.comments import Target
from kampass.common.i18n import ui_language
from kampass.planning.models import AccountPlan, ActionStatus, PlanAction, PlanSection, PlanStatus


def _diffs(records: list[Any]) -> list[tuple[Any, Any]]:
    """Each record with the one before it of the same object (``None`` for its first), records sorted by
    object and time."""
    out: list[tuple[Any, Any]] = []
    previous: Any = None
    for r in records:
        out.append((r, previous if previous is not None and previous.id == r.id else None))
        previous = r
    return out


#: saves of one section by one person closer than this count as one edit in the timeline
SECTION_EDIT_GAP = dt.timedelta(hours=1)


def _plan_label(plan: AccountPlan) -> str:
    return f"{plan.period_start:%Y-%m}–{plan.period_end:%Y-%m} v{plan.number}"


def account_activity(
    account_ids: Sequence[int], *, user: Any, since: dt.datetime | None = None, limit: int = 500
) -> list[Activity]:
    """Plans and actions on ``account_ids`` created or changing status, and plan sections edited, newest
    first, on the accounts whose plans ``user`` may read."""
    plans = {
        p.pk: p
        for p in AccountPlan.objects.filter(account_id__in=list(account_ids)).select_related("account", "template")
    }
    readable = {
        acc_id
        for acc_id, account in {p.account_id: p.account for p in plans.values()}.items()
        if user.has_perm("planning.view_plan", account)
    }
    plan_ids = [pk for pk, p in plans.items() if p.account_id in readable]
    plan_statuses = dict(PlanStatus.choices)
    action_statuses = dict(ActionStatus.choices)
    out: list[Activity] = []

    plan_records = AccountPlan.history.filter(id__in=plan_ids).select_related("history_user")
    if since is not None:
        plan_records = plan_records.filter(id__in=plan_records.filter(history_date__gte=since).values("id"))
    for r, prev in _diffs(list(plan_records.order_by("id", "history_date", "history_id"))):
        plan = plans[r.id]
        label = _plan_label(plan)
        text = ""
        if r.history_type == "+" or prev is None:
            text = _("Plan %(plan)s created") % {"plan": label}
        elif r.status != prev.status:
            text = _("Plan %(plan)s: %(old)s → %(new)s") % {
                "plan": label,
                "old": plan_statuses.get(prev.status, prev.status),
                "new": plan_statuses.get(r.status, r.status),
            }
        if text:
            out.append(
                Activity(
                    r.history_date,
                    str(r.history_user or "–"),
                    "plan",
                    text,
                    reverse("plan-detail", args=[r.id]),
                    plan.account_id,
                )
            )

    # section edits: the editor saves as one types, so the saves of one person on one section within
    # an hour are one entry (the last of them)
    section_records = PlanSection.history.filter(plan_id__in=plan_ids, history_type__in=["+", "~"]).select_related(
        "history_user"
    )
    if since is not None:
        section_records = section_records.filter(history_date__gte=since)
    labels = {pk: {spec.key: spec.label(ui_language()) for spec in plans[pk].specs()} for pk in plan_ids}
    edits: list[Activity] = []
    last: dict[tuple[int, int | None], tuple[int, dt.datetime]] = {}  # (section, user) -> (index in edits, when)
    for r in section_records.order_by("id", "history_date", "history_id"):
        plan = plans[r.plan_id]
        text = _("Plan %(plan)s: section “%(section)s” edited") % {
            "plan": _plan_label(plan),
            "section": labels.get(r.plan_id, {}).get(r.key, r.key),
        }
        link = reverse("plan-detail", args=[r.plan_id])
        entry = Activity(r.history_date, str(r.history_user or "–"), "plan", text, link, plan.account_id)
        ident = (r.id, r.history_user_id)
        previous = last.get(ident)
        if previous is not None and r.history_date - previous[1] <= SECTION_EDIT_GAP:
            edits[previous[0]] = entry
            last[ident] = (previous[0], r.history_date)
        else:
            last[ident] = (len(edits), r.history_date)
            edits.append(entry)
    out += edits

    action_records = PlanAction.history.filter(plan_id__in=plan_ids).select_related("history_user")
    if since is not None:
        action_records = action_records.filter(id__in=action_records.filter(history_date__gte=since).values("id"))
    for r, prev in _diffs(list(action_records.order_by("id", "history_date", "history_id"))):
        if r.history_type == "+" or prev is None:
            text = _("Action “%(title)s” created") % {"title": r.title}
        elif r.status != prev.status:
            text = _("Action “%(title)s”: %(old)s → %(new)s") % {
                "title": r.title,
                "old": action_statuses.get(prev.status, prev.status),
                "new": action_statuses.get(r.status, r.status),
            }
        else:
            continue
        plan = plans[r.plan_id]
        out.append(
            Activity(
                r.history_date,
                str(r.history_user or "–"),
                "action",
                text,
                reverse("plan-detail", args=[r.plan_id]),
                plan.account_id,
            )
        )
    out.sort(key=lambda a: a.when, reverse=True)
    return out[:limit]


def comment_target(target_id: int, key: str) -> Target | None:
    """A section (``key``) of the plan ``target_id`` as a commentable target (``key`` empty: the whole plan)."""
    plan = AccountPlan.objects.filter(pk=target_id).select_related("account", "template").first()
    if plan is None:
        return None
    label = f"{plan.account.name} {plan.period_start:%Y-%m}–{plan.period_end:%Y-%m} v{plan.number}"
    if key:
        spec = {s.key: s for s in plan.specs()}.get(key)
        if spec is None:
            return None
        label = f"{label} / {spec.label(ui_language())}"
    return Target("plan", plan.pk, key, plan.account_id, label, reverse("plan-detail", args=[plan.pk]), plan)


def may_view_comments(user: Any, target: Target) -> bool:
    """The readers of the plan."""
    return bool(user.has_perm("planning.view_plan", target.obj.account))
