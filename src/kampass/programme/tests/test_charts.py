"""The programme's charts (dashboard, results and PDF report): their texts in the user's language,
numbers and dates in its format, tension-field labels on two lines, legends below the plot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from kampass.core.assessment import TensionScore
from kampass.core.concept import builtin_catalogue
from kampass.programme.charts import maturity_chart, roadmap_chart, tension_chart
from kampass.roadmap.facade import InitiativeRef

CATALOGUE = builtin_catalogue()


def _initiatives() -> list[InitiativeRef]:
    return [
        InitiativeRef(1, "tools", "Plans in the CRM", "Anna", dt.date(2026, 11, 1), dt.date(2027, 3, 1), "active", 2),
        InitiativeRef(2, "topics", "Fewer topics", None, dt.date(2027, 1, 1), None, "planned", 0),
    ]


def _tensions() -> list[TensionScore]:
    keys = [t.key for t in CATALOGUE.tension_fields[:2]]
    return [TensionScore(keys[0], 1.5, -0.5, {}, ()), TensionScore(keys[1], -2.5, 0.0, {}, ())]


def _layers(spec):
    return spec.get("layer", [spec])


@pytest.mark.parametrize(("language", "planned", "december"), [("en", "Planned", "Dec"), ("de", "Geplant", "Dez")])
def test_roadmap_chart_shows_statuses_and_months_in_the_language(language, planned, december):
    # given two initiatives with status codes
    with translation.override(language):
        spec = roadmap_chart(_initiatives(), width=400)
    assert spec is not None
    bars = spec["layer"][0]
    # then the statuses are their labels (not "planned"/"active"), the months are the language's
    assert {r["status"] for r in bars["data"]["values"]} == {planned, "Active" if language == "en" else "Aktiv"}
    assert spec["config"]["locale"]["time"]["shortMonths"][11] == december
    assert bars["encoding"]["x"]["axis"]["format"] == "%b %Y"
    assert {t["format"] for t in bars["encoding"]["tooltip"] if t["type"] == "temporal"} == {"%x"}
    assert bars["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_tension_chart_has_the_german_locale_two_line_labels_and_a_summary():
    # given two tension fields, one at the left extreme
    with translation.override("de"):
        spec = tension_chart(CATALOGUE, _tensions(), lang="de", group_labels={}, width=380)
    assert spec is not None
    points = spec["layer"][-1]
    # then numbers are German, each label breaks between its poles, ticks are whole positions
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert "split(datum.label" in points["encoding"]["y"]["axis"]["labelExpr"]
    assert spec["layer"][0]["encoding"]["x"]["axis"]["values"] == [-3, -2, -1, 0, 1, 2, 3]
    assert all(leg["orient"] == "bottom" for leg in (points["encoding"]["color"]["legend"],))
    # and screen readers get the positions as text, with decimal commas and signs
    assert spec["usermeta"]["a11y"]["title"] == "Profil der Spannungsfelder"
    assert "heute +1,5, Ziel −0,5" in spec["usermeta"]["a11y"]["summary"]
    assert "heute −2,5, Ziel 0,0" in spec["usermeta"]["a11y"]["summary"]


def test_maturity_chart_titles_its_tooltips_in_the_language():
    means: dict[tuple[str, str], float | None] = {("screening", "corporate"): 2.5, ("screening", "operative"): 3.25}
    with translation.override("de"):
        spec = maturity_chart(CATALOGUE, means, lang="de", width=400)
    assert spec is not None
    titles = [t["title"] for t in spec["encoding"]["tooltip"]]
    assert titles == ["Feld", "Perspektive", "Mittlere Bewertung (1–5)"]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_a_chart_is_built_once_per_rows_and_language_and_each_caller_gets_its_own_copy(monkeypatch):
    from kampass.programme import charts

    built: list[str] = []
    finish = charts.finish_chart

    def counted(chart, **kw):
        built.append("spec")
        return finish(chart, **kw)

    monkeypatch.setattr(charts, "finish_chart", counted)
    # given the tension chart and the roadmap drawn once in English
    with translation.override("en"):
        first = tension_chart(CATALOGUE, _tensions(), lang="en", group_labels={}, width=380)
        roadmap = roadmap_chart(_initiatives(), width=400)
        assert first is not None
        assert roadmap is not None
        first["layer"].clear()  # a caller changing its spec changes only its copy
        # when they are drawn again with the same rows
        again = tension_chart(CATALOGUE, _tensions(), lang="en", group_labels={}, width=380)
        assert roadmap_chart(_initiatives(), width=400) == roadmap
    # then they were built once, and the second tension chart is whole
    assert len(built) == 2
    assert again is not None
    assert len(again["layer"]) == 4
    # a changed position, another width and German are new charts with their own content
    with translation.override("en"):
        moved = [TensionScore(_tensions()[0].key, 0.5, -0.5, {}, ()), _tensions()[1]]
        changed = tension_chart(CATALOGUE, moved, lang="en", group_labels={}, width=380)
        wider = tension_chart(CATALOGUE, _tensions(), lang="en", group_labels={}, width=500)
    with translation.override("de"):
        german = tension_chart(CATALOGUE, _tensions(), lang="de", group_labels={}, width=380)
    assert len(built) == 5
    assert changed is not None
    assert "now +0.5" in changed["usermeta"]["a11y"]["summary"]
    assert wider is not None
    assert wider["width"] == 500
    assert german is not None
    assert german["usermeta"]["a11y"]["title"] == "Profil der Spannungsfelder"
