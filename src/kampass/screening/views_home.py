"""The screening landing page: the parts of screening (selection portfolio and rounds, criteria, wallets
and potential, segments, whitespace) with what each holds now."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from kampass.common.htmx import render_page
from kampass.common.permissions import authorize
from kampass.screening.selectors_home import screening_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "screening.view_selection")
    return render_page(request, "screening/home.html", {"overview": screening_overview()})
