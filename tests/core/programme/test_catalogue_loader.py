"""An administrator's catalogue file: merged when valid, refused with the exact location when not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kampass.core.concept import CatalogueError, builtin_catalogue, load_catalogue

GOOD_STATEMENT = """\
statements:
  - key: screening.corporate.9
    field: screening
    perspective: corporate
    text: {en: "We visit our key accounts' trade fairs.", de: "Wir besuchen Messen unserer Key Accounts."}
    anchors:
      1: {en: "Never.", de: "Nie."}
      3: {en: "Sometimes.", de: "Manchmal."}
      5: {en: "Planned every year.", de: "Jedes Jahr geplant."}
"""


@pytest.fixture
def write(tmp_path: Path):
    def _write(text: str, name: str = "custom.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


def refused(path: Path) -> CatalogueError:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    return info.value


# ---- valid files are merged -------------------------------------------------------------------


def test_a_new_statement_topic_and_rule_are_added_and_the_builtin_stays_unchanged(write):
    # given a file that adds a statement, a topic and a rule
    before = builtin_catalogue()
    n_statements, n_topics, n_rules = len(before.statements), len(before.topics), len(before.rules)
    path = write(
        GOOD_STATEMENT
        + """\
topics:
  - key: trade_fairs
    field: screening
    name: {en: Trade fairs, de: Messen}
    description: {en: "Use trade fairs for market intelligence.", de: "Messen für Market Intelligence nutzen."}
rules:
  - key: acme_leakage
    logic: commercialisation
    when: {signal: leakage_share, above: 0.05}
    weight: 2
    reason: {en: "Leakage {leakage_share:%}.", de: "Leakage {leakage_share:%}."}
