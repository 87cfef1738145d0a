"""Phase proposal and the recommender of logics of realisation.

Both work only from rules kept as data in the catalogue (``rules`` and ``phase_rules``, condition
language in :mod:`kampass.core.concept.loader`); there is no hidden scoring:

* :func:`propose_phase` adds the weights of the phase rules that fire; the phase with the most
  weight wins (ties go to the earlier phase). Without any evidence it proposes ``install``.
* :func:`recommend` adds, per logic, the weights of the rules that fire in the given phase. The
  logics are ordered by score, but a logic named in a fired rule's ``after`` (and recommended
  itself) comes first. Timing: up to :data:`MAX_NOW` logics with a score of at least
  :data:`NOW_SHARE` of the best score are ``now``; a logic that must wait for another is at
  least ``next`` (and never earlier than the logic it waits for); a rule's ``timing`` hint holds
  the logic back unless another rule asks for it now; a logic without positive score is ``later``.
  The list is ordered by timing, then by that order, and ranked 1..8.

Every fired rule becomes a :class:`Reason` with the rule's key, its text with the inputs filled
in (English and German) and the inputs themselves (field means, signals, tension positions).

Facts kampass supplies (``Signals``; every key optional, ``None`` or missing = unknown):

=============================== ======= =======================================================
key                             unit    meaning
=============================== ======= =======================================================
key_accounts                    count   key accounts in the programme
kams_appointed                  count   key account managers appointed
accounts_with_team_share        share   key accounts with an account team (0..1)
accounts_with_plan_share        share   key accounts with a current plan (0..1)
reviews_held                    count   account reviews held in the last 12 months
account_heterogeneity           score   how different the key accounts are: probability that two
                                        fall into different segments (0 alike .. 1)
key_account_segments            count   segments of key accounts in the current segment run
segment_separation              score   silhouette of the current segments (-1 .. 1)
key_accounts_segmented_share    share   key accounts in a segment of the current run (0..1)
leakage_share                   share   profit leakage as share of gross revenue (0..1)
profitability_trend             ratio   relative change of contribution margin (-0.1 = -10 %)
opportunities_qualified_share   share   open opportunities fully qualified (0..1)
owner_forecast_bias             score   owners' minus calibrated win probability (-1..1)
potential_optimism              ratio   KAMs' own potential estimates / model wallet - 1 (0.4 = 40 % above)
risks_with_owner_share          share   project risks with an owner (0..1)
tool_usage_share                share   KAMs actively using the KAM tools (0..1)
blocked_actions_share           share   development actions blocked by the organisation (0..1)
raci_conflicts                  count   activities with no or several accountable roles
active_topics                   count   improvement topics in progress
topic_completion_rate           share   started improvement topics completed (0..1)
=============================== ======= =======================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kampass.core.assessment import FieldScore, TensionScore
from kampass.core.concept import (
    LOGICS,
    PERSPECTIVES,
    PHASES,
    TIMINGS,
    AllOf,
    Always,
    AnyOf,
    Catalogue,
    Condition,
    DisagreementCondition,
    FieldCondition,
    Guardrail,
    NotCondition,
    SignalCondition,
    TensionCondition,
    Text,
)
from kampass.core.concept.model import condition_inputs

Signals = Mapping[str, float | None]
"""Facts from kampass by key (see the table above); ``None`` or missing = unknown."""

MAX_NOW = 3
"""At most this many logics are recommended for now: the concept combines a few logics, never all."""

NOW_SHARE = 0.5
"""A logic is ``now`` only with at least this share of the best logic's score."""

FALLBACK_PHASE = "install"
"""The phase proposed when no phase rule fires (no facts, no answers)."""


@dataclass(frozen=True)
class Reason:
    """Why a rule fired: the rule's key, its text with the inputs filled in, and the inputs themselves."""

    rule: str
    text: Text
    inputs: dict[str, float | None]


@dataclass(frozen=True)
class PhaseProposal:
    """The proposed phase and the evidence for it (the reasons of the winning phase, strongest first)."""

    phase: str
    reasons: tuple[Reason, ...]
    scores: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Recommendation:
    """A logic in the proposed roadmap: rank (1 = first), timing, combinations, order, reasons."""

    logic: str
    rank: int
    timing: str
    combine_with: tuple[str, ...]
    after: tuple[str, ...]
    reasons: tuple[Reason, ...]
    score: float
    benefits: Text
    dangers: Text
    guardrail: Guardrail


