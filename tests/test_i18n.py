"""The German catalogue is complete, compiled, and used."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

SRC = Path(__file__).resolve().parents[1] / "src" / "kampass"
LOCALE = SRC / "locale" / "de" / "LC_MESSAGES"
# each Django app may keep its own catalogue next to its code (``<app>/locale``)
CATALOGUES = sorted(SRC.glob("**/locale/de/LC_MESSAGES/django.po"))


def _po_entries(text: str) -> list[dict[str, str]]:
    """A minimal .po reader: msgctxt/msgid/msgstr (first plural form) and flags per entry."""
    entries, cur, key = [], {}, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if cur:
                entries.append(cur)
            cur, key = {}, None
            continue
        if line.startswith("#,"):
            cur["flags"] = line
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d\])\s+"(.*)"$', line)
        if m:
            key = m.group(1).replace("[0]", "")
            cur[key] = cur.get(key, "") + m.group(2)
        elif line.startswith('"') and key:
            cur[key] += line[1:-1]
    return entries


def test_the_main_catalogue_is_substantial():
    assert len([e for e in _po_entries((LOCALE / "django.po").read_text()) if e.get("msgid")]) > 250


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_message_is_translated_and_not_fuzzy(po):
    entries = [e for e in _po_entries(po.read_text()) if e.get("msgid")]
    missing = [e["msgid"] for e in entries if not e.get("msgstr")]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert missing == []
    assert fuzzy == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_compiled_catalogue_matches_the_po_file(po):
    with po.with_suffix(".mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)

    def text(raw: str) -> str:
        return raw.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

    for e in _po_entries(po.read_text()):
        if not e.get("msgid"):
            continue
        msgid = text(e["msgid"])
        if "msgid_plural" in e:  # both forms (German: one, other)
            plural = text(e["msgid_plural"])
            for n, key in ((1, "msgstr"), (2, "msgstr[1]")):
                want = text(e[key])
                got = catalogue.ngettext(msgid, plural, n)
                assert got == want, f"{msgid!r} (n={n}): .mo has {got!r}, .po has {want!r} (run `make messages`)"
            continue
        want = text(e["msgstr"])
        got = catalogue.pgettext(e["msgctxt"], msgid) if "msgctxt" in e else catalogue.gettext(msgid)
        assert got == want, f"{msgid!r}: .mo has {got!r}, .po has {want!r} (run `make messages`)"


@pytest.mark.django_db
def test_pages_speak_german_when_the_user_chose_it(client, head):
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("account-list")).content.decode()
    assert 'lang="de"' in body
    assert "Abmelden" in body
    assert "Neuer Account" in body  # the glossary: "Account", never "Konto"
