"""The revenue forecast from deal probabilities, and the optimism analysis of owners' probabilities."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

CENT = Decimal("0.01")
CHUNK = 4096  # deals simulated at a time: bounds memory to simulations x CHUNK booleans
#: a period with at least this many deals whose won revenue is nearly symmetric (|skewness| at most
#: APPROX_MAX_SKEW) gets its percentiles in closed form instead of by simulation (see forecast_distribution)
APPROX_MIN_DEALS = 1_000
APPROX_MAX_SKEW = 0.1
#: standard normal quantiles of 0.1, 0.5 and 0.9
_Z = (-1.2815515655446004, 0.0, 1.2815515655446004)


@dataclass(frozen=True)
class PeriodForecast:
    """Revenue expected in one period from its open deals: the expectation ``sum(p * amount)`` and the
    10th, 50th and 90th percentiles of the simulated won revenue, in the amounts' currency."""

    period: str
    expected: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal
    deals: int


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def forecast_distribution(
    probabilities: Sequence[float],
    amounts: Sequence[Decimal | float],
    periods: Sequence[str],
    *,
    simulations: int = 10_000,
    seed: int = 0,
    approximate: bool = True,
) -> list[PeriodForecast]:
    """Monte-Carlo distribution of won revenue per period, deals won or lost independently.

    Each simulation draws every deal as won with its probability; a period's revenue is the sum of
    the amounts of its won deals. Percentiles are values that occurred in the simulations (inverted
    empirical CDF), so a period with few deals shows the lumpy outcome it really has. ``expected`` is
    exact (not simulated). Amounts must share one currency; results are rounded to cents.
    Periods come sorted by label (use sortable labels such as ``"2026-12"`` or ``"2027-Q1"``).

    A simulation costs ``simulations`` x deals draws (10,000 x 40,000 open deals: seconds). With
    ``approximate``, a period of at least :data:`APPROX_MIN_DEALS` deals whose revenue is nearly
    symmetric (skewness ``sum(a^3 p (1-p) (1-2p)) / sd^3`` at most :data:`APPROX_MAX_SKEW` in size) takes
    its percentiles from the exact mean, variance and skewness instead (Cornish-Fisher: ``mean + sd (z +
    (z^2 - 1) skew / 6)``, within the revenue's possible range): by the central limit theorem the sum of
    so many small independent parts is that close to normal, and the correction for the remaining skew is
    below 0.01 sd. A period with few deals or a skewed one (a few large deals, or deals almost never won)
    is simulated as before.

    Examples
    --------
    >>> from decimal import Decimal
    >>> periods = ["2027-Q1", "2026-12", "2027-Q1"]
    >>> f = forecast_distribution([0.6, 1.0, 0.2], [Decimal("100"), Decimal("50"), 30.0], periods)
    >>> [(x.period, x.expected, x.p10, x.p50, x.p90, x.deals) for x in f]  # doctest: +NORMALIZE_WHITESPACE
    [('2026-12', Decimal('50.00'), Decimal('50.00'), Decimal('50.00'), Decimal('50.00'), 1),
     ('2027-Q1', Decimal('66.00'), Decimal('0.00'), Decimal('100.00'), Decimal('130.00'), 2)]
    """
    if not len(probabilities) == len(amounts) == len(periods):
        raise ValueError(
            f"probabilities ({len(probabilities)}), amounts ({len(amounts)}) and periods ({len(periods)}) "
            "differ in length"
        )
    if simulations < 1:
        raise ValueError("simulations must be positive")
    p = np.asarray(probabilities, dtype=np.float64)
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("probabilities must lie in [0, 1]")
    by_period: dict[str, list[int]] = defaultdict(list)
    for i, period in enumerate(periods):
        by_period[str(period)].append(i)
    rng = np.random.default_rng(seed)
    result = []
    for period in sorted(by_period):
        index = np.asarray(by_period[period])
        exact = sum((Decimal(str(p[i])) * Decimal(str(amounts[i])) for i in index), Decimal(0))
        amount = np.asarray([float(amounts[i]) for i in index], dtype=np.float64)
        closed_form = _closed_form_percentiles(p[index], amount) if approximate else None
        if closed_form is not None:
            p10, p50, p90 = (_money(round(v, 6)) for v in closed_form)
            result.append(PeriodForecast(period, _money(exact), p10, p50, p90, len(index)))
            continue
        totals = np.zeros(simulations, dtype=np.float64)
        for start in range(0, len(index), CHUNK):
            part = slice(start, start + CHUNK)
            won = rng.random((simulations, len(amount[part]))) < p[index[part]]
            totals += won @ amount[part]
        p10, p50, p90 = np.quantile(totals, [0.1, 0.5, 0.9], method="inverted_cdf")
        result.append(
            PeriodForecast(
                period=period,
                expected=_money(exact),
                p10=_money(round(float(p10), 6)),
                p50=_money(round(float(p50), 6)),
                p90=_money(round(float(p90), 6)),
                deals=len(index),
            )
        )
    return result


