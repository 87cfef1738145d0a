"""Scoring an assessment round: maturity per field and perspective, the tension-field profile, round comparison.

Respondents rate the catalogue's statements 1..5 (or "don't know") and place the company on each
tension field twice, now and as target, on the scale -3 (left pole) .. +3 (right pole).
Everything here is plain arithmetic over the answers; the shell stores answers and draws charts.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from kampass.core.concept import PERSPECTIVES, TENSION_MAX, TENSION_MIN, Catalogue

DISAGREEMENT_SPREAD = 1.2
"""A field cell shows disagreement when the population std dev of its ratings reaches this."""

EXTREME_POSITION = 2.0
"""A mean tension position at or beyond +-2 (on -3..+3) is extreme and draws a warning."""

TENSION_DISAGREEMENT_SPREAD = 1.5
"""Respondents disagree on a tension field when the std dev of their current or target positions reaches this ..."""

TENSION_DISAGREEMENT_GROUPS = 2.0
"""... or when two respondent groups' mean current or target positions lie this far apart."""

TENSION_WARNINGS: tuple[str, ...] = (
    "current_extreme_left",
    "current_extreme_right",
    "target_extreme_left",
    "target_extreme_right",
    "disagreement",
)
"""Warning codes of a tension field, in the order they are reported."""


@dataclass(frozen=True)
class Answer:
    """One respondent's rating of one statement: 1..5, or ``None`` for "don't know"."""

    respondent: str
    group: str
    statement: str
    rating: int | None


@dataclass(frozen=True)
class Placement:
    """One respondent's placement on a tension field, now and as target (-3 left pole .. +3 right pole)."""

    respondent: str
    group: str
    tension_field: str
    current: int
    target: int


@dataclass(frozen=True)
class FieldScore:
    """Maturity of one field from one perspective.

    ``mean`` and ``spread`` (population std dev) are over all ratings of the cell's statements,
    ``None`` without ratings; ``answers`` counts ratings, ``dont_know`` the "don't know" answers.
    """

    field: str
    perspective: str
    mean: float | None
    spread: float | None
    answers: int
    dont_know: int
    disagreement: bool

    @property
    def ref(self) -> str:
        """The cell's reference ``field.perspective``."""
        return f"{self.field}.{self.perspective}"


@dataclass(frozen=True)
class TensionScore:
    """A tension field's mean position now and as target, per respondent group, and its warnings."""

    key: str
    current: float | None
    target: float | None
    by_group: dict[str, tuple[float, float]]
    warnings: tuple[str, ...]
    current_spread: float | None = None
    target_spread: float | None = None
    respondents: int = 0

    @property
    def gap(self) -> float | None:
        """How far the target lies from the current position (``target - current``)."""
        if self.current is None or self.target is None:
            return None
        return self.target - self.current


