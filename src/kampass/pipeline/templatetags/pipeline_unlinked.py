"""``{% unlinked_count as n %}``: how many opportunities without an account the user sees (the pipeline
navigation's badge)."""

from __future__ import annotations

from typing import Any

from django import template

from kampass.pipeline.selectors.unlinked import unlinked_count as _count

register = template.Library()


@register.simple_tag(takes_context=True)
def unlinked_count(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return _count(user) if user is not None and user.is_authenticated else 0