class _Inputs:
    """Resolves the input names of the condition language against fields, tensions and signals."""

    def __init__(self, fields: list[FieldScore], tensions: list[TensionScore], signals: Signals) -> None:
        self.cells = {(f.field, f.perspective): f for f in fields}
        self.tensions = {t.key: t for t in tensions}
        self.signals = signals

    def field_mean(self, ref: str) -> float | None:
        parts = ref.split(".")
        perspectives = (parts[1],) if len(parts) == 2 else PERSPECTIVES
        means = [
            cell.mean
            for (f, p), cell in self.cells.items()
            if (parts[0] == "all" or f == parts[0]) and p in perspectives and cell.mean is not None
        ]
        return sum(means) / len(means) if means else None

    def signal(self, key: str) -> float | None:
        value = self.signals.get(key)
        if value is None or isinstance(value, bool):
            return None
        value = float(value)
        return None if math.isnan(value) else value

    def tension(self, key: str, of: str) -> float | None:
        t = self.tensions.get(key)
        if t is None:
            return None
        return {"current": t.current, "target": t.target, "gap": t.gap}[of]

    def values(self, condition: Condition) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        self._collect(condition, out)
        return {name: out[name] for name in condition_inputs(condition)}

    def _collect(self, c: Condition, out: dict[str, float | None]) -> None:
        if isinstance(c, AllOf | AnyOf):
            for item in c.items:
                self._collect(item, out)
        elif isinstance(c, NotCondition):
            self._collect(c.item, out)
        elif isinstance(c, FieldCondition):
            out[c.ref] = self.field_mean(c.ref)
        elif isinstance(c, DisagreementCondition):
            f, p = c.ref.split(".")
            cell = self.cells.get((f, p))
            out[f"{c.ref}.spread"] = cell.spread if cell else None
        elif isinstance(c, SignalCondition):
            out[c.signal] = self.signal(c.signal)
        elif isinstance(c, TensionCondition):
            out[f"{c.key}.{c.of}"] = self.tension(c.key, c.of)

    def holds(self, c: Condition) -> bool:
        if isinstance(c, Always):
            return True
        if isinstance(c, AllOf):
            return all(self.holds(item) for item in c.items)
        if isinstance(c, AnyOf):
            return any(self.holds(item) for item in c.items)
        if isinstance(c, NotCondition):
            return not self.holds(c.item)
        if isinstance(c, FieldCondition):
            return c.compare.holds(self.field_mean(c.ref))
        if isinstance(c, DisagreementCondition):
            f, p = c.ref.split(".")
            cell = self.cells.get((f, p))
            return bool(cell and cell.disagreement)
        if isinstance(c, SignalCondition):
            return c.compare.holds(self.signal(c.signal))
        return c.compare.holds(self.tension(c.key, c.of))


_PLACEHOLDER = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")


def format_value(value: float | None, lang: str, *, percent: bool = False) -> str:
    """Format an input for a reason text: at most two decimals, German decimal comma, ``%`` on request.

    Examples
    --------
    >>> format_value(2.6666, "en"), format_value(2.6666, "de"), format_value(3.0, "de")
    ('2.67', '2,67', '3')
    >>> format_value(0.125, "en", percent=True), format_value(0.125, "de", percent=True)
    ('12.5%', '12,5 %')
    >>> format_value(None, "en"), format_value(None, "de")
    ('unknown', 'unbekannt')
    """
    german = lang.lower().startswith("de")
    if value is None:
        return "unbekannt" if german else "unknown"
    text = f"{value * 100:.1f}" if percent else f"{value:.2f}"
    text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if german:
        text = text.replace(".", ",")
    if percent:
        text += " %" if german else "%"
    return text


_PERSPECTIVES = {"corporate": Text(en="programme", de="Programm"), "operative": Text(en="accounts", de="Accounts")}
_TENSION_OF = {
    "current": Text(en="now", de="heute"),
    "target": Text(en="target", de="Ziel"),
    "gap": Text(en="gap", de="Lücke"),
}
_ALL_FIELDS = Text(en="all fields", de="alle Felder")
_SPREAD = Text(en="spread", de="Streuung")