@dataclass(frozen=True)
class FieldChange:
    """How a field cell's mean moved between two rounds (``delta = after - before``)."""

    field: str
    perspective: str
    before: float | None
    after: float | None
    delta: float | None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _pstdev(values: list[float]) -> float | None:
    if not values:
        return None
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def score_fields(catalogue: Catalogue, answers: Iterable[Answer]) -> list[FieldScore]:
    """Score all field x perspective cells, in catalogue order (fields, then corporate before operative).

    When a respondent answers the same statement twice the last answer counts. Answers to
    statements the catalogue does not know are ignored; a rating outside 1..5 is a ``ValueError``.

    Examples
    --------
    >>> from kampass.core.concept import builtin_catalogue
    >>> cat = builtin_catalogue()
    >>> s1, s2 = cat.statements_of("screening", "corporate")[:2]
    >>> answers = [Answer("ann", "kam", s1.key, 2), Answer("ann", "kam", s2.key, 4),
    ...            Answer("bob", "sales", s1.key, 3), Answer("bob", "sales", s2.key, None)]
    >>> first = score_fields(cat, answers)[0]
    >>> first.field, first.perspective, first.mean, round(first.spread, 3), first.answers, first.dont_know
    ('screening', 'corporate', 3.0, 0.816, 3, 1)
    >>> len(score_fields(cat, [])), score_fields(cat, [])[0].mean
    (12, None)
    """
    cell_of = {s.key: (s.field, s.perspective) for s in catalogue.statements}
    latest: dict[tuple[str, str], Answer] = {}
    for a in answers:
        if a.rating is not None and not (1 <= a.rating <= 5):
            raise ValueError(f"rating {a.rating} of {a.respondent!r} on {a.statement!r} is outside 1..5")
        if a.statement in cell_of:
            latest[(a.respondent, a.statement)] = a
    ratings: dict[tuple[str, str], list[float]] = {}
    dont_know: dict[tuple[str, str], int] = {}
    for a in latest.values():
        cell = cell_of[a.statement]
        if a.rating is None:
            dont_know[cell] = dont_know.get(cell, 0) + 1
        else:
            ratings.setdefault(cell, []).append(float(a.rating))
    scores: list[FieldScore] = []
    for f in catalogue.fields:
        for p in PERSPECTIVES:
            values = ratings.get((f.key, p), [])
            spread = _pstdev(values)
            scores.append(
                FieldScore(
                    field=f.key,
                    perspective=p,
                    mean=_mean(values),
                    spread=spread,
                    answers=len(values),
                    dont_know=dont_know.get((f.key, p), 0),
                    disagreement=spread is not None and spread >= DISAGREEMENT_SPREAD - 1e-9,
                )
            )
    return scores


def tension_profile(catalogue: Catalogue, placements: Iterable[Placement]) -> list[TensionScore]:
    """The tension-field profile: mean current and target position overall and per group, with warnings.

    A mean at or beyond +-:data:`EXTREME_POSITION` warns (``current_extreme_left`` ...); respondents
    disagree when the std dev of current or target positions reaches :data:`TENSION_DISAGREEMENT_SPREAD`
    or two groups' means lie :data:`TENSION_DISAGREEMENT_GROUPS` apart. A respondent's last placement
    on a field counts; placements on unknown tension fields are ignored, positions outside -3..+3
    are a ``ValueError``.

    Examples
    --------
    >>> from kampass.core.concept import builtin_catalogue
    >>> cat = builtin_catalogue()
    >>> first = cat.tension_fields[0].key
    >>> ps = [Placement("ann", "head", first, -3, -1), Placement("bob", "kam", first, -2, 0)]
    >>> t = tension_profile(cat, ps)[0]
    >>> t.current, t.target, t.by_group, t.warnings
    (-2.5, -0.5, {'head': (-3.0, -1.0), 'kam': (-2.0, 0.0)}, ('current_extreme_left',))
    """
    known = {t.key for t in catalogue.tension_fields}
    latest: dict[tuple[str, str], Placement] = {}
    for p in placements:
        for value in (p.current, p.target):
            if not (TENSION_MIN <= value <= TENSION_MAX):
                raise ValueError(
                    f"position {value} of {p.respondent!r} on {p.tension_field!r} is outside "
                    f"{TENSION_MIN}..{TENSION_MAX}"
                )
        if p.tension_field in known:
            latest[(p.respondent, p.tension_field)] = p
    by_field: dict[str, list[Placement]] = {}
    for p in latest.values():
        by_field.setdefault(p.tension_field, []).append(p)
    result: list[TensionScore] = []
    for tf in catalogue.tension_fields:
        items = by_field.get(tf.key, [])
        currents = [float(p.current) for p in items]
        targets = [float(p.target) for p in items]
        groups: dict[str, list[Placement]] = {}
        for p in items:
            groups.setdefault(p.group, []).append(p)
        by_group = {
            g: (sum(p.current for p in ps) / len(ps), sum(p.target for p in ps) / len(ps))
            for g, ps in sorted(groups.items())
        }
        current, target = _mean(currents), _mean(targets)
        c_spread, t_spread = _pstdev(currents), _pstdev(targets)
        warnings: list[str] = []
        for name, mean in (("current", current), ("target", target)):
            if mean is not None and mean <= -EXTREME_POSITION + 1e-9:
                warnings.append(f"{name}_extreme_left")
            if mean is not None and mean >= EXTREME_POSITION - 1e-9:
                warnings.append(f"{name}_extreme_right")
        spread_split = any(s is not None and s >= TENSION_DISAGREEMENT_SPREAD - 1e-9 for s in (c_spread, t_spread))
        group_split = len(by_group) > 1 and any(
            max(v[i] for v in by_group.values()) - min(v[i] for v in by_group.values())
            >= TENSION_DISAGREEMENT_GROUPS - 1e-9
            for i in (0, 1)
        )
        if spread_split or group_split:
            warnings.append("disagreement")
        result.append(
            TensionScore(
                key=tf.key,
                current=current,
                target=target,
                by_group=by_group,
                warnings=tuple(warnings),
                current_spread=c_spread,
                target_spread=t_spread,
                respondents=len(items),
            )
        )
    return result


