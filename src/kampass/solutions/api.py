"""JSON API of the solutions context: the solution library with its uses at accounts, and the
co-creation initiatives.

Endpoints only translate between JSON and the services/selectors; the services check the
permissions (head of KAM and key account managers create and edit solutions; a key account
manager links uses only at accounts they may edit; controllers and viewers read). Lists have the
shape ``{"items": [...], "count": n}``; updates and removals take the ``version`` (or ``If-Match``).
Amounts are decimal strings with their currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import (
    ERRORS,
    NOT_BLANK,
    UNCHANGED,
    DecimalString,
    Id,
    InSchema,
    PageIn,
    RemovalIn,
    model_field,
    page_of,
    refused,
)
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.currencies import CURRENCIES
from kampass.common.permissions import authorize
from kampass.solutions import selectors, services
from kampass.solutions.models import Initiative, Solution, SolutionStatus, SolutionUse, Stage

router = Router(tags=["solutions"])

_CURRENCY_CODES: list[Any] = [code for code, _label in CURRENCIES]
Hours = Annotated[Decimal, DecimalString.of(Initiative, "effort_hours")]
Cost = Annotated[Decimal, DecimalString.of(Initiative, "effort_cost")]

# ---------------------------------------------------------------- schemas


class SolutionUseOut(Schema):
    id: int
    solution_id: Id
    account_id: Id
    account: str
    opportunity_id: Id | None
    plan_id: Id | None
    note: str
    reference: bool
    linked_at: dt.datetime

    @staticmethod
    def resolve_account(obj: SolutionUse) -> str:
        return str(obj.account)

    @staticmethod
    def resolve_linked_at(obj: SolutionUse) -> dt.datetime:
        return obj.created_at


class SolutionUsePageOut(Schema):
    items: list[SolutionUseOut]
    count: int


class SolutionOut(Schema):
    id: int
    version: int = version_out()
    name: str
    problem: str
    value_proposition: str
    segments: list[str]
    components: str
    evidence: str
    status: str = Field(json_schema_extra={"enum": [*SolutionStatus.values]})
    account_ids: list[Id] = Field(description="The accounts where the solution is used.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_segments(obj: Solution) -> list[str]:
        return obj.segment_list

    @staticmethod
    def resolve_account_ids(obj: Solution) -> list[int]:
        return sorted(set(obj.uses.values_list("account_id", flat=True)))


class SolutionPageOut(Schema):
    items: list[SolutionOut]
    count: int


class SolutionFilterIn(InSchema):
    q: str = Field("", description="Search in name, problem, value proposition, segments and components.")
    status: str = Field("", json_schema_extra={"enum": ["", *SolutionStatus.values]})
    segment: str = Field("", description="Only solutions for this target segment.")
    sort: str = Field("name", json_schema_extra={"enum": [*selectors.SOLUTION_SORTS]})
    descending: bool = False


class SolutionIn(InSchema):
    name: str = model_field(Solution, "name", pattern=NOT_BLANK)
    problem: str = ""
    value_proposition: str = ""
    segments: str = model_field(Solution, "segments", "", description="Comma-separated target segments.")
    components: str = ""
    evidence: str = ""
    status: str = Field(SolutionStatus.ACTIVE, json_schema_extra={"enum": [*SolutionStatus.values]})


class SolutionPatchIn(InSchema):
    """Only the fields sent are changed; none may be ``null``."""

    name: str = model_field(Solution, "name", UNCHANGED, pattern=NOT_BLANK)
    problem: str = UNCHANGED
    value_proposition: str = UNCHANGED
    segments: str = model_field(Solution, "segments", UNCHANGED)
    components: str = UNCHANGED
    evidence: str = UNCHANGED
    status: str = Field(UNCHANGED, json_schema_extra={"enum": [*SolutionStatus.values]})
    version: int | None = version_in()


class SolutionUseIn(InSchema):
    account_id: Id
    opportunity_id: Id | None = Field(None, description="An opportunity of the account (or of its subsidiaries).")
    plan_id: Id | None = Field(None, description="The id of an account plan of the planning context.")
    note: str = model_field(SolutionUse, "note", "")
    reference: bool = Field(False, description="The account is a reference for the solution.")


class CoCreationOut(Schema):
    id: int
    version: int = version_out()
    name: str
    description: str
    stage: str = Field(json_schema_extra={"enum": [*Stage.values]})
    stage_since: dt.date
    account_ids: list[Id]
    effort_hours: str = Field(description="Decimal string.")
    effort_cost: str = Field(description="Decimal string, in `currency`.")
    currency: str
    starts: dt.date
    ends: dt.date | None
    opportunity_ids: list[Id]
    product_groups: list[str]
    solution_id: Id | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_account_ids(obj: Initiative) -> list[int]:
        return sorted(obj.accounts.values_list("pk", flat=True))

    @staticmethod
    def resolve_opportunity_ids(obj: Initiative) -> list[int]:
        return sorted(obj.opportunities.values_list("pk", flat=True))

    @staticmethod
    def resolve_effort_hours(obj: Initiative) -> str:
        return str(obj.effort_hours)

    @staticmethod
    def resolve_effort_cost(obj: Initiative) -> str:
        return str(obj.effort_cost)


class CoCreationPageOut(Schema):
    items: list[CoCreationOut]
    count: int


class CoCreationFilterIn(InSchema):
    q: str = Field("", description="Search in name and description.")
    stage: str = Field("", json_schema_extra={"enum": ["", *Stage.values]})
    account_id: Id | None = None


class CoCreationIn(InSchema):
    name: str = model_field(Initiative, "name", pattern=NOT_BLANK)
    description: str = ""
    stage: str = Field(Stage.IDEA, json_schema_extra={"enum": [*Stage.values]})
    account_ids: list[Id] = Field(min_length=1, description="The key accounts involved (at least one).")
    effort_hours: Hours = Decimal(0)
    effort_cost: Cost = Decimal(0)
    currency: str = Field("EUR", json_schema_extra={"enum": [*_CURRENCY_CODES]})
    starts: dt.date
    ends: dt.date | None = None
    opportunity_ids: list[Id] = Field(default_factory=list)
    product_groups: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)
    solution_id: Id | None = None


class CoCreationPatchIn(InSchema):
    """Only the fields sent are changed; ``null`` clears the end and the solution, the other fields
    cannot be ``null``. The stage moves with ``POST .../stage``."""

    name: str = model_field(Initiative, "name", UNCHANGED, pattern=NOT_BLANK)
    description: str = UNCHANGED
    account_ids: list[Id] = Field(UNCHANGED, min_length=1)
    effort_hours: Hours = UNCHANGED
    effort_cost: Cost = UNCHANGED
    currency: str = Field(UNCHANGED, json_schema_extra={"enum": [*_CURRENCY_CODES]})
    starts: dt.date = UNCHANGED
    ends: dt.date | None = UNCHANGED
    opportunity_ids: list[Id] = UNCHANGED
    product_groups: list[Annotated[str, Field(min_length=1, max_length=100)]] = UNCHANGED
    solution_id: Id | None = UNCHANGED
    version: int | None = version_in()


class CoCreationStageIn(InSchema):
    stage: str = Field(json_schema_extra={"enum": [*Stage.values]})
    on: dt.date | None = Field(None, description="The day of the change; default today.")
    version: int | None = version_in()


# ---------------------------------------------------------------- solutions


def _solution(request: HttpRequest, solution_id: int) -> Solution:
    authorize(_actor(request), "solutions.view_solution")
    return get_object_or_404(Solution, pk=solution_id)


def _solution_ref(pk: int | None) -> Solution | None:
    if pk is None:
        return None
    solution = Solution.objects.filter(pk=pk).first()
    if solution is None:
        raise ValidationError({"solution_id": _("There is no solution with id %(id)s.") % {"id": pk}})
    return solution


@router.get("/solutions", response={200: SolutionPageOut, **ERRORS})
def solution_list(request: HttpRequest, filters: Query[SolutionFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    authorize(_actor(request), "solutions.view_solution")
    qs = selectors.solution_list(
        filters=selectors.SolutionFilters(
            q=filters.q, status=filters.status, segment=filters.segment, sort=filters.sort,
            descending=filters.descending,
        )
    )  # fmt: skip
    return page_of(qs, page)


@router.post(
    "/solutions",
    response={201: SolutionOut, **ERRORS},
    openapi_extra=refused("a solution of that name exists already"),
)
def solution_create(request: HttpRequest, payload: SolutionIn) -> Status[Any]:
    solution = services.solution_create(actor=_actor(request), **payload.model_dump())
    return Status(201, solution)


@router.get("/solutions/{solution_id}", response={200: SolutionOut, **ERRORS})
def solution_get(request: HttpRequest, response: HttpResponse, solution_id: Id) -> Solution:
    return set_etag(response, _solution(request, solution_id))


@router.patch(
    "/solutions/{solution_id}",
    response={200: SolutionOut, **ERRORS, **conflict_responses(SolutionOut)},
    openapi_extra=refused("a solution of that name exists already"),
)
def solution_patch(request: HttpRequest, response: HttpResponse, solution_id: Id, payload: SolutionPatchIn) -> Any:
    """Change a solution; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    solution = _solution(request, solution_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    for key, value in changes.items():
        if value is None:
            raise ValidationError({key: _("This field cannot be null.")})
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.solution_update(
            actor=_actor(request), solution=solution, version=version, **changes
        ),
        current=lambda: Solution.objects.get(pk=solution.pk),
    )


