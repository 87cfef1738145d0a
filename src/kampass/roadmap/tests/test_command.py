"""``kampass roadmap measure|summary``."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from kampass.roadmap.models import GuardrailMeasurement
from kampass.roadmap.tests.factories import InitiativeFactory, TopicFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command("roadmap", *args, stdout=out)
    return out.getvalue()


def test_measure_json(db, monkeypatch):
    from kampass.programme import facade as programme_facade

    i = InitiativeFactory()
    skipped = InitiativeFactory(guardrail_key="raci_conflicts", guardrail_unit="count", guardrail_threshold=0)
    signals = {"leakage_share": 0.1, "raci_conflicts": None}
    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: signals)
    doc = json.loads(run("measure", "--json"))
    assert (doc["measured"], doc["warnings"], doc["skipped"]) == (1, 1, [skipped.pk])
    assert GuardrailMeasurement.objects.get().initiative == i


def test_measure_text(db, monkeypatch):
    from kampass.programme import facade as programme_facade

    InitiativeFactory()
    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: {"leakage_share": 0.01})
    assert "Measured 1 guardrail(s), 0 beyond the threshold." in run("measure")


def test_measure_enqueue(db):
    out = run("measure", "--enqueue", "--json")
    assert "task" in json.loads(out)


def test_summary(db):
    InitiativeFactory(title="Leakage watch")
    for _ in range(6):
        TopicFactory(status="active")
    doc = json.loads(run("summary", "--json"))
    assert doc["initiatives"][0]["title"] == "Leakage watch"
    assert doc["topics_over_limit"] is True
    text = run("summary")
    assert "Leakage watch" in text
    assert "topics active 6 of 5 (over the limit)" in text
