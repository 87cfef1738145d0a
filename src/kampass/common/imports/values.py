"""Reading the values of an import file: countries by code or name (English and German), choices by
code or label (English and German), yes/no, people by username, e-mail or name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from django.utils import translation

_SEPARATORS = re.compile(r"[\s_\-./]+")
TRUE = frozenset({"true", "1", "yes", "y", "ja", "j", "wahr", "x", "active", "aktiv"})
FALSE = frozenset({"false", "0", "no", "n", "nein", "falsch", "inactive", "inaktiv"})
LANGUAGES = ("en", "de")


def normalise(text: str) -> str:
    """A header or label as compared: case, spaces, underscores, hyphens, dots and slashes ignored.

    >>> normalise("Deal_Stage") == normalise("deal stage") == normalise("Deal-Stage")
    True
    """
    return _SEPARATORS.sub("", text.strip().casefold())


class HeaderColumns:
    """A file's header, searched for the column of a field by candidate names: a candidate written as in
    the header first, else as compared by :func:`normalise` (the first such column of the header). With
    ``take=True`` the column found is not offered for another field.

    >>> columns = HeaderColumns(["Opportunity ID", "STAGE_NAME", "Stage"])
    >>> columns.find(["OpportunityId"]), columns.find(["stage name"]), columns.find(["Stage"])
    ('Opportunity ID', 'STAGE_NAME', 'Stage')
    >>> columns.find(["stage name"], take=True), columns.find(["StageName", "Stage"], take=True)
    ('STAGE_NAME', 'Stage')
    """

    def __init__(self, header: Sequence[str]) -> None:
        self.header = tuple(header)
        self._by_key: dict[str, str] = {}
        for column in self.header:
            if column.strip():
                self._by_key.setdefault(normalise(column), column)
        self._taken: set[str] = set()

    def find(self, candidates: Iterable[str], *, take: bool = False) -> str | None:
        """The column of the first candidate the header has (not yet taken), or ``None``."""
        for candidate in candidates:
            if not candidate.strip():
                continue
            column = candidate if candidate in self.header else self._by_key.get(normalise(candidate))
            if column is not None and column not in self._taken:
                if take:
                    self._taken.add(column)
                return column
        return None


@cache
def _country_names() -> dict[str, str]:
    from django_countries import countries

    names: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                names.setdefault(normalise(str(name)), code)
    for code, _name in countries:
        names.setdefault(normalise(code), code)
        alpha3 = countries.alpha3(code)
        if alpha3:
            names.setdefault(normalise(alpha3), code)
    for alias, code in {
        "USA": "US", "United States": "US", "United States of America": "US", "Vereinigte Staaten": "US", "UK": "GB",
        "Great Britain": "GB", "England": "GB", "Grossbritannien": "GB", "Holland": "NL", "Czech Republic": "CZ",
        "Tschechische Republik": "CZ", "Russia": "RU", "South Korea": "KR", "Korea": "KR",
    }.items():  # fmt: skip
        names.setdefault(normalise(alias), code)
    return names


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country given by code (alpha-2 or alpha-3) or by its English or
    German name; ``""`` for an empty value, ``None`` when it is none of these."""
    if not value.strip():
        return ""
    return _country_names().get(normalise(value))


def choice(value: str, choices: Iterable[tuple[Any, Any]], aliases: Mapping[str, str] | None = None) -> str | None:
    """The code of a choice given by its code or its English or German label (or an alias);
    ``None`` when it is none of them."""
    key = normalise(value)
    choices = list(choices)
    for code, _label in choices:
        if normalise(str(code)) == key:
            return str(code)
    for language in LANGUAGES:
        with translation.override(language):
            for code, label in choices:
                if normalise(str(label)) == key:
                    return str(code)
    for alias, code in (aliases or {}).items():
        if normalise(alias) == key:
            return code
    return None


def yes_no(value: str) -> bool | None:
    """True/false from the usual spellings in English and German; ``None`` when it is neither."""
    key = value.strip().casefold()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    return None
