"""Optimism with few deals: each owner's bias shrunk towards their team's (empirical Bayes, partial pooling).

An owner's raw bias is the mean of ``p - y`` over their closed deals that carry an owner's probability
``p`` (``y`` = 1 won, 0 lost): the mean probability minus the win rate. With three deals that number is
mostly noise. Partial pooling reports

    shrunk = w * raw + (1 - w) * team,    w = n / (n + k)

where ``team`` is the same bias over all deals of the owner's team (the overall bias over every deal
when the owner has no team or is the only owner with probabilities in it) and ``n`` the owner's deals
with a probability.

``k`` comes from the data (method of moments, as in the random-effects model of DerSimonian and Laird):
the per-deal variance ``sigma2`` of ``p - y`` around the owner's own mean (pooled within owners), and
the variance ``tau2`` of the owners' true biases around their teams' (the observed spread of the raw
biases minus the part their sampling noise ``sigma2 / n`` explains). ``k = sigma2 / tau2``: the number of
deals at which an owner's own record weighs as much as the team's. When owners hardly differ (``tau2``
near 0) ``k`` is large and everyone is shrunk almost to the team; when they differ a lot ``k`` is small.
``k`` is kept within :data:`K_BOUNDS`; with fewer than :data:`MIN_GROUPS` owners or no within-owner
spread it cannot be estimated and :data:`DEFAULT_K` is used: 10, about what the demo's closed deals
estimate (the Salesforce-style sample shipped as the demo: 117 of its 926 closed deals carry an owner's
probability; k = 9.5 per owner towards the team, 12.8 per team towards all deals; measured with
``optimism(user=head, by=...)`` after ``kampass demo``).

An owner whose own deals weigh less than the team's (``n < k``, i.e. ``w < 0.5``) carries the
small-sample mark.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

#: ``k`` when the data cannot estimate it (fewer than MIN_GROUPS owners, or no spread within owners).
DEFAULT_K = 10.0
#: The range ``k`` is kept in: at least one deal's worth of prior, at most 200 deals.
K_BOUNDS = (1.0, 200.0)
#: Owners (groups with a probability) needed to estimate the spread between owners.
MIN_GROUPS = 3


@dataclass(frozen=True)
class PooledBias:
    """One group's bias raw and shrunk towards its team's (fractions; ``None`` without deals with a probability)."""

    group: str
    team: str
    deals: int
    raw: float | None
    prior: float | None
    weight: float | None
    shrunk: float | None
    small_sample: bool


@dataclass(frozen=True)
class Pooling:
    """The shrinkage of every group: ``k`` and whether it was ``"estimated"`` or the ``"default"``, the
    within-owner variance ``sigma2`` and between-owner variance ``tau2`` it came from (``None`` when not estimated)."""

    k: float
    k_source: str
    sigma2: float | None
    tau2: float | None
    rows: list[PooledBias]

    def row(self, group: str) -> PooledBias | None:
        return next((r for r in self.rows if r.group == group), None)


def estimate_k(residuals: dict[str, list[float]], prior_of: dict[str, float]) -> tuple[float | None, float, float]:
    """``(k, sigma2, tau2)`` by the method of moments from each group's residuals ``p - y`` and its prior
    (the team's mean residual); ``k`` is ``None`` when it cannot be estimated.

    >>> residuals = {"a": [0.9, 0.1, 0.7, 0.3], "b": [-0.6, 0.4, -0.8], "c": [0.2, 0.0, -0.7, 0.6]}
    >>> k, s2, t2 = estimate_k(residuals, {"a": 0.1, "b": 0.1, "c": 0.1})
    >>> round(s2, 4), round(t2, 4), round(k, 2)
    (0.2643, 0.0444, 5.95)
    """
    groups = [g for g, r in residuals.items() if r]
    n_total = sum(len(residuals[g]) for g in groups)
    if len(groups) < MIN_GROUPS or n_total <= len(groups):
        return None, math.nan, math.nan
    means = {g: sum(residuals[g]) / len(residuals[g]) for g in groups}
    sigma2 = sum((d - means[g]) ** 2 for g in groups for d in residuals[g]) / (n_total - len(groups))
    if sigma2 <= 0:
        return None, sigma2, math.nan
    tau2 = sum((means[g] - prior_of[g]) ** 2 - sigma2 / len(residuals[g]) for g in groups) / len(groups)
    tau2 = max(tau2, 0.0)
    if tau2 == 0.0:
        return K_BOUNDS[1], sigma2, tau2
    return min(max(sigma2 / tau2, K_BOUNDS[0]), K_BOUNDS[1]), sigma2, tau2


def pooled_biases(
    probabilities: Sequence[float | None],
    outcomes: Sequence[int],
    groups: Sequence[str],
    teams: Sequence[str | None],
    *,
    k: float | None = None,
) -> Pooling:
    """Raw and shrunk bias per group (sorted by name); ``teams[i]`` is the team of deal ``i``'s group
    (``None``: none, the overall bias is its prior). ``k``: fixed instead of estimated.

    Examples
    --------
    >>> pool = pooled_biases([0.9, 0.8, 0.3, 0.5], [1, 0, 0, 1], ["ann", "ann", "bob", "bob"], ["x"] * 4, k=2)
    >>> [(r.group, r.deals, round(r.raw, 2), round(r.prior, 3), r.weight, round(r.shrunk, 3), r.small_sample)
    ...  for r in pool.rows]
    [('ann', 2, 0.35, 0.125, 0.5, 0.238, False), ('bob', 2, -0.1, 0.125, 0.5, 0.012, False)]
    """
    if not len(probabilities) == len(outcomes) == len(groups) == len(teams):
        raise ValueError("probabilities, outcomes, groups and teams differ in length")
    residuals: dict[str, list[float]] = defaultdict(list)
    by_team: dict[str | None, list[float]] = defaultdict(list)
    team_of: dict[str, str | None] = {}
    every: list[float] = []
    for p, y, g, t in zip(probabilities, outcomes, groups, teams, strict=True):
        team_of.setdefault(str(g), t or None)
        residuals.setdefault(str(g), [])
        if p is None or (isinstance(p, float) and math.isnan(p)):
            continue
        d = float(p) - int(y)
        residuals[str(g)].append(d)
        by_team[t or None].append(d)
        every.append(d)
    overall = sum(every) / len(every) if every else None

    owners_in: dict[str | None, int] = defaultdict(int)
    for g, r in residuals.items():
        if r:
            owners_in[team_of[g]] += 1

    def prior(g: str) -> float | None:
        t = team_of[g]
        values = by_team.get(t) if t is not None else None
        if values and owners_in[t] >= 2:  # a team of one would be its own prior: no pooling at all
            return sum(values) / len(values)
        return overall

    priors = {g: prior(g) for g in residuals}
    if k is not None:
        chosen, source, sigma2, tau2 = float(k), "given", None, None
    else:
        given = {g: r for g, r in residuals.items() if r}
        est, s2, t2 = estimate_k(given, {g: v for g, v in priors.items() if v is not None})
        chosen, source = (est, "estimated") if est is not None else (DEFAULT_K, "default")
        sigma2 = None if math.isnan(s2) else s2
        tau2 = None if math.isnan(t2) else t2
    rows = []
    for g in sorted(residuals):
        r = residuals[g]
        n = len(r)
        raw = sum(r) / n if n else None
        pr = priors[g]
        w = n / (n + chosen) if n else None
        shrunk = None if raw is None or pr is None or w is None else w * raw + (1 - w) * pr
        rows.append(PooledBias(g, team_of[g] or "", n, raw, pr, w, shrunk, n < chosen))
    return Pooling(chosen, source, sigma2, tau2, rows)
