"""Finishing of the Vega-Lite specs every context builds with Altair: the common look (no view
stroke, axis font sizes), the number and date formats of the active language (d3 format and
time-format locales, in ``config.locale`` of every spec, which vega-embed in the browser and
vl-convert for the PDF both apply) and the accessible description of the chart."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from typing import Any

import altair as alt
from altair.utils import schemapi
from django.conf import settings
from django.utils.translation import get_language

from kampass.common.process_memo import ProcessMemo

# Altair validates every schema object against the Vega-Lite schema when it is built ("debug mode"),
# the inline data values included: a chart with a point per account (the whale curve of 5,000 accounts)
# spent a third of a second there. Validation stays where KAMPASS_VALIDATE_CHARTS asks for it (debug,
# tests); ``finish_chart`` validates the whole spec there anyway.
if not getattr(settings, "KAMPASS_VALIDATE_CHARTS", True):
    schemapi.disable_debug_mode()

# Currency symbols d3 puts before (English) or after (German) an amount formatted with ``$``.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}

_EN_TIME: dict[str, Any] = {
    "dateTime": "%x, %X",
    "date": "%-m/%-d/%Y",
    "time": "%-I:%M:%S %p",
    "periods": ["AM", "PM"],
    "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    "months": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

_DE_TIME: dict[str, Any] = {
    "dateTime": "%A, der %e. %B %Y, %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "shortMonths": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
}


def _german() -> bool:
    return (get_language() or "en").startswith("de")


def number_locale(currency: str | None = None) -> dict[str, Any]:
    """Number format of the current language for the axes and tooltips (d3-format locale).

    ``currency`` (ISO code) is the currency a ``$`` in a format stands for: after the amount in German
    (``1.234,50 €``), before it in English (``€1,234.50``); without it ``$`` adds nothing.
    """
    symbol = CURRENCY_SYMBOLS.get(currency, currency) if currency else ""
    if _german():
        return {
            "decimal": ",",
            "thousands": ".",
            "grouping": [3],
            "currency": ["", f"\u00a0{symbol}" if symbol else ""],
            "percent": "\u00a0%",
        }
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": [symbol, ""]}


def time_locale() -> dict[str, Any]:
    """Date format of the current language (d3-time-format locale): month and day names, ``%x``."""
    return dict(_DE_TIME if _german() else _EN_TIME)


def finish_chart(
    chart: alt.TopLevelMixin,
    *,
    currency: str | None = None,
    title: str | None = None,
    description: str | None = None,
    numbers: bool = True,
    dates: bool = True,
) -> dict[str, Any]:
    """The spec of ``chart`` with the common look and the number and time locales of the active
    language (``currency``: the ISO code a ``$`` format shows). ``title`` and ``description`` are the
    chart's accessible name and a short textual summary (``description`` of the spec, which the page
    puts on the chart's container as its name and a described-by text with a table of its data).

    ``numbers`` and ``dates`` are ignored: every chart gets both locales (they were opt-in, and charts
    that did not opt in showed English formats in German); kept for callers written before."""
    del numbers, dates
    configured = chart.configure_view(stroke=None).configure_axis(labelFontSize=11, titleFontSize=12)
    # schema validation costs about 0.2 s per chart: only where KAMPASS_VALIDATE_CHARTS (debug, tests)
    spec: dict[str, Any] = configured.to_dict(validate=bool(getattr(settings, "KAMPASS_VALIDATE_CHARTS", True)))
    config = spec.setdefault("config", {})
    config["locale"] = {"number": number_locale(currency), "time": time_locale()}
    # no ARIA labels on the marks (Vega writes them in English with raw field names): the chart's container
    # carries its name, summary and data table for screen readers
    config["aria"] = False
    if title or description:
        spec["description"] = ". ".join(str(p) for p in (title, description) if p)
        spec.setdefault("usermeta", {})["a11y"] = {"title": str(title or ""), "summary": str(description or "")}
    return spec


#: the specs :func:`memoised_spec` made, by language and key (the least recently used of 256 go first)
_specs: ProcessMemo[dict[str, Any] | None] = ProcessMemo(size=256)


def memoised_spec(key: Hashable, build: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """The spec ``build()`` makes, made once per ``key`` and language in this process, as a copy the caller
    may change. ``key`` must hold everything the spec depends on besides the language (its rows, its
    width, today's date where it marks it). Building a spec with Altair (its schema objects, layers and
    the deep copies it makes of them) took 20-45 ms per chart on the programme page, for the same few
    rows on every view.

    >>> calls = []
    >>> spec = memoised_spec(("doctest", 1), lambda: calls.append(1) or {"mark": "bar"})
    >>> spec["mark"] = "changed"
    >>> memoised_spec(("doctest", 1), lambda: calls.append(1) or {"mark": "bar"}), len(calls)
    ({'mark': 'bar'}, 1)
    """
    return copy.deepcopy(_specs.get_or_compute((get_language(), key), build))


def spec_locales(spec: dict[str, Any]) -> dict[str, Any]:
    """The format and time-format locales of a finished spec, as vl-convert takes them."""
    locale = spec.get("config", {}).get("locale", {})
    return {"format_locale": locale.get("number"), "time_format_locale": locale.get("time")}


#: the font the PDFs are printed in (WeasyPrint finds it on every machine: fonts-dejavu), so that
#: vl-convert measures and draws the charts' texts in it
PDF_FONT = "DejaVu Sans"


def _with_pdf_font(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "config": {**spec.get("config", {}), "font": PDF_FONT}}


def to_svg(spec: dict[str, Any]) -> str:
    """Render a finished spec to SVG for a PDF (vl-convert), its texts measured and drawn in the PDF's
    font, with the spec's number and date locales."""
    import vl_convert as vlc

    spec = _with_pdf_font(spec)
    return str(vlc.vegalite_to_svg(spec, **spec_locales(spec)))


def to_png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    """Render a finished spec to PNG (vl-convert) for documents that take pictures only (slides),
    ``scale`` times its size in pixels, with the spec's number and date locales."""
    import vl_convert as vlc

    spec = _with_pdf_font(spec)
    return bytes(vlc.vegalite_to_png(spec, scale=scale, **spec_locales(spec)))
