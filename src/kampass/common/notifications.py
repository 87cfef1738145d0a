"""Notifications: what a user should know about (an assignment, a mention, an approval asked for, a
guardrail breached), shown in the top bar's bell, on the notifications page and by the API, and sent as
an optional daily e-mail digest.

A notification's text is stored as its English message id (mark it with ``gettext_noop``) and its
parameters, and translated when it is read (:func:`notification_text`), in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from kampass.common.models import Notification, NotificationKind

KINDS = tuple(NotificationKind.values)


def notify(
    recipient: Any, kind: str, message: str, *, params: dict[str, Any] | None = None, link: str = ""
) -> Notification | None:
    """Tell ``recipient`` (a user) about something: ``message`` is an English message id (``gettext_noop``)
    with ``%(name)s`` placeholders filled from ``params`` when it is shown. ``None`` for no recipient."""
    if recipient is None or getattr(recipient, "pk", None) is None:
        return None
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return Notification.objects.create(
        recipient_id=recipient.pk, kind=kind, message=message, params=dict(params or {}), link=link
    )


def notify_assigned(
    *, actor: Any, before_id: int | None, after: Any, message: str, params: dict[str, Any], link: str
) -> None:
    """The one rule for assignments: tell the user ``after`` they were assigned something, when it changed
    hands (``before_id``: who had it) and they did not assign it to themselves."""
    after_id = getattr(after, "pk", None)
    if after_id is None or after_id == before_id or after_id == getattr(actor, "pk", None):
        return
    notify(after, NotificationKind.ASSIGNMENT, message, params={"by": str(actor), **params}, link=link)


def notify_each(recipients: Any, *, actor: Any, kind: str, message: str, params: dict[str, Any], link: str) -> int:
    """Tell each of ``recipients`` (users) once about something ``actor`` did, never the actor
    themselves (a user, or ``None`` for the system); how many were told."""
    actor_id = getattr(actor, "pk", None)
    seen: set[int] = set()
    for user in recipients:
        pk = getattr(user, "pk", None)
        if pk is None or pk == actor_id or pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(pk)
        notify(user, kind, message, params=params, link=link)
    return len(seen)


def heads_of_kam() -> list[Any]:
    """The active heads of KAM (who are told of guardrail breaches and may sign off plans)."""
    from django.contrib.auth import get_user_model

    from kampass.users.models import Role

    return list(get_user_model().objects.filter(is_active=True, role=Role.HEAD).order_by("pk"))


#: the texts of the approval notifications (translated when shown)
PLAN_REVIEW_REQUESTED = gettext_noop("%(by)s asks you to approve the account plan of %(account)s (%(period)s).")
PLAN_APPROVED = gettext_noop("%(by)s approved the account plan of %(account)s (%(period)s).")
PLAN_SENT_BACK = gettext_noop("%(by)s sent the account plan of %(account)s (%(period)s) back to draft.")
#: the text of a guardrail breach (translated when shown)
GUARDRAIL_BREACHED = gettext_noop(
    "The guardrail of the initiative “%(initiative)s” is breached: %(value)s (threshold %(threshold)s)."
)

#: the texts of the assignment notifications (translated when shown)
ACTION_ASSIGNED = gettext_noop("%(by)s assigned you the action “%(title)s” (%(account)s).")
OPPORTUNITY_ASSIGNED = gettext_noop("%(by)s made you the owner of the opportunity “%(name)s” (%(account)s).")
TEAM_MEMBER_ADDED = gettext_noop("%(by)s added you to the team of %(account)s.")


def metric_param(value: float, unit: str) -> dict[str, Any]:
    """A figure as a notification parameter: stored as the number with its unit and formatted when the
    notification is read, so each reader sees it as they write numbers (``8,0 %`` in German)."""
    return {"metric": float(value), "unit": unit}


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"metric", "unit"}:
        from kampass.common.guardrails import format_metric

        return format_metric(value["metric"], str(value["unit"]))
    return value


def notification_text(n: Notification) -> str:
    """The notification's text in the active language (figures of :func:`metric_param` formatted for it)."""
    text = gettext(n.message)
    try:
        return text % {k: _shown(v) for k, v in n.params.items()} if n.params else text
    except (KeyError, TypeError, ValueError):
        return text


def notifications_of(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    qs = Notification.objects.filter(recipient_id=getattr(user, "pk", None))
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(user, unread_only=True).count()


def mark_read(*, user: Any, pk: int) -> Notification:
    """Mark one of the user's notifications read (``Notification.DoesNotExist`` for another's)."""
    n = notifications_of(user).get(pk=pk)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n


def mark_all_read(*, user: Any) -> int:
    """Mark all the user's notifications read; how many were unread."""
    return notifications_of(user, unread_only=True).update(read_at=timezone.now())


def digest_items(user: Any, *, now: dt.datetime | None = None) -> list[Notification]:
    """The user's unread notifications of the last day (the e-mail digest), oldest first."""
    since = (now or timezone.now()) - dt.timedelta(days=1)
    return list(notifications_of(user, unread_only=True).filter(created_at__gte=since).order_by("created_at", "pk"))


def send_digests(*, now: dt.datetime | None = None) -> int:
    """E-mail each active user with an e-mail address their unread notifications of the last day, in their
    language (Django's mail; the console backend unless ``KAMPASS_EMAIL_BACKEND`` names another);
    how many e-mails were sent."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils import translation

    moment = now or timezone.now()
    since = moment - dt.timedelta(days=1)
    recipients = (
        get_user_model()
        .objects.filter(
            is_active=True,
            notification_digest=True,
            notifications__read_at__isnull=True,
            notifications__created_at__gte=since,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for user in recipients:
        items = digest_items(user, now=moment)
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            lines = [f"- {notification_text(n)}" for n in items]
            subject = gettext("kampass: %(n)s new notifications") % {"n": len(items)}
            body = "\n".join([gettext("Your unread notifications of the last day:"), "", *lines])
        sent += send_mail(subject, body, None, [user.email])
    return sent
