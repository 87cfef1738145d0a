"""JSON API of the KPI targets and the KPI matrix: the targets the head of KAM sets (for all key
accounts or for one), and the matrix of the readable key accounts with every KPI's value, target and
traffic light, with the roll-ups per KAM and team."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kampass.common.api import ERRORS, DecimalString, ErrorOut, Id, InSchema, PageIn, RemovalIn, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_delete, conflict_responses, version_in, version_out
from kampass.common.permissions import authorize
from kampass.core import kpis as catalogue
from kampass.planning import kpi_target_selectors as selectors
from kampass.planning import kpi_target_services as services
from kampass.planning.models import KpiTarget

router = Router(tags=["kpi targets"])

Threshold = Annotated[Decimal, DecimalString(16, 4)]


class KpiTargetOut(Schema):
    id: int
    version: int = version_out()
    kpi_key: str
    account_id: int | None = Field(description="null: the target for every key account (and the roll-ups).")
    green: str = Field(description="Decimal string: a value at least as good is green (shares as fractions).")
    amber: str = Field(description="Decimal string: a value at least as good is amber; worse is red.")
    higher_is_better: bool
    currency: str = Field(description="For money KPIs, else empty.")


class KpiTargetIn(InSchema):
    kpi_key: str = Field(json_schema_extra={"enum": [k.key for k in catalogue.CATALOGUE]})
    account_id: Id | None = Field(None, description="Omit for the target of every key account.")
    green: Threshold
    amber: Threshold
    higher_is_better: bool | None = Field(None, description="Default: the KPI's direction in the catalogue.")
    currency: str = Field("", max_length=3, description="Money KPIs only; default: the reporting currency.")
    version: int | None = version_in()


class KpiTargetListIn(InSchema):
    account_id: Id | None = Field(None, description="Only the targets for every account and this one's own.")


class KpiTargetListOut(Schema):
    items: list[KpiTargetOut]
    count: int


class KpiCellOut(Schema):
    key: str
    value: str | None = Field(description="Decimal string (shares as fractions); null without a value.")
    unit: str
    currency: str
    green: str | None = Field(description="The threshold in force (the account's own target, else the general one).")
    amber: str | None
    higher_is_better: bool | None
    light: str = Field(description="green, amber, red, or empty without a value or a target.")


class KpiMatrixRowOut(Schema):
    account_id: int
    account: str
    kind: str = Field(description="account (a key account) or group (a group above key accounts).")
    depth: int
    kpis: list[KpiCellOut]


class KpiRollupOut(Schema):
    kind: str
    id: int
    name: str
    accounts: int = Field(description="Outermost accounts summed (a group and its subsidiary count once).")
    kpis: list[KpiCellOut]


class KpiMatrixOut(Schema):
    as_of: dt.date
    currency: str
    keys: list[str]
    items: list[KpiMatrixRowOut]
    count: int
    by_kam: list[KpiRollupOut]
    by_team: list[KpiRollupOut]


class KpiMatrixIn(InSchema):
    as_of: dt.date | None = Field(None, description="Default: today.")


def _target_out(t: KpiTarget) -> dict[str, Any]:
    return {
        "id": t.pk, "version": t.version, "kpi_key": t.kpi_key, "account_id": t.account_id, "green": str(t.green),
        "amber": str(t.amber), "higher_is_better": t.higher_is_better, "currency": t.currency,
    }  # fmt: skip


def _cell_out(c: selectors.Cell) -> dict[str, Any]:
    t = c.target
    return {
        "key": c.key, "value": None if c.value is None else str(c.value), "unit": c.unit, "currency": c.currency,
        "green": str(t.green) if t else None, "amber": str(t.amber) if t else None,
        "higher_is_better": t.higher_is_better if t else None, "light": c.light,
    }  # fmt: skip


@router.get("/kpi-targets", response={200: KpiTargetListOut, **ERRORS})
def target_list(request: HttpRequest, params: Query[KpiTargetListIn], page: Query[PageIn]) -> dict[str, Any]:
    """The KPI targets (readable by every signed-in user; the head of KAM sets them)."""
    rows = [_target_out(t) for t in selectors.target_list(account_id=params.account_id)]
    return page_of(rows, page)


@router.post(
    "/kpi-targets",
    # 409: the target there was changed since ``version`` was read (it is replaced only from its newest version)
    response={200: KpiTargetOut, 409: ErrorOut, **ERRORS},
    openapi_extra=refused("amber more demanding than green", "an unknown currency", "not the head of KAM"),
)
def target_set(request: HttpRequest, payload: KpiTargetIn) -> Status[Any]:
    """Set the target of a KPI for every key account or one account (head of KAM), replacing the one there was."""
    row = services.kpi_target_set(actor=_actor(request), **payload.model_dump())
    return Status(200, _target_out(row))


@router.delete("/kpi-targets/{target_id}", response={204: None, **ERRORS, **conflict_responses(KpiTargetOut)})
def target_remove(request: HttpRequest, response: HttpResponse, target_id: Id, removal: Query[RemovalIn]) -> Any:
    """Remove a target (head of KAM); the account falls back to the target for every account. A stale
    ``version`` (``If-Match``) answers 409 (412) with the target as saved."""
    authorize(_actor(request), "planning.manage_kpi_targets")
    target = get_object_or_404(KpiTarget, pk=target_id)

    def remove(version: int | None) -> None:
        from kampass.common.concurrency import expect_version

        expect_version(target, version)
        services.kpi_target_remove(actor=_actor(request), target=target)

    return api_delete(
        request, response, version=removal.version, remove=remove, current=lambda: _target_out(target),
        version_of=lambda data: int(data["version"]),
    )  # fmt: skip


@router.get("/kpi-matrix", response={200: KpiMatrixOut, **ERRORS})
def kpi_matrix(request: HttpRequest, params: Query[KpiMatrixIn]) -> dict[str, Any]:
    """The key accounts the caller may read (under their groups) with every KPI over the subtree, its
    target and traffic light; and the roll-ups per KAM and team (money summed, shares recomputed)."""
    m = selectors.kpi_matrix(user=_actor(request), as_of=params.as_of)

    def rollups(rows: list[selectors.RollupRow]) -> list[dict[str, Any]]:
        return [
            {
                "kind": r.kind,
                "id": r.key,
                "name": r.name,
                "accounts": r.accounts,
                "kpis": [_cell_out(c) for c in r.cells],
            }
            for r in rows
        ]

    items = [
        {"account_id": r.account_id, "account": r.name, "kind": r.kind, "depth": r.depth,
         "kpis": [_cell_out(c) for c in r.cells]}
        for r in m.rows
    ]  # fmt: skip
    return {
        "as_of": m.as_of, "currency": m.currency, "keys": list(m.keys), "items": items, "count": len(items),
        "by_kam": rollups(m.by_kam), "by_team": rollups(m.by_team),
    }  # fmt: skip
