"""Hostile text: values that a spreadsheet would run as formulas, and characters that do not belong in names.

*Formula injection* (CSV/XLSX injection, OWASP): a spreadsheet program treats a cell text that
starts with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or carriage return, the same) as a
formula, so an imported ``=HYPERLINK("http://evil","click")`` would become a live link in an
export. :func:`neutralise_formula` prefixes such texts with a single quote, as OWASP recommends;
every CSV and XLSX export of kampass passes its text values through it. Texts that are plain
numbers (``-12.5``) are left alone: no spreadsheet runs them, and a negative number written as a
number stays a number.

*Control characters*: NUL and the other C0/C1 control characters, and the bidirectional
embedding, override and isolate characters (U+202A..U+202E, U+2066..U+2069, the "Trojan Source"
characters that reorder what a reader sees) have no place in names and free texts.
:func:`forbidden_character` finds the first one; forms, the API and importers refuse the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell text as a formula."""

BIDI_CONTROLS: frozenset[str] = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI)."""

MULTILINE_ALLOWED: frozenset[str] = frozenset("\t\n\r")
"""Control characters a free text (several lines) may hold; names hold none."""

_FORBIDDEN_RANGES: tuple[tuple[int, int], ...] = ((0x00, 0x1F), (0x7F, 0x9F), (0x202A, 0x202E), (0x2066, 0x2069))


def forbidden_pattern(*, multiline: bool = False) -> str:
    r"""The characters :func:`forbidden_character` finds, as a character class in RE2 syntax (DuckDB's
    ``regexp_matches``); ``multiline`` allows tab, line feed and carriage return.

    Examples
    --------
    >>> forbidden_pattern()
    '[\\x{0}-\\x{1f}\\x{7f}-\\x{9f}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}]'
    >>> forbidden_pattern(multiline=True).startswith("[\\x{0}-\\x{8}\\x{b}-\\x{c}\\x{e}-")
    True
    """
    ranges = list(_FORBIDDEN_RANGES)
    if multiline:
        ranges = [(0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), *ranges[1:]]
    return "[" + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in ranges) + "]"


def allowed_text_pattern(*, multiline: bool = False) -> str:
    r"""A JSON Schema ``pattern`` (ECMA-262 and Python ``re`` alike) of a text without the characters
    :func:`forbidden_character` finds: what the API's OpenAPI document declares for its text inputs.

    Examples
    --------
    >>> allowed_text_pattern()
    '^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$'
    >>> import re
    >>> [bool(re.search(allowed_text_pattern(multiline=m), "a\tb")) for m in (False, True)]
    [False, True]
    >>> bool(re.search(allowed_text_pattern(multiline=True), "x\u202ey"))
    False
    """
    ranges = list(_FORBIDDEN_RANGES)
    if multiline:
        ranges = [(0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), *ranges[1:]]
    return "^[^" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges) + "]*$"


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: object) -> object:
    """``value`` made safe for a spreadsheet cell: a text that a spreadsheet would run as a formula
    gets a leading single quote; numbers, dates, ``None`` and other texts come back unchanged.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> [neutralise_formula(v) for v in ("+cmd", "@SUM(1)", "-1+2", "\\tx", "Acme")]
    ["'+cmd", "'@SUM(1)", "'-1+2", "'\\tx", 'Acme']
    >>> [neutralise_formula(v) for v in (-12.5, "-12.5", "+3", None)]
    [-12.5, '-12.5', '+3', None]
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_row(values: Iterable[object]) -> list[object]:
    """:func:`neutralise_formula` applied to each value of a row.

    Examples
    --------
    >>> neutralise_row(["=1+1", 2, "ok"])
    ["'=1+1", 2, 'ok']
    """
    return [neutralise_formula(v) for v in values]


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of ``text`` that has no place in a name or free text, else ``None``.

    Forbidden: C0 and C1 control characters (NUL included; ``multiline`` allows tab, line feed and
    carriage return) and the bidirectional embedding, override and isolate characters.

    Examples
    --------
    >>> forbidden_character("Acme GmbH"), forbidden_character("Müller & Söhne")
    (None, None)
    >>> forbidden_character("Acme\\x00"), forbidden_character("abc\\u202egpj.exe")
    ('\\x00', '\\u202e')
    >>> forbidden_character("line 1\\nline 2"), forbidden_character("line 1\\nline 2", multiline=True)
    ('\\n', None)
    """
    for char in text:
        if char in BIDI_CONTROLS:
            return char
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            return char
    return None


def describe_character(char: str) -> str:
    """A readable name for a character: its code point and Unicode name.

    Examples
    --------
    >>> describe_character("\\x00"), describe_character("\\u202e")
    ('U+0000', 'U+202E RIGHT-TO-LEFT OVERRIDE')
    """
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


__all__ = [
    "BIDI_CONTROLS",
    "FORMULA_PREFIXES",
    "describe_character",
    "forbidden_character",
    "forbidden_pattern",
    "neutralise_formula",
    "neutralise_row",
]
