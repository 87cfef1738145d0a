"""``{% stage_options all_stages o.stage_id %}``: the ``<option>`` elements of a board card's stage menu.

A board shows up to 20 cards per column, each with a menu of every stage of the process: the options are
built (and their names translated) once per request, and each card only marks its own stage selected."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from kampass.common.request_memo import memoised
from kampass.pipeline.models import Stage, StageKind

register = template.Library()


def _options(stages: Sequence[Stage]) -> list[tuple[int, SafeString, SafeString]]:
    """(pk, the option as not selected, the option as selected) of each stage."""
    out = []
    for s in stages:
        reason = mark_safe(' data-needs-reason="1"') if s.kind == StageKind.LOST else ""
        name = gettext(s.name)
        out.append(
            (
                s.pk,
                format_html('<option value="{}"{}>{}</option>', s.pk, reason, name),
                format_html('<option value="{}" selected{}>{}</option>', s.pk, reason, name),
            )
        )
    return out


@register.simple_tag
def stage_options(stages: Sequence[Stage], selected: int | None) -> SafeString:
    key = ("pipeline.stage_options", tuple(s.pk for s in stages), get_language())
    options = memoised(key, lambda: _options(stages))
    return mark_safe("".join(chosen if pk == selected else plain for pk, plain, chosen in options))  # noqa: S308
