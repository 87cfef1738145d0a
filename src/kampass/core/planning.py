"""The account plan as the St. Gallen KAM concept describes it: pure rules, no Django.

An account plan is written per key account and planning period in **sections** that a plan
template defines (the built-in default follows the operative fields of the concept: situation,
SWOT, relationship, objectives, strategies and actions, solutions and co-creation, resources).
A plan moves through a **life cycle**; an approved plan is immutable, a new version starts from it.
The customer relationship is placed on one of six **relationship stages**.

>>> [s.key for s in DEFAULT_SECTIONS][:3]
['situation', 'swot', 'relationship']
>>> allowed_transition("draft", "in_review"), allowed_transition("approved", "draft")
(True, False)
>>> is_editable("draft"), is_editable("approved")
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# ---- life cycle -----------------------------------------------------------------------------------

DRAFT = "draft"
IN_REVIEW = "in_review"
APPROVED = "approved"
ACTIVE = "active"
SUPERSEDED = "superseded"

STATUSES: tuple[str, ...] = (DRAFT, IN_REVIEW, APPROVED, ACTIVE, SUPERSEDED)

#: the moves a plan may make: submitted for review, sent back, approved (signed off), made active,
#: replaced by a newer active version
TRANSITIONS: Mapping[str, frozenset[str]] = {
    DRAFT: frozenset({IN_REVIEW}),
    IN_REVIEW: frozenset({DRAFT, APPROVED}),
    APPROVED: frozenset({ACTIVE, SUPERSEDED}),
    ACTIVE: frozenset({SUPERSEDED}),
    SUPERSEDED: frozenset(),
}

#: statuses whose content may still change (an approved version is immutable)
EDITABLE: frozenset[str] = frozenset({DRAFT, IN_REVIEW})

#: statuses that count as a signed-off plan (approved and current)
SIGNED_OFF: frozenset[str] = frozenset({APPROVED, ACTIVE})


def allowed_transition(current: str, target: str) -> bool:
    """Whether a plan in status ``current`` may move to ``target``.

    >>> allowed_transition("in_review", "approved"), allowed_transition("superseded", "active")
    (True, False)
    """
    return target in TRANSITIONS.get(current, frozenset())


def is_editable(status: str) -> bool:
    """Whether the sections of a plan in ``status`` may be edited (draft or in review).

    >>> is_editable("in_review"), is_editable("active")
    (True, False)
    """
    return status in EDITABLE


# ---- relationship stages -------------------------------------------------------------------------

#: the stages of a customer relationship (Millman/Wilson as used in the St. Gallen concept), in order;
#: ``disintegrating`` is off the ladder (a relationship coming apart)
RELATIONSHIP_STAGES: tuple[str, ...] = (
    "exploratory",
    "basic",
    "cooperative",
    "interdependent",
    "integrated",
    "disintegrating",
)


def relationship_rank(stage: str) -> int | None:
    """Position of ``stage`` on the ladder 1..5 (``None`` for disintegrating or unknown).

    >>> relationship_rank("exploratory"), relationship_rank("integrated"), relationship_rank("disintegrating")
    (1, 5, None)
    """
    if stage not in RELATIONSHIP_STAGES[:5]:
        return None
    return RELATIONSHIP_STAGES.index(stage) + 1


# ---- plan templates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionField:
    """One field of a plan section: a key, its labels, whether it must be filled before review."""

    key: str
    label_en: str
    label_de: str
    required: bool = False


@dataclass(frozen=True)
class SectionSpec:
    """One section of a plan template: key, labels in both languages, its text fields in order."""

    key: str
    label_en: str
    label_de: str
    fields: tuple[SectionField, ...] = field(default_factory=tuple)

    def label(self, lang: str) -> str:
        """The label in ``lang`` (German for ``de*``, else English)."""
        return self.label_de if lang.startswith("de") else self.label_en


def _f(key: str, en: str, de: str, required: bool = False) -> SectionField:
    return SectionField(key, en, de, required)


#: the built-in template: the operative fields of the St. Gallen KAM concept
DEFAULT_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "situation",
        "Situation",
        "Ausgangslage",
        (
            _f("business", "The customer's business and markets", "Geschäft und Märkte des Kunden", True),
            _f("strategy", "The customer's strategy and challenges", "Strategie und Herausforderungen des Kunden"),
            _f(
                "value_drivers",
                "Value drivers (the customer's own goals)",
                "Werttreiber (eigene Ziele des Kunden)",
                True,
            ),
            _f("decision_process", "Decision process", "Entscheidungsprozess"),
            _f("competitors", "Competitors", "Wettbewerber"),
        ),
    ),
    SectionSpec("swot", "SWOT", "SWOT", (_f("summary", "Conclusion", "Fazit"),)),
    SectionSpec(
        "relationship",
        "Relationship",
        "Beziehung",
        (_f("assessment", "Why the relationship stands where it does", "Warum die Beziehung dort steht"),),
    ),
    SectionSpec(
        "objectives",
        "Objectives",
        "Ziele",
        (_f("ambition", "Our ambition with this customer", "Unser Anspruch bei diesem Kunden", True),),
    ),
    SectionSpec(
        "strategies",
        "Strategies and actions",
        "Strategien und Maßnahmen",
        (_f("strategy", "How we get there", "Wie wir dorthin kommen", True),),
    ),
    SectionSpec(
        "solutions",
        "Solutions and co-creation",
        "Lösungen und Co-Creation",
        (
            _f("offering", "Solutions for this customer", "Lösungen für diesen Kunden"),
            _f("co_creation", "Joint initiatives", "Gemeinsame Initiativen"),
        ),
    ),
    SectionSpec(
        "resources",
        "Resources",
        "Ressourcen",
        (_f("team", "Team", "Team"), _f("time_budget", "Time budget", "Zeitbudget")),
    ),
)


def sections_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[SectionSpec, ...]:
    """Section specs from their stored form (a template's JSON list), validated.

    >>> specs = sections_from_json([{"key": "a", "label_en": "A", "label_de": "A",
    ...     "fields": [{"key": "x", "label_en": "X", "label_de": "X", "required": True}]}])
    >>> specs[0].fields[0].required
    True
    >>> sections_from_json([{"key": "a", "label_en": "A", "label_de": "A"}] * 2)
    Traceback (most recent call last):
    ...
    ValueError: section key 'a' appears twice
    """
    specs: list[SectionSpec] = []
    seen: set[str] = set()
    for raw in data:
        key = str(raw.get("key", "")).strip()
        if not key or not key.replace("_", "").isalnum():
            raise ValueError(f"invalid section key {key!r}")
        if key in seen:
            raise ValueError(f"section key {key!r} appears twice")
        seen.add(key)
        fields: list[SectionField] = []
        field_keys: set[str] = set()
        for f in raw.get("fields", ()) or ():
            fkey = str(f.get("key", "")).strip()
            if not fkey or not fkey.replace("_", "").isalnum() or fkey in field_keys:
                raise ValueError(f"invalid or repeated field key {fkey!r} in section {key!r}")
            field_keys.add(fkey)
            fields.append(
                SectionField(
                    fkey, str(f.get("label_en") or fkey), str(f.get("label_de") or fkey), bool(f.get("required", False))
                )
            )
        specs.append(SectionSpec(key, str(raw.get("label_en") or key), str(raw.get("label_de") or key), tuple(fields)))
    return tuple(specs)


@dataclass(frozen=True)
class TemplateProblem:
    """Something wrong in a template's sections as an editor entered them: where (``section`` index,
    ``field`` index or ``None`` for the section itself, the ``attribute``: ``key``, ``label_en``,
    ``label_de`` or ``fields``), what (``code``) and the ``value`` concerned.

    Codes: ``no_sections``, ``key_missing``, ``key_invalid`` (only letters, digits and ``_``),
    ``key_too_long``, ``key_duplicate``, ``label_missing``, ``label_too_long``."""

    section: int | None
    field: int | None
    attribute: str
    code: str
    value: str = ""

    @property
    def path(self) -> str:
        """Where it is, e.g. ``sections.0.fields.2.key`` (``sections`` for the list itself)."""
        if self.section is None:
            return "sections"
        where = f"sections.{self.section}"
        if self.field is not None:
            where += f".fields.{self.field}"
        return f"{where}.{self.attribute}"


#: the longest key and label a template takes
KEY_MAX = 50
LABEL_MAX = 200


def template_problems(data: Sequence[Mapping[str, Any]]) -> list[TemplateProblem]:
    """Every problem of a template's sections as entered (empty: they can be saved), in order: each
    section and field needs a key (letters, digits, ``_``; unique among the sections, or among the
    fields of its section) and an English and a German label.

    >>> for p in template_problems([
    ...     {"key": "a", "label_en": "A", "label_de": "A", "fields": [
    ...         {"key": "x", "label_en": "X", "label_de": ""}, {"key": "x", "label_en": "Y", "label_de": "Y"}]},
    ...     {"key": "a", "label_en": "B", "label_de": "B"}]):
    ...     print(p.path, p.code)
    sections.0.fields.0.label_de label_missing
    sections.0.fields.1.key key_duplicate
    sections.1.key key_duplicate
    >>> template_problems([])[0].code
    'no_sections'
    """
    problems: list[TemplateProblem] = []
    if not data:
        return [TemplateProblem(None, None, "sections", "no_sections")]

    def check(section: int, field_index: int | None, raw: Mapping[str, Any], seen: set[str]) -> None:
        key = str(raw.get("key") or "").strip()
        if not key:
            problems.append(TemplateProblem(section, field_index, "key", "key_missing"))
        elif not key.replace("_", "").isalnum() or not key.isascii():
            problems.append(TemplateProblem(section, field_index, "key", "key_invalid", key))
        elif len(key) > KEY_MAX:
            problems.append(TemplateProblem(section, field_index, "key", "key_too_long", key))
        elif key in seen:
            problems.append(TemplateProblem(section, field_index, "key", "key_duplicate", key))
        seen.add(key)
        for attribute in ("label_en", "label_de"):
            label = str(raw.get(attribute) or "").strip()
            if not label:
                problems.append(TemplateProblem(section, field_index, attribute, "label_missing"))
            elif len(label) > LABEL_MAX:
                problems.append(TemplateProblem(section, field_index, attribute, "label_too_long", label))

    section_keys: set[str] = set()
    for i, raw in enumerate(data):
        check(i, None, raw, section_keys)
        field_keys: set[str] = set()
        for j, f in enumerate(raw.get("fields") or ()):
            check(i, j, f, field_keys)
    return problems


def sections_to_json(specs: Sequence[SectionSpec]) -> list[dict[str, Any]]:
    """The stored form of section specs (inverse of :func:`sections_from_json`).

    >>> sections_from_json(sections_to_json(DEFAULT_SECTIONS)) == DEFAULT_SECTIONS
    True
    """
    return [
        {
            "key": s.key,
            "label_en": s.label_en,
            "label_de": s.label_de,
            "fields": [
                {"key": f.key, "label_en": f.label_en, "label_de": f.label_de, "required": f.required} for f in s.fields
            ],
        }
        for s in specs
    ]


def missing_required(specs: Sequence[SectionSpec], content: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """The required fields that are still empty, as ``(section key, field key)`` in template order.

    >>> missing_required(DEFAULT_SECTIONS[:1], {"situation": {"business": "Tier-1 supplier"}})
    [('situation', 'value_drivers')]
    """
    missing: list[tuple[str, str]] = []
    for spec in specs:
        values = content.get(spec.key, {})
        for f in spec.fields:
            if f.required and not str(values.get(f.key, "") or "").strip():
                missing.append((spec.key, f.key))
    return missing


# ---- comparing versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two plan versions."""

    section: str
    field: str
    before: str
    after: str


def compare_content(
    before: Mapping[str, Mapping[str, str]], after: Mapping[str, Mapping[str, str]]
) -> list[FieldChange]:
    """The fields that differ between two versions' section content (sections and fields sorted).

    >>> changes = compare_content({"situation": {"business": "A"}}, {"situation": {"business": "B", "strategy": "C"}})
    >>> [(c.field, c.before, c.after) for c in changes]
    [('business', 'A', 'B'), ('strategy', '', 'C')]
    """
    changes: list[FieldChange] = []
    for section in sorted(set(before) | set(after)):
        b, a = before.get(section, {}), after.get(section, {})
        for key in sorted(set(b) | set(a)):
            old, new = str(b.get(key, "") or ""), str(a.get(key, "") or "")
            if old != new:
                changes.append(FieldChange(section, key, old, new))
    return changes
