"""Comments with ``@mentions`` on the objects of several contexts (accounts, opportunities, plan sections).

A context makes its objects commentable by registering a *target kind* when Django starts
(``AppConfig.ready``): a name (``"account"``), a function that finds the target by id (and key, e.g. a
plan section's key) and says which account it belongs to and where it is shown, and who may see it. The
same people who may see the target may read and write its comments; this module imports no context.

Writing a comment notifies each ``@username`` mentioned in it who may see the target (once, never the
author); a mentioned user who may not see it is told nothing, and the author is told who that was.
Editing notifies only the users the edit newly mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kampass.common.activity import Activity
from kampass.common.models import Comment, NotificationKind
from kampass.common.notifications import notify
from kampass.common.validators import validate_free_text
from kampass.users.history import is_user
from kampass.users.rules import is_admin

#: the longest comment (characters)
MAX_LENGTH = 4000

#: ``@username``: the characters Django allows in a username, not ending in a full stop (the end of a sentence)
MENTION = re.compile(r"(?<![\w@])@([\w.+-]*[\w+-])")

#: the text of a mention notification (translated when shown)
MENTIONED = gettext_noop("%(by)s mentioned you in a comment on %(target)s.")


@dataclass(frozen=True)
class Target:
    """One commentable object: its kind, id (and key within it), the account it belongs to, its label and
    the page that shows its comments."""

    kind: str
    id: int
    key: str
    account_id: int
    label: str
    url: str
    obj: Any = field(default=None, compare=False, repr=False)

    @property
    def anchor_prefix(self) -> str:
        return f"comment-{self.kind}-{self.id}{'-' + self.key if self.key else ''}"


@dataclass(frozen=True)
class TargetKind:
    """What a context registers: ``resolve(id, key)`` finds the target (``None``: there is none) and
    ``may_view(user, target)`` says who may see it (and so read and write its comments)."""

    kind: str
    resolve: Callable[[int, str], Target | None]
    may_view: Callable[[Any, Target], bool]


_KINDS: dict[str, TargetKind] = {}


def register_target(
    kind: str, *, resolve: Callable[[int, str], Target | None], may_view: Callable[[Any, Target], bool]
) -> None:
    """Make the objects of ``kind`` commentable (called in the owning context's ``AppConfig.ready``)."""
    _KINDS[kind] = TargetKind(kind, resolve, may_view)


def forget_on_delete(kind: str, model: type[Any]) -> None:
    """Delete the comments on an object of ``model`` (the target kind ``kind``) when it is deleted, so that no
    comment outlives what it is about (connected in the owning context's ``AppConfig.ready``)."""
    from django.db.models.signals import post_delete

    def forget(sender: Any, instance: Any, **_: Any) -> None:
        Comment.objects.filter(target_kind=kind, target_id=instance.pk).delete()

    post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"kampass-comments-forget-{kind}")


def target_kinds() -> list[str]:
    return sorted(_KINDS)


def find_target(kind: str, target_id: int, key: str = "") -> Target | None:
    """The target, or ``None`` when the kind is unknown or there is no such object."""
    tk = _KINDS.get(kind)
    return tk.resolve(target_id, key) if tk is not None else None


def may_view(user: Any, target: Target) -> bool:
    """Whether ``user`` may see ``target`` and so read and write its comments."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(_KINDS[target.kind].may_view(user, target))


def visible_target(user: Any, kind: str, target_id: int, key: str = "") -> Target:
    """The target if ``user`` may see it; ``LookupError`` when there is none, ``PermissionDenied`` when
    they may not see it."""
    target = find_target(kind, target_id, key)
    if target is None:
        raise LookupError(kind)
    if not may_view(user, target):
        raise PermissionDenied(_("You do not have permission to do this."))
    return target


@dataclass(frozen=True)
class CommentOutcome:
    """A written or edited comment, and the mentioned users who were not told because they may not see
    its target (their display names, for the author)."""

    comment: Comment
    notified: list[int]
    not_visible: list[str]


def mentioned_usernames(body: str) -> list[str]:
    """The ``@usernames`` in ``body``, in order, each once (case as written).

    >>> mentioned_usernames("@ann and @Bob.Smith, ask @ann. mail x@y.org")
    ['ann', 'Bob.Smith']
    """
    seen: dict[str, str] = {}
    for name in MENTION.findall(body):
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def mentioned_users(body: str) -> list[Any]:
    """The active users the ``@usernames`` in ``body`` name (case-insensitive); unknown names are plain text."""
    names = mentioned_usernames(body)
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    return list(get_user_model().objects.filter(query, is_active=True).order_by("pk"))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a comment.")]})
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    _("A comment has at most %(max)s characters (this one has %(n)s).")
                    % {"max": MAX_LENGTH, "n": len(body)}
                ]
            }
        )
    try:
        validate_free_text(body)
    except ValidationError as exc:
        raise ValidationError({"body": exc.messages}) from exc
    return body


def _mention(actor: Any, target: Target, comment: Comment, users: Iterable[Any]) -> tuple[list[int], list[str]]:
    """Notify the ``users`` who may see ``target`` (not the actor); who could not see it."""
    notified: list[int] = []
    not_visible: list[str] = []
    for user in users:
        if user.pk == actor.pk:
            continue
        if not may_view(user, target):
            not_visible.append(str(user))
            continue
        notify(
            user,
            NotificationKind.MENTION,
            MENTIONED,
            params={"by": str(actor), "target": target.label},
            link=comment_link(target, comment),
        )
        notified.append(user.pk)
    return notified, not_visible


def comment_link(target: Target, comment: Comment) -> str:
    """The page of the target, at the comment."""
    return f"{target.url}#comment-{comment.pk}"


@transaction.atomic
def comment_add(*, actor: Any, kind: str, target_id: int, key: str = "", body: str) -> CommentOutcome:
    """Write a comment on a target ``actor`` may see, and notify the users it mentions."""
    target = visible_target(actor, kind, target_id, key)
    body = _clean_body(body)
    users = mentioned_users(body)
    comment = Comment.objects.create(
        target_kind=target.kind,
        target_id=target.id,
        target_key=target.key,
        account_id=target.account_id,
        author=actor if is_user(actor) else None,  # the operator at the command line is no stored user
        body=body,
    )
    comment.mentions.set(users)
    notified, not_visible = _mention(actor, target, comment, users)
    return CommentOutcome(comment, notified, not_visible)


def _target_of(comment: Comment) -> Target:
    target = find_target(comment.target_kind, comment.target_id, comment.target_key)
    if target is None:
        raise LookupError(comment.target_kind)
    return target


@transaction.atomic
def comment_edit(*, actor: Any, comment: Comment, body: str) -> CommentOutcome:
    """Change the text of one's own comment; only the users the edit newly mentions are notified."""
    target = _target_of(comment)
    if comment.author_id != getattr(actor, "pk", None) or not may_view(actor, target):
        raise PermissionDenied(_("Only its author may edit a comment."))
    body = _clean_body(body)
    before = set(comment.mentions.values_list("pk", flat=True))
    users = mentioned_users(body)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    comment.mentions.set(users)
    notified, not_visible = _mention(actor, target, comment, [u for u in users if u.pk not in before])
    return CommentOutcome(comment, notified, not_visible)


