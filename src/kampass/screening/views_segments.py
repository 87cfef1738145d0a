"""Pages of the segments of key accounts: the current segments with their profiles and members (and the
earlier runs), one run, and computing a new run (administrator and head of KAM). Thin views over the
services and selectors; the account page shows the account's segment through a panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kampass.common.htmx import redirect_to, render_page
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.screening import selectors_segments as selectors
from kampass.screening import services_segments as services
from kampass.screening.models import SegmentRun


def _run_context(request: HttpRequest, run: SegmentRun | None) -> dict[str, Any]:
    return {
        "run": run,
        "segments": selectors.run_segments(run, lang=ui_language()) if run else [],
        "runs": list(selectors.run_list()[:20]),
        "current": selectors.current_run(),
        "can_compute": request.user.has_perm("screening.add_segmentrun"),
        "dispersion": selectors.segment_dispersion(run) if run else None,
    }


@login_required
def segments(request: HttpRequest) -> HttpResponse:
    """The current segments of the key accounts, each with its profile in words and its members."""
    authorize(request.user, "screening.view_segmentrun")
    return render_page(request, "screening/segments/segments.html", _run_context(request, selectors.current_run()))


@login_required
def segment_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One (possibly earlier) segment run."""
    authorize(request.user, "screening.view_segmentrun")
    run = get_object_or_404(SegmentRun, pk=pk)
    return render_page(request, "screening/segments/segments.html", _run_context(request, run))


@login_required
@require_POST
def segment_run_compute(request: HttpRequest) -> HttpResponse:
    """Compute a new segment run from today's facts."""
    authorize(request.user, "screening.add_segmentrun")
    try:
        services.segment_run_compute(actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The segments were computed anew."))
    return redirect_to(request, reverse("screening-segments"))


def account_panel(request: Any, account: Any) -> str | None:
    """The account's segment in the current run, with its profile (for everybody who reads segments)."""
    if account is None or not request.user.has_perm("screening.view_segmentrun"):
        return None
    segment = selectors.account_segment(account.pk)
    if segment is None:
        return None
    return render_to_string(
        "screening/segments/account_panel.html",
        {"segment": segment, "description": segment.description(ui_language())},
        request=request,
    )
