"""finish_chart: every chart gets the number and time-format locale of the active language (decimal
comma, month names, the amount's currency), whatever context builds it, and renders with it statically."""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import pytest
import vl_convert as vlc
from django.test import override_settings
from django.utils import translation

from kampass.common.charts import finish_chart, number_locale, spec_locales


def _chart() -> alt.Chart:
    values = [{"day": "2026-12-15", "amount": 1234.5, "share": 0.25}, {"day": "2027-03-15", "amount": 10, "share": 0.5}]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_point()
        .encode(
            x=alt.X("day:T", axis=alt.Axis(format="%b %Y", title=None)),
            y=alt.Y("amount:Q", axis=alt.Axis(format="$,.1f", title=None)),
            tooltip=[alt.Tooltip("share:Q", format=".0%")],
        )
    )


@pytest.mark.parametrize(
    ("language", "decimal", "thousands", "december"), [("en", ".", ",", "Dec"), ("de", ",", ".", "Dez")]
)
def test_every_spec_gets_the_number_and_time_locale_of_the_language(language, decimal, thousands, december):
    # given a chart finished in a language, without asking for locales
    with translation.override(language):
        spec = finish_chart(_chart())
    # then numbers and dates follow that language
    locale = spec["config"]["locale"]
    assert (locale["number"]["decimal"], locale["number"]["thousands"]) == (decimal, thousands)
    assert locale["time"]["shortMonths"][11] == december
    assert spec_locales(spec) == {"format_locale": locale["number"], "time_format_locale": locale["time"]}


def test_the_currency_symbol_is_the_amounts_currency_placed_as_the_language_writes_it():
    with translation.override("de"):
        assert number_locale("CHF")["currency"] == ["", "\u00a0CHF"]
        assert number_locale("EUR")["currency"] == ["", "\u00a0€"]
        assert number_locale()["currency"] == ["", ""]
    with translation.override("en"):
        assert number_locale("USD")["currency"] == ["$", ""]
        assert number_locale("GBP")["currency"] == ["£", ""]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_a_german_chart_renders_with_german_months_and_decimal_commas():
    # given a chart with dates and amounts in euros, finished in German
    with translation.override("de"):
        spec = finish_chart(_chart(), currency="EUR")
    # when it is rendered statically (as for the PDF)
    texts = _texts(vlc.vegalite_to_svg(spec, **spec_locales(spec)))
    # then the months are German and the numbers have a decimal comma and the euro after them
    assert any(t.startswith("Dez ") for t in texts), texts
    assert "1.200,0\u00a0€" in texts, texts
    assert not any(t.startswith(("Dec ", "Mar ")) for t in texts)


def test_an_english_chart_renders_with_english_months_and_decimal_points():
    with translation.override("en"):
        spec = finish_chart(_chart(), currency="USD")
    texts = _texts(vlc.vegalite_to_svg(spec))
    assert any(t.startswith("Dec ") for t in texts), texts
    assert "$1,200.0" in texts, texts


def test_title_and_summary_become_the_specs_description():
    # given a chart finished with its name and a short summary
    spec = finish_chart(_chart(), title="Revenue", description="December 1,234.5")
    # then screen readers (and Vega) get them instead of "Vega visualization"
    assert spec["description"] == "Revenue. December 1,234.5"
    assert spec["usermeta"]["a11y"] == {"title": "Revenue", "summary": "December 1,234.5"}
    # and the marks do not announce themselves in English with raw field names
    assert spec["config"]["aria"] is False
    assert 'aria-label="day:' not in vlc.vegalite_to_svg(spec)


@pytest.mark.parametrize("validate", [True, False])
def test_the_vega_lite_validation_follows_the_setting(monkeypatch, validate):
    # given: a chart whose to_dict records how it was asked
    seen: list[Any] = []
    original = alt.Chart.to_dict

    def recording(self, *args, **kwargs):
        seen.append(kwargs.get("validate"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(alt.Chart, "to_dict", recording)
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")

    # when
    with override_settings(KAMPASS_VALIDATE_CHARTS=validate):
        spec = finish_chart(chart)

    # then: production (off) skips Altair's costly schema check; the tests keep it on
    assert seen[0] is validate
    assert spec["mark"]["type"] == "point"
