"""Idle sessions without a database write per request.

A session ends ``KAMPASS_SESSION_IDLE_MINUTES`` after its user's last request. Django's way to get
that, ``SESSION_SAVE_EVERY_REQUEST``, writes the session row (and sets the cookie) on every request,
each htmx poll included. :class:`IdleSessionMiddleware` renews the session only when
``KAMPASS_SESSION_RENEW_SECONDS`` have passed since its last renewal (or when the request changed
the session anyway, which saves it in any case): the session's row and cookie then expire between
``idle - renew`` and ``idle`` after the last request, never later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

#: the session key holding when the session's expiry was last renewed (seconds since the epoch)
RENEWED_KEY = "_kampass_renewed_at"


def renew_seconds() -> int:
    """How long a session's renewal holds before a request renews it again (``KAMPASS_SESSION_RENEW_SECONDS``)."""
    return int(settings.KAMPASS_SESSION_RENEW_SECONDS)


class IdleSessionMiddleware:
    """Renews a non-empty session's expiry when it is due (sits right after Django's ``SessionMiddleware``,
    which saves a modified session and sets its cookie on the way out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():  # no session (an API token, an anonymous visitor): none made
            return response
        now = int(time.time())
        if session.modified:  # saved anyway with a fresh expiry: note it, at no extra cost
            session[RENEWED_KEY] = now
            return response
        renewed = session.get(RENEWED_KEY)  # loads the session
        if session.is_empty():  # the cookie named an expired or unknown session: none made for it
            return response
        if not isinstance(renewed, int) or now - renewed >= renew_seconds() or renewed > now:
            session[RENEWED_KEY] = now  # marks the session modified: saved with a fresh expiry, cookie set
        return response
