"""A board card written in Python (pipeline.pages.board_cards and BoardCard.html): what the template wrote
before, escaped, in the reader's language, with the stage form only for deals the reader may move."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from kampass.pipeline import pages
from kampass.pipeline.models import Opportunity, StageSet
from kampass.pipeline.tests.factories import make_opportunity, stage


def _cards(opportunities, **kw):
    stages = list(StageSet.objects.get(is_default=True).stages.order_by("order"))
    kw.setdefault("query", "")
    kw.setdefault("editable", set())
    kw.setdefault("flags", {})
    kw.setdefault("csrf_token", "tok")
    return pages.board_cards(opportunities, stages=stages, **kw)


def _read(*deals: Opportunity) -> list[Opportunity]:
    return list(
        Opportunity.objects.select_related("account", "owner", "model_version").filter(pk__in=[d.pk for d in deals])
    )


def test_a_hostile_name_is_escaped_wherever_the_card_shows_it(group):
    hostile = 'Deal "<script>alert(1)</script>" & Co\'s'
    deal = make_opportunity(account=group, name=hostile)
    html = str(_cards(_read(deal), editable={deal.pk})[deal.pk].html)
    assert "<script>" not in html
    escaped = "Deal &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; Co&#x27;s"
    assert f'data-name="{escaped}"' in html
    assert f'title="{escaped}">{escaped}</a>' in html
    assert f"Stage of {escaped}</label>" in html


def test_only_a_deal_the_reader_may_move_has_the_stage_form_and_drags(group):
    mine = make_opportunity(account=group, name="Mine", stage_name="Qualification")
    theirs = make_opportunity(account=group, name="Theirs")
    cards = _cards(_read(mine, theirs), editable={mine.pk}, query="?q=a", csrf_token="tok123", focus=mine.pk)
    mine_html, theirs_html = str(cards[mine.pk].html), str(cards[theirs.pk].html)
    move = f"/pipeline/opportunities/{mine.pk}/move/?q=a"
    assert f'<form class="stage-form" method="post" action="{move}">' in mine_html
    assert 'name="csrfmiddlewaretoken" value="tok123"' in mine_html
    assert f'<option value="{stage("Qualification").pk}" selected>Qualification</option>' in mine_html
    assert mine_html.count(" selected") == 1
    assert 'data-needs-reason="1">Closed Lost</option>' in mine_html
    assert 'draggable="true"' in mine_html
    assert "data-focus" in mine_html
    for absent in ("<form", "draggable", "data-focus"):
        assert absent not in theirs_html
    assert f'data-move-url="/pipeline/opportunities/{theirs.pk}/move/?q=a"' in theirs_html


def test_badges_figures_and_words_in_german(group, kam):
    late = make_opportunity(
        account=group, name="Late", amount="1234567.50", owner=kam, owner_probability=30,
        expected_close_date=dt.date(2020, 1, 31), stage_name="Negotiation/Review",
    )  # fmt: skip
    with translation.override("de"):
        card = _cards(_read(late), flags={late.pk: ["champion"]})[late.pk]
        html = str(card.html)
    assert card.badges == (("danger", "kein Champion"), ("warn", "Abschlussdatum überschritten"))
    assert '<span class="badge danger">kein Champion</span>' in html
    assert '<span class="amount">1.234.568 EUR</span>' in html
    assert '<time datetime="2020-01-31">31.01.2020</time>' in html
    assert '<span class="lbl">Verantwortlich</span>30\xa0%</span>' in html
    assert f"<span>{kam}</span>" in html
    assert 'title="Kalibrierte Wahrscheinlichkeit" data-testid="card-model"><span class="lbl">Modell</span>–' in html


def test_a_scored_card_names_the_model_version(group):
    from kampass.pipeline.models import ModelVersion

    deal = make_opportunity(account=group, name="Scored")
    version = ModelVersion.objects.create(
        version="wm-test", trained_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), training_rows=10, model=b""
    )
    Opportunity.objects.filter(pk=deal.pk).update(
        probability=0.375, model_version=version, scored_at=dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.UTC)
    )
    card = _cards(_read(deal))[deal.pk]
    assert card.probability == "38%"
    assert card.model_title.startswith(f"Calibrated probability: model version {version.version}, scored ")
    assert '<span data-testid="card-probability">38%</span>' in str(card.html)


def test_the_cards_escaping_writes_what_format_html_writes():
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    values = {
        "a": "x \"<b>\" & 'y'",
        "b": mark_safe("<i>kept</i>"),
        "c": 42,
        "d": gettext_lazy("Owner"),
        "e": "{braces} stay",
    }
    template = "<p title='{a}' data-n=\"{c}\">{b}{d}{e}{a}</p>"
    for language in ("en", "de"):
        with translation.override(language):
            ours = pages._escaped_format(template, **values)
            assert ours == format_html(template, **values)
            assert hasattr(ours, "__html__")
    assert pages._escaped_format("{}|{}", "<", mark_safe("<")) == format_html("{}|{}", "<", mark_safe("<"))


def test_the_board_words_are_escaped_once_and_shown_as_words(group):
    deal = make_opportunity(account=group, name="Plain")
    with translation.override("en"):
        words = pages.CardWords.translated()
        html = str(_cards(_read(deal))[deal.pk].html)
    assert words.owner_probability == "Owner&#x27;s probability"
    assert 'title="Owner&#x27;s probability"' in html
    assert "&amp;#x27;" not in html