def compare_rounds(before: list[FieldScore], after: list[FieldScore]) -> list[FieldChange]:
    """Compare two rounds cell by cell, in the order of ``after`` (cells only in ``before`` follow).

    Examples
    --------
    >>> b = [FieldScore("skills", "corporate", 2.0, 0.5, 4, 0, False)]
    >>> a = [FieldScore("skills", "corporate", 2.75, 0.4, 4, 0, False),
    ...      FieldScore("skills", "operative", 3.0, 0.0, 2, 0, False)]
    >>> [(c.field, c.perspective, c.before, c.after, c.delta) for c in compare_rounds(b, a)]
    [('skills', 'corporate', 2.0, 2.75, 0.75), ('skills', 'operative', None, 3.0, None)]
    """
    old = {(s.field, s.perspective): s.mean for s in before}
    new = {(s.field, s.perspective): s.mean for s in after}
    order = [(s.field, s.perspective) for s in after] + [
        (s.field, s.perspective) for s in before if (s.field, s.perspective) not in new
    ]
    changes: list[FieldChange] = []
    for f, p in order:
        b, a = old.get((f, p)), new.get((f, p))
        changes.append(FieldChange(f, p, b, a, None if a is None or b is None else a - b))
    return changes


DEFAULT_MIN_GROUP_RESPONDENTS = 3
"""Results of a respondent group are shown only from this many submitted questionnaires (privacy)."""


@dataclass(frozen=True)
class Disclosure:
    """Which results of a round may be shown, given the minimum number of respondents per group.

    ``overall`` is true when the round as a whole has at least ``minimum`` submitted questionnaires;
    ``groups`` are the respondent groups (functions) with at least ``minimum`` each, ``hidden`` the
    others with their count (shown as "hidden until N respondents in this group")."""

    minimum: int
    overall: bool
    groups: frozenset[str]
    hidden: tuple[tuple[str, int], ...]


def disclosure(counts: Mapping[str, int], minimum: int) -> Disclosure:
    """What may be shown of a round with ``counts`` submitted questionnaires per group.

    Examples
    --------
    >>> d = disclosure({"head": 1, "kam": 4, "sales": 2}, 3)
    >>> d.overall, sorted(d.groups), d.hidden
    (True, ['kam'], (('head', 1), ('sales', 2)))
    >>> disclosure({"head": 1}, 3).overall
    False
    """
    if minimum < 1:
        raise ValueError(f"the minimum of respondents per group must be at least 1, not {minimum}")
    shown = frozenset(g for g, n in counts.items() if n >= minimum)
    hidden = tuple(sorted((g, n) for g, n in counts.items() if 0 < n < minimum))
    return Disclosure(minimum, sum(counts.values()) >= minimum, shown, hidden)


def withhold_groups(tensions: Iterable[TensionScore], shown: Collection[str]) -> list[TensionScore]:
    """The tension scores with the per-group positions of the groups not in ``shown`` removed.

    Examples
    --------
    >>> t = TensionScore("tf", 0.0, 1.0, {"head": (-1.0, 0.0), "kam": (1.0, 2.0)}, ())
    >>> withhold_groups([t], {"kam"})[0].by_group
    {'kam': (1.0, 2.0)}
    """
    return [replace(t, by_group={g: v for g, v in t.by_group.items() if g in shown}) for t in tensions]
