"""JSON API of the plan actions: list (filter by plan, account, owner, status), read, create, change
(``version`` or ``If-Match``; the owner of an action only its status and notes), delete (versioned).
The same permissions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, UNCHANGED, Id, InSchema, PageIn, RemovalIn, api_field_names, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.planning import action_selectors as selectors
from kampass.planning import action_services as services
from kampass.planning.models import AccountPlan, ActionStatus, LinkKind, PlanAction

router = Router(tags=["actions"])

_NAMES = {"owner": "owner_id", "plan": "plan_id"}


class ActionLinkOut(Schema):
    kind: str = Field(json_schema_extra={"enum": [*LinkKind.values]})
    id: Id


class ActionLinkIn(InSchema):
    kind: str = Field(json_schema_extra={"enum": [*LinkKind.values]})
    id: Id


class PlanActionOut(Schema):
    id: int
    version: int = version_out()
    plan_id: int
    account_id: int
    title: str
    notes: str
    owner_id: int | None
    due_date: dt.date | None
    status: str = Field(description="open, in_progress, done or cancelled.")
    completed_at: dt.datetime | None
    overdue: bool = Field(description="Open and past its due date.")
    links: list[ActionLinkOut]
    topics: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_account_id(obj: PlanAction) -> int:
        return obj.plan.account_id

    @staticmethod
    def resolve_overdue(obj: PlanAction) -> bool:
        return obj.is_overdue(timezone.localdate())


class PlanActionPageOut(Schema):
    items: list[PlanActionOut]
    count: int


class PlanActionIn(InSchema):
    plan_id: Id
    title: str = Field(min_length=1, max_length=300)
    notes: str = ""
    owner_id: Id | None = Field(None, description="A member of the account team.")
    due_date: dt.date | None = None
    status: str = Field(ActionStatus.OPEN, json_schema_extra={"enum": [*ActionStatus.values]})
    links: list[ActionLinkIn] = Field(default_factory=list, max_length=50)
    topics: str = Field("", max_length=300)


class PlanActionPatchIn(InSchema):
    """Only the fields sent are changed; the owner of an action (not its plan's editor) may send only
    ``status`` and ``notes``."""

    title: str = Field(UNCHANGED, min_length=1, max_length=300)
    notes: str = UNCHANGED
    owner_id: Id | None = UNCHANGED
    due_date: dt.date | None = UNCHANGED
    status: str = Field(UNCHANGED, json_schema_extra={"enum": [*ActionStatus.values]})
    links: list[ActionLinkIn] = Field(UNCHANGED, max_length=50)
    topics: str = Field(UNCHANGED, max_length=300)
    version: int | None = version_in()


class PlanActionFilterIn(InSchema):
    plan_id: Id | None = None
    account_id: Id | None = None
    owner_id: Id | None = None
    status: str = Field(
        "", json_schema_extra={"enum": ["", "open", *ActionStatus.values]},
        description="“open”: open or in progress; empty: all.",
    )  # fmt: skip
    overdue: bool = False


def _action(request: HttpRequest, action_id: int) -> PlanAction:
    try:
        return selectors.action_get(user=_actor(request), pk=action_id)
    except PlanAction.DoesNotExist:
        raise Http404 from None


@router.get("/actions", response={200: PlanActionPageOut, **ERRORS})
def action_list(request: HttpRequest, filters: Query[PlanActionFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The actions the caller may read (of current plan versions unless ``plan_id`` is given), by due date."""
    f = selectors.ActionFilters(
        mine=False,
        status=filters.status or "all",
        overdue=filters.overdue,
        plan=filters.plan_id,
        account=filters.account_id,
        owner=filters.owner_id,
    )
    return page_of(selectors.action_list(user=_actor(request), filters=f), page)


@router.post(
    "/actions",
    response={201: PlanActionOut, **ERRORS},
    openapi_extra=refused("an id that names no stored object", "an owner who is not on the account team",
                          "a superseded plan version"),
)  # fmt: skip
def action_create(request: HttpRequest, payload: PlanActionIn) -> Status[Any]:
    data = payload.model_dump()
    plan = get_object_or_404(AccountPlan, pk=data.pop("plan_id"))
    authorize(_actor(request), "planning.view_plan", plan.account)
    with transaction.atomic(), api_field_names(_NAMES):
        action = services.action_create(actor=_actor(request), plan=plan, **data)
    return Status(201, action)


@router.get("/actions/{action_id}", response={200: PlanActionOut, **ERRORS})
def action_get(request: HttpRequest, response: HttpResponse, action_id: Id) -> PlanAction:
    return set_etag(response, _action(request, action_id))


@router.patch(
    "/actions/{action_id}",
    response={200: PlanActionOut, **ERRORS, **conflict_responses(PlanActionOut)},
    openapi_extra=refused("an id that names no stored object", "an owner who is not on the account team",
                          "a superseded plan version"),
)  # fmt: skip
def action_update(request: HttpRequest, response: HttpResponse, action_id: Id, payload: PlanActionPatchIn) -> Any:
    """Change an action; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    action = _action(request, action_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic(), api_field_names(_NAMES):
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.action_update(
                actor=_actor(request), action=action, version=version, **changes
            ),
            current=lambda: PlanAction.objects.select_related("plan").get(pk=action.pk),
        )


@router.delete(
    "/actions/{action_id}",
    response={204: None, **ERRORS, **conflict_responses(PlanActionOut)},
    openapi_extra=refused("a superseded plan version"),
)
def action_delete(request: HttpRequest, response: HttpResponse, action_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete an action; a stale ``version`` (``If-Match``) answers 409 (412) with the action as saved."""
    action = _action(request, action_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.action_delete(actor=_actor(request), action=action, version=version),
        current=lambda: PlanAction.objects.select_related("plan").get(pk=action.pk),
    )
