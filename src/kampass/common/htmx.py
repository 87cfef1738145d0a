"""HTMX helpers: one view serves the whole page and the fragment HTMX asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from kampass.common.concurrency import ConcurrentEdit, conflict_response, posted_version, removal_conflict_response


def is_fragment_request(request: HttpRequest) -> bool:
    """True for an HTMX request that wants a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, fragment: str | None = None, status: int = 200
) -> HttpResponse:
    """Render ``template``; when HTMX asks for a fragment, render ``fragment`` with the same context."""
    chosen = fragment if fragment and is_fragment_request(request) else template
    return TemplateResponse(request, chosen, context, status=status)


def refusal(request: HttpRequest, message: str, *, status: int, template: str, context: dict[str, Any]) -> HttpResponse:
    """Answer a refused request (403, 404, ...): the full error page, or for HTMX a short text.

    HTMX swaps nothing on an error status; the base template's script (``kampass.js``) shows the
    text of a ``text/plain`` error answer in the page's alert region, so the user reads why.
    """
    if is_fragment_request(request):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return render_page(request, template, {**context, "message": message}, status=status)


def redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect, telling HTMX to do a full navigation when the request came from HTMX."""
    if is_fragment_request(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def apply_validation_error(form: BaseForm, exc: ValidationError) -> None:
    """Put the messages of a service's ``ValidationError`` on the form fields they name."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_status(request: HttpRequest, form: BaseForm) -> int:
    """422 for an invalid full-page POST (so clients see the refusal); 200 for HTMX so it swaps the errors in."""
    if form.errors and not is_fragment_request(request):
        return 422
    return 200


def submit_form(
    request: HttpRequest,
    form: BaseForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    next_url: str | Callable[[Any], str],
    conflict_extra: dict[str, Any] | None = None,
    conflict_versions: dict[str, Any] | None = None,
) -> HttpResponse | None:
    """Handle a form POST the same way everywhere.

    On a valid POST run ``action(cleaned_data)`` (a service call); when it succeeds, flash
    ``success`` and redirect to ``next_url`` (either may be a function of the action's result).
    A ``ValidationError`` from the service lands on the form fields it names. Returns ``None``
    when the form page is to be (re-)rendered. A :class:`~kampass.common.concurrency.ConcurrentEdit`
    (the object was saved by someone else since the form was loaded) answers the conflict page (409);
    ``conflict_extra`` gives the saved values of form fields that are not attributes of the object,
    ``conflict_versions`` the saved versions of a form with several version fields (so that
    re-applying the entry from the conflict page is based on them).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    except ConcurrentEdit as exc:  # someone else saved first: show both versions, write nothing
        return conflict_response(request, form, exc, extra=conflict_extra, versions=conflict_versions)
    messages.success(request, success(result) if callable(success) else success)
    return redirect_to(request, next_url(result) if callable(next_url) else next_url)


def render_form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    template: str,
    title: str,
    cancel_url: str,
    submit: str | None = None,
    fragment: str = "common/_form.html",
    **extra: Any,
) -> HttpResponse:
    """The page of a form (``template`` extends ``common/form_page.html``), or just the form for HTMX.

    An invalid full-page POST answers 422 (see :func:`form_status`); ``extra`` goes into the context.
    """
    from django.utils.translation import gettext as _

    context = {"form": form, "title": title, "cancel_url": cancel_url, "submit_label": submit or _("Save"), **extra}
    return render_page(request, template, context, fragment=fragment, status=form_status(request, form))


def confirm_delete(
    request: HttpRequest,
    obj: Any,
    delete: Callable[[int | None], Any],
    *,
    success: str,
    next_url: str,
    cancel_url: str,
    template: str = "common/confirm_delete.html",
    **extra: Any,
) -> HttpResponse:
    """Handle a delete the same way everywhere: GET shows the confirmation (``template`` extends
    ``common/confirm_delete.html``; its form carries the object's ``version``); POST runs
    ``delete(version)`` (a service call, with the version the page showed), flashes ``success`` and
    redirects to ``next_url``. A ``ValidationError`` from the service is shown on the page (422); an
    object changed since the page was shown answers the removal conflict page (409) with both
    versions and the choice to delete it anyway."""
    error = ""
    if request.method == "POST":
        try:
            delete(posted_version(request))
        except ConcurrentEdit as exc:
            return removal_conflict_response(request, exc, back_url=cancel_url)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, success)
            return redirect_to(request, next_url)
    context = {"object": obj, "cancel_url": cancel_url, **extra}
    if error:
        context["error"] = error
    return render_page(request, template, context, status=422 if error else 200)
