"""Pages of the pipeline context (skeleton; being built for issue 4)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "pipeline/board.html", {})


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    return render(request, "pipeline/board.html", {})


@login_required
def account_opportunities(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "pipeline/board.html", {})
