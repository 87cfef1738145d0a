"""The language texts are shown in: German or English (the two languages kampass ships)."""

from __future__ import annotations

from django.utils.translation import get_language


def ui_language() -> str:
    """``"de"`` or ``"en"``: the language of the active Django language (German variants are German)."""
    return "de" if (get_language() or "en").lower().startswith("de") else "en"