@router.delete("/solutions/{solution_id}", response={204: None, **ERRORS, **conflict_responses(SolutionOut)})
def solution_delete(request: HttpRequest, response: HttpResponse, solution_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete a solution and its uses; a stale ``version`` (``If-Match``) answers 409 (412)."""
    solution = _solution(request, solution_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.solution_delete(actor=_actor(request), solution=solution, version=version),
        current=lambda: Solution.objects.get(pk=solution.pk),
    )


@router.get("/solutions/{solution_id}/uses", response={200: SolutionUsePageOut, **ERRORS})
def use_list(request: HttpRequest, solution_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    solution = _solution(request, solution_id)
    return page_of(solution.uses.select_related("account").order_by("account__name", "pk"), page)


@router.post(
    "/solutions/{solution_id}/uses",
    response={201: SolutionUseOut, **ERRORS},
    openapi_extra=refused(
        "a retired solution", "an opportunity of another account", "an id that names no stored object"
    ),
)
def use_link(request: HttpRequest, solution_id: Id, payload: SolutionUseIn) -> Status[Any]:
    """Link a use of the solution at an account (linking the same use again updates its note)."""
    solution = _solution(request, solution_id)
    use = services.solution_use_link(actor=_actor(request), solution=solution, **payload.model_dump())
    return Status(201, use)


@router.delete("/solutions/{solution_id}/uses/{use_id}", response={204: None, **ERRORS})
def use_unlink(request: HttpRequest, solution_id: Id, use_id: Id) -> Status[None]:
    _solution(request, solution_id)
    use = get_object_or_404(SolutionUse.objects.select_related("account"), pk=use_id, solution_id=solution_id)
    services.solution_use_unlink(actor=_actor(request), use=use)
    return Status(204, None)


# ---------------------------------------------------------------- initiatives


def _initiative(request: HttpRequest, initiative_id: int) -> Initiative:
    authorize(_actor(request), "solutions.view_initiative")
    return get_object_or_404(Initiative, pk=initiative_id)


@router.get("/initiatives", response={200: CoCreationPageOut, **ERRORS})
def initiative_list(request: HttpRequest, filters: Query[CoCreationFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    authorize(_actor(request), "solutions.view_initiative")
    qs = selectors.initiative_list(
        filters=selectors.InitiativeFilters(q=filters.q, stage=filters.stage, account_id=filters.account_id)
    )
    return page_of(qs, page)


@router.post(
    "/initiatives",
    response={201: CoCreationOut, **ERRORS},
    openapi_extra=refused(
        "an end before the start",
        "an account that is no key account (or, for a key account manager, not on their team)",
        "an opportunity of another account",
        "an id that names no stored object",
    ),
)
def initiative_create(request: HttpRequest, payload: CoCreationIn) -> Status[Any]:
    data = payload.model_dump()
    data["solution"] = _solution_ref(data.pop("solution_id"))
    initiative = services.initiative_create(actor=_actor(request), **data)
    return Status(201, initiative)


@router.get("/initiatives/{initiative_id}", response={200: CoCreationOut, **ERRORS})
def initiative_get(request: HttpRequest, response: HttpResponse, initiative_id: Id) -> Initiative:
    return set_etag(response, _initiative(request, initiative_id))


@router.patch(
    "/initiatives/{initiative_id}",
    response={200: CoCreationOut, **ERRORS, **conflict_responses(CoCreationOut)},
    openapi_extra=refused(
        "an end before the start",
        "an account that is no key account (or, for a key account manager, not on their team)",
        "an opportunity of another account",
        "an id that names no stored object",
    ),
)
def initiative_patch(
    request: HttpRequest, response: HttpResponse, initiative_id: Id, payload: CoCreationPatchIn
) -> Any:
    """Change an initiative; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    initiative = _initiative(request, initiative_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    for key, value in list(changes.items()):
        if value is None and key not in ("ends", "solution_id"):
            raise ValidationError({key: _("This field cannot be null.")})
    if "solution_id" in changes:
        changes["solution"] = _solution_ref(changes.pop("solution_id"))
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.initiative_update(
            actor=_actor(request), initiative=initiative, version=version, **changes
        ),
        current=lambda: Initiative.objects.get(pk=initiative.pk),
    )


@router.post(
    "/initiatives/{initiative_id}/stage",
    response={200: CoCreationOut, **ERRORS, **conflict_responses(CoCreationOut)},
    openapi_extra=refused("the initiative is in this stage already", "a day before the current stage began"),
)
def initiative_stage(
    request: HttpRequest, response: HttpResponse, initiative_id: Id, payload: CoCreationStageIn
) -> Any:
    """Move the initiative to another stage (recorded with its day); a stale ``version`` answers 409 (412)."""
    initiative = _initiative(request, initiative_id)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.initiative_move(
            actor=_actor(request), initiative=initiative, stage=payload.stage, on=payload.on, version=version
        ),
        current=lambda: Initiative.objects.get(pk=initiative.pk),
    )


@router.delete("/initiatives/{initiative_id}", response={204: None, **ERRORS, **conflict_responses(CoCreationOut)})
def initiative_delete(
    request: HttpRequest, response: HttpResponse, initiative_id: Id, removal: Query[RemovalIn]
) -> Any:
    """Delete an initiative; a stale ``version`` (``If-Match``) answers 409 (412)."""
    initiative = _initiative(request, initiative_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.initiative_delete(
            actor=_actor(request), initiative=initiative, version=version
        ),
        current=lambda: Initiative.objects.get(pk=initiative.pk),
    )
