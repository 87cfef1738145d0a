"""Template filters of the roadmap pages."""

from __future__ import annotations

from typing import Any

from django import template

from kampass.common.guardrails import format_metric
from kampass.roadmap import catalogue

register = template.Library()


@register.filter
def metric_value(value: Any, unit: str) -> str:
    """A guardrail value for display (``kampass.common.guardrails.format_metric``: shares as percent,
    counts and days as whole numbers)."""
    if value is None or value == "":
        return "–"
    return format_metric(float(value), unit)


@register.filter
def logic_name(key: str) -> str:
    return catalogue.logic_name(key)


@register.filter
def field_name(key: str) -> str:
    return catalogue.field_name(key)


@register.filter
def metric_name(key: str) -> str:
    return catalogue.metric_name(key)
