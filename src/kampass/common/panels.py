"""Panels that a context adds to a page of another one without being imported by it.

The start, account and opportunity pages show facts of contexts that sit beside or above them (the account
page belongs to the accounts context, which must not import, say, planning). A context registers a
panel when Django starts (``AppConfig.ready``): a function of the request and the page's object that
returns the panel's HTML (or ``None`` to show nothing); the page renders the registered panels in
order of registration.

>>> register_panel("example", lambda request, obj: f"<p>{obj}</p>")
>>> [str(p) for p in render_panels("example", None, 7)]
['<p>7</p>']
>>> unregister_place("example")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

#: the places that show panels
DASHBOARD = "dashboard"
ACCOUNT = "account"
OPPORTUNITY = "opportunity"

Panel = Callable[[Any, Any], "str | None"]
_panels: dict[str, list[Panel]] = {}


def register_panel(place: str, panel: Panel) -> None:
    """Show ``panel(request, obj)`` at ``place`` (``DASHBOARD``: obj None; ``ACCOUNT``: obj the account;
    ``OPPORTUNITY``: obj the opportunity).
    Registering the same function twice shows it once."""
    found = _panels.setdefault(place, [])
    if panel not in found:
        found.append(panel)


def unregister_place(place: str) -> None:
    """Forget the panels of ``place`` (tests)."""
    _panels.pop(place, None)


def render_panels(place: str, request: Any, obj: Any) -> list[SafeString]:
    """The HTML of the panels registered at ``place`` that have something to show (templates escape their
    content; the panel's HTML comes from a rendered template, so it is marked safe here)."""
    out = []
    for panel in _panels.get(place, []):
        html = panel(request, obj)
        if html:
            out.append(mark_safe(html))  # noqa: S308  # rendered by a context's template
    return out