version: acme-1
"""
    )
    # when it is loaded
    cat = load_catalogue(path)
    # then the new entries are there, after the built-in ones
    assert cat.statement("screening.corporate.9").anchors[5].de == "Jedes Jahr geplant."
    assert cat.statements[-1].key == "screening.corporate.9"
    assert len(cat.statements_of("screening", "corporate")) == 6
    assert cat.topic("trade_fairs").field == "screening"
    assert cat.rule("acme_leakage").weight == 2.0
    assert cat.version == "2025.1+acme-1"
    assert cat.sources[-1] == "custom.yaml"
    # and the built-in catalogue is untouched
    assert builtin_catalogue() is before
    assert (len(before.statements), len(before.topics), len(before.rules)) == (n_statements, n_topics, n_rules)


def test_an_existing_entry_is_overridden_attribute_by_attribute(write):
    # given a file that only improves the German name of a logic and the weight of a rule
    path = write(
        """\
        logics:
          - key: tools
            name: {en: Tools and templates, de: Werkzeuge und Vorlagen}
        rules:
          - key: comm_leakage
            weight: 5
        """
    )
    # when it is loaded
    cat = load_catalogue(path)
    # then only those attributes change
    assert cat.logic("tools").name.de == "Werkzeuge und Vorlagen"
    assert cat.logic("tools").guardrail == builtin_catalogue().logic("tools").guardrail
    assert cat.rule("comm_leakage").weight == 5.0
    assert cat.rule("comm_leakage").when == builtin_catalogue().rule("comm_leakage").when
    assert builtin_catalogue().rule("comm_leakage").weight == 3.5
    assert cat.version == "2025.1+custom"


def test_files_can_be_chained_over_a_given_base(write):
    first = load_catalogue(write(GOOD_STATEMENT, "a.yaml"))
    second = load_catalogue(
        write(
            """\
            statements:
              - key: screening.corporate.9
                text: {en: "Trade fairs.", de: "Fachmessen."}
            """,
            "b.yaml",
        ),
        base=first,
    )
    assert second.statement("screening.corporate.9").text.de == "Fachmessen."
    assert first.statement("screening.corporate.9").text.de.startswith("Wir besuchen")
    assert second.sources[-2:] == ("a.yaml", "b.yaml")


# ---- refusals, each with its exact location -------------------------------------------------------


def test_unknown_field_is_refused_with_its_location(write):
    path = write(GOOD_STATEMENT.replace("field: screening", "field: screaming"))
    err = refused(path)
    assert err.location == "custom.yaml: statements[0].field (line 3)"
    assert "unknown field 'screaming'" in err.message


def test_unknown_perspective_is_refused(write):
    err = refused(write(GOOD_STATEMENT.replace("perspective: corporate", "perspective: strategic")))
    assert err.location == "custom.yaml: statements[0].perspective (line 4)"
    assert "unknown perspective 'strategic'" in err.message


def test_missing_german_anchor_is_refused_at_the_anchor(write):
    err = refused(write(GOOD_STATEMENT.replace(', de: "Jedes Jahr geplant."', "")))
    assert err.location == "custom.yaml: statements[0].anchors.5.de (line 9)"
    assert err.message == "missing German translation (de)"
    assert str(err) == "custom.yaml: statements[0].anchors.5.de (line 9): missing German translation (de)"


def test_empty_translation_and_unknown_language_are_refused(write):
    err = refused(write(GOOD_STATEMENT.replace('de: "Nie."', 'de: ""')))
    assert err.location == "custom.yaml: statements[0].anchors.1.de (line 7)"
    assert "empty German translation" in err.message
    err = refused(write(GOOD_STATEMENT.replace('de: "Nie."', 'de: "Nie.", fr: "Jamais."')))
    assert err.location == "custom.yaml: statements[0].anchors.1.fr (line 7)"
    assert "unknown language 'fr'" in err.message


def test_anchor_for_a_rating_other_than_one_three_five_is_refused(write):
    err = refused(write(GOOD_STATEMENT.replace("      3: {", "      2: {")))
    assert err.location == "custom.yaml: statements[0].anchors.2 (line 8)"
    assert "1, 3 and 5 only" in err.message


def test_missing_anchor_is_refused(write):
    text = GOOD_STATEMENT.replace('      3: {en: "Sometimes.", de: "Manchmal."}\n', "")
    err = refused(write(text))
    assert err.location == "custom.yaml: statements[0].anchors.3 (line 6)"
    assert err.message == "missing anchor for rating 3"


def test_a_new_statement_without_anchors_is_refused(write):
    text = GOOD_STATEMENT.split("    anchors:")[0]
    err = refused(write(text))
    assert err.location == "custom.yaml: statements[0].anchors (line 2)"
    assert err.message == "missing attribute 'anchors'"


def test_duplicate_entry_key_in_one_file_is_refused(write):
    body = GOOD_STATEMENT.split("statements:\n")[1]
    err = refused(write(GOOD_STATEMENT + body))
    assert err.location == "custom.yaml: statements[1].key (line 10)"
    assert "duplicate key 'screening.corporate.9' (first at statements[0])" in err.message


def test_duplicate_mapping_key_is_refused(write):
    err = refused(write(GOOD_STATEMENT.replace("    field: screening\n", "    field: screening\n    field: skills\n")))
    assert err.location == "custom.yaml: statements[0].field (line 4)"
    assert "duplicate key 'field' (first at line 3)" in err.message


def test_unknown_logic_in_a_rule_is_refused(write):
    err = refused(
        write(
            """\
            rules:
              - key: acme
                logic: magic
                when: {always: true}
                weight: 1
                reason: {en: "x", de: "x"}
            """
        )
    )
    assert err.location == "custom.yaml: rules[0].logic (line 3)"
    assert "unknown logic 'magic'" in err.message


def test_unknown_phase_in_a_rule_is_refused(write):
    err = refused(
        write(
            """\
            rules:
              - key: comm_leakage
                phase: [build, harvest]
            """
        )
    )
    assert err.location == "custom.yaml: rules[0].phase[1] (line 3)"
    assert "unknown phase 'harvest'" in err.message


@pytest.mark.parametrize(
    ("when", "location", "message"),
    [
        ("{signal: leakage_share, field: all, above: 1}", "rules[0].when (line 4)", "exactly one of"),
        ("{signal: leakage, above: 0.1}", "rules[0].when.signal (line 4)", "unknown signal 'leakage'"),
        ("{signal: leakage_share}", "rules[0].when (line 4)", "at least one of: above, below"),
        ("{signal: leakage_share, over: 0.1}", "rules[0].when.over (line 4)", "unknown attribute 'over'"),
        ("{signal: leakage_share, above: high}", "rules[0].when.above (line 4)", "expected a number"),
        ("{field: screening.tactical, below: 2}", "rules[0].when.field (line 4)", "unknown field reference"),
        ("{disagreement: screening}", "rules[0].when.disagreement (line 4)", "unknown field reference"),
        ("{tension: scope, below: 2}", "rules[0].when.of (line 4)", "missing attribute 'of'"),
        ("{tension: scoop, of: current, below: 2}", "rules[0].when.tension (line 4)", "unknown tension field"),
        ("{any: []}", "rules[0].when.any (line 4)", "non-empty list"),
        ("{always: false}", "rules[0].when.always (line 4)", "must be true"),
    ],
)
def test_malformed_conditions_are_refused(write, when, location, message):
    path = write(
        f"""\
rules:
  - key: acme
    logic: tools
    when: {when}
    weight: 1
    reason: {{en: "x", de: "x"}}
