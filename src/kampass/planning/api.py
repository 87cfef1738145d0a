"""JSON API of the account plans (``/api/v1/plans``): list, read, create, section updates with
optimistic concurrency, life-cycle moves, new versions, the versions of a plan and the comparison
of two versions. Endpoints only translate between JSON and the services/selectors; the services
check the permissions (the same as the pages): the head of KAM and administrators work on every
plan, a key account manager on the plans of their team's accounts, the head of KAM or the
account's executive sponsor signs off, controllers and viewers read. Lists have the shape
``{"items": [...], "count": n}``.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, Id, InSchema, PageIn, api_field_names, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.core import planning as core
from kampass.planning import selectors, services
from kampass.planning.models import AccountPlan, PlanStatus, SwotKind

router = Router(tags=["plans"])

_api_field_names = partial(api_field_names, {"account": "account_id", "template": "template_id"})

# ---------------------------------------------------------------- schemas


class PlanSectionOut(Schema):
    key: str
    label: str
    version: int = version_out()
    content: dict[str, str] = Field(description="The section's fields: field key -> text.")
    updated_at: dt.datetime | None


class PlanSwotItemOut(Schema):
    id: int
    version: int = version_out()
    kind: str = Field(json_schema_extra={"enum": [*SwotKind.values]})
    text: str
    evidence_kind: str
    evidence_id: int | None
    evidence_note: str
    position: int


class PlanRelationshipOut(Schema):
    now: str
    target: str


class PlanSummaryOut(Schema):
    id: int
    version: int = version_out()
    account_id: int
    account: str
    period_start: dt.date
    period_end: dt.date
    number: int = Field(description="The plan version: 1, 2, ... for the account and period.")
    status: str = Field(json_schema_extra={"enum": [*PlanStatus.values]})
    as_of: dt.date = Field(description="The plan date: kampass's facts in the plan are taken as of it.")
    template_id: int
    template_version: int
    template_changed: bool = Field(
        description="The template's current sections differ from the ones this version follows "
        "(an open version can adopt them: POST /plans/{id}/adopt-template)."
    )
    based_on_id: int | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: str | None
    approval_comment: str
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanOut(PlanSummaryOut):
    sections: list[PlanSectionOut]
    swot: list[PlanSwotItemOut]
    relationship: PlanRelationshipOut
    missing_required: list[str] = Field(description="Required fields still empty, as section.field.")


class PlanListOut(Schema):
    items: list[PlanSummaryOut]
    count: int


class PlanFilterIn(PageIn):
    account_id: Id | None = Field(None, description="Only the plans of this account.")
    status: str = Field("", json_schema_extra={"enum": ["", *PlanStatus.values]})
    q: str = Field("", max_length=200, description="Part of the account's name.")


class PlanCreateIn(InSchema):
    account_id: Id
    period_start: dt.date
    period_end: dt.date
    template_id: Id | None = None


class PlanSectionIn(InSchema):
    content: dict[str, str] = Field(description="The section's fields (field key -> text); all of them are replaced.")
    version: int | None = version_in()


class PlanTransitionIn(InSchema):
    target: str = Field(json_schema_extra={"enum": [*PlanStatus.values]})
    comment: str = Field("", max_length=5000)
    version: int | None = version_in()


class PlanAdoptTemplateIn(InSchema):
    version: int | None = version_in()


class PlanVersionsOut(Schema):
    items: list[PlanSummaryOut]
    count: int


class PlanFieldChangeOut(Schema):
    section: str
    field: str
    before: str
    after: str


class PlanCompareOut(Schema):
    older_id: int
    newer_id: int
    changes: list[PlanFieldChangeOut]


# ---------------------------------------------------------------- helpers


def _summary(plan: AccountPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "version": plan.version,
        "account_id": plan.account_id,
        "account": plan.account.name,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "number": plan.number,
        "status": plan.status,
        "as_of": plan.as_of,
        "template_id": plan.template_id,
        "template_version": plan.template_version,
        "template_changed": plan.template_changed,
        "based_on_id": plan.based_on_id,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
        "approved_by": str(plan.approved_by) if plan.approved_by else None,
        "approval_comment": plan.approval_comment,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


def _plan_out(pk: int) -> dict[str, Any]:
    plan = AccountPlan.objects.select_related("account", "template", "approved_by").get(pk=pk)
    lang_sections = selectors.plan_sections(plan)
    from django.utils.translation import get_language

    lang = get_language() or "en"
    return {
        **_summary(plan),
        "sections": [
            {
                "key": spec.key,
                "label": spec.label(lang),
                "version": s.version if s else 1,
                "content": dict(s.content) if s else {},
                "updated_at": s.updated_at if s else None,
            }
            for spec, s in lang_sections
        ],
        "swot": [i for items in selectors.swot_by_kind(plan).values() for i in items],
        "relationship": {"now": plan.relationship_now, "target": plan.relationship_target},
        "missing_required": [f"{a}.{b}" for a, b in core.missing_required(plan.specs(), selectors.plan_content(plan))],
    }


def _plan(request: HttpRequest, plan_id: int) -> AccountPlan:
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=plan_id)
    authorize(_actor(request), "planning.view_plan", plan.account)
    return plan


# ---------------------------------------------------------------- endpoints


@router.get("/plans", response={200: PlanListOut, **ERRORS})
def plan_list(request: HttpRequest, filters: Query[PlanFilterIn]) -> Any:
    """The plan versions you may read, by account name (newest period first within an account)."""
    plans = selectors.plans_visible(
        user=_actor(request), account_id=filters.account_id, status=filters.status, q=filters.q.strip()
    )
    page = page_of(selectors.plans_sorted(plans), filters)
    return {"items": [_summary(p) for p in page["items"]], "count": page["count"]}


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def plan_get(request: HttpRequest, response: HttpResponse, plan_id: Id) -> Any:
    """One plan version with its sections (and their versions), SWOT items and relationship stage."""
    plan = _plan(request, plan_id)
    set_etag(response, plan)
    return _plan_out(plan.pk)


@router.post(
    "/plans",
    response={201: PlanOut, **ERRORS},
    openapi_extra=refused(
        "the period does not end after it starts",
        "the account has a plan for the period already",
        "an id that names no stored object",
    ),
)
def plan_create(request: HttpRequest, payload: PlanCreateIn) -> Status[Any]:
    """Start the first version of an account's plan for a period (empty sections of the template)."""
    with _api_field_names():
        plan = services.plan_create(
            actor=_actor(request),
            account_id=payload.account_id,
            period_start=payload.period_start,
            period_end=payload.period_end,
            template_id=payload.template_id,
        )
    return Status(201, _plan_out(plan.pk))


