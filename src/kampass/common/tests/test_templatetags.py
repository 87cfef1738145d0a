"""The ``kampass`` template tags and filters: query strings, sortable headers, chart specs."""

from __future__ import annotations

import json

from django.template import Context, Template
from django.test import RequestFactory

from kampass.common.templatetags.kampass import get_item, query_with, sort_link, vega_json


def context_for(**params: str) -> dict[str, object]:
    return {"request": RequestFactory().get("/accounts/", params)}


def test_query_with_replaces_and_adds_parameters():
    assert query_with(context_for(q="acme", page="2"), page=3, sort="name") == "?q=acme&page=3&sort=name"


def test_query_with_drops_parameters_set_to_nothing():
    assert query_with(context_for(q="acme", page="2"), page=None, q="") == "?"


def test_query_with_in_a_template():
    # given
    template = Template('{% load kampass %}<a href="{% query_with page=4 %}">')

    # when
    html = template.render(Context(context_for(q="a&b")))

    # then
    assert html == '<a href="?q=a%26b&amp;page=4">'


def test_sort_link_on_another_column_sorts_ascending_and_keeps_the_filter():
    # when
    html = sort_link(context_for(q="acme", page="3", sort="name"), "revenue", "Revenue")

    # then
    assert 'href="?q=acme&amp;sort=revenue&amp;dir=asc"' in html
    assert 'aria-sort="none"' in html
    assert "page=" not in html
    assert "▲" not in html
    assert "▼" not in html


def test_sort_link_on_the_current_ascending_column_turns_to_descending():
    # when
    html = sort_link(context_for(sort="revenue", dir="asc"), "revenue", "Revenue")

    # then
    assert "dir=desc" in html
    assert 'aria-sort="ascending"' in html
    assert "Revenue ▲" in html


def test_sort_link_on_the_current_descending_column_turns_to_ascending():
    # when
    html = sort_link(context_for(sort="revenue", dir="desc"), "revenue", "Revenue")

    # then
    assert "dir=asc" in html
    assert 'aria-sort="descending"' in html
    assert "Revenue ▼" in html


def test_sort_link_sorts_by_name_when_nothing_is_chosen():
    # when
    html = sort_link(context_for(), "name", "Name")

    # then
    assert 'aria-sort="ascending"' in html
    assert "dir=desc" in html
    assert 'hx-target="#results"' in html


def test_sort_link_escapes_the_label():
    assert "&lt;b&gt;" in sort_link(context_for(), "x", "<b>")


def test_vega_json_cannot_close_the_script_element():
    # given
    spec = {"title": "</script><script>alert(1)</script>", "note": "a & b"}

    # when
    text = vega_json(spec)

    # then
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == spec


def test_get_item_looks_a_key_up_and_gives_none_when_missing():
    assert get_item({"a": 1, 2: "two"}, 2) == "two"
    assert get_item({"a": 1}, "b") is None


def test_percent_writes_a_share_in_per_cent_in_the_readers_language():
    # given a share and a template that shows it
    from django.utils import translation

    template = Template("{% load kampass %}{{ share|percent }} · {{ share|percent:1 }} · {{ none|percent }}")
    context = Context({"share": 0.2549, "none": None})

    # when
    with translation.override("en"):
        english = template.render(context)
    with translation.override("de"):
        german = template.render(context)

    # then: never the raw 0.25
    assert english == "25% · 25.5% · –"
    assert german == "25\u00a0% · 25,5\u00a0% · –"


def test_percent_points_writes_a_value_already_in_per_cent():
    from django.utils import translation

    template = Template("{% load kampass %}{{ p|percent_points }} {{ p|percent_points:1 }}")
    with translation.override("de"):
        assert template.render(Context({"p": 35})) == "35\u00a0% 35,0\u00a0%"


def test_english_dates_are_unambiguous_and_german_ones_stay_dotted():
    # given: 00:50 on 5 December 2026 (which Django's English default prints as 12/05/2026 12:50 a.m.)
    import datetime as dt

    from django.utils import translation
    from django.utils.formats import date_format

    moment = dt.datetime(2026, 12, 5, 0, 50)

    # when / then
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "5 Dec 2026, 00:50"
        assert date_format(moment, "DATETIME_FORMAT") == "5 Dec 2026, 00:50"
        assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "5 Dec 2026"
    with translation.override("de"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "05.12.2026 00:50"
        assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "05.12.2026"


def test_sort_link_marks_a_list_s_default_order_when_no_sort_is_asked():
    # given a list ordered by health, highest first, unless the user sorts otherwise
    context = {**context_for(q="acme"), "sort_default": "health", "sort_default_dir": "desc"}

    # when
    health = sort_link(context, "health", "Health")
    name = sort_link(context, "name", "Account")

    # then the arrow is on the health column, pointing down, and a click turns it ascending
    assert "Health ▼" in health
    assert 'aria-sort="descending"' in health
    assert "dir=asc" in health
    assert 'aria-sort="none"' in name
    assert "▲" not in name


def test_sort_link_an_explicit_sort_overrides_the_default_direction():
    # given the user chose health ascending on a list whose default is health descending
    context = {**context_for(sort="health"), "sort_default": "health", "sort_default_dir": "desc"}

    # when
    html = sort_link(context, "health", "Health")

    # then
    assert "Health ▲" in html
    assert 'aria-sort="ascending"' in html