def input_text(catalogue: Catalogue, name: str, value: float | None, lang: str) -> tuple[str, str]:
    """An input of a reason in words: its label and its value, as a reader of ``lang`` sees them.

    ``name`` is an input name of the condition language: a signal key, a field reference
    (``screening.corporate``, ``all``), ``<field>.<perspective>.spread`` or ``<tension field>.<current|target|gap>``;
    a share is shown in per cent.

    Examples
    --------
    >>> from kampass.core.concept import builtin_catalogue
    >>> c = builtin_catalogue()
    >>> input_text(c, "accounts_with_team_share", 0.49, "de")
    ('Anteil der Key Accounts mit Account-Team', '49 %')
    >>> input_text(c, "screening.corporate", 2.5, "en")
    ('Screening (programme)', '2.5')
    >>> input_text(c, "all", 2.78, "de")
    ('alle Felder', '2,78')
    >>> input_text(c, "decision_style.gap", 1.0, "en")[0]
    'Analytics with consistent conclusions ↔ Intuition, balancing power and interests (gap)'
    """
    parts = name.split(".")
    known_signals = {sd.key: sd for sd in catalogue.signals}
    if name in known_signals:
        signal = known_signals[name]
        return signal.name.get(lang), format_value(value, lang, percent=signal.unit == "share")
    spread = parts[-1] == "spread"
    if spread:
        parts = parts[:-1]
    tensions = {t.key: t for t in catalogue.tension_fields}
    if len(parts) == 2 and parts[0] in tensions and parts[1] in _TENSION_OF:
        t = tensions[parts[0]]
        label = f"{t.left.get(lang)} ↔ {t.right.get(lang)} ({_TENSION_OF[parts[1]].get(lang)})"
        return label, format_value(value, lang)
    fields = {f.key: f for f in catalogue.fields}
    if parts and (parts[0] in fields or parts[0] == "all"):
        label = fields[parts[0]].name.get(lang) if parts[0] in fields else _ALL_FIELDS.get(lang)
        extra = [_PERSPECTIVES[p].get(lang) for p in parts[1:2] if p in _PERSPECTIVES]
        if spread:
            extra.append(_SPREAD.get(lang))
        if extra:
            label = f"{label} ({', '.join(extra)})"
        return label, format_value(value, lang)
    return name, format_value(value, lang)


def _fill(text: Text, inputs: Mapping[str, float | None]) -> Text:
    def render(lang: str) -> str:
        return _PLACEHOLDER.sub(
            lambda m: format_value(inputs.get(m.group(1)), lang, percent=m.group(2) == "%"), text.get(lang)
        )

    return Text(en=render("en"), de=render("de"))


def propose_phase(catalogue: Catalogue, fields: list[FieldScore], signals: Signals) -> PhaseProposal:
    """Propose the programme's phase from the assessment and the facts.

    Each phase rule that fires adds its weight to its phase; the phase with the highest total wins,
    a tie goes to the earlier phase. The reasons are those of the winning phase, strongest first;
    ``scores`` lists every phase's total. Without any fired rule the proposal is ``install``.

    Examples
    --------
    >>> from kampass.core.concept import builtin_catalogue
    >>> cat = builtin_catalogue()
    >>> p = propose_phase(cat, [], {"kams_appointed": 0, "accounts_with_team_share": 0.1})
    >>> p.phase, [r.rule for r in p.reasons], p.reasons[1].inputs
    ('install', ['install_no_kams', 'install_few_teams'], {'accounts_with_team_share': 0.1})
    >>> p.reasons[1].text.de
    'Nur 10 % der Key Accounts haben ein Account-Team.'
    >>> propose_phase(cat, [], {"kams_appointed": 6, "accounts_with_plan_share": 0.9,
    ...                         "accounts_with_team_share": 0.9}).phase
    'professionalise'
    """
    ctx = _Inputs(fields, [], signals)
    totals = dict.fromkeys(PHASES, 0.0)
    fired: dict[str, list[tuple[float, Reason]]] = {p: [] for p in PHASES}
    for rule in catalogue.phase_rules:
        if not ctx.holds(rule.when):
            continue
        inputs = ctx.values(rule.when)
        totals[rule.phase] += rule.weight
        fired[rule.phase].append((rule.weight, Reason(rule.key, _fill(rule.reason, inputs), inputs)))
    scores = tuple((p, totals[p]) for p in PHASES)
    if not any(fired.values()):
        reason = Reason(
            "fallback",
            Text(
                en="No assessment answers or facts are available yet: start with the basics of the install phase.",
                de="Es liegen noch keine Antworten oder Fakten vor: "
                "mit den Grundlagen der Phase Installieren beginnen.",
            ),
            {},
        )
        return PhaseProposal(FALLBACK_PHASE, (reason,), scores)
    best = max(PHASES, key=lambda p: (totals[p], -PHASES.index(p)))
    reasons = tuple(r for _, r in sorted(fired[best], key=lambda wr: -wr[0]))
    return PhaseProposal(best, reasons, scores)


