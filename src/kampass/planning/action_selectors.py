"""Reads of the plan actions: the actions of a plan, a user's open actions, the list with filters and
sorting, and the figures of action completion for the health score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.planning.models import OPEN_STATUSES_VALUES, ActionStatus, LinkKind, PlanAction, PlanStatus
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_reader


def actions_visible(user: Actor) -> QuerySet[PlanAction]:
    """The actions ``user`` may read: all for head, administrator, controller and viewer; for others those
    of the plans of the accounts on whose team they are (or below), and those assigned to them."""
    qs = PlanAction.objects.select_related("plan__account", "owner")
    if is_admin(user) or is_head(user) or is_reader(user):
        return qs
    if getattr(user, "pk", None) is None:
        return qs.none()
    return qs.filter(Q(owner_id=user.pk) | accounts_facade.in_team_subtrees(user, "plan__account_id"))


def _carried_over() -> QuerySet[Any]:
    """Ids of actions carried into a newer plan version (the copy is the one that counts)."""
    return PlanAction.objects.filter(copied_from__isnull=False).values("copied_from")


@dataclass(frozen=True)
class ActionFilters:
    """Filters of the action lists (all optional). ``mine``: only those assigned to the user."""

    mine: bool = True
    status: str = "open"  # "open" (open and in progress), "all" or one status
    overdue: bool = False
    plan: int | None = None
    account: int | None = None
    owner: int | None = None
    q: str = ""
    sort: str = "due"
    descending: bool = False


ACTION_SORTS: dict[str, list[Any]] = {
    "due": ["due_date", "pk"],
    "title": [Lower("title"), "pk"],
    "account": [Lower("plan__account__name"), "due_date", "pk"],
    "status": ["status", "due_date", "pk"],
    "owner": [Lower("owner__last_name"), Lower("owner__username"), "due_date", "pk"],
}


def action_list(
    *, user: Actor, filters: ActionFilters | None = None, today: dt.date | None = None
) -> QuerySet[PlanAction]:
    """Visible actions matching ``filters``, sorted (``filters.sort`` in :data:`ACTION_SORTS`). Actions of
    superseded plan versions are left out unless a plan is asked for."""
    f = filters or ActionFilters()
    day = today or timezone.localdate()
    qs = actions_visible(user)
    if f.plan is not None:
        qs = qs.filter(plan_id=f.plan)
    else:
        qs = qs.exclude(plan__status=PlanStatus.SUPERSEDED).exclude(pk__in=_carried_over())
    if f.mine:
        qs = qs.filter(owner_id=getattr(user, "pk", None))
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES_VALUES)
    elif f.status and f.status != "all":
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES_VALUES, due_date__lt=day)
    if f.account is not None:
        qs = qs.filter(plan__account_id=f.account)
    if f.owner is not None:
        qs = qs.filter(owner_id=f.owner)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(plan__account__name__icontains=f.q) | Q(topics__icontains=f.q))
    order = ACTION_SORTS.get(f.sort, ACTION_SORTS["due"])
    if f.descending:
        order = [o.desc() if hasattr(o, "desc") else f"-{o}" for o in order]
    return qs.order_by(*order)


def action_get(*, user: Actor, pk: int) -> PlanAction:
    """One visible action (``PlanAction.DoesNotExist`` if none)."""
    return actions_visible(user).get(pk=pk)


def open_actions_of(user: Actor, *, limit: int = 10) -> list[PlanAction]:
    """The user's own open actions of current plan versions, the most urgent first (the start page)."""
    return list(action_list(user=user, filters=ActionFilters(mine=True, status="open"))[:limit])


@dataclass(frozen=True)
class LinkShown:
    """A link of an action as shown: its kind's label and the name of what it names ("#id" if gone)."""

    kind: str
    kind_label: str
    id: int
    name: str


def links_shown(actions: list[PlanAction]) -> dict[int, list[LinkShown]]:
    """``{action_id: [LinkShown]}`` with the names from the other contexts (one query per kind)."""
    from kampass.planning.action_services import link_names

    wanted: dict[str, set[int]] = {}
    for a in actions:
        for link in a.links:
            wanted.setdefault(link["kind"], set()).add(int(link["id"]))
    names = link_names(wanted)
    labels = dict(LinkKind.choices)
    return {
        a.pk: [
            LinkShown(
                str(link["kind"]),
                str(labels.get(link["kind"], link["kind"])),
                int(link["id"]),
                names.get(link["kind"], {}).get(int(link["id"]), f"#{link['id']}"),
            )
            for link in a.links
        ]
        for a in actions
    }


@dataclass(frozen=True)
class ActionCompletion:
    """How an account's actions due in the last twelve months went: ``on_time`` done by their due day,
    ``late`` done after it, ``overdue`` still open past it (cancelled ones do not count); ``share`` =
    (on time + late / 2) / all of them, ``None`` without such actions."""

    account_id: int
    on_time: int
    late: int
    overdue: int
    share: float | None


def action_completion(account_ids: list[int], *, today: dt.date | None = None) -> dict[int, ActionCompletion]:
    """:class:`ActionCompletion` of every given account (its actions in plan versions not superseded) as of
    ``today``: actions created after that day do not count, and one completed after it was still open
    (overdue) then. The plan versions are those in force on the day: a version superseded after it still
    counts (its change history says when), an action carried into a newer version counts once (the copy
    once it was made). Statuses are taken as they are now (a cancelled action does not count on any day)."""
    from kampass.planning.models import AccountPlan

    day = today or timezone.localdate()
    since = day - dt.timedelta(days=365)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    counts: dict[int, list[int]] = {a: [0, 0, 0] for a in account_ids}
    actions = PlanAction.objects.filter(
        plan__account_id__in=account_ids, due_date__gte=since, due_date__lt=day, created_at__lt=end
    ).exclude(status=ActionStatus.CANCELLED)
    if day < timezone.localdate():  # as of a past day
        superseded = AccountPlan.history.filter(status=PlanStatus.SUPERSEDED, history_date__lt=end).values("id")
        copied = PlanAction.objects.filter(copied_from__isnull=False, created_at__lt=end).values("copied_from")
        actions = actions.exclude(plan_id__in=superseded).exclude(pk__in=copied)
    else:
        actions = actions.exclude(plan__status=PlanStatus.SUPERSEDED).exclude(pk__in=_carried_over())
    rows = actions.values_list("plan__account_id", "status", "due_date", "completed_at")
    for account_id, status, due_or_none, completed in rows:
        c = counts[account_id]
        due: dt.date = due_or_none or day  # due_date__gte above: never None
        done_on = None
        if status == ActionStatus.DONE:
            done_on = timezone.localtime(completed).date() if completed else due
        if done_on is not None and done_on <= day:  # done after ``day``: still overdue on it
            c[0 if done_on <= due else 1] += 1
        else:
            c[2] += 1
    out = {}
    for account_id, (on_time, late, overdue) in counts.items():
        n = on_time + late + overdue
        out[account_id] = ActionCompletion(
            account_id, on_time, late, overdue, ((on_time + late / 2) / n) if n else None
        )
    return out


def my_open_actions(user: Actor) -> list[PlanAction]:
    """Every open action ``user`` owns of current plan versions, the overdue first: by due date (those
    without one last), then by id ("My work")."""
    qs = action_list(user=user, filters=ActionFilters(mine=True, status="open"))
    return list(qs.order_by(F("due_date").asc(nulls_last=True), "pk"))
