"""Values every template needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kampass import __version__


def kampass(request: HttpRequest) -> dict[str, Any]:
    return {"KAMPASS_VERSION": __version__}
