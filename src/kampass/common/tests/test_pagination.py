"""Pagination of list pages."""

from __future__ import annotations

from django.test import RequestFactory

from kampass.common.pagination import paginate, query_without


def test_the_first_page_has_the_configured_page_size(settings):
    # given
    settings.KAMPASS_PAGE_SIZE = 25
    request = RequestFactory().get("/list/")

    # when
    page = paginate(request, list(range(60)))

    # then
    assert page.number == 1
    assert list(page.object_list) == list(range(25))
    assert page.paginator.num_pages == 3


def test_the_requested_page_with_an_explicit_size():
    # when
    page = paginate(RequestFactory().get("/list/", {"page": "2"}), list(range(10)), per_page=4)

    # then
    assert list(page.object_list) == [4, 5, 6, 7]


def test_an_out_of_range_page_gives_the_last_and_garbage_gives_the_first():
    # given
    items = list(range(10))

    # when
    beyond = paginate(RequestFactory().get("/list/", {"page": "99"}), items, per_page=4)
    garbage = paginate(RequestFactory().get("/list/", {"page": "two"}), items, per_page=4)

    # then
    assert (beyond.number, list(beyond.object_list)) == (3, [8, 9])
    assert garbage.number == 1


def test_an_empty_list_has_one_empty_page():
    # when
    page = paginate(RequestFactory().get("/list/"), [])

    # then
    assert page.number == 1
    assert list(page.object_list) == []


def test_query_without_drops_only_the_named_keys():
    # given
    request = RequestFactory().get("/list/", {"q": "acme", "page": "3", "sort": "name", "tag": ["a", "b"]})

    # when
    query = query_without(request, "page", "sort", "missing")

    # then
    assert query == "q=acme&tag=a&tag=b"
    assert request.GET["page"] == "3"


def test_a_page_of_rows_sorts_the_ids_alone_and_reads_only_that_page_in_full(db):
    from django.db import connection
    from django.db.models.functions import Lower
    from django.test.utils import CaptureQueriesContext

    from kampass.common.models import ImportMapping
    from kampass.common.pagination import paginate_rows

    # given seven saved mappings, sorted by name without case, descending
    for name in ("delta", "Alpha", "echo", "Bravo", "golf", "charlie", "Foxtrot"):
        ImportMapping.objects.create(kind="accounts", name=name, columns={"name": ["Name"]})
    queryset = ImportMapping.objects.order_by(Lower("name").desc())
    # when the second page of three is asked for
    with CaptureQueriesContext(connection) as queries:
        page = paginate_rows(RequestFactory().get("/list/", {"page": "2"}), queryset, per_page=3)
        names = [a.name for a in page.object_list]
    # then the page holds the rows of the queryset's order, as full objects
    assert names == ["delta", "charlie", "Bravo"]
    assert page.paginator.num_pages == 3
    assert isinstance(page.object_list[0], ImportMapping)
    # and the sorted query read ids only; the full rows were read for the page's ids alone
    sql = [q["sql"] for q in queries.captured_queries]
    sorted_query = next(s for s in sql if "ORDER BY" in s)
    assert '"name"' not in sorted_query.split("FROM")[0]
    assert sum(1 for s in sql if "ORDER BY" not in s and "COUNT" not in s) == 1
