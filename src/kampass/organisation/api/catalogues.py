"""The editable catalogues (activities of the KAM process, function roles, competences):
list, create, read, change, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Status

from kampass.common.api import ERRORS, Id, PageIn, RemovalIn, refused
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag
from kampass.common.permissions import authorize
from kampass.organisation import services
from kampass.organisation.api.router import _actor, router
from kampass.organisation.api.schemas import (
    CatalogueFilterIn,
    CatalogueIn,
    CatalogueOut,
    CataloguePageOut,
    CataloguePatchIn,
)
from kampass.organisation.models import BilingualCatalogueEntry, Competence, FunctionRole, ProcessActivity


def _entry_out(e: BilingualCatalogueEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "key": e.key,
        "name_en": e.name_en,
        "name_de": e.name_de,
        "description_en": e.description_en,
        "description_de": e.description_de,
        "order": e.order,
        "active": e.active,
        "label": e.label,
        "version": e.version,
    }


def _register_catalogue(
    path: str,
    model: type[BilingualCatalogueEntry],
    view_perm: str,
    create: Callable[..., Any],
    update: Callable[..., Any],
    delete: Callable[..., Any],
    kwarg: str,
    label: str,
) -> None:
    """Register list, create, read, update and delete endpoints for one catalogue."""
    base = f"/organisation/{path}"
    op = path.replace("-", "_")

    @router.get(
        base,
        response={200: CataloguePageOut, **ERRORS},
        operation_id=f"organisation_{op}_list",
        summary=f"List {label}",
    )
    def list_entries(request: HttpRequest, filters: Query[CatalogueFilterIn], page: Query[PageIn]) -> dict[str, Any]:
        authorize(_actor(request), view_perm)
        qs = model._default_manager.all()
        if filters.q:
            qs = qs.filter(
                Q(name_en__icontains=filters.q) | Q(name_de__icontains=filters.q) | Q(key__icontains=filters.q)
            )
        if filters.active is not None:
            qs = qs.filter(active=filters.active)
        items = [_entry_out(e) for e in qs[page.offset : page.offset + page.limit]]
        return {"items": items, "count": qs.count()}

    @router.post(
        base,
        response={201: CatalogueOut, **ERRORS},
        operation_id=f"organisation_{op}_create",
        summary=f"Add to {label}",
        openapi_extra=refused("an entry of that English name or key exists"),
    )
    def create_entry(request: HttpRequest, payload: CatalogueIn) -> Status[dict[str, Any]]:
        return Status(201, _entry_out(create(actor=_actor(request), **payload.dict())))

    @router.get(
        f"{base}/{{entry_id}}",
        response={200: CatalogueOut, **ERRORS},
        operation_id=f"organisation_{op}_get",
        summary=f"Read one of {label}",
    )
    def get_entry(request: HttpRequest, response: HttpResponse, entry_id: Id) -> dict[str, Any]:
        authorize(_actor(request), view_perm)
        entry = get_object_or_404(model, pk=entry_id)
        set_etag(response, entry)
        return _entry_out(entry)

    @router.patch(
        f"{base}/{{entry_id}}",
        response={200: CatalogueOut, **ERRORS, **conflict_responses(CatalogueOut)},
        operation_id=f"organisation_{op}_update",
        summary=f"Change one of {label}",
        description="Send the `version` you read (or `If-Match`): a stale one answers 409 (412) and changes nothing.",
        openapi_extra=refused("an entry of that English name or key exists"),
    )
    def update_entry(request: HttpRequest, response: HttpResponse, entry_id: Id, payload: CataloguePatchIn) -> Any:
        entry = get_object_or_404(model, pk=entry_id)
        changes = payload.dict(exclude_unset=True, exclude={"version"})
        changes = {k: v for k, v in changes.items() if v is not None}
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: update(actor=_actor(request), **{kwarg: entry}, version=version, **changes),
            current=lambda: _entry_out(model._default_manager.get(pk=entry.pk)),
            version_of=lambda out: out["version"],
        )

    @router.delete(
        f"{base}/{{entry_id}}",
        response={204: None, **ERRORS, **conflict_responses(CatalogueOut)},
        operation_id=f"organisation_{op}_delete",
        summary=f"Delete one of {label}",
        openapi_extra=refused("people have been rated on the competence: deactivate it instead")
        if model is Competence
        else None,
    )
    def delete_entry(request: HttpRequest, response: HttpResponse, entry_id: Id, removal: Query[RemovalIn]) -> Any:
        """A stale ``version`` (``If-Match``) answers 409 (412) with the entry as saved and deletes nothing."""
        entry = get_object_or_404(model, pk=entry_id)
        return api_delete(
            request,
            response,
            version=removal.version,
            remove=lambda version: delete(actor=_actor(request), **{kwarg: entry}, version=version),
            current=lambda: _entry_out(model._default_manager.get(pk=entry.pk)),
            version_of=lambda out: out["version"],
        )


_register_catalogue(
    "activities",
    ProcessActivity,
    "organisation.view_structure",
    services.activity_create,
    services.activity_update,
    services.activity_delete,
    "activity",
    "KAM process activities",
)


_register_catalogue(
    "roles",
    FunctionRole,
    "organisation.view_structure",
    services.role_create,
    services.role_update,
    services.role_delete,
    "role",
    "function-diagram roles",
)


_register_catalogue(
    "competences",
    Competence,
    "organisation.view_competences",
    services.competence_create,
    services.competence_update,
    services.competence_delete,
    "competence",
    "competences",
)
