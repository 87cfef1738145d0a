"""JSON API of the segments of key accounts: segment runs with their segments (profile and members), an
account's current segment, and a new run. Everybody signed in reads; only the administrator and the head
of KAM compute a new run. Lists have the shape ``{"items": [...], "count": n}``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, Id, InSchema, PageIn, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.screening import selectors_segments as selectors
from kampass.screening import services_segments as services
from kampass.screening.models import SegmentRun

router = Router(tags=["screening"])


class SegmentRunOut(Schema):
    id: int
    computed_at: dt.datetime
    as_of: dt.date
    k: int
    silhouette: float | None
    accounts: int


class SegmentRunPageOut(Schema):
    items: list[SegmentRunOut]
    count: int


class FeatureOut(Schema):
    feature: str
    label: str
    z: float
    mean: float


class MemberOut(Schema):
    account_id: int
    name: str


class SegmentOut(Schema):
    number: int
    size: int
    profile: str
    features: list[FeatureOut]
    members: list[MemberOut]


class SegmentRunDetailOut(SegmentRunOut):
    silhouettes: dict[str, float]
    features: list[str]
    segments: list[SegmentOut]


class SegmentRunIn(InSchema):
    as_of: dt.date | None = Field(None, description="Last day of the facts' year (default: the newest invoice day).")
    k_max: int = Field(8, ge=2, le=20, description="Largest number of segments tried.")


class AccountSegmentOut(Schema):
    account_id: int
    run_id: int
    number: int
    size: int
    profile: str


def _detail(run: SegmentRun) -> dict[str, Any]:
    from kampass.core.screening.segments import feature_label

    lang = ui_language()
    segments = [
        {
            "number": v.segment.number,
            "size": v.segment.size,
            "profile": v.description,
            "features": [
                {"feature": p["feature"], "label": feature_label(p["feature"], lang), "z": p["z"], "mean": p["mean"]}
                for p in v.segment.profile
            ],
            "members": [{"account_id": a.id, "name": a.name} for a in v.members],
        }
        for v in selectors.run_segments(run, lang=lang)
    ]
    return {
        "id": run.pk,
        "computed_at": run.computed_at,
        "as_of": run.as_of,
        "k": run.k,
        "silhouette": run.silhouette,
        "accounts": run.accounts,
        "silhouettes": run.silhouettes,
        "features": run.features,
        "segments": segments,
    }


@router.get("/screening/segment-runs", response={200: SegmentRunPageOut, **ERRORS})
def segment_run_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """The segment runs, newest first."""
    authorize(_actor(request), "screening.view_segmentrun")
    return page_of(selectors.run_list(), page)


@router.post(
    "/screening/segment-runs",
    response={201: SegmentRunDetailOut, **ERRORS},
    openapi_extra=refused("fewer than three key accounts"),
)
def segment_run_create(request: HttpRequest, payload: SegmentRunIn) -> Status[Any]:
    """Compute a new segment run from today's facts (administrator and head of KAM)."""
    run = services.segment_run_compute(actor=_actor(request), as_of=payload.as_of, k_max=payload.k_max)
    return Status(201, _detail(run))


@router.get("/screening/segment-runs/current", response={200: SegmentRunDetailOut, **ERRORS})
def segment_run_current(request: HttpRequest) -> dict[str, Any]:
    """The current (newest) segment run with its segments; 404 before the first."""
    authorize(_actor(request), "screening.view_segmentrun")
    run = selectors.current_run()
    if run is None:
        raise Http404(_("There is no segment run yet."))
    return _detail(run)


@router.get("/screening/segment-runs/{run_id}", response={200: SegmentRunDetailOut, **ERRORS})
def segment_run_get(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    """A segment run with its segments, their profiles and members."""
    authorize(_actor(request), "screening.view_segmentrun")
    return _detail(get_object_or_404(SegmentRun, pk=run_id))


@router.get("/screening/accounts/{account_id}/segment", response={200: AccountSegmentOut, **ERRORS})
def account_segment(request: HttpRequest, account_id: Id) -> dict[str, Any]:
    """The account's segment in the current run; 404 when it is in none."""
    authorize(_actor(request), "screening.view_segmentrun")
    s = selectors.account_segment(account_id)
    if s is None:
        raise Http404(_("The account is in no segment of the current run."))
    return {"account_id": account_id, "run_id": s.run_id, "number": s.number, "size": s.size,
            "profile": s.description(ui_language())}  # fmt: skip