def _closed_form_percentiles(p: np.ndarray, amount: np.ndarray) -> tuple[float, float, float] | None:
    """P10, P50 and P90 of ``sum(amount * Bernoulli(p))`` from its mean, variance and skewness, or ``None``
    when the deals are too few or the sum too skewed for that (see :func:`forecast_distribution`)."""
    if len(p) < APPROX_MIN_DEALS:
        return None
    q = p * (1 - p)
    variance = float(np.sum(q * amount**2))
    if variance <= 0:
        return None
    sd = math.sqrt(variance)
    skew = float(np.sum(q * (1 - 2 * p) * amount**3)) / sd**3
    if abs(skew) > APPROX_MAX_SKEW:
        return None
    mean = float(np.sum(p * amount))
    low, high = float(np.sum(amount[p >= 1])), float(np.sum(amount[p > 0]))  # certain deals .. every deal won
    low_p10, p50, p90 = (mean + sd * (z + (z * z - 1) * skew / 6) for z in _Z)
    return (min(max(low_p10, low), high), min(max(p50, low), high), min(max(p90, low), high))


@dataclass(frozen=True)
class CalibrationRow:
    """How optimistic one group's probabilities were: deals and win rate (over all its closed deals),
    and for the owner's and the model's probabilities their mean, the win rate of the deals that have
    such a probability, the bias (that mean minus that win rate; > 0 means optimism) and Brier score --
    ``None`` where the group has no such probabilities. ``owner_mean - owner_win_rate == owner_bias``
    (likewise for the model); ``win_rate`` differs where some deals lack a probability."""

    group: str
    deals: int
    win_rate: float
    owner_mean: float | None
    owner_bias: float | None
    owner_brier: float | None
    model_mean: float | None
    model_bias: float | None
    model_brier: float | None
    owner_deals: int = 0  # deals with an owner's probability (what the owner's mean, bias and Brier rest on)
    owner_win_rate: float | None = None  # win rate of those deals (the bias's reference)
    model_win_rate: float | None = None  # win rate of the deals with a model probability


def _side(
    probabilities: list[float | None], won: list[int]
) -> tuple[float | None, float | None, float | None, float | None]:
    """Mean probability, bias, Brier score and win rate over the deals that have a probability."""
    pairs = [(p, y) for p, y in zip(probabilities, won, strict=True) if p is not None and not math.isnan(p)]
    if not pairs:
        return None, None, None, None
    ps = np.asarray([p for p, _ in pairs], dtype=np.float64)
    ys = np.asarray([y for _, y in pairs], dtype=np.float64)
    mean, rate = float(ps.mean()), float(ys.mean())
    return mean, mean - rate, float(np.mean((ps - ys) ** 2)), rate


def _given(probabilities: Iterable[float | None]) -> int:
    """How many of ``probabilities`` are given (neither ``None`` nor NaN).

    >>> _given([0.2, None, float("nan"), 0.0])
    2
    """
    return sum(1 for p in probabilities if p is not None and not math.isnan(p))


def owner_calibration(
    owner_probabilities: Sequence[float | None],
    model_probabilities: Sequence[float | None],
    outcomes: Sequence[int],
    groups: Sequence[str],
) -> list[CalibrationRow]:
    """Per group (owner, team or account, sorted by name): the owners' and the model's bias and Brier.

    Bias and Brier of a side use the group's closed deals that have that side's probability; the bias
    is their mean probability minus their win rate (positive: optimistic; negative: sandbagging).
    Probabilities are shares in ``[0, 1]`` (convert percentages first); ``None`` means not given.

    Examples
    --------
    >>> groups = ["ann", "ann", "bob", "bob"]
    >>> rows = owner_calibration([0.9, 0.8, None, 0.3], [0.5, 0.4, 0.7, 0.2], [1, 0, 1, 0], groups)
    >>> [(r.group, r.deals, r.win_rate, round(r.owner_bias, 2), round(r.model_bias, 2)) for r in rows[:1]]
    [('ann', 2, 0.5, 0.35, -0.05)]
    >>> rows[1].owner_mean, round(rows[1].owner_brier, 2), round(rows[1].model_brier, 3)
    (0.3, 0.09, 0.065)

    bob won one of two deals, but his one probability was for the lost one: his bias rests on that
    deal (win rate 0), not on both (0.5)

    >>> rows[1].win_rate, rows[1].owner_win_rate, round(rows[1].owner_bias, 2), rows[1].model_win_rate
    (0.5, 0.0, 0.3, 0.5)
    """
    if not len(owner_probabilities) == len(model_probabilities) == len(outcomes) == len(groups):
        raise ValueError("owner probabilities, model probabilities, outcomes and groups differ in length")
    for name, values in (("owner", owner_probabilities), ("model", model_probabilities)):
        for v in values:
            if v is not None and not math.isnan(v) and not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} probability {v!r} is not in [0, 1] (give shares, not percent)")
    for y in outcomes:
        if y not in (0, 1):
            raise ValueError(f"outcome {y!r} is not 0 or 1")
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[str(g)].append(i)
    rows = []
    for group in sorted(members):
        index = members[group]
        won = [int(outcomes[i]) for i in index]
        owner = _side([owner_probabilities[i] for i in index], won)
        model = _side([model_probabilities[i] for i in index], won)
        rows.append(
            CalibrationRow(
                group=group,
                deals=len(index),
                win_rate=sum(won) / len(won),
                owner_mean=owner[0],
                owner_bias=owner[1],
                owner_brier=owner[2],
                model_mean=model[0],
                model_bias=model[1],
                model_brier=model[2],
                owner_deals=_given(owner_probabilities[i] for i in index),
                owner_win_rate=owner[3],
                model_win_rate=model[3],
            )
        )
    return rows