@dataclass
class _Tally:
    score: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    combine: list[str] = field(default_factory=list)
    earliest: str | None = None  # earliest timing asked for by a positive rule


def recommend(
    catalogue: Catalogue, fields: list[FieldScore], tensions: list[TensionScore], signals: Signals, phase: str
) -> list[Recommendation]:
    """Rank all eight logics for ``phase`` with reasons traceable to their inputs.

    Returns every logic exactly once, ordered and ranked (1 = first); see the module docstring
    for how score, order and timing follow from the fired rules. ``combine_with`` is symmetric:
    when a rule pairs A with B, B's recommendation names A too.

    Examples
    --------
    >>> from kampass.core.concept import builtin_catalogue
    >>> cat = builtin_catalogue()
    >>> recs = recommend(cat, [], [], {"leakage_share": 0.12}, "build")
    >>> top = recs[0]
    >>> top.logic, top.rank, top.timing, top.guardrail.key
    ('commercialisation', 1, 'now', 'leakage_share')
    >>> top.reasons[0].rule, top.reasons[0].inputs
    ('comm_leakage', {'leakage_share': 0.12})
    >>> top.reasons[0].text.en[:36]
    'Profit leakage takes 12% of revenue:'
    >>> sorted(r.logic for r in recs) == sorted(cat.logic(k).key for k in LOGICS)
    True
    """
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
    ctx = _Inputs(fields, tensions, signals)
    tally = {logic: _Tally() for logic in LOGICS}
    for rule in catalogue.rules:
        if rule.phase and phase not in rule.phase:
            continue
        if not ctx.holds(rule.when):
            continue
        inputs = ctx.values(rule.when)
        t = tally[rule.logic]
        t.score += rule.weight
        t.reasons.append(Reason(rule.key, _fill(rule.reason, inputs), inputs))
        t.after.extend(a for a in rule.after if a not in t.after)
        for other in rule.combine_with:
            if other not in t.combine:
                t.combine.append(other)
            if rule.logic not in tally[other].combine:
                tally[other].combine.append(rule.logic)
        if rule.weight > 0:
            hint = rule.timing or "now"
            if t.earliest is None or TIMINGS.index(hint) < TIMINGS.index(t.earliest):
                t.earliest = hint

    positive = {logic for logic, t in tally.items() if t.score > 0}
    waits_for = {logic: [a for a in t.after if a in positive] for logic, t in tally.items()}

    # order by score, but a logic comes after the recommended logics it waits for
    order: list[str] = []
    remaining = list(LOGICS)
    while remaining:
        ready = [lg for lg in remaining if all(a in order for a in waits_for[lg])]
        # waits_for edges come from the catalogue's 'after' lists, which the loader keeps acyclic
        pick = max(ready, key=lambda lg: (tally[lg].score, -LOGICS.index(lg)))
        order.append(pick)
        remaining.remove(pick)

    top = max((tally[lg].score for lg in positive), default=0.0)
    timing: dict[str, str] = {}
    now_count = 0
    for lg in order:
        t = tally[lg]
        if lg not in positive:
            timing[lg] = "later"
            continue
        level = 0 if now_count < MAX_NOW and t.score >= NOW_SHARE * top else 1
        for a in waits_for[lg]:
            level = max(level, 1, TIMINGS.index(timing[a]))
        level = max(level, TIMINGS.index(t.earliest or "now"))
        timing[lg] = TIMINGS[level]
        now_count += level == 0
    order.sort(key=lambda lg: TIMINGS.index(timing[lg]))  # stable: keeps the order within a timing

    result: list[Recommendation] = []
    for rank, lg in enumerate(order, start=1):
        t = tally[lg]
        logic = catalogue.logic(lg)
        result.append(
            Recommendation(
                logic=lg,
                rank=rank,
                timing=timing[lg],
                combine_with=tuple(t.combine),
                after=tuple(waits_for[lg]),
                reasons=tuple(t.reasons),
                score=round(t.score, 6),
                benefits=logic.benefits,
                dangers=logic.dangers,
                guardrail=logic.guardrail,
            )
        )
    return result
