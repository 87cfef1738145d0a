"""The built-in concept catalogue is complete in English and German and faithful to DESIGN.md section 1."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from kampass.core.concept import (
    FIELDS,
    LANGUAGES,
    LOGICS,
    PERSPECTIVES,
    PHASES,
    SIGNALS,
    TENSION_FIELDS,
    Text,
    builtin_catalogue,
)
from kampass.core.concept.model import condition_inputs

GERMAN_WITHOUT_UMLAUT = re.compile(
    r"\b(fuer|ueber|koennen|Massnahme|Groesse|Aenderung|moeglich|muessen)", re.IGNORECASE
)


def _texts(obj: object, path: str = "catalogue"):
    """Every Text inside the catalogue, with a readable path."""
    if isinstance(obj, Text):
        yield path, obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _texts(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from _texts(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _texts(v, f"{path}.{k}")


def test_every_text_is_given_in_english_and_german():
    # given the built-in catalogue
    cat = builtin_catalogue()
    # when every text is collected
    texts = list(_texts(cat))
    # then there are many, and none lacks a language
    assert len(texts) > 400
    for path, text in texts:
        for lang in LANGUAGES:
            assert text.get(lang).strip(), f"{path} has no {lang} text"


def test_german_texts_use_umlauts_and_sharp_s_not_transcriptions():
    cat = builtin_catalogue()
    for path, text in _texts(cat):
        assert not GERMAN_WITHOUT_UMLAUT.search(text.de), f"{path}: {text.de}"
    german = " ".join(t.de for _, t in _texts(cat))
    for letter in "äöüß":
        assert letter in german


def test_statements_cover_every_field_and_perspective_with_four_to_six_each():
    cat = builtin_catalogue()
    counts = Counter((s.field, s.perspective) for s in cat.statements)
    assert set(counts) == {(f, p) for f in FIELDS for p in PERSPECTIVES}
    for cell, n in counts.items():
        assert 4 <= n <= 6, cell
    assert len(cat.statements) == sum(counts.values())
    assert len({s.key for s in cat.statements}) == len(cat.statements)


def test_every_statement_has_described_anchors_for_one_three_and_five():
    cat = builtin_catalogue()
    for s in cat.statements:
        assert sorted(s.anchors) == [1, 3, 5], s.key
        assert len({s.anchors[r].en for r in (1, 3, 5)}) == 3, f"{s.key}: anchors must differ"
        assert len({s.anchors[r].de for r in (1, 3, 5)}) == 3, f"{s.key}: anchors must differ"
        assert s.key.startswith(f"{s.field}.{s.perspective}."), s.key


def test_fields_logics_phases_and_tension_fields_are_complete_and_in_concept_order():
    cat = builtin_catalogue()
    assert [f.key for f in cat.fields] == list(FIELDS)
    assert [t.key for t in cat.tension_fields] == list(TENSION_FIELDS)
    assert [t.number for t in cat.tension_fields] == list(range(1, 10))
    assert [lg.key for lg in cat.logics] == list(LOGICS)
    assert [p.key for p in cat.phases] == list(PHASES)
    assert [p.number for p in cat.phases] == [1, 2, 3, 4]
    assert [s.key for s in cat.signals] == list(SIGNALS)


def test_tension_fields_follow_design_order_with_dangers_on_both_sides():
    cat = builtin_catalogue()
    first, fifth, ninth = cat.tension_fields[0], cat.tension_fields[4], cat.tension_fields[8]
    assert (first.left.en, first.right.en) == (
        "Systematic, holistic change project",
        "Selective, agile implementation through several entry points",
    )
    assert (fifth.left.en, fifth.right.en) == ("Homework: getting the basics right", "Innovation in KAM")
    assert (ninth.left.de, ninth.right.de) == (
        "KAM mit dem übrigen Geschäft verbinden",
        "KAM vom übrigen Geschäft trennen",
    )
    for t in cat.tension_fields:
        assert t.left_dangers.en != t.right_dangers.en


def test_each_logic_watches_its_danger_with_the_design_data_signal():
    # the guardrails follow the data signals of DESIGN.md's table of logics
    cat = builtin_catalogue()
    expected = {
        "facts_strategy": ("findings_with_action_share", "share", "min"),
        "tools": ("accounts_with_plan_share", "share", "min"),
        "structure": ("raci_conflicts", "count", "max"),
        "innovation": ("innovation_revenue_effort_ratio", "ratio", "min"),
        "topics": ("active_topics", "count", "max"),
        "people": ("blocked_actions_share", "share", "max"),
        "selected_key_accounts": ("solution_reuse_share", "share", "min"),
        "commercialisation": ("leakage_share", "share", "max"),
    }
    for lg in cat.logics:
        g = lg.guardrail
        assert (g.key, g.unit, g.direction) == expected[lg.key]
        assert g.threshold >= 0
    assert cat.logic("commercialisation").guardrail.breached(0.12)
    assert not cat.logic("commercialisation").guardrail.breached(0.05)
    assert cat.logic("tools").guardrail.breached(0.5)


def test_topic_catalogue_has_the_required_topics_and_topics_in_every_field():
    cat = builtin_catalogue()
    names = {t.name.en.lower(): t for t in cat.topics}
    for required in (
        "market intelligence",
        "substantiating opportunities",
        "focusing kam on new large potentials",
        "marketing and sales in the customer's process",
        "cross-selling",
        "capturing and selecting risks of large customer projects",
    ):
        assert required in names, required
    per_field = Counter(t.field for t in cat.topics)
    assert set(per_field) == set(FIELDS)
    assert all(n >= 3 for n in per_field.values())
    assert len({t.key for t in cat.topics}) == len(cat.topics)


def test_rules_reference_known_logics_and_cover_every_logic_and_phase():
    cat = builtin_catalogue()
    assert {r.logic for r in cat.rules} == set(LOGICS)
    assert {r.phase for r in cat.phase_rules} == set(PHASES)
    assert len({r.key for r in cat.rules}) == len(cat.rules)
    for r in (*cat.rules, *cat.phase_rules):
        for name in re.findall(r"\{([^{}:]+)", r.reason.en + r.reason.de):
            assert name in condition_inputs(r.when), (r.key, name)


def test_the_builtin_catalogue_is_cached_and_versioned():
    assert builtin_catalogue() is builtin_catalogue()
    assert builtin_catalogue().version == "2025.1"
    assert builtin_catalogue().sources[0] == "concept.yaml"
