"""The explainable account health score and the scorecard's traffic lights: pure rules, no Django.

An account's **health** (0-100) is a weighted mean of **components**. Each component takes a raw
figure of kampass (the trend of the pocket margin, the leakage share, ...) and maps it to a score
between 0 (bad) and 1 (good) by a documented rule (:data:`COMPONENTS`). The head of KAM sets the
weights. A component without a value (no invoice lines, no target, no closed deals ...) is
**missing**: it is reported as such and left out, and the weights are normalised over the
components that have a value, so a missing figure never counts as 0.

The score is **decomposed**: component *i* contributes ``100 * w_i * s_i / sum(w of present
components)``, so the contributions add up to the health.

>>> h = health({"leakage_share": 0.05, "plan_freshness": 3.0, "pipeline_coverage": None},
...            {"leakage_share": 2, "plan_freshness": 1, "pipeline_coverage": 1})
>>> h.score
83.3
>>> [(c.key, c.score, c.contribution) for c in h.components if c.present]
[('leakage_share', 0.75, 50.0), ('plan_freshness', 1.0, 33.3)]
>>> h.missing
('pipeline_coverage',)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

# ---- components -----------------------------------------------------------------------------------


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def score_profitability_trend(trend: float) -> float:
    """Relative change of the pocket margin (recent months against the months before): no change is
    0.5, an improvement of 20 % or more is 1, a decline of 20 % or more is 0, linear in between.

    >>> score_profitability_trend(0.0), score_profitability_trend(0.1), score_profitability_trend(-0.5)
    (0.5, 0.75, 0.0)
    """
    return _clamp(0.5 + trend / 0.4)


def score_leakage_share(share: float) -> float:
    """Leakage share of gross revenue: none is 1, 20 % or more is 0, linear in between.

    >>> score_leakage_share(0.0), score_leakage_share(0.05), score_leakage_share(0.3)
    (1.0, 0.75, 0.0)
    """
    return _clamp(1.0 - share / 0.2)


def score_pipeline_coverage(ratio: float) -> float:
    """Open pipeline of the year divided by what is still missing to the account's target: three
    times the gap or more is 1 (the usual rule of thumb for pipeline coverage), none is 0, linear in
    between; a target already met (infinite coverage) is 1.

    >>> score_pipeline_coverage(1.5), score_pipeline_coverage(4.0), score_pipeline_coverage(math.inf)
    (0.5, 1.0, 1.0)
    """
    return 1.0 if math.isinf(ratio) else _clamp(ratio / 3.0)


def score_forecast_bias(bias: float) -> float:
    """Owners' mean win probability minus the actual win rate of the account's closed deals (as a
    fraction): no bias is 1, 30 points off either way (optimism or sandbagging) or more is 0.

    >>> score_forecast_bias(0.0), score_forecast_bias(0.15), score_forecast_bias(-0.3)
    (1.0, 0.5, 0.0)
    """
    return _clamp(1.0 - abs(bias) / 0.3)


def score_share(share: float) -> float:
    """A share that is good when high (decision makers covered at target level, actions done on
    time) scores as itself.

    >>> score_share(0.4), score_share(1.2)
    (0.4, 1.0)
    """
    return _clamp(share)


def score_plan_freshness(age_months: float) -> float:
    """Months since the plan in force was signed off: up to 3 months is 1, 12 months or more (or no
    signed-off plan, given as infinity) is 0, linear in between.

    >>> score_plan_freshness(2.0), score_plan_freshness(7.5), score_plan_freshness(math.inf)
    (1.0, 0.5, 0.0)
    """
    if math.isinf(age_months):
        return 0.0
    return _clamp(1.0 - (age_months - 3.0) / 9.0)


def score_reviews_held(count: float) -> float:
    """Reviews held in the last six months: two or more is 1, one is 0.5, none is 0.

    >>> score_reviews_held(0), score_reviews_held(1), score_reviews_held(3)
    (0.0, 0.5, 1.0)
    """
    return _clamp(count / 2.0)


@dataclass(frozen=True)
class ComponentSpec:
    """One component of the health score: its key, English and German label, the unit of its raw
    value (``share``, ``ratio``, ``months``, ``count``, ``points``), the rule mapping the raw value to
    0..1 and its default weight."""

    key: str
    label_en: str
    label_de: str
    unit: str
    rule: Callable[[float], float]
    default_weight: int

    def label(self, lang: str) -> str:
        """The label in ``lang`` ("de" or else English)."""
        return self.label_de if lang.startswith("de") else self.label_en


COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec(
        "profitability_trend",
        "Profitability trend",
        "Entwicklung der Profitabilität",
        "share",
        score_profitability_trend,
        2,
    ),
    ComponentSpec("leakage_share", "Profit leakage", "Gewinnabfluss", "share", score_leakage_share, 2),
    ComponentSpec(
        "pipeline_coverage",
        "Pipeline coverage vs target",
        "Pipeline-Abdeckung zum Ziel",
        "ratio",
        score_pipeline_coverage,
        2,
    ),
    ComponentSpec("forecast_bias", "Forecast bias", "Forecast-Verzerrung", "share", score_forecast_bias, 1),
    ComponentSpec(
        "decision_maker_coverage",
        "Decision makers covered",
        "Abgedeckte Entscheider",
        "share",
        score_share,
        2,
    ),
    ComponentSpec("plan_freshness", "Plan freshness", "Aktualität des Plans", "months", score_plan_freshness, 1),
    ComponentSpec("action_completion", "Actions done on time", "Maßnahmen termingerecht", "share", score_share, 1),
    ComponentSpec("reviews_held", "Reviews held", "Durchgeführte Reviews", "count", score_reviews_held, 1),
)

COMPONENT_KEYS: tuple[str, ...] = tuple(c.key for c in COMPONENTS)
SPECS: Mapping[str, ComponentSpec] = {c.key: c for c in COMPONENTS}

#: the most weight one component may get on the weights page
MAX_WEIGHT = 10


def default_weights() -> dict[str, int]:
    """The weights a new installation starts with.

    >>> default_weights()["leakage_share"], sum(default_weights().values())
    (2, 12)
    """
    return {c.key: c.default_weight for c in COMPONENTS}


def weight_errors(weights: Mapping[str, float]) -> dict[str, str]:
    """What is wrong with a set of weights (``{key: message}``, empty when fine): every weight is a
    whole number from 0 to :data:`MAX_WEIGHT`, only known components, at least one above 0.

    >>> weight_errors({"leakage_share": 2, "plan_freshness": 0})
    {}
    >>> weight_errors({"leakage_share": -1, "plan_freshness": 0})
    {'leakage_share': 'range'}
    >>> weight_errors({"leakage_share": 0})
    {'__all__': 'all_zero'}
    >>> weight_errors({"colour": 1})
    {'colour': 'unknown'}
    """
    errors: dict[str, str] = {}
    for key, w in weights.items():
        if key not in SPECS:
            errors[key] = "unknown"
        elif not (isinstance(w, int) and not isinstance(w, bool)) or not 0 <= w <= MAX_WEIGHT:
            errors[key] = "range"
    if not errors and not any(w > 0 for w in weights.values()):
        errors["__all__"] = "all_zero"
    return errors


# ---- the score ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    """One component of one account's health: its raw value (``None`` = missing), the score 0..1,
    the weight set by the head of KAM and its contribution in points (0 when missing)."""

    key: str
    raw: float | None
    score: float | None
    weight: float
    contribution: float

    @property
    def present(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class Health:
    """An account's health 0..100 (``None`` when no weighted component has a value) with its
    components (in :data:`COMPONENTS` order) and the keys of the missing ones."""

    score: float | None
    components: tuple[Component, ...]
    missing: tuple[str, ...]

    def component(self, key: str) -> Component | None:
        return next((c for c in self.components if c.key == key), None)


def health(raw: Mapping[str, float | None], weights: Mapping[str, float]) -> Health:
    """The health score of one account from the raw values of its components and the weights.

    A component is scored by its rule (:data:`COMPONENTS`); it is missing when its raw value is
    ``None`` (or NaN). Contributions are ``100 * w_i * s_i / W`` with ``W`` the sum of the weights
    of the present components; they add up to the score. Components with weight 0 are shown with
    contribution 0 and do not count as missing. Rounded to one decimal.

    >>> h = health({"leakage_share": 0.1, "forecast_bias": 0.0}, {"leakage_share": 1, "forecast_bias": 1})
    >>> h.score, [c.contribution for c in h.components if c.present]
    (75.0, [25.0, 50.0])
    >>> health({"leakage_share": None}, {"leakage_share": 1}).score is None
    True
    """
    scored: list[tuple[str, float | None, float | None, float]] = []
    for spec in COMPONENTS:
        value = raw.get(spec.key)
        if value is not None and isinstance(value, float) and math.isnan(value):
            value = None
        weight = float(weights.get(spec.key, 0))
        s = None if value is None else round(spec.rule(float(value)), 4)
        scored.append((spec.key, None if value is None else float(value), s, weight))
    total_w = sum(w for _k, _v, s, w in scored if s is not None and w > 0)
    exact = [100.0 * w * s / total_w if s is not None and total_w else 0.0 for _k, _v, s, w in scored]
    shown = tenths_adding_up(exact)
    components = tuple(
        Component(key, value, s, w, contribution)
        for (key, value, s, w), contribution in zip(scored, shown, strict=True)
    )
    missing = tuple(key for key, _v, s, w in scored if s is None and w > 0)
    if not total_w:
        return Health(None, components, missing)
    return Health(round(sum(exact), 1), components, missing)


def tenths_adding_up(values: Sequence[float]) -> list[float]:
    """``values`` rounded to one decimal so that they add up to their sum rounded to one decimal (the
    largest remainders are rounded up): each shown contribution is within 0.1 of its exact value, and the
    shown contributions add up to the shown score.

    >>> tenths_adding_up([100 / 3, 100 / 3, 100 / 3])
    [33.4, 33.3, 33.3]
    >>> tenths_adding_up([12.46, 20.44])  # rounded one by one: 12.5 + 20.4 = 32.9, the sum 32.90
    [12.5, 20.4]
    >>> tenths_adding_up([12.44, 20.44])  # one by one 12.4 + 20.4 = 32.8, but the sum 32.88 is 32.9
    [12.5, 20.4]
    """
    scaled = [round(v * 10, 9) for v in values]
    floors = [math.floor(v) for v in scaled]
    short = round(round(sum(values), 1) * 10) - sum(floors)  # the score's own rounding
    by_remainder = sorted(range(len(values)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in by_remainder[: max(short, 0)]:
        floors[i] += 1
    return [f / 10 for f in floors]


# ---- traffic lights and roll-ups -----------------------------------------------------------------

GREEN = "green"
AMBER = "amber"
RED = "red"


def traffic_light(score: float | None, *, green: float = 0.7, amber: float = 0.4) -> str:
    """The light of a 0..1 score against its target: green from ``green``, amber from ``amber``,
    else red; "" without a score. A health 0..100 is given divided by 100.

    >>> traffic_light(0.8), traffic_light(0.5), traffic_light(0.1), traffic_light(None)
    ('green', 'amber', 'red', '')
    """
    if score is None:
        return ""
    if score >= green:
        return GREEN
    if score >= amber:
        return AMBER
    return RED


def health_light(score: float | None) -> str:
    """The light of a health score 0..100 (green from 70, amber from 40).

    >>> health_light(72.5), health_light(39.9)
    ('green', 'red')
    """
    return traffic_light(None if score is None else score / 100.0)


def mean_health(scores: Sequence[float | None]) -> float | None:
    """The mean of the scores that exist (the roll-up of a KAM, a team or a group), ``None`` when none does.

    >>> mean_health([80.0, None, 60.0]), mean_health([None])
    (70.0, None)
    """
    present = [s for s in scores if s is not None]
    return round(sum(present) / len(present), 1) if present else None


def drop(previous: float | None, current: float | None) -> float | None:
    """Points lost since the previous score (positive = a drop), ``None`` if either is missing.

    >>> drop(75.0, 60.5), drop(50.0, 55.0), drop(None, 40.0)
    (14.5, -5.0, None)
    """
    if previous is None or current is None:
        return None
    return round(previous - current, 1)


def change(previous: float | None, current: float | None) -> float | None:
    """Points gained since the previous score (negative = lost), ``None`` if either is missing.

    >>> change(75.0, 60.5), change(None, 40.0)
    (-14.5, None)
    """
    if previous is None or current is None:
        return None
    return round(current - previous, 1)


#: the light of an objective's tracking status (:func:`kampass.core.kpis.tracking_status`)
OBJECTIVE_LIGHTS: Mapping[str, str] = {
    "achieved": GREEN,
    "on_track": GREEN,
    "at_risk": AMBER,
    "off_track": RED,
    "no_data": "",
}


def objective_light(status: str) -> str:
    """The traffic light of an objective (a KPI against its target) from its tracking status.

    >>> objective_light("on_track"), objective_light("at_risk"), objective_light("off_track"), objective_light("x")
    ('green', 'amber', 'red', '')
    """
    return OBJECTIVE_LIGHTS.get(status, "")
