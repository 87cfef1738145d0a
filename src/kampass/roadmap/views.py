"""Pages of the roadmap context (skeleton; being built for issue 5)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def roadmap(request: HttpRequest) -> HttpResponse:
    return render(request, "roadmap/roadmap.html", {})


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    return render(request, "roadmap/roadmap.html", {})
