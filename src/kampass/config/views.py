"""The start page: it shows figures of the contexts (through their facades), so it lives in the
composition root above them, not in ``kampass.common``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from kampass.accounts.facade import dashboard_summary
from kampass.common.htmx import render_page


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render_page(request, "common/dashboard.html", {"summary": dashboard_summary(user=request.user)})
