"""Pagination of list pages."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from kampass.common.pagination import FromEitherEndPaginator, ordered_to_the_row, paginate, query_without


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


def _users_with_ties_and_gaps():
    import datetime as dt

    from django.utils import timezone

    from kampass.users.models import User

    start = timezone.make_aware(dt.datetime(2026, 1, 1))
    for k in range(23):
        # last names repeat (ties only the primary key decides), every third has logged in (the others not)
        User.objects.create(
            username=f"user{k}",
            last_name=("Beta", "alpha", "Gamma", "beta")[k % 4],
            last_login=start + dt.timedelta(days=k % 5) if k % 3 == 0 else None,
        )
    return User.objects.all()


def test_the_back_half_read_from_the_end_gives_the_same_pages_as_reading_forward(db):
    from django.db.models import F
    from django.db.models.functions import Lower

    # given 23 users with tied names and missing logins, in several orders that end with the key
    users = _users_with_ties_and_gaps()
    orders: list[tuple[Any, ...]] = [
        (Lower("last_name"), "pk"),
        ("-last_name", "-pk"),
        (F("last_login").asc(nulls_last=True), "pk"),
        (F("last_login").desc(nulls_first=True), Lower("last_name").desc(), "-id"),
        ("last_login", F("pk").desc()),
    ]
    for order in orders:
        qs = users.order_by(*order)
        forward = list(qs.values_list("pk", flat=True))
        assert len(forward) == 23
        # when every page of 5 (the last with 3) is read, and the pages of 7 with 3 orphans
        for per_page, orphans in ((5, 0), (7, 3)):
            paginator = FromEitherEndPaginator(qs.values_list("pk", flat=True), per_page, orphans=orphans)
            pages = [list(paginator.page(n).object_list) for n in paginator.page_range]
            # then they are the rows read forward, cut into the same pages
            assert [pk for page in pages for pk in page] == forward, order
            assert [len(p) for p in pages] == ([5, 5, 5, 5, 3] if per_page == 5 else [7, 7, 9])


def test_the_last_page_is_read_without_stepping_over_the_rows_before_it(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = _users_with_ties_and_gaps()
    sorted_by_name = users.order_by("last_name", "pk")
    with CaptureQueriesContext(connection) as read:
        last = paginate(RequestFactory().get("/list/", {"page": "5"}), sorted_by_name, per_page=5)
        rows = list(last.object_list)
    assert [a.pk for a in rows] == list(sorted_by_name.values_list("pk", flat=True))[20:]
    page_query = read.captured_queries[-1]["sql"]
    assert "DESC" in page_query
    assert "OFFSET" not in page_query.upper().replace("OFFSET 0", "")
    # the first half is read forward; an order without the key decided last is always read forward
    with CaptureQueriesContext(connection) as read:
        list(paginate(RequestFactory().get("/list/", {"page": "2"}), sorted_by_name, per_page=5).object_list)
    assert "DESC" not in read.captured_queries[-1]["sql"]
    by_name_only = users.order_by("last_name")
    assert not ordered_to_the_row(by_name_only)
    with CaptureQueriesContext(connection) as read:
        list(paginate(RequestFactory().get("/list/", {"page": "5"}), by_name_only, per_page=5).object_list)
    assert "OFFSET 20" in read.captured_queries[-1]["sql"].upper()
