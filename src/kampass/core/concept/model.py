"""The building blocks of the St. Gallen KAM concept as frozen dataclasses.

Every text exists in English and German (:class:`Text`); the shell picks the language.
The catalogue itself (:class:`Catalogue`) is data, read from YAML files by
:mod:`kampass.core.concept.loader`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

LANGUAGES: tuple[str, ...] = ("en", "de")
"""Languages every catalogue text must be given in."""

FIELDS: tuple[str, ...] = ("screening", "strategy", "solutions", "skills", "structure", "scorecard")
"""The six fields of the St. Gallen concept, in the concept's order."""

PERSPECTIVES: tuple[str, ...] = ("corporate", "operative")
"""Corporate KAM (the programme) and operative KAM (one key account)."""

LOGICS: tuple[str, ...] = (
    "facts_strategy",
    "tools",
    "structure",
    "innovation",
    "topics",
    "people",
    "selected_key_accounts",
    "commercialisation",
)
"""The eight logics of realisation."""

PHASES: tuple[str, ...] = ("install", "build", "professionalise", "focus")
"""The four phases of a KAM programme, in order."""

TENSION_FIELDS: tuple[str, ...] = (
    "change_approach",
    "prerequisites",
    "time_horizon",
    "scope",
    "basics_innovation",
    "decision_style",
    "regulation",
    "direction",
    "integration",
)
"""Keys of the nine tension fields, in the concept's order (number 1..9)."""

SIGNAL_UNITS: tuple[str, ...] = ("share", "count", "ratio", "score")
"""Units of the signals: share 0..1, count, ratio (relative change), score (a bounded index)."""

RATINGS: tuple[int, ...] = (1, 2, 3, 4, 5)
"""Ratings of an assessment statement (``None`` stands for "don't know")."""

ANCHOR_RATINGS: tuple[int, ...] = (1, 3, 5)
"""Ratings that carry a described anchor."""

TENSION_MIN, TENSION_MAX = -3, 3
"""Scale of a tension field: -3 is the left pole, +3 the right pole."""

GUARDRAIL_UNITS: tuple[str, ...] = ("share", "count", "days", "ratio")
GUARDRAIL_DIRECTIONS: tuple[str, ...] = ("max", "min")
TIMINGS: tuple[str, ...] = ("now", "next", "later")
"""When a logic should be pursued, earliest first."""

SIGNALS: tuple[str, ...] = (
    "key_accounts",
    "kams_appointed",
    "accounts_with_team_share",
    "accounts_with_plan_share",
    "reviews_held",
    "account_heterogeneity",
    "key_account_segments",
    "segment_separation",
    "key_accounts_segmented_share",
    "leakage_share",
    "profitability_trend",
    "opportunities_qualified_share",
    "owner_forecast_bias",
    "potential_optimism",
    "risks_with_owner_share",
    "tool_usage_share",
    "blocked_actions_share",
    "raci_conflicts",
    "active_topics",
    "topic_completion_rate",
)
"""Facts kampass can supply to the recommender (units and meaning: the catalogue's ``signals`` section)."""


@dataclass(frozen=True)
class Text:
    """A text in both languages.

    Examples
    --------
    >>> t = Text(en="Strategy", de="Strategie")
    >>> t.get("de"), t.get("en"), t.get("fr")
    ('Strategie', 'Strategy', 'Strategy')
    """

    en: str
    de: str

    def get(self, lang: str) -> str:
        """The text in ``lang``: German for ``"de"`` (also ``"de-ch"``), English otherwise."""
        return self.de if lang.lower().startswith("de") else self.en


@dataclass(frozen=True)
class Field:
    """A field of the concept and what it means from each perspective."""

    key: str
    name: Text
    corporate: Text
    operative: Text


@dataclass(frozen=True)
class Statement:
    """An assessment statement, rated 1..5; ``anchors`` describe what 1, 3 and 5 mean."""

    key: str
    field: str
    perspective: str
    text: Text
    anchors: dict[int, Text]


