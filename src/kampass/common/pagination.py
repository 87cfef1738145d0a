"""Pagination for list pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, object_list: Any, per_page: int | None = None) -> Page:
    """Return the requested page (``?page=N``); out-of-range numbers give the nearest page."""
    paginator = Paginator(object_list, per_page or settings.KAMPASS_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def paginate_rows(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> Page:
    """:func:`paginate` for a long, sorted queryset of wide rows: the page's ids are found by sorting the ids
    alone, then only that page's rows are read in full (a "deferred join"). Sorting 100,000 rows with every
    column and their joins took a second and more; the ids sort in a fraction of that. The page's
    ``object_list`` holds the rows in the queryset's order."""
    page = paginate(request, queryset.values_list("pk", flat=True), per_page)
    ids = list(page.object_list)
    rows = queryset.order_by().in_bulk(ids) if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string without ``keys`` (for page and sort links)."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
