"""Which concept catalogue the programme works with, and its texts in the user's language."""

from __future__ import annotations

from django.utils.translation import get_language

from kampass.core.concept import Catalogue, builtin_catalogue


def active_catalogue() -> Catalogue:
    """The running catalogue: the built-in one (complete in English and German)."""
    return builtin_catalogue()


def current_lang() -> str:
    """``"de"`` or ``"en"``: the language the catalogue texts are shown in."""
    return "de" if (get_language() or "en").lower().startswith("de") else "en"
