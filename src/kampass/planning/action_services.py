"""Writes of the plan actions: create, change (the plan's editors everything, the owner the progress),
remove, and carry the open ones into a new plan version. One transaction per function; the actor's
permission is checked here, so the UI, the API and the CLI share one rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_saved_version, expect_version
from kampass.common.notifications import ACTION_ASSIGNED, notify_assigned
from kampass.common.permissions import authorize
from kampass.pipeline import facade as pipeline_facade
from kampass.planning import services as plan_services
from kampass.planning.models import OPEN_STATUSES_VALUES, AccountPlan, ActionStatus, LinkKind, PlanAction, PlanStatus
from kampass.users.actors import Actor

#: what the plan's editors may change
FIELDS = ("title", "notes", "owner_id", "due_date", "status", "links", "topics")
#: what the team member the action is assigned to may change
PROGRESS_FIELDS = ("status", "notes")


def _normalise_links(links: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``[{"kind", "id"}]`` sorted and without duplicates; unknown kinds or ids are a ``ValidationError``."""
    wanted: dict[str, set[int]] = {}
    for link in links:
        kind, pk = str(link.get("kind", "")), link.get("id")
        if kind not in LinkKind.values:
            raise ValidationError({"links": [_("Unknown link kind “%(kind)s”.") % {"kind": kind}]})
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
            raise ValidationError({"links": [_("A link needs the id of what it names.")]})
        wanted.setdefault(kind, set()).add(pk)
    names = link_names(wanted)
    out = []
    for kind, ids in sorted(wanted.items()):
        for pk in sorted(ids):
            if pk not in names.get(kind, {}):
                raise ValidationError(
                    {"links": [_("There is no %(kind)s with id %(id)s.") % {"kind": LinkKind(kind).label, "id": pk}]}
                )
            out.append({"kind": kind, "id": pk})
    return out


def link_names(wanted: Mapping[str, Iterable[int]]) -> dict[str, dict[int, str]]:
    """``{kind: {id: name}}`` of linked opportunities, contacts and risks (through their contexts' facades)."""
    return {
        LinkKind.OPPORTUNITY: pipeline_facade.opportunity_names(list(wanted.get(LinkKind.OPPORTUNITY, ()))),
        LinkKind.RISK: pipeline_facade.risk_names(list(wanted.get(LinkKind.RISK, ()))),
        LinkKind.CONTACT: accounts_facade.contact_names(list(wanted.get(LinkKind.CONTACT, ()))),
    }


def _owner(owner_id: int | None, plan: AccountPlan) -> Any:
    if owner_id is None:
        return None
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not accounts_facade.is_on_team(owner, plan.account):
        raise ValidationError({"owner": [_("The owner must be a member of the account team.")]})
    return owner


def _require_current(plan: AccountPlan) -> None:
    if plan.status == PlanStatus.SUPERSEDED:
        raise ValidationError(
            {"plan": [_("This plan version is superseded; its actions are history. Work in the current version.")]}
        )


def _apply_status(action: PlanAction, status: str) -> None:
    if status not in ActionStatus.values:
        raise ValidationError({"status": [_("Unknown action status “%(value)s”.") % {"value": status}]})
    if status == ActionStatus.DONE and action.status != ActionStatus.DONE:
        action.completed_at = timezone.now()
    elif status != ActionStatus.DONE:
        action.completed_at = None
    action.status = status


@transaction.atomic
def action_create(
    *,
    actor: Actor,
    plan: AccountPlan,
    title: str,
    owner_id: int | None = None,
    due_date: dt.date | None = None,
    status: str = ActionStatus.OPEN,
    notes: str = "",
    links: Iterable[Mapping[str, Any]] = (),
    topics: str = "",
) -> PlanAction:
    """Add an action to a plan version (not to a superseded one); the owner must be on the account team."""
    authorize(actor, "planning.change_plan", plan.account)
    _require_current(plan)
    if not title.strip():
        raise ValidationError({"title": [_("Say what is to be done.")]})
    action = PlanAction(plan=plan, title=title.strip(), notes=notes.strip(), due_date=due_date, topics=topics.strip())
    action.owner = _owner(owner_id, plan)
    action.links = _normalise_links(links)
    _apply_status(action, status)
    plan_services._save(action, actor)
    _tell_owner(actor, None, action)
    return action


def _tell_owner(actor: Actor, before_id: int | None, action: PlanAction) -> None:
    """Notify the action's new owner that it was assigned to them (not when they took it themselves)."""
    notify_assigned(
        actor=actor,
        before_id=before_id,
        after=action.owner,
        message=ACTION_ASSIGNED,
        params={"title": action.title, "account": action.plan.account.name},
        link=reverse("plan-detail", args=[action.plan_id]),
    )


@transaction.atomic
def action_update(*, actor: Actor, action: PlanAction, version: int | None, **changes: Any) -> PlanAction:
    """Change an action. The plan's editors change everything; the team member it is assigned to only its
    status and notes. ``version`` is the one the user saw (a stale one raises ``ConcurrentEdit``)."""
    reject_unknown_fields(changes, FIELDS, what="action")
    if not actor.has_perm("planning.change_action", action):
        authorize(actor, "planning.progress_action", action)
        if set(changes) - set(PROGRESS_FIELDS):
            raise PermissionDenied(_("You may only change the status and the notes of an action assigned to you."))
    action = PlanAction.objects.select_for_update().select_related("plan__account").get(pk=action.pk)
    expect_version(action, version)
    _require_current(action.plan)
    if "title" in changes:
        if not str(changes["title"] or "").strip():
            raise ValidationError({"title": [_("Say what is to be done.")]})
        action.title = str(changes["title"]).strip()
    if "notes" in changes:
        action.notes = str(changes["notes"] or "").strip()
    if "topics" in changes:
        action.topics = str(changes["topics"] or "").strip()
    if "due_date" in changes:
        action.due_date = changes["due_date"]
    before_owner_id = action.owner_id
    if "owner_id" in changes:
        action.owner = _owner(changes["owner_id"], action.plan)
    if "links" in changes:
        action.links = _normalise_links(changes["links"] or [])
    if "status" in changes:
        _apply_status(action, str(changes["status"]))
    plan_services._save(action, actor)
    _tell_owner(actor, before_owner_id, action)
    return action


@transaction.atomic
def action_delete(*, actor: Actor, action: PlanAction, version: int | None) -> None:
    """Remove an action (the plan's editors); ``version`` is the one the user saw."""
    authorize(actor, "planning.change_action", action)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    expect_saved_version(action, version)
    _require_current(action.plan)
    action.delete()


def copy_open_actions(old: AccountPlan, new: AccountPlan) -> None:
    """Carry the open (open or in progress) actions of ``old`` into its new version ``new``."""
    PlanAction.objects.bulk_create(
        [
            PlanAction(
                plan=new,
                title=a.title,
                notes=a.notes,
                owner_id=a.owner_id,
                due_date=a.due_date,
                status=a.status,
                links=list(a.links),
                topics=a.topics,
                copied_from=a,
            )
            for a in old.actions.filter(status__in=OPEN_STATUSES_VALUES).order_by("pk")
        ]
    )


plan_services.VERSION_COPIERS.append(copy_open_actions)
