"""Pagination for list pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, object_list: Any, per_page: int | None = None) -> Page:
    """Return the requested page (``?page=N``); out-of-range numbers give the nearest page."""
    paginator = Paginator(object_list, per_page or settings.KAMPASS_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string without ``keys`` (for page and sort links)."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
