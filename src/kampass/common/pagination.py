"""Pagination for list pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, OrderBy, QuerySet
from django.http import HttpRequest

#: the names of a row's primary key in an ordering
PK_NAMES = frozenset({"pk", "id"})


def ordered_to_the_row(queryset: QuerySet[Any]) -> bool:
    """Whether ``queryset`` is explicitly ordered with its primary key last (ties decided, so the reverse
    order is exactly the order read backwards).

    >>> from kampass.users.models import User
    >>> ordered_to_the_row(User.objects.order_by("last_name", "-pk")), ordered_to_the_row(User.objects.all())
    (True, False)
    """
    terms = queryset.query.order_by
    if not terms:
        return False
    last = terms[-1]
    if isinstance(last, str):
        return last.lstrip("-") in PK_NAMES
    if isinstance(last, OrderBy):
        last = last.expression
    return isinstance(last, F) and getattr(last, "name", None) in PK_NAMES


class FromEitherEndPaginator(Paginator):
    """A paginator that reads the pages of the back half of a sorted queryset from its end: the last of
    100,000 opportunities is the first row of the reverse order, where the database finds it after a
    short sort, instead of after stepping over 99,950 rows (``OFFSET`` reads every row it skips). The
    same rows, in the same order; only for querysets :func:`ordered_to_the_row`."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if isinstance(rows, QuerySet) and bottom > self.count // 2 and ordered_to_the_row(rows):
            backwards = list(rows.reverse()[self.count - top : self.count - bottom])
            backwards.reverse()
            return Page(backwards, number, self)
        return Page(rows[bottom:top], number, self)


def paginate(request: HttpRequest, object_list: Any, per_page: int | None = None) -> Page:
    """Return the requested page (``?page=N``); out-of-range numbers give the nearest page. Pages in the
    back half of a long sorted queryset are read from its end (:class:`FromEitherEndPaginator`)."""
    paginator = FromEitherEndPaginator(object_list, per_page or settings.KAMPASS_PAGE_SIZE)
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
