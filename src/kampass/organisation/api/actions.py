"""Development actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Status

from kampass.common.api import ERRORS, Id, PageIn, RemovalIn, page_of, refused
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag
from kampass.common.permissions import authorize
from kampass.organisation import selectors, services
from kampass.organisation.api.router import _actor, _api_field_names, _body_competence, _body_user, router
from kampass.organisation.api.schemas import ActionFilterIn, ActionIn, ActionOut, ActionPageOut, ActionPatchIn
from kampass.organisation.models import DevelopmentAction


@router.get("/organisation/development-actions", response={200: ActionPageOut, **ERRORS})
def action_list(request: HttpRequest, filters: Query[ActionFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The development actions the caller may read (head of KAM and administrators: all; others: their own
    and those they own)."""
    qs = selectors.action_list(
        user=_actor(request),
        filters=selectors.ActionFilters(
            q=filters.q.strip(),
            person=filters.person_id,
            status=filters.status,
            open_only=filters.open,
            blocked=filters.blocked,
            cause=filters.cause,
            competence=filters.competence_id,
        ),
    )
    return page_of(qs, page)


@router.post(
    "/organisation/development-actions",
    response={201: ActionOut, **ERRORS},
    openapi_extra=refused(
        "the person is neither a key account manager nor a head of KAM",
        "blocked without a cause, or a done or cancelled action blocked",
        "an id that names no stored object",
    ),
)
def action_create(request: HttpRequest, payload: ActionIn) -> Status[DevelopmentAction]:
    actor = _actor(request)
    data = payload.dict()
    person = _body_user(data.pop("person_id"), "person_id") or actor
    competence = _body_competence(data.pop("competence_id"))
    owner = _body_user(data.pop("owner_id"), "owner_id")
    with _api_field_names():
        action = services.action_create(actor=actor, person=person, competence=competence, owner=owner, **data)
    return Status(201, action)


def _readable_action(request: HttpRequest, action_id: Id) -> DevelopmentAction:
    action = get_object_or_404(DevelopmentAction.objects.select_related("person"), pk=action_id)
    authorize(_actor(request), "organisation.view_action", action)
    return action


@router.get("/organisation/development-actions/{action_id}", response={200: ActionOut, **ERRORS})
def action_get(request: HttpRequest, response: HttpResponse, action_id: Id) -> DevelopmentAction:
    return set_etag(response, _readable_action(request, action_id))


@router.patch(
    "/organisation/development-actions/{action_id}",
    response={200: ActionOut, **ERRORS, **conflict_responses(ActionOut)},
    openapi_extra=refused(
        "the person is neither a key account manager nor a head of KAM",
        "blocked without a cause, or a done or cancelled action blocked",
        "an id that names no stored object",
    ),
)
def action_update(request: HttpRequest, response: HttpResponse, action_id: Id, payload: ActionPatchIn) -> Any:
    """Change an action; only the fields sent change (null ``competence_id``, ``owner_id``, ``due_date`` clear).
    Send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412) and changes nothing."""
    action = _readable_action(request, action_id)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    changes: dict[str, Any] = {}
    for key, value in sent.items():
        if key == "person_id":
            if value is None:
                raise ValidationError({"person_id": _("An action belongs to a person.")})
            changes["person"] = _body_user(value, "person_id")
        elif key == "competence_id":
            changes["competence"] = _body_competence(value)
        elif key == "owner_id":
            changes["owner"] = _body_user(value, "owner_id")
        elif value is None and key in ("title", "status", "blocked"):
            raise ValidationError({key: _("This field cannot be null.")})
        else:
            changes[key] = "" if value is None and key in ("blocked_cause", "blocked_note", "notes") else value
    with _api_field_names():
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.action_update(
                actor=_actor(request), action=action, version=version, **changes
            ),
            current=lambda: DevelopmentAction.objects.get(pk=action.pk),
        )


@router.delete(
    "/organisation/development-actions/{action_id}", response={204: None, **ERRORS, **conflict_responses(ActionOut)}
)
def action_delete(request: HttpRequest, response: HttpResponse, action_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete an action; a stale ``version`` (``If-Match``) answers 409 (412) with the action as saved."""
    action = _readable_action(request, action_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.action_delete(actor=_actor(request), action=action, version=version),
        current=lambda: DevelopmentAction.objects.get(pk=action.pk),
    )
