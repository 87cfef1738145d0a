"""JSON API of account reviews: list (filters, sort, pages), read, plan, change, hold (freezes the
snapshot of KPIs and objectives, planned vs actual) and cancel. Same permissions as the pages: whoever
reads the account's plans reads its reviews; the account's KAM and the head of KAM plan, hold and
cancel them; controllers and viewers read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, UNCHANGED, Id, InSchema, PageIn, model_field, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.planning import selectors_reviews, services_reviews
from kampass.planning.models import AccountPlan, AccountReview, ReviewKind

router = Router(tags=["reviews"])
_Account: Any = AccountPlan._meta.get_field("account").related_model


class AccountReviewOut(Schema):
    id: int
    version: int = version_out()
    account_id: int
    account: str
    plan_id: int | None
    kind: str = Field(description="check_in, strategic or event.")
    trigger: str = Field(
        description="What raised it: cadence, large_loss, leakage_breach, relationship_drop, health_drop; "
        "empty when planned by hand."
    )
    event_note: str
    due_on: dt.date
    held_on: dt.date | None
    status: str = Field(description="planned, held or cancelled.")
    due_state: str = Field(
        description="For a planned review: overdue, due (within 14 days) or upcoming; else its status."
    )
    participants: str
    objective_notes: str
    action_notes: str
    decisions: str
    notes: str
    snapshot: dict[str, Any] = Field(
        description="Frozen when held: the KPIs and every objective's baseline, target and actual."
    )

    @staticmethod
    def resolve_account(obj: AccountReview) -> str:
        return obj.account.name

    @staticmethod
    def resolve_due_state(obj: AccountReview) -> str:
        return selectors_reviews.due_flag(obj, timezone.localdate())


class AccountReviewPageOut(Schema):
    items: list[AccountReviewOut]
    count: int


class AccountReviewFilterIn(InSchema):
    state: str = Field("open", json_schema_extra={"enum": list(selectors_reviews.STATES)})
    kind: str = Field("", json_schema_extra={"enum": ["", *ReviewKind.values]})
    account_id: Id | None = None
    q: str = Field("", max_length=200)
    sort: str = Field("due", json_schema_extra={"enum": list(selectors_reviews.SORTS)})


class AccountReviewIn(InSchema):
    account_id: Id
    kind: str = Field(ReviewKind.CHECK_IN, json_schema_extra={"enum": [ReviewKind.CHECK_IN, ReviewKind.STRATEGIC]})
    due_on: dt.date
    plan_id: Id | None = Field(None, description="Default: the account's plan in force.")
    participants: str = model_field(AccountReview, "participants", "")
    notes: str = model_field(AccountReview, "notes", "")


class AccountReviewPatchIn(InSchema):
    """Only the fields sent are changed (a planned review only)."""

    due_on: dt.date = UNCHANGED
    participants: str = model_field(AccountReview, "participants", UNCHANGED)
    objective_notes: str = model_field(AccountReview, "objective_notes", UNCHANGED)
    action_notes: str = model_field(AccountReview, "action_notes", UNCHANGED)
    decisions: str = model_field(AccountReview, "decisions", UNCHANGED)
    notes: str = model_field(AccountReview, "notes", UNCHANGED)
    version: int | None = version_in()


class AccountReviewHoldIn(InSchema):
    held_on: dt.date | None = Field(None, description="Default: today.")
    participants: str = model_field(AccountReview, "participants", "")
    objective_notes: str = model_field(AccountReview, "objective_notes", "")
    action_notes: str = model_field(AccountReview, "action_notes", "")
    decisions: str = model_field(AccountReview, "decisions", "")
    notes: str = model_field(AccountReview, "notes", "")
    version: int | None = version_in()


class AccountReviewCancelIn(InSchema):
    reason: str = model_field(AccountReview, "notes", "")
    version: int | None = version_in()


def _readable(request: HttpRequest, review_id: int) -> AccountReview:
    review = get_object_or_404(AccountReview.objects.select_related("account", "plan"), pk=review_id)
    authorize(_actor(request), "planning.view_plan", review.account)
    return review


def _current(review: AccountReview) -> AccountReview:
    return AccountReview.objects.select_related("account", "plan").get(pk=review.pk)


@router.get("/reviews", response={200: AccountReviewPageOut, **ERRORS})
def review_list(request: HttpRequest, filters: Query[AccountReviewFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The reviews the caller may read: by default the planned ones, the soonest due first."""
    reviews = selectors_reviews.review_list(
        user=_actor(request), today=timezone.localdate(), state=filters.state, kind=filters.kind,
        account_id=filters.account_id, q=filters.q, sort=filters.sort,
    )  # fmt: skip
    return page_of(reviews, page)


@router.post(
    "/reviews",
    response={201: AccountReviewOut, **ERRORS},
    openapi_extra=refused("a plan that is not the account's"),
)
def review_create(request: HttpRequest, response: HttpResponse, payload: AccountReviewIn) -> Status[Any]:
    """Plan a check-in or the annual strategic review of an account."""
    get_object_or_404(_Account, pk=payload.account_id)
    review = services_reviews.review_plan(actor=_actor(request), **payload.model_dump())
    set_etag(response, review)
    return Status(201, _current(review))


@router.get("/reviews/{review_id}", response={200: AccountReviewOut, **ERRORS})
def review_get(request: HttpRequest, response: HttpResponse, review_id: Id) -> AccountReview:
    return set_etag(response, _readable(request, review_id))


@router.patch(
    "/reviews/{review_id}",
    response={200: AccountReviewOut, **ERRORS, **conflict_responses(AccountReviewOut)},
    openapi_extra=refused("the review was held or cancelled"),
)
def review_update(request: HttpRequest, response: HttpResponse, review_id: Id, payload: AccountReviewPatchIn) -> Any:
    """Change a planned review; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    review = _readable(request, review_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    due_on = changes.pop("due_on", review.due_on)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services_reviews.review_update(
            actor=_actor(request), review=review, version=version, due_on=due_on, **changes
        ),
        current=lambda: _current(review),
    )


@router.post(
    "/reviews/{review_id}/hold",
    response={200: AccountReviewOut, **ERRORS, **conflict_responses(AccountReviewOut)},
    openapi_extra=refused("the review was held or cancelled", "a day in the future", "no participants named"),
)
def review_hold(request: HttpRequest, response: HttpResponse, review_id: Id, payload: AccountReviewHoldIn) -> Any:
    """Record the review as held and freeze its snapshot (KPIs and objectives, planned vs actual)."""
    review = _readable(request, review_id)
    data = payload.model_dump(exclude={"version", "held_on"})
    held_on = payload.held_on or timezone.localdate()
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services_reviews.review_hold(
            actor=_actor(request), review=review, version=version, held_on=held_on, **data
        ),
        current=lambda: _current(review),
    )


@router.post(
    "/reviews/{review_id}/cancel",
    response={200: AccountReviewOut, **ERRORS, **conflict_responses(AccountReviewOut)},
    openapi_extra=refused("the review was held or cancelled"),
)
def review_cancel(request: HttpRequest, response: HttpResponse, review_id: Id, payload: AccountReviewCancelIn) -> Any:
    """Cancel a planned review."""
    review = _readable(request, review_id)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services_reviews.review_cancel(
            actor=_actor(request), review=review, version=version, reason=payload.reason
        ),
        current=lambda: _current(review),
    )
