"""One value per guardrail: the dashboard, the roadmap, the recommendations and the portfolio show the
same figure for the same data, and say what it is (measured live, or as stored on a date)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.commercial.tests.factories import insert_lines, line
from kampass.common.guardrails import LIVE, STORED
from kampass.programme import selectors
from kampass.programme.tests.conftest import closed_round
from kampass.roadmap.models import GuardrailMeasurement, Initiative


def _leakage_lines() -> None:
    """Gross revenue 1000, returns 63: a live leakage share of 6.3 %."""
    insert_lines([line("1", "C1", "10", "100"), line("C2", "C1", "-1", "63", category="returns")])


@pytest.fixture
def watched(head, catalogue):
    """A closed round and an active Commercialisation initiative of it with a stored reading of 8.7 %."""
    r = closed_round(head, catalogue, title="Autumn assessment")
    initiative = Initiative.objects.create(
        logic="commercialisation",
        title="Leakage watch",
        status="active",
        round_id=r.pk,
        guardrail_key="leakage_share",
        guardrail_threshold=0.08,
        guardrail_direction="max",
    )
    GuardrailMeasurement.objects.create(
        initiative=initiative,
        key="leakage_share",
        value=0.087,
        threshold=0.08,
        direction="max",
        warning=True,
        measured_at=timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0)),
    )
    return r


def _shown(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'data-testid="guardrail-value">(.*?)</span>', html)]


def test_the_selector_prefers_the_live_value_and_keeps_the_stored_one(watched):
    # given: invoice lines with 6.3 % leakage, a stored 8.7 %
    _leakage_lines()
    # when
    v = selectors.guardrail_values(["leakage_share"])["leakage_share"]
    # then
    assert v.source == LIVE
    assert v.value == pytest.approx(63 / 1000)
    assert v.stored is not None
    assert (v.stored.value, v.stored.round_id, v.stored.round_title) == (0.087, watched.pk, "Autumn assessment")


def test_without_live_data_the_stored_value_is_shown_as_stored(watched):
    v = selectors.guardrail_values(["leakage_share"])["leakage_share"]
    assert v.source == STORED
    assert v.value == 0.087
    assert v.measured_at == v.stored.measured_at if v.stored else False


@pytest.mark.parametrize(
    ("lang", "live", "stored"),
    [("en", "6.3% measured live", "8.7% as stored on"), ("de", "6,3 % live gemessen", "8,7 % gespeichert am")],
)
def test_dashboard_roadmap_recommendations_and_portfolio_show_the_same_value(client, head, watched, lang, live, stored):
    # given
    _leakage_lines()
    head.language = lang
    head.save()
    client.force_login(head)
    pages = {
        "dashboard": reverse("programme-dashboard"),
        "roadmap": reverse("roadmap"),
        "recommendations": reverse("programme-recommendations") + f"?round={watched.pk}",
        "portfolio": reverse("portfolio"),
    }
    # when
    shown = {name: _shown(client.get(url).content.decode()) for name, url in pages.items()}
    # then: every page shows the leakage guardrail with the same live figure and the stored one labelled
    for name, texts in shown.items():
        leakage = [t for t in texts if live in t]
        assert leakage, (name, texts)
        assert all(stored in t and "Autumn assessment" in t for t in leakage), (name, leakage)
    assert len({t for texts in shown.values() for t in texts if live in t}) == 1
