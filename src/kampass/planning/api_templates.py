"""JSON API of the plan templates (``/api/v1/plan-templates``): list, read, create and change a
template's name, sections and fields (labels in both languages, required flags, order) and whether
it is the default for new plans. Every change saves a new version; a stale ``version`` (or
``If-Match``) answers 409 (412). Only the head of KAM and administrators (``planning.manage_templates``);
the service checks it and refuses invalid sections naming the section and field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from kampass.common.api import ERRORS, Id, InSchema, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.planning import services
from kampass.planning.models import PlanTemplate

router = Router(tags=["plans"])


class TemplateFieldOut(Schema):
    key: str
    label_en: str
    label_de: str
    required: bool


class TemplateSectionOut(Schema):
    key: str
    label_en: str
    label_de: str
    fields: list[TemplateFieldOut]


class TemplateFieldIn(InSchema):
    key: str = Field(max_length=50, description="Letters, digits and underscores; unique within its section.")
    label_en: str = Field(max_length=200)
    label_de: str = Field(max_length=200)
    required: bool = Field(False, description="Must be filled before a plan goes to review.")


class TemplateSectionIn(InSchema):
    key: str = Field(max_length=50, description="Letters, digits and underscores; unique within the template.")
    label_en: str = Field(max_length=200)
    label_de: str = Field(max_length=200)
    fields: list[TemplateFieldIn] = Field(default_factory=list, description="Text fields, in order.")


class PlanTemplateOut(Schema):
    id: int
    version: int = version_out()
    name: str
    is_default: bool
    sections: list[TemplateSectionOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanTemplateListOut(Schema):
    items: list[PlanTemplateOut]
    count: int


class PlanTemplateIn(InSchema):
    name: str = Field(max_length=200)
    is_default: bool = False
    sections: list[TemplateSectionIn] = Field(description="The sections in order (at least one).")
    version: int | None = version_in()


def _out(template: PlanTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "version": template.version,
        "name": template.name,
        "is_default": template.is_default,
        "sections": template.sections,
        "created_at": template.created_at,
        "updated_at": template.updated_at,
    }


def _allowed(request: HttpRequest) -> None:
    authorize(_actor(request), "planning.manage_templates")


@router.get("/plan-templates", response={200: PlanTemplateListOut, **ERRORS})
def template_list(request: HttpRequest) -> Any:
    """The plan templates by name (the built-in default is created on first use)."""
    _allowed(request)
    services.default_template()
    items = [_out(t) for t in PlanTemplate.objects.order_by("name")]
    return {"items": items, "count": len(items)}


@router.get("/plan-templates/{template_id}", response={200: PlanTemplateOut, **ERRORS})
def template_get(request: HttpRequest, response: HttpResponse, template_id: Id) -> Any:
    _allowed(request)
    template = get_object_or_404(PlanTemplate, pk=template_id)
    set_etag(response, template)
    return _out(template)


@router.post(
    "/plan-templates",
    response={201: PlanTemplateOut, **ERRORS},
    openapi_extra=refused(
        "an empty name", "a template of that name exists already", "missing, duplicate or invalid keys, empty labels"
    ),
)
def template_create(request: HttpRequest, payload: PlanTemplateIn) -> Status[Any]:
    """Create a template (version 1); ``is_default`` makes it the default for new plans."""
    template = services.template_save(
        actor=_actor(request),
        name=payload.name,
        sections=[s.model_dump() for s in payload.sections],
        is_default=payload.is_default,
    )
    return Status(201, _out(template))


@router.put(
    "/plan-templates/{template_id}",
    response={200: PlanTemplateOut, **ERRORS, **conflict_responses(PlanTemplateOut)},
    openapi_extra=refused(
        "an empty name", "a template of that name exists already", "missing, duplicate or invalid keys, empty labels"
    ),
)
def template_put(request: HttpRequest, response: HttpResponse, template_id: Id, payload: PlanTemplateIn) -> Any:
    """Replace a template's name, sections and default mark: a new version. Send the ``version`` you
    read (or ``If-Match``): a stale one answers 409 (412) with the template as saved."""
    _allowed(request)
    template = get_object_or_404(PlanTemplate, pk=template_id)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.template_save(
            actor=_actor(request),
            name=payload.name,
            sections=[s.model_dump() for s in payload.sections],
            is_default=payload.is_default,
            template=template,
            version=version,
        ),
        current=lambda: _out(PlanTemplate.objects.get(pk=template.pk)),
        version_of=lambda obj: obj["version"],
    )
