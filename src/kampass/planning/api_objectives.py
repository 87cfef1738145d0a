"""JSON API of plan objectives and account KPIs: the KPI catalogue, an account's KPI values as of a day,
recorded values of manual KPIs, and the objectives of a plan version with their progress. Same
permissions as the pages: whoever reads the plan reads its objectives; the account's KAM and the head
of KAM change them (while the version is a draft or in review)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, UNCHANGED, DecimalString, Id, InSchema, RemovalIn, model_field, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.core import kpis as core
from kampass.planning import selectors_objectives, services_objectives
from kampass.planning.kpis import account_kpis
from kampass.planning.models import AccountPlan, ManualKpiValue, Objective

router = Router(tags=["objectives and KPIs"])

ObjectiveNumber = Annotated[Decimal, DecimalString(15, 4)]
_Account: Any = AccountPlan._meta.get_field("account").related_model


class KpiDefinitionOut(Schema):
    key: str
    label: str = Field(description="In the caller's language.")
    unit: str = Field(description="money, share (a fraction), count or level.")
    higher_is_better: bool
    computed: bool = Field(description="Computed by kampass (else recorded by hand).")
    available: bool
    description: str


class AccountKpiOut(Schema):
    key: str
    value: str | None = Field(description="Decimal string; null when it cannot be computed.")
    unit: str
    currency: str = Field(description="For money KPIs, else empty.")
    as_of: dt.date
    source: str


class AccountKpisIn(InSchema):
    account_id: Id
    as_of: dt.date | None = Field(None, description="Default: today.")


class PlanObjectiveOut(Schema):
    id: int
    version: int = version_out()
    plan_id: int
    title: str
    kpi_key: str
    unit: str
    currency: str
    baseline: str
    target: str
    start_on: dt.date
    due_on: dt.date
    actual: str | None = Field(description="The KPI's value today (on the due date once it has passed).")
    progress: float | None = Field(description="(actual − baseline) / (target − baseline).")
    elapsed: float = Field(description="Part of the time from start to due that has passed (0..1).")
    status: str = Field(description="achieved, on_track, at_risk, off_track or no_data.")


class PlanObjectiveIn(InSchema):
    title: str = model_field(Objective, "title")
    kpi_key: str = Field(json_schema_extra={"enum": [k.key for k in core.CATALOGUE if k.available]})
    baseline: ObjectiveNumber
    target: ObjectiveNumber
    due_on: dt.date
    start_on: dt.date | None = Field(None, description="The day the baseline holds; default: the plan period's start.")


class PlanObjectivePatchIn(InSchema):
    """Only the fields sent are changed."""

    title: str = model_field(Objective, "title", UNCHANGED)
    kpi_key: str = Field(UNCHANGED, json_schema_extra={"enum": [k.key for k in core.CATALOGUE if k.available]})
    baseline: ObjectiveNumber = UNCHANGED
    target: ObjectiveNumber = UNCHANGED
    due_on: dt.date = UNCHANGED
    start_on: dt.date = UNCHANGED
    version: int | None = version_in()


class ManualKpiValueIn(InSchema):
    account_id: Id
    kpi_key: str = Field(json_schema_extra={"enum": list(core.MANUAL_KEYS)})
    value: ObjectiveNumber
    measured_on: dt.date
    note: str = model_field(ManualKpiValue, "note", "")


class ManualKpiValueOut(Schema):
    id: int
    account_id: int
    kpi_key: str
    value: str
    currency: str
    measured_on: dt.date
    note: str


def _objective_out(p: selectors_objectives.ObjectiveProgress) -> dict[str, Any]:
    data = p.as_json()
    data.update({"version": p.objective.version, "plan_id": p.objective.plan_id})
    return data


def _readable_plan(request: HttpRequest, plan_id: int) -> AccountPlan:
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=plan_id)
    authorize(_actor(request), "planning.view_plan", plan.account)
    return plan


def _readable_objective(request: HttpRequest, objective_id: int) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("plan", "plan__account"), pk=objective_id)
    authorize(_actor(request), "planning.view_plan", objective.plan.account)
    return objective


def _progress_of(objective: Objective) -> dict[str, Any]:
    rows = selectors_objectives.objectives_progress(objective.plan, today=timezone.localdate())
    return _objective_out(next(r for r in rows if r.objective.pk == objective.pk))


@router.get("/kpis/catalogue", response={200: list[KpiDefinitionOut], **ERRORS})
def kpi_catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    """Every KPI objectives can be bound to: computed ones and manual ones."""
    lang = get_language() or "en"
    return [
        {
            "key": k.key, "label": k.label(lang), "unit": k.unit, "higher_is_better": k.higher_is_better,
            "computed": k.computed, "available": k.available, "description": k.description(lang),
        }
        for k in core.CATALOGUE
    ]  # fmt: skip


@router.get("/kpis", response={200: list[AccountKpiOut], **ERRORS})
def kpi_values(request: HttpRequest, params: Query[AccountKpisIn]) -> list[dict[str, Any]]:
    """The KPIs of an account (a group: with everything below it) as of a day, in the reporting currency."""
    account = get_object_or_404(_Account, pk=params.account_id)
    authorize(_actor(request), "planning.view_plan", account)
    as_of = params.as_of or timezone.localdate()
    values = account_kpis([account.pk], as_of=as_of)[account.pk]
    return [v.as_json() for v in values.values()]


@router.post(
    "/kpis/values",
    response={201: ManualKpiValueOut, **ERRORS},
    openapi_extra=refused("a measuring day in the future"),
)
def kpi_value_record(request: HttpRequest, payload: ManualKpiValueIn) -> Status[Any]:
    """Record the value of a manual KPI of an account (the account's KAM or the head of KAM)."""
    get_object_or_404(_Account, pk=payload.account_id)
    value = services_objectives.manual_kpi_record(actor=_actor(request), **payload.model_dump())
    return Status(
        201,
        {
            "id": value.pk, "account_id": value.account_id, "kpi_key": value.kpi_key, "value": str(value.value),
            "currency": value.currency, "measured_on": value.measured_on, "note": value.note,
        },
    )  # fmt: skip


@router.get("/plans/{plan_id}/objectives", response={200: list[PlanObjectiveOut], **ERRORS})
def objective_list(request: HttpRequest, plan_id: Id) -> list[dict[str, Any]]:
    """The objectives of a plan version with their actual values, progress and status today."""
    plan = _readable_plan(request, plan_id)
    return [_objective_out(p) for p in selectors_objectives.objectives_progress(plan, today=timezone.localdate())]


@router.post(
    "/plans/{plan_id}/objectives",
    response={201: PlanObjectiveOut, **ERRORS},
    openapi_extra=refused(
        "the plan version is approved, active or superseded",
        "the target equals the baseline",
        "a due date before the start or more than a year after the plan period",
    ),
)  # fmt: skip
def objective_create(
    request: HttpRequest, response: HttpResponse, plan_id: Id, payload: PlanObjectiveIn
) -> Status[Any]:
    """Add an objective to a plan version (draft or in review)."""
    plan = _readable_plan(request, plan_id)
    objective = services_objectives.objective_create(actor=_actor(request), plan=plan, **payload.model_dump())
    set_etag(response, objective)
    return Status(201, _progress_of(objective))


@router.get("/objectives/{objective_id}", response={200: PlanObjectiveOut, **ERRORS})
def objective_get(request: HttpRequest, response: HttpResponse, objective_id: Id) -> dict[str, Any]:
    objective = _readable_objective(request, objective_id)
    set_etag(response, objective)
    return _progress_of(objective)


@router.patch(
    "/objectives/{objective_id}",
    response={200: PlanObjectiveOut, **ERRORS, **conflict_responses(PlanObjectiveOut)},
    openapi_extra=refused(
        "the plan version is approved, active or superseded", "the target equals the baseline",
        "a due date before the start or more than a year after the plan period",
    ),
)  # fmt: skip
def objective_update(
    request: HttpRequest, response: HttpResponse, objective_id: Id, payload: PlanObjectivePatchIn
) -> Any:
    """Change an objective; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    objective = _readable_objective(request, objective_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    fields = {
        "title": objective.title, "kpi_key": objective.kpi_key, "baseline": objective.baseline,
        "target": objective.target, "due_on": objective.due_on, "start_on": objective.start_on, **changes,
    }  # fmt: skip
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: _progress_of(
            services_objectives.objective_update(actor=_actor(request), objective=objective, version=version, **fields)
        ),
        current=lambda: _progress_of(Objective.objects.get(pk=objective.pk)),
        version_of=lambda data: int(data["version"]),
    )


@router.delete(
    "/objectives/{objective_id}",
    response={204: None, **ERRORS, **conflict_responses(PlanObjectiveOut)},
    openapi_extra=refused("the plan version is approved, active or superseded"),
)
def objective_delete(request: HttpRequest, response: HttpResponse, objective_id: Id, removal: Query[RemovalIn]) -> Any:
    """Remove an objective from a plan version (draft or in review); a stale ``version`` (``If-Match``)
    answers 409 (412) with the objective as saved."""
    objective = _readable_objective(request, objective_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services_objectives.objective_delete(
            actor=_actor(request), objective=objective, version=version
        ),
        current=lambda: _progress_of(Objective.objects.get(pk=objective.pk)),
        version_of=lambda data: int(data["version"]),
    )
