"""Values every template needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kampass import __version__


def kampass(request: HttpRequest) -> dict[str, Any]:
    from kampass.common import fx

    user = getattr(request, "user", None)
    return {
        "KAMPASS_VERSION": __version__,
        "VIEW_CURRENCY": fx.view_currency(user),
        "VIEW_CURRENCIES": fx.view_currency_choices(),
    }
