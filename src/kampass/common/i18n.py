"""The language texts are shown in: German or English (the two languages kampass ships)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import get_language


def ui_language() -> str:
    """``"de"`` or ``"en"``: the language of the active Django language (German variants are German)."""
    return "de" if (get_language() or "en").lower().startswith("de") else "en"


def format_percent(value: Any, decimals: int = 0, *, points: bool = False) -> str:
    """A share (``0.25``) in per cent as the reader writes it: ``25 %`` in German (decimal comma, a no-break
    space before the sign), ``25%`` in English; ``points=True`` when ``value`` is already in per cent (``25``).
    Empty for ``None`` or a value that is not a number.

    Every share a page, a form or an export shows goes through this (the template filter ``percent``)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)) * (1 if points else 100)
    except (InvalidOperation, ValueError):
        return ""
    text = formats.number_format(round(number, decimals), decimals, use_l10n=True)
    return f"{text}\u00a0%" if ui_language() == "de" else f"{text}%"
