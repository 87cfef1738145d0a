"""JSON API of the solutions an account plan uses (``/api/v1/plans/{id}/solutions``): list, link a
solution of the library, unlink it. The uses are stored by the solutions context (``SolutionUse``
with the plan's id) and show in the library's "where used"; the services check the permissions (as
the plan page: who may change the plan and link uses at its account, while the plan is editable)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from kampass.common.api import ERRORS, Id, InSchema, refused
from kampass.common.api import actor as _actor
from kampass.common.permissions import authorize
from kampass.planning import services_solutions as services
from kampass.planning.models import AccountPlan
from kampass.solutions import facade as solutions_facade

router = Router(tags=["plans"])


class PlanSolutionOut(Schema):
    id: int = Field(description="The solution's id in the library (``/api/v1/solutions/{id}``).")
    name: str
    status: str = Field(json_schema_extra={"enum": ["active", "retired"]})
    problem: str
    segments: list[str]


class PlanSolutionListOut(Schema):
    items: list[PlanSolutionOut]
    count: int


class PlanSolutionIn(InSchema):
    solution_id: Id = Field(description="An active solution of the library.")


def _plan(request: HttpRequest, plan_id: int) -> AccountPlan:
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=plan_id)
    authorize(_actor(request), "planning.view_plan", plan.account)
    return plan


def _items(plan: AccountPlan) -> dict[str, Any]:
    items = [
        {"id": s.id, "name": s.name, "status": s.status, "problem": s.problem, "segments": list(s.segments)}
        for s in solutions_facade.solutions_for_plan(plan.pk)
    ]
    return {"items": items, "count": len(items)}


@router.get("/plans/{plan_id}/solutions", response={200: PlanSolutionListOut, **ERRORS})
def plan_solution_list(request: HttpRequest, plan_id: Id) -> Any:
    """The solutions of the library this plan version uses, by name."""
    return _items(_plan(request, plan_id))


@router.post(
    "/plans/{plan_id}/solutions",
    response={201: PlanSolutionListOut, **ERRORS},
    openapi_extra=refused("the plan version is signed off", "a retired solution", "an id that names no solution"),
)
def plan_solution_link(request: HttpRequest, plan_id: Id, payload: PlanSolutionIn) -> Status[Any]:
    """Link a solution of the library to the plan (linking it again keeps one); answers the plan's solutions."""
    plan = _plan(request, plan_id)
    services.plan_solution_link(actor=_actor(request), plan=plan, solution_id=payload.solution_id)
    return Status(201, _items(plan))


@router.delete(
    "/plans/{plan_id}/solutions/{solution_id}",
    response={204: None, **ERRORS},
    openapi_extra=refused("the plan version is signed off"),
)
def plan_solution_unlink(request: HttpRequest, plan_id: Id, solution_id: Id) -> Status[None]:
    """Remove the plan's use of the solution (nothing to remove is no error)."""
    plan = _plan(request, plan_id)
    services.plan_solution_unlink(actor=_actor(request), plan=plan, solution_id=solution_id)
    return Status(204, None)
