"""``GET`` and ``POST /api/v1/comments/{kind}/{target_id}``: the comments on an account, an opportunity or a
plan section, and writing one (its ``@mentions`` notify the users who may see the target), as the
comments panel of the UI (:mod:`kampass.common.comments`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from kampass.common import comments
from kampass.common.api import ERRORS, NOT_BLANK, Id, InSchema, PageIn, actor, page_of
from kampass.common.comments import Target
from kampass.common.models import Comment

router = Router(tags=["comments"])

#: what is commented on (the kinds the contexts register; another is a 404)
Kind = Annotated[
    str,
    Path(
        pattern=r"^[a-z_]{1,30}$",
        description="What is commented on: account, opportunity or plan (a plan's section: its key in `key`).",
    ),
]


class CommentOut(Schema):
    id: int
    target_kind: str
    target_id: int
    target_key: str = Field(description="The plan section's key; empty for accounts and opportunities.")
    account_id: int = Field(description="The account the target belongs to.")
    author: str | None = Field(description="The author's name; null when the user was deleted.")
    body: str
    mentions: list[str] = Field(description="The usernames mentioned.")
    created_at: dt.datetime
    edited_at: dt.datetime | None

    @staticmethod
    def resolve_author(obj: Comment) -> str | None:
        return str(obj.author) if obj.author_id else None

    @staticmethod
    def resolve_mentions(obj: Comment) -> list[str]:
        return [u.username for u in obj.mentions.all()]


class CommentPageOut(Schema):
    items: list[CommentOut]
    count: int


class CommentTargetIn(InSchema):
    key: str = Field("", max_length=50, description="A plan section's key (only for kind plan).")


class CommentIn(InSchema):
    body: str = Field(
        ...,
        min_length=1,
        max_length=comments.MAX_LENGTH,
        pattern=NOT_BLANK,
        description="The text; `@username` mentions a user, who is notified if they may see the target.",
    )
    key: str = Field("", max_length=50, description="A plan section's key (only for kind plan).")


class CommentCreatedOut(Schema):
    comment: CommentOut
    notified: list[int] = Field(description="The ids of the mentioned users who were notified.")
    not_visible: list[str] = Field(description="The mentioned users who cannot see the target (not notified).")


def _target(request: HttpRequest, kind: str, target_id: int, key: str) -> Target:
    try:
        return comments.visible_target(actor(request), kind, target_id, key)
    except LookupError as missing:
        raise Http404 from missing


@router.get("/comments/{kind}/{target_id}", response={200: CommentPageOut, **ERRORS})
def comment_list(
    request: HttpRequest, kind: Kind, target_id: Id, target: Query[CommentTargetIn], page: Query[PageIn]
) -> dict[str, Any]:
    """The comments on a target the caller may see, newest first (404: no such target; 403: not visible)."""
    return page_of(comments.comments_on(_target(request, kind, target_id, target.key)), page)


@router.post(
    "/comments/{kind}/{target_id}",
    response={201: CommentCreatedOut, **ERRORS},
)
def comment_add(request: HttpRequest, kind: Kind, target_id: Id, payload: CommentIn) -> Status:
    """Write a comment on a target the caller may see; the mentioned users who may see it are notified."""
    _target(request, kind, target_id, payload.key)
    out = comments.comment_add(actor=actor(request), kind=kind, target_id=target_id, key=payload.key, body=payload.body)
    return Status(201, {"comment": out.comment, "notified": out.notified, "not_visible": out.not_visible})
