"""``{% comments_panel kind id key %}``: the comments panel of a target on any page; ``|mentions``: a
comment's text, escaped, with its ``@usernames`` highlighted."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from kampass.common.comments import MENTION

register = template.Library()


@register.simple_tag(takes_context=True)
def comments_panel(context: dict[str, Any], kind: str, target_id: int, key: str = "") -> SafeString:
    """The panel for the page's request (nothing when the user may not see the target)."""
    from kampass.common.views_comments import panel_html

    request = context.get("request")
    if request is None:
        return mark_safe("")
    return mark_safe(panel_html(request, kind, int(target_id), key))  # noqa: S308  # rendered by our template


@register.filter
def mentions(body: str, known: Any = None) -> SafeString:
    """``body`` escaped, each ``@username`` of a mentioned user (``known``: their usernames) in a
    ``<span class="mention">``; other text as it is."""
    names = {n.lower() for n in (known or [])}
    out: list[str] = []
    last = 0
    for m in MENTION.finditer(body):
        out.append(str(conditional_escape(body[last : m.start()])))
        if m.group(1).lower() in names:
            out.append(str(format_html('<span class="mention">@{}</span>', m.group(1))))
        else:
            out.append(str(conditional_escape(m.group(0))))
        last = m.end()
    out.append(str(conditional_escape(body[last:])))
    return mark_safe("".join(out))  # noqa: S308  # every part escaped above