@transaction.atomic
def comment_delete(*, actor: Any, comment: Comment) -> None:
    """Delete a comment: its author (while they may see its target) or an administrator."""
    target = find_target(comment.target_kind, comment.target_id, comment.target_key)
    own = comment.author_id == getattr(actor, "pk", None) and target is not None and may_view(actor, target)
    if not (own or is_admin(actor)):
        raise PermissionDenied(_("Only its author or an administrator may delete a comment."))
    comment.delete()


def comments_on(target: Target) -> QuerySet[Comment]:
    """The target's comments, newest first (check :func:`may_view` first)."""
    return (
        Comment.objects.filter(target_kind=target.kind, target_id=target.id, target_key=target.key)
        .select_related("author")
        .prefetch_related("mentions")
    )


def may_change(user: Any, comment: Comment) -> bool:
    return comment.author_id is not None and comment.author_id == getattr(user, "pk", None)


def may_delete(user: Any, comment: Comment) -> bool:
    return may_change(user, comment) or bool(is_admin(user))


def mention_candidates(user: Any, target: Target, q: str = "", *, limit: int = 10) -> list[Any]:
    """Active users whose username or name starts with ``q`` and who may see ``target`` (the suggestions
    after ``@``), without ``user``."""
    qs = get_user_model().objects.filter(is_active=True).exclude(pk=user.pk)
    q = q.strip().lstrip("@")
    if q:
        qs = qs.filter(Q(username__istartswith=q) | Q(first_name__istartswith=q) | Q(last_name__istartswith=q))
    found = []
    for candidate in qs.order_by("username")[: limit * 5]:
        if may_view(candidate, target):
            found.append(candidate)
            if len(found) >= limit:
                break
    return found


@dataclass(frozen=True)
class CommentActivity:
    """A comment as an entry of an account's timeline."""

    when: Any
    who: str
    account_id: int
    text: str
    link: str
    target_label: str


def account_comments(
    account_ids: Iterable[int], *, user: Any, limit: int = 200, since: Any = None
) -> list[CommentActivity]:
    """The comments on the accounts' objects that ``user`` may see, newest first (the account timeline)."""
    out: list[CommentActivity] = []
    qs = Comment.objects.filter(account_id__in=list(account_ids)).select_related("author")
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    targets: dict[tuple[str, int, str], Target | None] = {}
    for c in qs.order_by("-created_at", "-pk")[: limit * 2]:
        ident = (c.target_kind, c.target_id, c.target_key)
        if ident not in targets:
            found = find_target(*ident)
            targets[ident] = found if found is not None and may_view(user, found) else None
        target = targets[ident]
        if target is None:
            continue
        out.append(
            CommentActivity(
                c.created_at, str(c.author or "–"), c.account_id, c.body, comment_link(target, c), target.label
            )
        )
        if len(out) >= limit:
            break
    return out


def comment_activity(account_ids: Sequence[int], *, user: Any, since: Any = None, limit: int = 500) -> list[Activity]:
    """The comments as entries of the account timeline (:mod:`kampass.common.activity`)."""
    entries = account_comments(account_ids, user=user, limit=limit, since=since)
    return [Activity(c.when, c.who, "comment", f"{c.target_label}: {c.text}", c.link, c.account_id) for c in entries]
