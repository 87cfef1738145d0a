"""Cleaning of text lists and amounts for the pipeline services (saving with history: kampass.users.history)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _text_list(value: Iterable[str] | str | None, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    items = [str(v).strip() for v in value]
    return list(dict.fromkeys(v for v in items if v))


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}}) from None
