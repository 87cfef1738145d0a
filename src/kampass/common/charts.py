"""Finishing of the Vega-Lite specs every context builds with Altair: the common look (no view
stroke, axis font sizes) and the number and date formats of the active language (d3 locales)."""

from __future__ import annotations

from typing import Any

import altair as alt
from django.conf import settings
from django.utils.translation import get_language


def number_locale() -> dict[str, Any]:
    """Number format of the current language for the axes and tooltips (d3-format locale)."""
    if (get_language() or "en").startswith("de"):
        return {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]}
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}


def time_locale() -> dict[str, Any] | None:
    """Date format of the current language (d3-time-format locale); ``None`` for English (the default)."""
    if not (get_language() or "en").startswith("de"):
        return None
    return {
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


def finish_chart(chart: alt.TopLevelMixin, *, numbers: bool = True, dates: bool = False) -> dict[str, Any]:
    """The spec of ``chart`` with the common look; with ``numbers`` the number locale of the
    active language, with ``dates`` also its date locale (where it is not English)."""
    configured = chart.configure_view(stroke=None).configure_axis(labelFontSize=11, titleFontSize=12)
    # schema validation costs about 0.2 s per chart: only where KAMPASS_VALIDATE_CHARTS (debug, tests)
    spec: dict[str, Any] = configured.to_dict(validate=bool(getattr(settings, "KAMPASS_VALIDATE_CHARTS", True)))
    if numbers:
        locale: dict[str, Any] = {"number": number_locale()}
        if dates and (times := time_locale()):
            locale["time"] = times
        spec.setdefault("config", {})["locale"] = locale
    return spec
