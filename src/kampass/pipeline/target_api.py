"""JSON API of the targets (quotas): list, read, set, change (``version`` or ``If-Match``), delete, and
the forecast by forecast category against them. The same permissions as the pages: head of KAM and
administrators set targets; a key account manager reads their own, their teams' and their account
subtrees'; controllers and viewers read all. Money as decimal strings in the target's currency.

The operations are registered on the pipeline router (``kampass.pipeline.api`` imports this module)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema, Status

from kampass.common.api import (
    ERRORS,
    UNCHANGED,
    DecimalString,
    Id,
    InSchema,
    PageIn,
    RemovalIn,
    api_field_names,
    model_field,
    page_of,
    refused,
)
from kampass.common.api import actor as _actor
from kampass.common.api import ref as _ref
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.pipeline import services
from kampass.pipeline.api import router
from kampass.pipeline.models import Target, TargetPeriod, TargetScope
from kampass.pipeline.selectors import targets as target_selectors
from kampass.users.models import OrgUnit, User

TargetAmountIn = Annotated[Decimal, DecimalString.of(Target, "amount")]
Money = Annotated[str, Field(description="Decimal string, e.g. “1234.50”.")]
_NAMES = {"owner": "owner_id", "org_unit": "org_unit_id", "account": "account_id"}
_api_field_names = partial(api_field_names, _NAMES)
_Account = Target._meta.get_field("account").related_model  # the accounts' model, without importing that context


class SalesTargetOut(Schema):
    id: int
    version: int = version_out()
    scope: str = Field(description="owner, team or account (the account with everything below it).")
    owner_id: Id | None
    org_unit_id: Id | None
    account_id: Id | None
    subject: str = Field(description="The owner's, team's or account's name.")
    period: str
    year: int
    number: int = Field(description="Month 1-12 or quarter 1-4; 1 for a year.")
    period_label: str = Field(description="“2026”, “2026-Q4” or “2026-12”.")
    amount: Money
    currency: str
    note: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_subject(obj: Target) -> str:
        return obj.subject_label

    @staticmethod
    def resolve_period_label(obj: Target) -> str:
        return obj.period_label

    @staticmethod
    def resolve_amount(obj: Target) -> str:
        return str(obj.amount.quantize(Decimal("0.01")))


class SalesTargetPageOut(Schema):
    items: list[SalesTargetOut]
    count: int


class SalesTargetIn(InSchema):
    scope: str = Field(json_schema_extra={"enum": [*TargetScope.values]})
    owner_id: Id | None = Field(None, description="With scope owner.")
    org_unit_id: Id | None = Field(None, description="With scope team.")
    account_id: Id | None = Field(None, description="With scope account.")
    period: str = Field(json_schema_extra={"enum": [*TargetPeriod.values]})
    year: int = model_field(Target, "year")
    number: int = Field(1, ge=1, le=12, description="Month 1-12 or quarter 1-4; ignored for a year.")
    amount: TargetAmountIn
    currency: str = model_field(Target, "currency", "EUR")
    note: str = ""


class SalesTargetPatchIn(InSchema):
    """Only the fields sent are changed."""

    scope: str = Field(UNCHANGED, json_schema_extra={"enum": [*TargetScope.values]})
    owner_id: Id | None = UNCHANGED
    org_unit_id: Id | None = UNCHANGED
    account_id: Id | None = UNCHANGED
    period: str = Field(UNCHANGED, json_schema_extra={"enum": [*TargetPeriod.values]})
    year: int = model_field(Target, "year", UNCHANGED)
    number: int = Field(UNCHANGED, ge=1, le=12)
    amount: TargetAmountIn = UNCHANGED
    currency: str = model_field(Target, "currency", UNCHANGED)
    note: str = UNCHANGED
    version: int | None = version_in()


class SalesTargetFilterIn(InSchema):
    q: str = Field("", max_length=200)
    scope: str = Field("", json_schema_extra={"enum": ["", *TargetScope.values]})
    period: str = Field("", json_schema_extra={"enum": ["", *TargetPeriod.values]})
    year: int | None = Field(None, ge=2000, le=2100)


class AttainmentIn(InSchema):
    period: str = Field("quarter", json_schema_extra={"enum": [*TargetPeriod.values]})
    year: int | None = Field(None, ge=2000, le=2100, description="Default: this year.")
    subject: str = Field(
        "", max_length=40, pattern=r"^((owner|team|account):[1-9][0-9]{0,18})?$",
        description="“owner:<user id>”, “team:<org unit id>” or “account:<account id>”; empty: every visible target.",
    )  # fmt: skip


class AttainmentOut(Schema):
    target_id: int
    scope: str
    subject: str
    period: str
    period_label: str
    start: dt.date
    end: dt.date
    currency: str
    target: Money
    won: Money = Field(description="Won deals closed in the period, converted at the closing day's rate.")
    commit: Money = Field(description="Open deals of forecast category commit expected to close in the period.")
    best_case: Money
    pipeline: Money
    gap: Money = Field(description="Target − won − commit.")
    gap_best_case: Money = Field(description="Gap − best case.")
    attainment: float | None = Field(description="Won / target (fraction); null for a target of zero.")
    deals: int
    unconverted: int = Field(description="Deals left out: their currency has no rate.")


def _subjects(data: dict[str, Any]) -> dict[str, Any]:
    """The ids of the body as the objects the service takes (an unknown id is a 422 on its field)."""
    out: dict[str, Any] = {}
    models: dict[str, tuple[str, Any]] = {
        "owner_id": ("owner", User), "org_unit_id": ("org_unit", OrgUnit), "account_id": ("account", _Account),
    }  # fmt: skip
    for api_name, (name, model) in models.items():
        if api_name in data:
            out[name] = _ref(model, data.pop(api_name), api_name)
    return out


@router.get("/targets", response={200: SalesTargetPageOut, **ERRORS})
def target_list(request: HttpRequest, filters: Query[SalesTargetFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The targets the caller may read, sorted by period."""
    f = target_selectors.TargetFilters(q=filters.q, scope=filters.scope, period=filters.period, year=filters.year)
    return page_of(target_selectors.target_list(user=_actor(request), filters=f), page)


