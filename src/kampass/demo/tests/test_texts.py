"""The texts of the demo data that users read exist in German too."""

from __future__ import annotations

import json
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

from kampass.demo import texts

DEMO = Path(texts.__file__).parent / "data" / "demo.json"


def test_every_status_reason_of_the_demo_reads_in_german():
    # given the KAM status reasons of the demo accounts
    data = json.loads(DEMO.read_text())
    reasons = {step["reason"] for a in data["accounts"] for step in a.get("status_history", [])}

    # when they are shown to a reader of German
    with translation.override("de"):
        german = {reason: gettext(reason) for reason in reasons}

    # then each is listed for the catalogue and translated
    assert reasons <= set(texts.STATUS_REASONS)
    assert [reason for reason, text in german.items() if text == reason] == []


def test_the_demos_development_actions_and_initiatives_read_in_german():
    # given the texts the organisation and roadmap demos store (action titles, what blocks them, descriptions)
    from kampass.organisation.demo import ACTIONS
    from kampass.roadmap.demo import INITIATIVE_PLAN

    stored = [t for _who, title, *_rest, note in ACTIONS for t in (title, note) if t]
    stored += [description for _owner, _months, description, _values in INITIATIVE_PLAN.values()]

    # when they are shown to a reader of German
    with translation.override("de"):
        untranslated = [t for t in stored if gettext(t) == t]

    # then none is left in English
    assert untranslated == []
