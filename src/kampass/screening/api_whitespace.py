"""JSON API of the whitespace part: an account's whitespace matrix and recommendations, "not relevant"
marks, turning a recommendation into an opportunity, and the product-group mapping.

Endpoints only translate between JSON and the services/selectors; the services check the permissions
(the head of KAM configures the mapping; KAMs act at the accounts they may edit; controllers and viewers
read). Lists have the shape ``{"items": [...], "count": n}``.
"""

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
from kampass.screening import selectors_whitespace as selectors
from kampass.screening import services_whitespace as services
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, RuleKind

router = Router(tags=["screening"])


class WhitespaceRecommendationOut(Schema):
    account_id: int
    product_group: str
    label: str
    rank: int
    score: float
    similar_buyers: int = Field(description="How many of the most similar accounts buy the group.")
    similar_accounts: int = Field(description="How many similar accounts were looked at.")
    reason: str


class RecommendationPageOut(Schema):
    items: list[WhitespaceRecommendationOut]
    count: int


class WhitespaceRowOut(Schema):
    account_id: int
    account: str
    states: list[str] = Field(
        description='Per product group: "bought", "pipeline", "recommended", "not_relevant" or "".'
    )


class ConversionOut(Schema):
    open: int
    won: int
    lost: int
    win_rate: float | None


class WhitespaceOut(Schema):
    account_id: int
    product_groups: list[str]
    rows: list[WhitespaceRowOut]
    recommendations: list[WhitespaceRecommendationOut]
    not_relevant: dict[str, str]
    conversion: ConversionOut


class NotRelevantIn(InSchema):
    product_group: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


class NotRelevantOut(Schema):
    id: int
    account_id: int
    product_group: str
    reason: str
    marked_at: dt.datetime


class ConvertIn(InSchema):
    product_group: str = Field(min_length=1, max_length=100)


class WhitespaceOpportunityOut(Schema):
    id: int
    account_id: int
    product_group: str
    opportunity_id: int
    reason: str
    created_at: dt.datetime


class RuleIn(InSchema):
    kind: str = Field(json_schema_extra={"enum": [*RuleKind.values]})
    pattern: str = Field(min_length=1, max_length=100)
    group: str = Field(min_length=1, max_length=100)


class RuleOut(Schema):
    id: int
    kind: str
    pattern: str
    group: str


class RulePageOut(Schema):
    items: list[RuleOut]
    count: int


def _account(request: HttpRequest, account_id: int) -> Any:
    authorize(_actor(request), "screening.view_whitespace")
    account = selectors.account_or_none(account_id)
    if account is None:
        raise Http404(_("There is no account with id %(id)s.") % {"id": account_id})
    return account


def _rec(r: selectors.RecommendationRow, lang: str) -> dict[str, Any]:
    return {
        "account_id": r.account_id,
        "product_group": r.product_group,
        "label": r.label,
        "rank": r.rank,
        "score": r.score,
        "similar_buyers": r.similar_buyers,
        "similar_accounts": r.similar_accounts,
        "reason": r.reason(lang),
    }


@router.get("/screening/whitespace/{account_id}", response={200: WhitespaceOut, **ERRORS})
def whitespace_get(request: HttpRequest, account_id: Id) -> dict[str, Any]:
    """The whitespace of the account's subtree: a state per account and product group, the recommendations
    for the subtree with their reasons, the not-relevant marks and the conversion of whitespace opportunities."""
    _account(request, account_id)
    ws = selectors.whitespace(account_id)
    lang = ui_language()
    c = ws.conversion
    return {
        "account_id": ws.account_id,
        "product_groups": list(ws.groups),
        "rows": [{"account_id": r.account_id, "account": r.account_name, "states": list(r.states)} for r in ws.rows],
        "recommendations": [_rec(r, lang) for r in ws.recommendations],
        "not_relevant": ws.not_relevant,
        "conversion": {"open": c.open, "won": c.won, "lost": c.lost, "win_rate": c.win_rate},
    }


@router.get("/screening/whitespace/{account_id}/recommendations", response={200: RecommendationPageOut, **ERRORS})
def recommendation_list(request: HttpRequest, account_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    _account(request, account_id)
    lang = ui_language()
    recs = selectors.recommendations([account_id]).get(account_id, ())
    return page_of([_rec(r, lang) for r in recs], page)


@router.post(
    "/screening/whitespace/{account_id}/not-relevant",
    response={201: NotRelevantOut, **ERRORS},
    openapi_extra=refused("a key account manager who is not on the account's team"),
)
def not_relevant_mark(request: HttpRequest, account_id: Id, payload: NotRelevantIn) -> Status[Any]:
    account = _account(request, account_id)
    mark = services.not_relevant_mark(
        actor=_actor(request), account=account, product_group=payload.product_group, reason=payload.reason
    )
    return Status(201, mark)


@router.delete("/screening/whitespace/{account_id}/not-relevant/{mark_id}", response={204: None, **ERRORS})
def not_relevant_unmark(request: HttpRequest, account_id: Id, mark_id: Id) -> Status[None]:
    _account(request, account_id)
    mark = get_object_or_404(NotRelevantMark.objects.select_related("account"), pk=mark_id, account_id=account_id)
    services.not_relevant_unmark(actor=_actor(request), mark=mark)
    return Status(204, None)


@router.post(
    "/screening/whitespace/{account_id}/opportunities",
    response={201: WhitespaceOpportunityOut, **ERRORS},
    openapi_extra=refused("a product group that is not among the account's current recommendations"),
)
def recommendation_convert(request: HttpRequest, account_id: Id, payload: ConvertIn) -> Status[Any]:
    """Turn a recommendation into an open opportunity marked as coming from whitespace."""
    account = _account(request, account_id)
    created = services.recommendation_to_opportunity(
        actor=_actor(request), account=account, product_group=payload.product_group
    )
    return Status(201, created)


@router.get("/screening/product-groups", response={200: RulePageOut, **ERRORS})
def rule_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    authorize(_actor(request), "screening.view_whitespace")
    return page_of(ProductGroupRule.objects.all(), page)


@router.post(
    "/screening/product-groups",
    response={201: RuleOut, **ERRORS},
    openapi_extra=refused("a pattern that already has a rule of its kind"),
)
def rule_create(request: HttpRequest, payload: RuleIn) -> Status[Any]:
    rule = services.product_group_rule_create(actor=_actor(request), **payload.model_dump())
    return Status(201, rule)


@router.delete("/screening/product-groups/{rule_id}", response={204: None, **ERRORS})
def rule_delete(request: HttpRequest, rule_id: Id) -> Status[None]:
    authorize(_actor(request), "screening.configure_product_groups")
    services.product_group_rule_delete(actor=_actor(request), rule=get_object_or_404(ProductGroupRule, pk=rule_id))
    return Status(204, None)
