"""The German texts follow the glossary (docs/glossary.md): one term per concept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kampass"
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUES = sorted(SRC.glob("**/locale/de/LC_MESSAGES/django.po"))
CONCEPT_DATA = sorted((SRC / "core" / "concept" / "data").glob("*.yaml"))


def glossary_rows(text: str) -> list[tuple[str, str, list[str]]]:
    """(English, German, forms to avoid) per row of the glossary's tables."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 4 or cells[0] in ("English", "---"):
            continue
        rows.append((cells[0], cells[1], re.findall(r"`([^`]+)`", cells[2])))
    return rows


def avoid_pattern(form: str) -> re.Pattern[str]:
    """A whole word, or with a trailing ``*`` the start of a word (``Konto*`` matches "Kontoteam")."""
    if form.endswith("*"):
        return re.compile(r"(?<![\w-])" + re.escape(form[:-1]) + r"\w*")
    return re.compile(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])")


def po_entries(text: str) -> list[dict[str, str]]:
    """msgctxt, msgid and every msgstr form of each entry of a .po file."""
    entries: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    key = None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if cur:
                entries.append(cur)
            cur, key = {}, None
        elif m := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?)\s+"(.*)"$', line):
            key = m.group(1)
            cur[key] = cur.get(key, "") + m.group(2)
        elif line.startswith('"') and key:
            cur[key] += line[1:-1]
    return [e for e in entries if e.get("msgid")]


def german_texts_of_concept(node: object) -> list[str]:
    """Every ``de:`` value of the concept catalogue's data."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "de" and isinstance(v, str)]
        return found + [t for v in node.values() for t in german_texts_of_concept(v)]
    if isinstance(node, list):
        return [t for v in node for t in german_texts_of_concept(v)]
    return []


def violations(texts: list[str], rows: list[tuple[str, str, list[str]]]) -> list[str]:
    return [
        f"{form!r} (say {german!r}) in: {text}"
        for english, german, avoid in rows
        for form in avoid
        for text in texts
        if avoid_pattern(form).search(text)
    ]


ROWS = glossary_rows(GLOSSARY.read_text())


def test_the_glossary_covers_the_decided_terms():
    # given the glossary, when its rows are read, then the decided terms are there with what to avoid
    terms = {english: (german, avoid) for english, german, avoid in ROWS}
    assert terms["account"] == ("Account", ["Konto*", "Konten*", "Kundenkonto*"])
    assert terms["key account manager"][0] == "Key-Account-Manager"
    assert terms["head of KAM"][0] == "KAM-Leitung"
    assert terms["economic buyer"][0] == "Wirtschaftlicher Entscheider"


def test_avoided_forms_match_words_not_parts_of_other_words():
    konto = avoid_pattern("Konto*")
    assert konto.search("Dieses Konto")
    assert konto.search("Kontoteam")
    assert konto.search("des Kontos")
    assert not konto.search("Benutzerkonto")
    assert not konto.search("Skonto")
    assert avoid_pattern("Leiter KAM").search("Leiter KAM")
    assert not avoid_pattern("Key Account Manager").search("Key-Account-Manager")


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_german_catalogue_uses_the_glossary_terms(po):
    # given a German catalogue, when every translation is checked, then no avoided variant is used
    entries = po_entries(po.read_text())
    texts = [v for e in entries for k, v in e.items() if k.startswith("msgstr") and v]
    assert violations(texts, ROWS) == []
    # and a message that is exactly a glossary term is translated with the glossary's German term
    terms = {english.lower(): german for english, german, _ in ROWS if "(" not in english + german}
    wrong = [
        (e["msgid"], e.get("msgstr"), terms[e["msgid"].lower()])
        for e in entries
        if "msgctxt" not in e and e["msgid"].lower() in terms and e.get("msgstr") != terms[e["msgid"].lower()]
    ]
    assert wrong == []


@pytest.mark.parametrize("data", CONCEPT_DATA, ids=lambda p: p.name)
def test_concept_catalogue_german_texts_use_the_glossary_terms(data):
    # given the St. Gallen concept catalogue, when its German texts are checked, then no avoided variant is used
    texts = german_texts_of_concept(yaml.safe_load(data.read_text()))
    assert texts
    assert violations(texts, ROWS) == []


def test_seeded_organisation_catalogues_use_the_glossary_terms():
    # given the built-in activities, roles and competences (stored with an English and a German name)
    from kampass.organisation import seed

    texts = [t for table in (seed.ACTIVITIES, seed.ROLES, seed.COMPETENCES) for row in table for t in row]
    # when / then: no avoided German variant is stored
    assert violations(texts, ROWS) == []
    assert ("head-of-kam", "Head of KAM", "KAM-Leitung") in seed.ROLES
