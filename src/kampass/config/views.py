"""The start page: it shows figures of the contexts (through their facades), so it lives in the
composition root above them, not in ``kampass.common``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from kampass.accounts.facade import dashboard_summary
from kampass.common.htmx import render_page
from kampass.common.panels import DASHBOARD, render_panels
from kampass.users.rules import is_kam


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"summary": dashboard_summary(user=request.user), "panels": render_panels(DASHBOARD, request, None)}
    return render_page(request, "common/dashboard.html", context)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in leads: key account managers start on "My work", everyone else on the dashboard."""
    return HttpResponseRedirect(reverse("my-work" if is_kam(request.user) else "dashboard"))
