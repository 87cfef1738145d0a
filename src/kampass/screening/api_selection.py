"""JSON API of the selection portfolio: the criteria catalogue (versions), ratings, scores, selection
rounds and their decisions.

Endpoints only translate between JSON and the services/selectors; the services check the permissions
(the head of KAM publishes catalogues and decides rounds; a key account manager rates the accounts they
may edit; controllers and viewers read). Lists have the shape ``{"items": [...], "count": n}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

import kampass.screening.rules_selection  # noqa: F401  (registers the permissions)
from kampass.common.api import ERRORS, NOT_BLANK, Id, InSchema, PageIn, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.permissions import authorize
from kampass.screening import selectors_selection as selectors
from kampass.screening import services_selection as services
from kampass.screening.cli_selection import score_document
from kampass.screening.models.selection import (
    Catalogue,
    CriterionKind,
    Decision,
    Dimension,
    Move,
    Rating,
    RoundStatus,
    SelectionRound,
    scoring_text,
)

router = Router(tags=["screening"])

# ---------------------------------------------------------------- schemas


class SelectionCriterionOut(Schema):
    key: str
    label: str
    dimension: str = Field(json_schema_extra={"enum": [*Dimension.values]})
    kind: str = Field(json_schema_extra={"enum": [*CriterionKind.values]})
    weight: Decimal
    scoring: str = Field("", description="The stated scoring function of a computed criterion.")

    @staticmethod
    def resolve_scoring(obj: Any) -> str:
        from kampass.core.screening.portfolio import SCORING

        s = SCORING.get(obj.key) if obj.kind == CriterionKind.COMPUTED else None
        return scoring_text(obj.key, s.text) if s else ""


class SelectionCatalogueOut(Schema):
    id: int
    number: int = Field(description="The version; the highest is in force.")
    note: str
    threshold: Decimal
    published_at: dt.datetime
    criteria: list[SelectionCriterionOut]

    @staticmethod
    def resolve_criteria(obj: Catalogue) -> list[Any]:
        return selectors.catalogue_criteria(obj)


class SelectionCataloguePageOut(Schema):
    items: list[SelectionCatalogueOut]
    count: int


class SelectionCriterionIn(InSchema):
    key: str = Field(pattern=r"^[-a-z0-9_]+$", max_length=50)
    label: str = Field(pattern=NOT_BLANK, max_length=200)
    dimension: str = Field(json_schema_extra={"enum": [*Dimension.values]})
    kind: str = Field(json_schema_extra={"enum": [*CriterionKind.values]})
    weight: Decimal = Field(ge=0, le=9999, max_digits=6, decimal_places=2)


class SelectionCatalogueIn(InSchema):
    criteria: list[SelectionCriterionIn] = Field(min_length=1)
    note: str = Field("", max_length=500)
    threshold: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)


class SelectionRatingOut(Schema):
    id: int
    account_id: Id
    criterion_key: str
    value: int
    justification: str
    rated_by: str
    rated_at: dt.datetime

    @staticmethod
    def resolve_rated_by(obj: Rating) -> str:
        return str(obj.rated_by) if obj.rated_by else ""


class SelectionRatingPageOut(Schema):
    items: list[SelectionRatingOut]
    count: int


class SelectionRatingFilterIn(InSchema):
    account_id: Id | None = None


class SelectionRatingIn(InSchema):
    account_id: Id
    criterion_key: str = Field(max_length=50)
    value: int = Field(ge=1, le=5)
    justification: str = Field(pattern=NOT_BLANK, max_length=5000)


class SelectionContributionOut(Schema):
    criterion: str
    dimension: str
    value: float | None
    weight: float
    contribution: float


class SelectionScoreOut(Schema):
    account_id: int
    attractiveness: float | None
    position: float | None
    quadrant: str
    contributions: list[SelectionContributionOut]


class SelectionScoresOut(Schema):
    items: list[SelectionScoreOut]
    count: int


class SelectionScoresIn(InSchema):
    as_of: dt.date | None = None


class SelectionDecisionOut(Schema):
    id: int
    round_id: int
    account_id: Id
    account: str
    attractiveness: Decimal | None
    position: Decimal | None
    quadrant: str
    from_status: str
    proposed_move: str = Field(json_schema_extra={"enum": [*Move.values]})
    proposed_status: str
    decided_status: str
    reason: str
    decided_by: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_account(obj: Decision) -> str:
        return str(obj.account)

    @staticmethod
    def resolve_decided_by(obj: Decision) -> str:
        return str(obj.decided_by) if obj.decided_by else ""


class SelectionDecisionPageOut(Schema):
    items: list[SelectionDecisionOut]
    count: int


class SelectionRoundOut(Schema):
    id: int
    period: str
    as_of: dt.date
    catalogue_version: int
    status: str = Field(json_schema_extra={"enum": [*RoundStatus.values]})
    opened_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_catalogue_version(obj: SelectionRound) -> int:
        return obj.catalogue.number


class SelectionRoundPageOut(Schema):
    items: list[SelectionRoundOut]
    count: int


class SelectionRoundIn(InSchema):
    period: str = Field(pattern=NOT_BLANK, max_length=50)
    as_of: dt.date | None = None


class SelectionDecisionIn(InSchema):
    status: str = Field(max_length=20, description="The KAM status the account gets (the proposed one or another).")
    reason: str = Field(pattern=NOT_BLANK, max_length=5000)


# ---------------------------------------------------------------- endpoints


def _view(request: HttpRequest) -> None:
    authorize(_actor(request), "screening.view_selection")


@router.get("/screening/catalogues", response={200: SelectionCataloguePageOut, **ERRORS})
def catalogue_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """The versions of the criteria catalogue, newest (in force) first."""
    _view(request)
    return page_of(Catalogue.objects.order_by("-number"), page)


@router.post(
    "/screening/catalogues",
    response={201: SelectionCatalogueOut, **ERRORS},
    openapi_extra=refused(
        "a criterion key twice",
        "a computed criterion without a scoring function",
        "a dimension without a weighted criterion",
    ),
)
def catalogue_publish(request: HttpRequest, payload: SelectionCatalogueIn) -> Status[Any]:
    """Publish the next version of the criteria catalogue (head of KAM)."""
    specs = [services.CriterionSpec(c.key, c.label, c.dimension, c.kind, c.weight) for c in payload.criteria]
    catalogue = services.catalogue_publish(
        actor=_actor(request), criteria=specs, note=payload.note, threshold=payload.threshold
    )
    return Status(201, catalogue)


@router.get("/screening/ratings", response={200: SelectionRatingPageOut, **ERRORS})
def rating_list(request: HttpRequest, filters: Query[SelectionRatingFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """Every rating (newest first), the history included; filter by account."""
    _view(request)
    qs = Rating.objects.select_related("rated_by").order_by("-rated_at", "-pk")
    if filters.account_id is not None:
        qs = qs.filter(account_id=filters.account_id)
    return page_of(qs, page)


@router.post(
    "/screening/ratings",
    response={201: SelectionRatingOut, **ERRORS},
    openapi_extra=refused("a criterion that is not rated in the catalogue in force", "an unknown account"),
)
def rating_create(request: HttpRequest, payload: SelectionRatingIn) -> Status[Any]:
    """Rate an account 1–5 on a rated criterion with a justification."""
    rating = services.rating_create(actor=_actor(request), **payload.model_dump())
    return Status(201, rating)


@router.get("/screening/scores", response={200: SelectionScoresOut, **ERRORS})
def score_list(request: HttpRequest, params: Query[SelectionScoresIn]) -> dict[str, Any]:
    """Every scored account's attractiveness and position under the catalogue in force, with the
    contributions of its criteria (they add up to the scores)."""
    _view(request)
    doc = score_document(as_of=params.as_of) if selectors.current_catalogue() else {"accounts": [], "unscored": []}
    items = sorted([*doc["accounts"], *doc["unscored"]], key=lambda r: r["account_id"])
    return {"items": items, "count": len(items)}


@router.get("/screening/rounds", response={200: SelectionRoundPageOut, **ERRORS})
def round_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    _view(request)
    return page_of(selectors.round_list(), page)


@router.post(
    "/screening/rounds",
    response={201: SelectionRoundOut, **ERRORS},
    openapi_extra=refused("a period that has a round", "another round still open", "no catalogue published"),
)
def round_open(request: HttpRequest, payload: SelectionRoundIn) -> Status[Any]:
    """Open a selection round: every account is scored and gets a proposal (head of KAM)."""
    return Status(201, services.round_open(actor=_actor(request), period=payload.period, as_of=payload.as_of))


@router.get("/screening/rounds/{round_id}", response={200: SelectionRoundOut, **ERRORS})
def round_get(request: HttpRequest, round_id: Id) -> SelectionRound:
    _view(request)
    return get_object_or_404(SelectionRound.objects.select_related("catalogue"), pk=round_id)


@router.post(
    "/screening/rounds/{round_id}/close",
    response={200: SelectionRoundOut, **ERRORS},
    openapi_extra=refused("accounts not decided yet", "a closed round"),
)
def round_close(request: HttpRequest, round_id: Id) -> SelectionRound:
    selection_round = get_object_or_404(SelectionRound, pk=round_id)
    return services.round_close(actor=_actor(request), selection_round=selection_round)


@router.get("/screening/rounds/{round_id}/decisions", response={200: SelectionDecisionPageOut, **ERRORS})
def decision_list(request: HttpRequest, round_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    _view(request)
    return page_of(selectors.round_decisions(get_object_or_404(SelectionRound, pk=round_id)), page)


@router.post(
    "/screening/rounds/{round_id}/decisions/{decision_id}",
    response={200: SelectionDecisionOut, **ERRORS},
    openapi_extra=refused("a closed round", "an account decided already", "an unknown KAM status"),
)
def decision_record(request: HttpRequest, round_id: Id, decision_id: Id, payload: SelectionDecisionIn) -> Decision:
    """Decide an account of an open round (head of KAM): its KAM status follows the decision."""
    decision = get_object_or_404(Decision, pk=decision_id, round_id=round_id)
    return services.decision_record(
        actor=_actor(request), decision=decision, status=payload.status, reason=payload.reason
    )
