"""Figures computed once per request: a page that asks for the same expensive, read-only figure from
several places (the programme's signals: the dashboard, the roadmap's guardrail readings and the
organisation summary each asked for them) gets it computed once.

The memo lives only while :class:`RequestMemoMiddleware` serves a safe request (GET, HEAD): a request
that writes may change what a figure depends on, so there (and outside a request: the CLI, the worker,
tests calling selectors directly) every call computes afresh."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponseBase

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("kampass_request_memo", default=None)

#: the methods that read only (RFC 9110 safe methods Django serves)
SAFE_METHODS = frozenset({"GET", "HEAD"})


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or within a safe request the value it returned the first time for ``key``."""
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    found: T = store[key]
    return found


class RequestMemoMiddleware:
    """Opens a fresh memo for each GET or HEAD request and drops it when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