@router.patch(
    "/plans/{plan_id}/sections/{key}",
    response={200: PlanSectionOut, **ERRORS, **conflict_responses(PlanSectionOut)},
    openapi_extra=refused("the plan version is signed off", "a field the section does not have"),
)
def plan_section_patch(
    request: HttpRequest, response: HttpResponse, plan_id: Id, key: str, payload: PlanSectionIn
) -> Any:
    """Replace a section's fields; send the section ``version`` you read (or ``If-Match``): a stale one
    answers 409 (412) with the section as saved."""
    plan = _plan(request, plan_id)
    section = plan.sections.filter(key=key).first()
    if section is None:
        raise Http404(_("This plan has no section “%(key)s”.") % {"key": key})
    spec = {s.key: s for s in plan.specs()}[key]
    from django.utils.translation import get_language

    def current() -> dict[str, Any]:
        s = plan.sections.get(key=key)
        return {
            "key": key,
            "label": spec.label(get_language() or "en"),
            "version": s.version,
            "content": dict(s.content),
            "updated_at": s.updated_at,
        }

    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.plan_section_save(
            actor=_actor(request), plan=plan, key=key, content=payload.content, version=version
        ),
        current=current,
        version_of=lambda obj: obj["version"],
    )


@router.post(
    "/plans/{plan_id}/transition",
    response={200: PlanOut, **ERRORS, **conflict_responses(PlanOut)},
    openapi_extra=refused("a move the plan's life cycle does not allow", "required fields are empty (to review)"),
)
def plan_transition(request: HttpRequest, response: HttpResponse, plan_id: Id, payload: PlanTransitionIn) -> Any:
    """Move the plan in its life cycle: ``in_review`` (submit), ``draft`` (send back), ``approved``
    (sign off, with ``comment``), ``active``, ``superseded``. A stale ``version`` answers 409 (412)."""
    plan = _plan(request, plan_id)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.plan_transition(
            actor=_actor(request), plan=plan, target=payload.target, comment=payload.comment, version=version
        ),
        current=lambda: _plan_out(plan.pk),
        version_of=lambda obj: obj["version"],
    )


@router.post(
    "/plans/{plan_id}/adopt-template",
    response={200: PlanOut, **ERRORS, **conflict_responses(PlanOut)},
    openapi_extra=refused("the version is no longer open (approved, active or superseded)"),
)
def plan_adopt_template(request: HttpRequest, response: HttpResponse, plan_id: Id, payload: PlanAdoptTemplateIn) -> Any:
    """Let an open version follow its template's current sections: new sections start empty, the text of
    sections the template still has is kept (that of removed ones is kept but no longer shown). A stale
    ``version`` answers 409 (412)."""
    plan = _plan(request, plan_id)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.plan_adopt_template(actor=_actor(request), plan=plan, version=version),
        current=lambda: _plan_out(plan.pk),
        version_of=lambda obj: obj["version"],
    )


@router.post(
    "/plans/{plan_id}/versions",
    response={201: PlanOut, **ERRORS},
    openapi_extra=refused("another version of the plan is still open"),
)
def plan_new_version(request: HttpRequest, plan_id: Id) -> Status[Any]:
    """Start a new draft version from this one (sections, SWOT and relationship copied)."""
    plan = _plan(request, plan_id)
    new = services.plan_new_version(actor=_actor(request), plan=plan)
    return Status(201, _plan_out(new.pk))


@router.get("/plans/{plan_id}/versions", response={200: PlanVersionsOut, **ERRORS})
def plan_versions(request: HttpRequest, plan_id: Id) -> Any:
    """All versions of the plan's account and period, newest first."""
    plan = _plan(request, plan_id)
    items = [_summary(p) for p in selectors.plan_versions(plan).select_related("account", "template", "approved_by")]
    return {"items": items, "count": len(items)}


@router.get("/plans/{plan_id}/compare/{other_id}", response={200: PlanCompareOut, **ERRORS})
def plan_compare(request: HttpRequest, plan_id: Id, other_id: Id) -> Any:
    """The fields that differ between two versions of the same account and period (older → newer)."""
    plan = _plan(request, plan_id)
    other = selectors.plan_versions(plan).filter(pk=other_id).first()
    if other is None:
        raise Http404(_("Only versions of the same account and period can be compared."))
    older, newer = sorted((plan, other), key=lambda p: p.number)
    changes = core.compare_content(selectors.plan_content(older), selectors.plan_content(newer))
    return {"older_id": older.pk, "newer_id": newer.pk, "changes": [c.__dict__ for c in changes]}
