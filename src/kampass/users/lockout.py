"""The page a locked-out login gets (django-axes' ``AXES_LOCKOUT_CALLABLE``): in the site's layout and
the visitor's language, saying how long the lock lasts."""

from __future__ import annotations

from typing import Any

from axes.conf import settings
from axes.helpers import get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """Render ``registration/lockout.html`` with the failure limit and the cool-off time in minutes."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