"""
    )
    err = refused(path)
    assert err.location == f"custom.yaml: {location}"
    assert message in err.message


def test_nested_condition_error_names_the_nested_path(write):
    err = refused(
        write(
            """\
            rules:
              - key: acme
                logic: tools
                when:
                  all:
                    - {signal: tool_usage_share, below: 0.5}
                    - any:
                        - {field: all, below: 3}
                        - {signal: tools_bought, above: 1}
                weight: 1
                reason: {en: "x", de: "x"}
            """
        )
    )
    assert err.location == "custom.yaml: rules[0].when.all[1].any[1].signal (line 9)"


def test_placeholder_naming_no_input_is_refused(write):
    err = refused(
        write(
            """\
            rules:
              - key: acme
                logic: tools
                when: {signal: tool_usage_share, below: 0.5}
                weight: 1
                reason: {en: "Usage {tool_usage_share:%}", de: "Nutzung {plan_share:%}"}
            """
        )
    )
    assert err.location == "custom.yaml: rules[0].reason.de (line 6)"
    assert "{plan_share} names no input" in err.message


def test_overriding_a_condition_checks_the_existing_reason_placeholders(write):
    # comm_leakage's reason names {leakage_share}; a new condition without it breaks the rule
    err = refused(
        write(
            """\
            rules:
              - key: comm_leakage
                when: {signal: profitability_trend, below: 0}
            """
        )
    )
    assert err.location == "custom.yaml: rules[0].when (line 3)"
    assert err.message.startswith("the reason (en): placeholder {leakage_share} names no input")


def test_bad_weight_timing_and_self_reference_are_refused(write):
    err = refused(write("rules:\n  - key: comm_leakage\n    weight: heavy\n"))
    assert err.location == "custom.yaml: rules[0].weight (line 3)"
    err = refused(write("rules:\n  - key: comm_leakage\n    timing: soon\n"))
    assert err.location == "custom.yaml: rules[0].timing (line 3)"
    assert "unknown timing 'soon'" in err.message
    err = refused(write("rules:\n  - key: comm_leakage\n    after: [commercialisation]\n"))
    assert err.location == "custom.yaml: rules[0].after (line 3)"
    assert "cannot name it in after" in err.message


def test_an_order_cycle_between_rules_is_refused(write):
    # built-in: people after structure; this file asks structure after people
    err = refused(write("rules:\n  - key: structure_raci_conflicts\n    after: [people]\n"))
    assert err.location == "custom.yaml: rules[0].after (line 3)"
    assert err.message == "'after' forms a cycle: people -> structure -> people"


def test_phase_rules_cannot_use_tension_fields(write):
    err = refused(
        write(
            """\
            phase_rules:
              - key: acme
                phase: build
                when: {tension: scope, of: current, above: 1}
                weight: 1
                reason: {en: "x", de: "x"}
            """
        )
    )
    assert err.location == "custom.yaml: phase_rules[0].when.tension (line 4)"


def test_closed_sets_cannot_be_extended(write):
    err = refused(write("logics:\n  - key: magic\n    name: {en: Magic, de: Magie}\n"))
    assert err.location == "custom.yaml: logics[0].key (line 2)"
    assert "unknown logic 'magic'" in err.message
    err = refused(write("phases:\n  - key: harvest\n"))
    assert "unknown phase 'harvest'" in err.message
    err = refused(write("tension_fields:\n  - key: scope\n    number: 5\n"))
    assert err.location == "custom.yaml: tension_fields[0].number (line 3)"
    err = refused(write("statements:\n  - key: skills.corporate.1\n    field: scorecard\n"))
    assert err.location == "custom.yaml: statements[0].field (line 3)"
    assert "cannot change" in err.message


def test_unknown_section_attribute_and_bad_yaml_are_refused(write):
    err = refused(write("version: 1\nfaq: []\n"))
    assert err.location == "custom.yaml: faq (line 2)"
    err = refused(write("topics:\n  - key: market_intelligence\n    colour: red\n"))
    assert err.location == "custom.yaml: topics[0].colour (line 3)"
    err = refused(write("topics:\n  - key: x\n    name: {en: a, de: b\n"))
    assert err.location.startswith("custom.yaml: line ")
    assert "not valid YAML" in err.message
    err = refused(write(""))
    assert err.message == "the file is empty"
    err = refused(write("- just a list\n"))
    assert "a catalogue document" in err.message


def test_a_refused_file_changes_nothing(write):
    # given a file whose first entry is fine but whose second is broken
    before = builtin_catalogue()
    snapshot = (before.version, before.logic("tools"), before.statements, before.rules)
    path = write(
        """\
        logics:
          - key: tools
            name: {en: Tools!, de: Werkzeuge!}
        statements:
          - key: skills.corporate.1
            text: {en: "only English"}
        """
    )
    # when it is loaded it is refused
    err = refused(path)
    assert err.location == "custom.yaml: statements[0].text.de (line 6)"
    # then the running catalogue is exactly as before
    after = builtin_catalogue()
    assert after is before
    assert (after.version, after.logic("tools"), after.statements, after.rules) == snapshot
    assert after.logic("tools").name.en == "Tools"
