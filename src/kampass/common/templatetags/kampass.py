from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from kampass.common.i18n import format_percent

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (``{% query_with page=2 %}``)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.simple_tag
def options(choices: Iterable[Any], selected: Any = None) -> SafeString:
    """The ``<option>`` elements of a menu (``{% options owners filters.owner %}``): ``choices`` are (value,
    label) pairs or plain values (the value is the label); the one whose value equals ``selected`` (as text;
    none for ``None`` or "") is selected. Numbers are written without separators. One tag instead of a loop in
    the template: the account list's menu of 200 key account managers took about 4 ms as a loop.

    >>> str(options([(1, "Anna"), (1200, "Bo & Co")], 1200))
    '<option value="1">Anna</option><option value="1200" selected>Bo &amp; Co</option>'
    >>> str(options(["Steel", "Textiles"], ""))
    '<option value="Steel">Steel</option><option value="Textiles">Textiles</option>'
    """
    chosen = "" if selected is None else str(selected)
    pairs = (c if isinstance(c, tuple | list) else (c, c) for c in choices)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((str(v), " selected" if chosen and str(v) == chosen else "", label) for v, label in pairs),
    )


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], key: str, label: str) -> SafeString:
    """A column header that sorts by ``key`` and toggles the direction.

    A list whose default order is not by name ascending says so in its context: ``sort_default`` (the
    key) and ``sort_default_dir`` (``"desc"``), so that the arrow marks the order the rows really have.
    """
    request = context["request"]
    current = request.GET.get("sort", context.get("sort_default", "name"))
    default_dir = context.get("sort_default_dir", "asc") if "sort" not in request.GET else "asc"
    desc = request.GET.get("dir", default_dir) == "desc"
    params = request.GET.copy()
    params["sort"] = key
    params["dir"] = "asc" if (current == key and desc) or current != key else "desc"
    params.pop("page", None)
    arrow = ("▼" if desc else "▲") if current == key else ""
    aria = ("descending" if desc else "ascending") if current == key else "none"
    return format_html(
        '<a href="?{}" hx-get="?{}" hx-target="#results" hx-push-url="true" aria-sort="{}">{} {}</a>',
        params.urlencode(),
        params.urlencode(),
        aria,
        label,
        arrow,
    )


@register.filter
def vega_json(spec: Any) -> SafeString:
    """Serialise a Vega-Lite spec for a ``<script type=application/json>`` element."""
    text = json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return SafeString(text)


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.inclusion_tag("common/_worker_warning.html", takes_context=True)
def worker_warning(context: dict[str, Any], *, managers_only: bool = False) -> dict[str, Any]:
    """A warning while work is queued and no background worker is alive (``{% worker_warning %}``).

    The base layout shows it to administrators, staff and the head of KAM (``managers_only=True``);
    the pages that follow a task's progress (model retraining, imports) show it to everyone there.
    """
    from django.utils import timezone
    from django.utils.formats import date_format, time_format

    from kampass.common.worker_health import stalled_workers
    from kampass.users.rules import is_admin, is_head

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"health": None}
    if managers_only and not (user.is_staff or is_admin(user) or is_head(user)):
        return {"health": None}
    health = stalled_workers()
    if health is None:
        return {"health": None}
    since = ""
    if health.last_seen is not None:
        seen = timezone.localtime(health.last_seen)
        same_day = seen.date() == timezone.localtime(health.now).date()
        since = time_format(seen, "H:i") if same_day else date_format(seen, "SHORT_DATETIME_FORMAT")
    return {"health": health, "since": since}


@register.filter
def guardrail_text(value: Any, unit: str) -> str:
    """A guardrail value with what it is (``kampass.common.guardrails.describe``): "6.3 % measured
    live (8.7 % as stored on …)"."""
    from kampass.common.guardrails import describe

    return describe(value, unit)


@register.filter
def percent(value: Any, decimals: Any = 0) -> str:
    """A share (``0.25``) in per cent: ``{{ share|percent }}`` → "25 %" (German) / "25%" (English);
    ``{{ share|percent:1 }}`` with one decimal. "–" when there is no value."""
    return format_percent(value, int(decimals)) or "–"


@register.filter
def percent_points(value: Any, decimals: Any = 0) -> str:
    """A value already in per cent (``25``, e.g. a probability in points) written as ``percent`` writes it."""
    return format_percent(value, int(decimals), points=True) or "–"


@register.filter
def stored_text(value: Any) -> Any:
    """A text kampass stored itself (a status reason it wrote, a text of the demo data) in the reader's language.

    kampass stores such a text as its English message id (``gettext_noop``) and translates it here, when it
    is shown; a text a user typed has no catalogue entry and stays as typed."""
    return gettext(value) if isinstance(value, str) and value else value


@register.simple_tag(takes_context=True)
def account_links(context: dict[str, Any], account_id: int) -> list[Any]:
    """The links other contexts put on the account page (see :mod:`kampass.common.account_links`)."""
    from kampass.common.account_links import account_links as links

    request = context.get("request")
    return links(getattr(request, "user", None), account_id) if request is not None else []
