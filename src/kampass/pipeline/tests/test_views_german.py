"""Every pipeline page renders in German (the catalogue is used, numbers are formatted the German way)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kampass.pipeline.models import Opportunity
from kampass.pipeline.services import risk_create
from kampass.pipeline.tests.factories import admin_actor, make_opportunity


@pytest.fixture
def german_head(client, head):
    head.language = "de"
    head.save()
    client.force_login(head)
    client.cookies["django_language"] = "de"
    yield head
    translation.deactivate()  # leave no German behind for the tests that follow


def test_pipeline_pages_in_german(client, german_head, group):
    deal = make_opportunity(account=group, name="Rolltreppen", amount=Decimal("1234567.5"),
                            expected_close_date=dt.date(2030, 5, 1), owner_probability=60)  # fmt: skip
    Opportunity.objects.filter(pk=deal.pk).update(probability=0.5, scored_at=timezone.now())
    risk_create(actor=admin_actor(), opportunity=deal, title="Zugang", category="delivery", likelihood=3, impact=3,
                cost=Decimal("1000"))  # fmt: skip
    expected = {
        reverse("pipeline-board"): ["Verschieben", "Akquise", "1.234.568 EUR"],
        reverse("opportunity-list"): ["Alle Opportunities", "Kalibrierte Wahrscheinlichkeit"],
        reverse("opportunity-detail", args=[deal.pk]): ["Risikomatrix", "Qualifizierung (MEDDPICC)", "1.234.567,50"],
        reverse("opportunity-create"): ["Neue Opportunity", "Erwarteter Abschluss"],
        reverse("opportunity-risk-create", args=[deal.pk]): ["Eintrittswahrscheinlichkeit", "5 – fast sicher"],
        reverse("account-opportunities", args=[group.pk]): ["Offene Pipeline", "Erwartete Risikokosten"],
        reverse("forecast"): ["Erwarteter Umsatz je Periode", "Optimismus-Analyse", "617.284"],
        reverse("model-report"): ["Modellbericht", "Noch kein Modell trainiert"],
    }
    for url, words in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for word in words:
            assert word in body, (url, word)
