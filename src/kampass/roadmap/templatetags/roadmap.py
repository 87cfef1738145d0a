"""Template filters of the roadmap pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from kampass.common.i18n import format_percent
from kampass.roadmap import catalogue

register = template.Library()


@register.filter
def metric_value(value: Any, unit: str) -> str:
    """A guardrail value for display: shares as percent, counts and days as whole numbers."""
    if value is None or value == "":
        return "–"
    v = float(value)
    if unit == "share":
        return format_percent(v, 1)
    if unit in ("count", "days"):
        return str(floatformat(v, 0))
    return str(floatformat(v, 2))


@register.filter
def logic_name(key: str) -> str:
    return catalogue.logic_name(key)


@register.filter
def field_name(key: str) -> str:
    return catalogue.field_name(key)


@register.filter
def metric_name(key: str) -> str:
    return catalogue.metric_name(key)