@dataclass(frozen=True)
class TensionField:
    """A tension field: the company places itself between the poles, -3 (left) .. +3 (right)."""

    key: str
    number: int
    left: Text
    right: Text
    left_dangers: Text
    right_dangers: Text


@dataclass(frozen=True)
class Guardrail:
    """The metric that watches a logic's danger.

    ``direction`` ``"max"`` warns when the value exceeds ``threshold``, ``"min"`` when it falls below.

    Examples
    --------
    >>> g = Guardrail("leakage_share", Text("Leakage", "Leakage"), "share", "max", 0.08)
    >>> g.breached(0.1), g.breached(0.05), g.breached(None)
    (True, False, False)
    """

    key: str
    name: Text
    unit: str
    direction: str
    threshold: float

    def breached(self, value: float | None) -> bool:
        """Whether ``value`` is on the wrong side of the threshold (unknown values never are)."""
        if value is None:
            return False
        return value > self.threshold if self.direction == "max" else value < self.threshold


@dataclass(frozen=True)
class Logic:
    """A logic of realisation: focus, typical means, benefits, dangers and the guardrail metric."""

    key: str
    name: Text
    focus: Text
    means: Text
    benefits: Text
    dangers: Text
    guardrail: Guardrail


@dataclass(frozen=True)
class Phase:
    """A phase of a KAM programme with the accents it needs."""

    key: str
    number: int
    name: Text
    description: Text
    accents: Text


@dataclass(frozen=True)
class TopicTemplate:
    """An entry of the improvement-topic catalogue, belonging to one field."""

    key: str
    field: str
    name: Text
    description: Text


@dataclass(frozen=True)
class SignalDef:
    """A fact kampass supplies to the recommender: its name and unit (``share``, ``count``, ``ratio``, ``score``)."""

    key: str
    name: Text
    unit: str


# ---- the condition language of the rules ----------------------------------------------------


@dataclass(frozen=True)
class Compare:
    """Bounds a value must respect; all given bounds must hold, an unknown value never does.

    Examples
    --------
    >>> Compare(below=2.8).holds(2.5), Compare(at_least=0.3, below=0.7).holds(0.7), Compare(above=1).holds(None)
    (True, False, False)
    """

    above: float | None = None
    below: float | None = None
    at_least: float | None = None
    at_most: float | None = None

    def holds(self, value: float | None) -> bool:
        """Whether ``value`` lies within all bounds."""
        if value is None:
            return False
        return (
            (self.above is None or value > self.above)
            and (self.below is None or value < self.below)
            and (self.at_least is None or value >= self.at_least)
            and (self.at_most is None or value <= self.at_most)
        )


@dataclass(frozen=True)
class FieldCondition:
    """The mean rating of a field reference: ``screening.corporate``, ``screening`` (both perspectives),
    ``all.corporate`` (all fields of a perspective) or ``all``; input name = the reference."""

    ref: str
    compare: Compare


@dataclass(frozen=True)
class DisagreementCondition:
    """Respondents disagree (spread at or above the threshold) on a ``field.perspective`` cell;
    input name = ``<ref>.spread``."""

    ref: str


@dataclass(frozen=True)
class SignalCondition:
    """A fact from kampass (one of :data:`SIGNALS`); input name = the signal key."""

    signal: str
    compare: Compare


@dataclass(frozen=True)
class TensionCondition:
    """A tension field's mean ``current`` or ``target`` position, or ``gap`` (target - current);
    input name = ``<key>.<of>``."""

    key: str
    of: str
    compare: Compare


