"""The comments panel of any commentable target (:mod:`kampass.common.comments`): one view and one template
for the account, opportunity and plan pages. HTMX posts swap the panel; without HTMX the posts go back to
the target's page at the comment."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kampass.common import comments
from kampass.common.comments import CommentOutcome, Target
from kampass.common.htmx import is_fragment_request
from kampass.common.models import Comment

TEMPLATE = "common/_comments.html"


def _target(request: HttpRequest, kind: str, target_id: int, key: str) -> Target:
    """The target the user may see; 404 for an unknown one, 403 for one they may not see."""
    try:
        return comments.visible_target(request.user, kind, target_id, key)
    except LookupError as missing:
        raise Http404 from missing


def panel_context(
    request: HttpRequest,
    target: Target,
    *,
    outcome: CommentOutcome | None = None,
    errors: list[str] | None = None,
    body: str = "",
) -> dict[str, Any]:
    user = request.user
    items = [
        {
            "comment": c,
            "mentioned": [u.username for u in c.mentions.all()],
            "can_edit": comments.may_change(user, c),
            "can_delete": comments.may_delete(user, c),
        }
        for c in comments.comments_on(target)
    ]
    return {
        "target": target,
        "items": items,
        "outcome": outcome,
        "errors": errors or [],
        "body": body,
        "max_length": comments.MAX_LENGTH,
    }


def panel_html(request: HttpRequest, kind: str, target_id: int, key: str = "") -> str:
    """The panel's HTML for a page (empty when the target is unknown or the user may not see it)."""
    target = comments.find_target(kind, target_id, key)
    if target is None or not comments.may_view(request.user, target):
        return ""
    return render_to_string(TEMPLATE, panel_context(request, target), request=request)


def _answer(request: HttpRequest, target: Target, *, anchor: str = "", **kwargs: Any) -> HttpResponse:
    """After a successful post: the panel again (HTMX) or the target's page at ``anchor``."""
    if is_fragment_request(request):
        return TemplateResponse(request, TEMPLATE, panel_context(request, target, **kwargs))
    return HttpResponseRedirect(f"{target.url}#{anchor or target.anchor_prefix}")


@login_required
def comment_panel(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """GET: the panel (HTMX loads it into a page); POST: write a comment (``body``)."""
    key = request.GET.get("key", "") or request.POST.get("key", "")
    target = _target(request, kind, target_id, key)
    if request.method != "POST":
        return TemplateResponse(request, TEMPLATE, panel_context(request, target))
    body = request.POST.get("body", "")
    try:
        outcome = comments.comment_add(actor=request.user, kind=kind, target_id=target_id, key=key, body=body)
    except ValidationError as exc:
        return _invalid(request, target, exc, body)
    return _answer(request, target, outcome=outcome, anchor=f"comment-{outcome.comment.pk}")


def _invalid(request: HttpRequest, target: Target, exc: ValidationError, body: str) -> HttpResponse:
    messages = [str(m) for m in exc.messages]
    if is_fragment_request(request):
        return TemplateResponse(
            request, TEMPLATE, panel_context(request, target, errors=messages, body=body), status=422
        )
    return HttpResponse("; ".join(messages), status=422, content_type="text/plain; charset=utf-8")


def _comment(request: HttpRequest, pk: int) -> tuple[Comment, Target]:
    comment = get_object_or_404(Comment, pk=pk)
    return comment, _target(request, comment.target_kind, comment.target_id, comment.target_key)


@login_required
@require_POST
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one's own comment (``body``); newly mentioned users are notified."""
    comment, target = _comment(request, pk)
    body = request.POST.get("body", "")
    try:
        outcome = comments.comment_edit(actor=request.user, comment=comment, body=body)
    except ValidationError as exc:
        return _invalid(request, target, exc, "")
    return _answer(request, target, outcome=outcome, anchor=f"comment-{outcome.comment.pk}")


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a comment (its author or an administrator)."""
    comment, target = _comment(request, pk)
    comments.comment_delete(actor=request.user, comment=comment)
    return _answer(request, target)


@login_required
def mention_suggestions(request: HttpRequest, kind: str, target_id: int) -> JsonResponse:
    """The users who may see the target whose username or name starts with ``q`` (the list after ``@``)."""
    target = _target(request, kind, target_id, request.GET.get("key", ""))
    users = comments.mention_candidates(request.user, target, request.GET.get("q", ""))
    return JsonResponse({"users": [{"username": u.username, "name": str(u)} for u in users], "label": _("Suggestions")})
