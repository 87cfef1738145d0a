"""The per-request memo: a figure asked for twice while one GET is served is computed once; outside a
request and while a writing request is served it is computed every time."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.test import RequestFactory

from kampass.common.request_memo import RequestMemoMiddleware, memoised


def _counting() -> tuple[list[int], Callable[[], int]]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def _serve(method: str, compute: Callable[[], int]) -> list[int]:
    seen: list[int] = []

    def view(request: object) -> HttpResponse:
        seen.append(memoised("figure", compute))
        seen.append(memoised("figure", compute))
        return HttpResponse("ok")

    RequestMemoMiddleware(view)(getattr(RequestFactory(), method)("/"))
    return seen


def test_a_get_request_computes_a_figure_once():
    # given: a figure that counts how often it is computed
    calls, compute = _counting()

    # when: a GET request asks for it twice
    seen = _serve("get", compute)

    # then: it was computed once and both asks got the same value
    assert len(calls) == 1
    assert seen == [1, 1]


def test_each_request_computes_afresh():
    calls, compute = _counting()

    _serve("get", compute)
    _serve("get", compute)

    assert len(calls) == 2


def test_a_writing_request_computes_every_time():
    calls, compute = _counting()

    seen = _serve("post", compute)

    assert seen == [1, 2]
    assert len(calls) == 2


def test_outside_a_request_every_call_computes():
    calls, compute = _counting()

    memoised("figure", compute)
    memoised("figure", compute)

    assert len(calls) == 2