@dataclass(frozen=True)
class AllOf:
    """All sub-conditions hold."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one sub-condition holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class NotCondition:
    """The sub-condition does not hold (an unknown input makes ``not`` hold too)."""

    item: Condition


@dataclass(frozen=True)
class Always:
    """Always holds (phase accents)."""


Condition = (
    FieldCondition | DisagreementCondition | SignalCondition | TensionCondition | AllOf | AnyOf | NotCondition | Always
)


def condition_inputs(condition: Condition) -> tuple[str, ...]:
    """Names of the inputs a condition reads, in order of appearance, without repeats.

    Examples
    --------
    >>> c = AllOf((FieldCondition("screening", Compare(below=2.5)),
    ...            AnyOf((SignalCondition("leakage_share", Compare(above=0.08)),
    ...                   TensionCondition("scope", "gap", Compare(above=1)),
    ...                   DisagreementCondition("skills.operative")))))
    >>> condition_inputs(c)
    ('screening', 'leakage_share', 'scope.gap', 'skills.operative.spread')
    """
    out: list[str] = []

    def walk(c: Condition) -> None:
        if isinstance(c, AllOf | AnyOf):
            for item in c.items:
                walk(item)
        elif isinstance(c, NotCondition):
            walk(c.item)
        elif isinstance(c, FieldCondition):
            out.append(c.ref)
        elif isinstance(c, DisagreementCondition):
            out.append(f"{c.ref}.spread")
        elif isinstance(c, SignalCondition):
            out.append(c.signal)
        elif isinstance(c, TensionCondition):
            out.append(f"{c.key}.{c.of}")

    walk(condition)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Rule:
    """A recommender rule: when ``when`` holds (in one of ``phase``, empty = all phases), ``logic`` gains ``weight``.

    ``reason`` may contain placeholders ``{input}`` / ``{input:%}`` naming inputs of ``when``.
    ``after`` names logics that should come first, ``combine_with`` logics to pursue together,
    ``timing`` the earliest time this reason asks for (``None`` = now).
    """

    key: str
    logic: str
    when: Condition
    reason: Text
    weight: float
    phase: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    combine_with: tuple[str, ...] = ()
    timing: str | None = None


@dataclass(frozen=True)
class PhaseRule:
    """Evidence for a phase: when ``when`` holds, ``phase`` gains ``weight`` in the phase proposal."""

    key: str
    phase: str
    when: Condition
    reason: Text
    weight: float


@dataclass(frozen=True)
class Catalogue:
    """The complete concept catalogue (built-in or extended by an administrator's file)."""

    version: str
    fields: tuple[Field, ...]
    statements: tuple[Statement, ...]
    tension_fields: tuple[TensionField, ...]
    logics: tuple[Logic, ...]
    phases: tuple[Phase, ...]
    topics: tuple[TopicTemplate, ...]
    rules: tuple[Rule, ...]
    phase_rules: tuple[PhaseRule, ...] = ()
    signals: tuple[SignalDef, ...] = ()
    sources: tuple[str, ...] = ()

    def statement(self, key: str) -> Statement:
        """The statement with ``key`` (``KeyError`` if there is none)."""
        return _find(self.statements, key, "statement")

    def logic(self, key: str) -> Logic:
        """The logic with ``key``."""
        return _find(self.logics, key, "logic")

    def tension_field(self, key: str) -> TensionField:
        """The tension field with ``key``."""
        return _find(self.tension_fields, key, "tension field")

    def field(self, key: str) -> Field:
        """The field with ``key``."""
        return _find(self.fields, key, "field")

    def phase(self, key: str) -> Phase:
        """The phase with ``key``."""
        return _find(self.phases, key, "phase")

    def topic(self, key: str) -> TopicTemplate:
        """The improvement-topic template with ``key``."""
        return _find(self.topics, key, "topic")

    def signal(self, key: str) -> SignalDef:
        """The definition of signal ``key``."""
        return _find(self.signals, key, "signal")

    def rule(self, key: str) -> Rule:
        """The recommender rule with ``key``."""
        return _find(self.rules, key, "rule")

    def statements_of(self, field: str, perspective: str) -> tuple[Statement, ...]:
        """The statements of one field x perspective cell, in catalogue order."""
        return tuple(s for s in self.statements if s.field == field and s.perspective == perspective)


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_T = TypeVar("_T", bound=_Keyed)


def _find(items: tuple[_T, ...], key: str, what: str) -> _T:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(f"unknown {what} {key!r}")
