"""Colour contrast of the style sheets (WCAG 2.1): text >= 4.5:1 against the backgrounds it is drawn
on (1.4.3), the keyboard focus ring >= 3:1 against the colours next to it (1.4.11).

The colours are read from the CSS itself (custom properties resolved), so a new grey or a lighter
ring fails here before anyone has to notice it on screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kampass"
BASE_CSS = SRC / "common" / "static" / "kampass" / "kampass.css"
# the style sheets of the pages (the PDF report's inline style is printed, not interactive)
SHEETS = [
    BASE_CSS,
    *sorted(p for p in SRC.glob("*/static/*/*.css") if p != BASE_CSS),
    *sorted(SRC.glob("*/templates/*/_style.html")),
]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# neutral surfaces (page, cards, table heads, chips, board columns: white and light greys): text of any
# token may stand on them; tinted backgrounds (badges, heat-map cells) are checked with their own rules
NEAR_WHITE = 0.75
GREY = 0x10  # largest spread of the RGB channels of a neutral colour


def luminance(colour: str) -> float:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h

    def channel(c: str) -> float:
        v = int(c, 16) / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(h[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def tokens() -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", BASE_CSS.read_text())
    assert root is not None
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})", root.group(1)))


def resolve(value: str) -> str | None:
    value = re.sub(r"var\((--[\w-]+)\)", lambda m: tokens().get(m.group(1), m.group(0)), value)
    found = HEX.search(value)
    return found.group(0).lower() if found else None


def rules() -> list[tuple[str, dict[str, str]]]:
    out = []
    for sheet in SHEETS:
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        text = re.sub(r"@media[^{]*\{", "", text)
        for selector, body in RULE.findall(text):
            decls = {}
            for decl in body.split(";"):
                if ":" in decl:
                    prop, _, value = decl.partition(":")
                    decls[prop.strip()] = value.strip()
            out.append((selector.strip().rsplit("\n", 1)[-1].strip(), decls))
    return out


def neutral(colour: str) -> bool:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return max(channels) - min(channels) <= GREY


def light_backgrounds() -> set[str]:
    """The surfaces text and controls sit on: the page, the cards and every light neutral background a rule sets."""
    found = {tokens()["--bg"], tokens()["--card"]}
    for _selector, decls in rules():
        colour = resolve(decls.get("background", decls.get("background-color", "")))
        if colour and luminance(colour) > NEAR_WHITE and neutral(colour):
            found.add(colour)
    return found


def test_the_css_is_read_at_all():
    # given the base style sheet, then its tokens and rules are found (the other checks are not vacuous)
    assert {"--ink", "--muted", "--bg", "--card", "--focus", "--focus-on-brand"} <= set(tokens())
    assert len(rules()) > 100
    assert len(light_backgrounds()) > 10


@pytest.mark.parametrize("token", ["--ink", "--muted", "--brand", "--ok", "--warn", "--danger"])
def test_text_colour_tokens_reach_4_5_to_1_on_every_light_background(token):
    # given a text colour token and every light surface of the style sheets
    colour = tokens()[token]
    # then the text is readable on each of them
    low = {bg: round(contrast(colour, bg), 2) for bg in light_backgrounds() if contrast(colour, bg) < 4.5}
    assert low == {}


def test_rules_that_set_text_and_background_reach_4_5_to_1():
    # given every rule that sets both a text colour and a background
    low = []
    for selector, decls in rules():
        fg = resolve(decls.get("color", ""))
        bg = resolve(decls.get("background", decls.get("background-color", "")))
        if fg and bg and contrast(fg, bg) < 4.5:
            low.append(f"{selector}: {fg} on {bg} = {contrast(fg, bg):.2f}")
    # then none falls under 4.5:1
    assert low == []


def test_the_focus_ring_reaches_3_to_1_against_the_colours_next_to_it():
    # given the outline colours of the focus rules (outside the top bar)
    ring_colours = {}
    for selector, decls in rules():
        if ":focus" in selector and "outline" in decls and ".topbar" not in selector:
            colour = resolve(decls["outline"]) or resolve(decls.get("outline-color", ""))
            if colour:
                ring_colours[selector] = colour
    assert ring_colours
    # then each ring stands out against every light surface it may be drawn on
    low = [
        f"{selector}: {ring} against {bg} = {contrast(ring, bg):.2f}"
        for selector, ring in ring_colours.items()
        for bg in light_backgrounds()
        if contrast(ring, bg) < 3
    ]
    assert low == []


def test_the_focus_ring_in_the_top_bar_reaches_3_to_1_against_the_brand_colour():
    # given the top bar (brand background) and its focus rule
    topbar = [d for s, d in rules() if s.startswith(".topbar") and ":focus" in s]
    assert topbar
    ring = resolve(topbar[0]["outline-color"])
    # then its ring stands out against the bar
    assert ring is not None
    assert contrast(ring, tokens()["--brand"]) >= 3
