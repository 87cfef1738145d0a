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
