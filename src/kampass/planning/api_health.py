"""JSON API of the health score and the scorecard: one account's health with its components and
snapshots, and the scorecard of every key account the caller may read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kampass.accounts import facade as accounts_facade
from kampass.common.api import ERRORS, Id, InSchema
from kampass.common.api import actor as _actor
from kampass.common.permissions import authorize
from kampass.core import scorecard as core
from kampass.planning import health_runs
from kampass.planning import health_selectors as selectors
from kampass.planning.models import AccountPlan, HealthRun

router = Router(tags=["health"])


class HealthComponentOut(Schema):
    key: str
    value: float | None = Field(description="The component's score 0..1; null when it has no value (missing).")
    raw: float | None = Field(description="The figure it is computed from (share, ratio, months, count).")
    unbounded: bool = Field(description="The raw figure is infinite: no signed-off plan, or the target is met.")
    weight: float
    contribution: float = Field(description="Points of the health: 100 × weight × score ÷ sum of present weights.")


class HealthSnapshotOut(Schema):
    day: dt.date
    health: float | None


class AccountHealthOut(Schema):
    account_id: int
    account: str
    health: float | None = Field(description="0..100; null when no weighted component has a value.")
    light: str = Field(description="green (from 70), amber (from 40), red, or empty.")
    missing: list[str]
    components: list[HealthComponentOut]
    snapshots: list[HealthSnapshotOut]


class ScorecardAccountOut(Schema):
    account_id: int
    account: str
    health: float | None
    light: str
    change: float | None = Field(description="Points since the last snapshot before today.")
    kams: list[str]
    teams: list[str]
    components: list[HealthComponentOut]
    day: dt.date | None = Field(description="Day of the stored snapshot shown; null: none stored, computed now.")
    computed_at: dt.datetime | None = Field(description="When that snapshot was computed.")


class ScorecardRollupOut(Schema):
    kind: str
    id: int
    name: str
    accounts: int
    health: float | None
    light: str


class ScorecardOut(Schema):
    accounts: list[ScorecardAccountOut]
    by_kam: list[ScorecardRollupOut]
    by_team: list[ScorecardRollupOut]
    by_group: list[ScorecardRollupOut]
    weights: dict[str, int]


class AccountHealthIn(InSchema):
    account_id: Id


class ScorecardFilterIn(InSchema):
    kam_id: Id | None = None
    team_id: Id | None = None
    light: str = Field("", json_schema_extra={"enum": ["", core.GREEN, core.AMBER, core.RED]})
    health_min: float | None = Field(None, ge=0, le=100, description="Only accounts with at least this health.")
    health_max: float | None = Field(None, ge=0, le=100, description="Only accounts with at most this health.")


def _components(h: core.Health) -> list[dict[str, Any]]:
    return [
        {
            "key": c["key"], "value": c["score"], "raw": c["raw"], "unbounded": c["unbounded"],
            "weight": c["weight"], "contribution": c["contribution"],
        }
        for c in selectors.components_json(h)
    ]  # fmt: skip


@router.get("/account-health", response={200: AccountHealthOut, **ERRORS})
def account_health(request: HttpRequest, params: Query[AccountHealthIn]) -> dict[str, Any]:
    """One account's health now, decomposed into its components' contributions, with its stored snapshots."""
    account = AccountPlan._meta.get_field("account").related_model._default_manager.filter(pk=params.account_id).first()
    ref = accounts_facade.account_ref(params.account_id)
    if account is None or ref is None:
        raise Http404
    authorize(_actor(request), "planning.view_health", account)
    h = selectors.account_health([account.pk])[account.pk]
    return {
        "account_id": account.pk,
        "account": ref.name,
        "health": h.score,
        "light": core.health_light(h.score),
        "missing": list(h.missing),
        "components": _components(h),
        "snapshots": [{"day": s.day, "health": s.score} for s in selectors.snapshots(account.pk)],
    }


@router.get("/scorecard", response={200: ScorecardOut, **ERRORS})
def scorecard(request: HttpRequest, filters: Query[ScorecardFilterIn]) -> dict[str, Any]:
    """The key accounts the caller may read by health (highest first), with roll-ups per KAM, team and group."""
    card = selectors.scorecard(
        user=_actor(request),
        filters=selectors.ScorecardFilters(
            kam=filters.kam_id,
            team=filters.team_id,
            light=filters.light,
            descending=True,
            health_min=filters.health_min,
            health_max=filters.health_max,
        ),
    )
    if card.computed_now:
        health_runs.health_run_catch_up()

    def rollups(rows: list[selectors.Rollup]) -> list[dict[str, Any]]:
        return [
            {"kind": r.kind, "id": r.key, "name": r.name, "accounts": r.accounts, "health": r.health, "light": r.light}
            for r in rows
        ]

    return {
        "accounts": [
            {
                "account_id": r.account_id,
                "account": r.name,
                "health": r.score,
                "light": r.light,
                "change": r.change,
                "kams": list(r.kams),
                "teams": list(r.teams),
                "components": _components(r.health),
                "day": r.day,
                "computed_at": r.computed_at,
            }
            for r in card.rows
        ],
        "by_kam": rollups(card.by_kam),
        "by_team": rollups(card.by_team),
        "by_group": rollups(card.by_group),
        "weights": card.weights,
    }


class HealthRunOut(Schema):
    id: str
    day: dt.date
    status: str = Field(description="queued, running, done or failed.")
    trigger: str = Field(description="manual (recompute now) or schedule (the worker's daily run).")
    total: int
    done: int = Field(description="Key accounts stored so far.")
    percent: int
    notices: int
    reviews_planned: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _run_out(run: HealthRun) -> dict[str, Any]:
    return {
        "id": str(run.pk), "day": run.day, "status": run.status, "trigger": run.trigger, "total": run.total,
        "done": run.done, "percent": run.percent, "notices": run.notices, "reviews_planned": run.reviews_planned,
        "created_at": run.created_at, "finished_at": run.finished_at,
    }  # fmt: skip


@router.post("/scorecard/recompute", response={202: HealthRunOut, **ERRORS})
def scorecard_recompute(request: HttpRequest) -> Status[Any]:
    """Recompute every key account's health snapshot of today in the background (head of KAM); poll the run."""
    run = health_runs.health_run_start(actor=_actor(request))
    return Status(202, _run_out(run))


@router.get("/scorecard/runs/{run_id}", response={200: HealthRunOut, **ERRORS})
def scorecard_run(request: HttpRequest, run_id: uuid.UUID) -> dict[str, Any]:
    """The progress of one recomputation of the health snapshots (head of KAM)."""
    authorize(_actor(request), "planning.manage_health_weights")
    return _run_out(get_object_or_404(HealthRun, pk=run_id))
