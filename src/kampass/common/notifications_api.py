"""``GET /api/v1/notifications`` and ``POST /api/v1/notifications/{id}/read``: the calling user's
notifications (texts in their language), the same as the notifications page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from kampass.common import notifications
from kampass.common.api import ERRORS, Id, InSchema, PageIn, actor, page_of
from kampass.common.models import Notification, NotificationKind

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="assignment, mention, approval or guardrail.")
    text: str = Field(description="What happened, in the caller's language.")
    link: str = Field(description="The page it concerns (a path of this site; empty: none).")
    created_at: dt.datetime
    read_at: dt.datetime | None = Field(description="When the user marked it read; null while unread.")

    @staticmethod
    def resolve_text(obj: Notification) -> str:
        return notifications.notification_text(obj)


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    count: int
    unread: int = Field(description="How many of the caller's notifications are unread.")


class NotificationFilterIn(InSchema):
    unread: bool = Field(False, description="Only the unread ones.")
    kind: str = Field("", description="Only this kind.", json_schema_extra={"enum": ["", *NotificationKind.values]})


@router.get("/notifications", response={200: NotificationPageOut, **ERRORS})
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilterIn], page: Query[PageIn]
) -> dict[str, Any]:
    """The caller's notifications, newest first."""
    user = actor(request)
    qs = notifications.notifications_of(user, unread_only=filters.unread)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return {**page_of(qs, page), "unread": notifications.unread_count(user)}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def notification_read(request: HttpRequest, notification_id: Id) -> Notification:
    """Mark one of the caller's notifications read (404 for one that is not theirs)."""
    try:
        return notifications.mark_read(user=actor(request), pk=notification_id)
    except Notification.DoesNotExist as missing:
        raise Http404 from missing