@router.get("/targets/attainment", response={200: list[AttainmentOut], **ERRORS})
def target_attainment(request: HttpRequest, params: Query[AttainmentIn]) -> list[dict[str, Any]]:
    """The visible targets of a period kind and year against the forecast by category (the forecast page's figures)."""
    rows = target_selectors.targets_against_forecast(
        user=_actor(request), period=params.period, year=params.year, subject=params.subject
    )
    return [r.as_json() for r in rows]


@router.post(
    "/targets",
    response={201: SalesTargetOut, **ERRORS},
    openapi_extra=refused("an id that names no stored object", "the subject the scope names is missing",
                          "a quarter above 4", "a second target for the same subject and period"),
)  # fmt: skip
def target_create(request: HttpRequest, payload: SalesTargetIn) -> Status[Any]:
    data = payload.model_dump()
    with transaction.atomic(), _api_field_names():
        subjects = _subjects(data)
        target = services.target_create(actor=_actor(request), **subjects, **data)
    return Status(201, target)


@router.get("/targets/{target_id}", response={200: SalesTargetOut, **ERRORS})
def target_get(request: HttpRequest, response: HttpResponse, target_id: Id) -> Target:
    return set_etag(response, target_selectors.target_get(user=_actor(request), pk=target_id))


@router.patch(
    "/targets/{target_id}",
    response={200: SalesTargetOut, **ERRORS, **conflict_responses(SalesTargetOut)},
    openapi_extra=refused("an id that names no stored object", "the subject the scope names is missing",
                          "a second target for the same subject and period"),
)  # fmt: skip
def target_update(request: HttpRequest, response: HttpResponse, target_id: Id, payload: SalesTargetPatchIn) -> Any:
    """Change a target; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    target = target_selectors.target_get(user=_actor(request), pk=target_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic(), _api_field_names():
        changes.update(_subjects(changes))
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.target_update(
                actor=_actor(request), target=target, version=version, **changes
            ),
            current=lambda: Target.objects.get(pk=target.pk),
        )


@router.delete("/targets/{target_id}", response={204: None, **ERRORS, **conflict_responses(SalesTargetOut)})
def target_delete(request: HttpRequest, response: HttpResponse, target_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete a target; a stale ``version`` (``If-Match``) answers 409 (412) with the target as saved."""
    target = target_selectors.target_get(user=_actor(request), pk=target_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.target_delete(actor=_actor(request), target=target, version=version),
        current=lambda: Target.objects.get(pk=target.pk),
    )


__all__ = ["AttainmentOut", "SalesTargetOut"]
