"""Values every template needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kampass import __version__


def kampass(request: HttpRequest) -> dict[str, Any]:
    from django.utils.functional import SimpleLazyObject

    from kampass.common import fx
    from kampass.common.notifications import unread_count

    user = getattr(request, "user", None)
    return {
        # counted only when a page shows the bell (one query)
        "UNREAD_NOTIFICATIONS": SimpleLazyObject(lambda: unread_count(user)),
        "KAMPASS_VERSION": __version__,
        "VIEW_CURRENCY": fx.view_currency(user),
        "VIEW_CURRENCIES": fx.view_currency_choices(),
    }
