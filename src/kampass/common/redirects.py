"""Where a view may send the browser after a POST: a ``next`` target, but only on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str | None, *, fallback: str) -> str:
    """``target`` when it points to this site (a path, or an URL of this host, on HTTPS when the request
    came over HTTPS), else ``fallback``: ``//evil.example``, ``https://evil.example``, ``/\\evil.example``
    and ``javascript:`` targets never leave the site (an open redirect would lend the site's name to phishing).
    """
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
