"""Finding the entries of the concept catalogue by a query: its fields, tension fields, logics of realisation
and phases, in one language (the reference texts the global search offers next to the stored data).

Examples
--------
>>> from kampass.core.concept import builtin_catalogue
>>> [(e.kind, e.key) for e in search_concept(builtin_catalogue(), "innov", lang="en", limit=3)]
[('logic', 'innovation'), ('tension_field', 'basics_innovation'), ('field', 'solutions')]
>>> [e.name for e in search_concept(builtin_catalogue(), "STRATEG", lang="de", limit=2)]
['Strategie', 'Fakten & Strategie']
>>> search_concept(builtin_catalogue(), "no such words", lang="en", limit=5)
[]
"""

from __future__ import annotations

from dataclasses import dataclass

from kampass.core.concept.model import Catalogue

#: the kinds of entries, in the order the catalogue presents them
KINDS: tuple[str, ...] = ("field", "tension_field", "logic", "phase")


@dataclass(frozen=True)
class ConceptEntry:
    """One entry of the catalogue in one language: its kind (one of ``KINDS``), key, name and what it says."""

    kind: str
    key: str
    name: str
    text: str


def concept_entries(catalogue: Catalogue, *, lang: str) -> tuple[ConceptEntry, ...]:
    """The fields, tension fields (named by their poles), logics and phases of ``catalogue`` in ``lang``.

    >>> from kampass.core.concept import builtin_catalogue
    >>> entries = concept_entries(builtin_catalogue(), lang="en")
    >>> len(entries), entries[6].kind, entries[6].name.split(" ↔ ")[1]
    (27, 'tension_field', 'Selective, agile implementation through several entry points')
    """
    out = [
        ConceptEntry("field", f.key, f.name.get(lang), f"{f.corporate.get(lang)} {f.operative.get(lang)}")
        for f in catalogue.fields
    ]
    out += [
        ConceptEntry(
            "tension_field",
            t.key,
            f"{t.left.get(lang)} ↔ {t.right.get(lang)}",
            f"{t.left_dangers.get(lang)} {t.right_dangers.get(lang)}",
        )
        for t in catalogue.tension_fields
    ]
    out += [
        ConceptEntry(
            "logic",
            lo.key,
            lo.name.get(lang),
            " ".join(t.get(lang) for t in (lo.focus, lo.means, lo.benefits, lo.dangers)),
        )
        for lo in catalogue.logics
    ]
    out += [
        ConceptEntry("phase", p.key, p.name.get(lang), f"{p.description.get(lang)} {p.accents.get(lang)}")
        for p in catalogue.phases
    ]
    return tuple(out)


def search_concept(catalogue: Catalogue, q: str, *, lang: str, limit: int) -> list[ConceptEntry]:
    """At most ``limit`` entries whose name or text in ``lang`` contains ``q`` (any case): a name beginning
    with ``q`` first, then a name containing it, then a text containing it; in catalogue order within each."""
    needle = q.casefold().strip()
    if not needle:
        return []
    ranked = []
    for i, entry in enumerate(concept_entries(catalogue, lang=lang)):
        name = entry.name.casefold()
        if name.startswith(needle):
            rank = 0
        elif needle in name:
            rank = 1
        elif needle in entry.text.casefold():
            rank = 2
        else:
            continue
        ranked.append((rank, i, entry))
    return [entry for _rank, _i, entry in sorted(ranked)[:limit]]
