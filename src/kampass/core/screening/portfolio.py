"""The selection portfolio: weighted criteria in two dimensions, quadrants, rank stability and the
proposals of a selection round. Pure rules, no Django.

A **criterion** belongs to one of two dimensions, the customer's **attractiveness** or our
**position** at the customer. Each is either *computed* from kampass's facts by a stated scoring
function (:data:`SCORING`, looked up by the criterion's key in a registry) or *rated* 1-5 by a person
with a justification. Every criterion value lies on 0..100 (a rating r counts ``(r - 1) * 25``).

The score of a dimension is the weighted mean of its criteria that have a value; a criterion without
a value (no facts, no rating) is reported with ``value=None`` and left out, and the weights are
normalised over the others, so a missing figure never counts as 0. Criterion *i* contributes
``w_i * v_i / sum(w of present criteria)``, so the contributions add up to the score exactly.

>>> cat = (Criterion("purchase_volume", ATTRACTIVENESS, 2.0), Criterion("strategic_fit", ATTRACTIVENESS, 1.0),
...        Criterion("win_rate", POSITION, 1.0))
>>> s = score_account(1, cat, {"purchase_volume": 90.0, "strategic_fit": 60.0, "win_rate": None})
>>> s.attractiveness, s.position, s.quadrant
(80.0, None, '')
>>> [(c.criterion, c.contribution) for c in s.contributions if c.dimension == ATTRACTIVENESS]
[('purchase_volume', 60.0), ('strategic_fit', 20.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

ATTRACTIVENESS = "attractiveness"
POSITION = "position"
DIMENSIONS = (ATTRACTIVENESS, POSITION)

# quadrants (attractiveness high/low x position high/low) and their normative move
INVEST = "invest"  # high attractiveness, strong position: invest and expand
BIG_STEP = "big_step"  # high attractiveness, weak position: a big step or exit
HOLD = "hold"  # low attractiveness, strong position: hold efficiently
WITHDRAW = "withdraw"  # low attractiveness, weak position: selective withdrawal / standard sales
QUADRANTS = (INVEST, BIG_STEP, HOLD, WITHDRAW)

# proposals of a selection round
PROMOTE = "promote"
DEMOTE = "demote"
EXIT = "exit"
KEEP = "keep"
PROPOSALS = (PROMOTE, DEMOTE, EXIT, KEEP)

KEY_STATUSES = ("key_account", "strategic")


# ---- scoring functions of the computed criteria -------------------------------------------------


def _clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def linear(x: float, low: float, high: float) -> float:
    """``x`` mapped linearly onto 0..100: ``low`` (or less) is 0, ``high`` (or more) is 100.

    >>> linear(0.5, 0.0, 1.0), linear(-1.0, 0.0, 1.0), linear(0.1, -0.2, 0.2)
    (50.0, 0.0, 75.0)
    """
    if high == low:
        return 100.0 if x >= high else 0.0
    return _clamp(100.0 * (x - low) / (high - low))


def log_linear(x: float, low: float, high: float) -> float:
    """``x`` mapped onto 0..100 on a logarithmic scale between ``low`` and ``high`` (both > 0):
    amounts span orders of magnitude, so a tenfold volume counts the same step everywhere.

    >>> log_linear(1_000.0, 100.0, 10_000.0), log_linear(50.0, 100.0, 10_000.0)
    (50.0, 0.0)
    """
    if x <= 0 or low <= 0 or high <= 0:
        return 0.0
    return linear(math.log10(x), math.log10(low), math.log10(high))


def rating_value(rating: int) -> float:
    """A rating 1..5 on the 0..100 scale of the criteria.

    >>> rating_value(1), rating_value(3), rating_value(5)
    (0.0, 50.0, 100.0)
    """
    if not 1 <= rating <= 5:
        raise ValueError(f"a rating lies between 1 and 5, not {rating}")
    return (rating - 1) * 25.0


@dataclass(frozen=True)
class Scoring:
    """How a computed criterion turns its fact into 0..100: ``fact`` names the figure it reads
    (see the screening selectors), ``function`` maps it with the parameters, ``text`` states the rule."""

    fact: str
    function: Callable[[float], float]
    text: str


def _volume(x: float) -> float:
    return log_linear(x, 1_000.0, 1_000_000.0)


def _growth(x: float) -> float:
    return linear(x, -0.3, 0.3)


def _profitability(x: float) -> float:
    return linear(x, 0.0, 0.5)


def _share(x: float) -> float:
    return linear(x, 0.0, 1.0)


def _relationship(x: float) -> float:
    return linear(x, 1.0, 5.0)


#: the computed criteria: key -> scoring. Another part of kampass adds a computed criterion with one
#: entry here.
SCORING: dict[str, Scoring] = {
    "purchase_volume": Scoring(
        "revenue_12m", _volume, "gross revenue of the last 12 months, log scale: 1,000 = 0, 1,000,000 = 100"
    ),
    "growth": Scoring(
        "growth_12m", _growth, "revenue of the last 12 months against the 12 before: -30 % = 0, +30 % = 100"
    ),
    "profitability": Scoring(
        "contribution_margin_12m", _profitability, "contribution / gross revenue of 12 months: 0 % = 0, 50 % = 100"
    ),
    "win_rate": Scoring("win_rate_24m", _share, "won / (won + lost) opportunities closed in 24 months: 0-100 %"),
    "buying_centre_coverage": Scoring(
        "decision_maker_coverage", _share, "decision makers covered at the aimed level / decision makers: 0-100 %"
    ),
    "share_of_wallet": Scoring(
        "share_of_wallet",
        _share,
        "revenue of 12 months / realistic wallet (the q quantile of comparable accounts' spend): 0-100 %",
    ),
    "relationship_level": Scoring(
        "relationship_rank", _relationship, "relationship stage, exploratory (1) = 0 .. integrated (5) = 100"
    ),
}


# ---- the catalogue and the score -----------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion of a catalogue: its key, dimension and weight (> 0)."""

    key: str
    dimension: str
    weight: float


@dataclass(frozen=True)
class Contribution:
    """What one criterion adds to its dimension's score (``value`` None: missing, contributes 0)."""

    criterion: str
    dimension: str
    value: float | None
    weight: float
    contribution: float


@dataclass(frozen=True)
class AccountScore:
    """An account's two scores (None without any criterion value in that dimension), its quadrant
    ('' while a score is missing) and the contributions (in catalogue order)."""

    account_id: int
    attractiveness: float | None
    position: float | None
    quadrant: str
    contributions: tuple[Contribution, ...]


def quadrant(attractiveness: float | None, position: float | None, threshold: float = 50.0) -> str:
    """The quadrant of a point of the portfolio; '' while a score is missing.

    >>> quadrant(70, 70), quadrant(70, 30), quadrant(30, 70), quadrant(30, 30), quadrant(None, 30)
    ('invest', 'big_step', 'hold', 'withdraw', '')
    """
    if attractiveness is None or position is None:
        return ""
    high_a, high_p = attractiveness >= threshold, position >= threshold
    if high_a:
        return INVEST if high_p else BIG_STEP
    return HOLD if high_p else WITHDRAW


def score_account(
    account_id: int,
    criteria: Sequence[Criterion],
    values: Mapping[str, float | None],
    *,
    threshold: float = 50.0,
) -> AccountScore:
    """The account's scores from its criterion ``values`` (0..100 or None) under ``criteria``."""
    scores: dict[str, float | None] = {}
    contributions: list[Contribution] = []
    for dimension in DIMENSIONS:
        mine = [c for c in criteria if c.dimension == dimension]
        present = sum(c.weight for c in mine if values.get(c.key) is not None)
        total = 0.0
        for c in mine:
            v = values.get(c.key)
            part = c.weight * v / present if v is not None and present > 0 else 0.0
            total += part
            contributions.append(Contribution(c.key, dimension, v, c.weight, part))
        scores[dimension] = total if present > 0 else None
    a, p = scores[ATTRACTIVENESS], scores[POSITION]
    order = {c.key: i for i, c in enumerate(criteria)}
    contributions.sort(key=lambda c: order[c.criterion])
    return AccountScore(account_id, a, p, quadrant(a, p, threshold), tuple(contributions))


def score_portfolio(
    criteria: Sequence[Criterion],
    values: Mapping[int, Mapping[str, float | None]],
    *,
    threshold: float = 50.0,
) -> list[AccountScore]:
    """Every account's score, in account id order."""
    return [score_account(a, criteria, values[a], threshold=threshold) for a in sorted(values)]


def priority(score: AccountScore) -> float | None:
    """The account's place in the selection: the mean of its two scores (None while one is missing).

    >>> priority(AccountScore(1, 80.0, 40.0, "big_step", ()))
    60.0
    """
    if score.attractiveness is None or score.position is None:
        return None
    return (score.attractiveness + score.position) / 2


def ranks(scores: Sequence[AccountScore]) -> dict[int, int]:
    """Rank 1 for the highest priority (ties: lower account id first); accounts without one are left out.

    >>> ranks([AccountScore(1, 50.0, 50.0, "invest", ()), AccountScore(2, 90.0, 70.0, "invest", ())])
    {2: 1, 1: 2}
    """
    placed = [(-p, s.account_id) for s in scores if (p := priority(s)) is not None]
    return {account_id: i + 1 for i, (_p, account_id) in enumerate(sorted(placed))}


def _scores_only(
    criteria: Sequence[Criterion],
    values: Mapping[int, Mapping[str, float | None]],
    weights: Sequence[float],
    threshold: float,
) -> list[AccountScore]:
    """The scores of :func:`score_portfolio` under ``weights`` (one per criterion) without their
    contributions: the rank stability scores the portfolio twice per criterion.

    >>> cat = (Criterion("a", ATTRACTIVENESS, 1.0), Criterion("b", ATTRACTIVENESS, 3.0),
    ...        Criterion("p", POSITION, 1.0))
    >>> vals = {1: {"a": 100.0, "b": 0.0, "p": 60.0}, 2: {"a": 10.0, "b": None, "p": None}}
    >>> [(s.attractiveness, s.position, s.quadrant) for s in _scores_only(cat, vals, [1.0, 3.0, 1.0], 50.0)] == [
    ...     (s.attractiveness, s.position, s.quadrant) for s in score_portfolio(cat, vals)]
    True
    """
    out = []
    for account_id in sorted(values):
        own = values[account_id]
        found: dict[str, float | None] = {}
        for dimension in DIMENSIONS:  # the same sums in the same order as score_account: equal floats
            mine = [(w, own.get(c.key)) for c, w in zip(criteria, weights, strict=True) if c.dimension == dimension]
            present = sum(w for w, v in mine if v is not None)
            total = 0.0
            for w, v in mine:
                total += w * v / present if v is not None and present > 0 else 0.0
            found[dimension] = total if present > 0 else None
        a, p = found[ATTRACTIVENESS], found[POSITION]
        out.append(AccountScore(account_id, a, p, quadrant(a, p, threshold), ()))
    return out


@dataclass(frozen=True)
class RankStability:
    """An account's rank under the weights as set and its best and worst rank when each criterion's
    weight moves by -``step`` and +``step`` in turn; ``quadrant_changes`` counts the moves that put it
    in another quadrant."""

    account_id: int
    rank: int
    best: int
    worst: int
    quadrant_changes: int

    @property
    def stable(self) -> bool:
        """The rank moves by at most one place and the quadrant never changes."""
        return self.worst - self.best <= 1 and self.quadrant_changes == 0


def rank_stability(
    criteria: Sequence[Criterion],
    values: Mapping[int, Mapping[str, float | None]],
    *,
    step: float = 0.2,
    threshold: float = 50.0,
) -> dict[int, RankStability]:
    """The rank stability of every ranked account when each weight moves by +-``step`` (one at a time).

    >>> cat = (Criterion("a", ATTRACTIVENESS, 1.0), Criterion("b", ATTRACTIVENESS, 1.0),
    ...        Criterion("p", POSITION, 1.0))
    >>> vals = {1: {"a": 100.0, "b": 0.0, "p": 60.0}, 2: {"a": 0.0, "b": 90.0, "p": 60.0},
    ...         3: {"a": 10.0, "b": 10.0, "p": 10.0}}
    >>> r = rank_stability(cat, vals)
    >>> (r[1].rank, r[1].best, r[1].worst), (r[3].rank, r[3].best, r[3].worst), r[3].stable
    ((1, 1, 2), (3, 3, 3), True)
    """
    base = _scores_only(criteria, values, [c.weight for c in criteria], threshold)
    base_ranks = ranks(base)
    base_quadrants = {s.account_id: s.quadrant for s in base}
    seen: dict[int, list[int]] = {a: [r] for a, r in base_ranks.items()}
    changes = dict.fromkeys(base_ranks, 0)
    for i in range(len(criteria)):
        for factor in (1 - step, 1 + step):
            weights = [c.weight * factor if j == i else c.weight for j, c in enumerate(criteria)]
            scores = _scores_only(criteria, values, weights, threshold)
            for account_id, r in ranks(scores).items():
                if account_id in seen:
                    seen[account_id].append(r)
            for s in scores:
                if s.account_id in changes and s.quadrant != base_quadrants[s.account_id]:
                    changes[s.account_id] += 1
    return {a: RankStability(a, base_ranks[a], min(rs), max(rs), changes[a]) for a, rs in sorted(seen.items())}


# ---- proposals of a selection round ---------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """What the selection round proposes for one account: the move and the KAM status it leads to."""

    account_id: int
    move: str
    from_status: str
    to_status: str


def propose(account_id: int, status: str, quadrant_: str) -> Proposal:
    """The proposal for an account with KAM ``status`` in ``quadrant_``:

    * invest and expand: a non-key account is promoted to key account;
    * a big step or exit: a prospect (or demoted account) is promoted to candidate;
    * hold efficiently: a strategic account is demoted to key account;
    * selective withdrawal: a key or strategic account exits (demoted), a candidate goes back to prospect;
    * otherwise (and without a quadrant) the status is kept.

    >>> propose(1, "candidate", INVEST).to_status, propose(1, "strategic", HOLD).move
    ('key_account', 'demote')
    >>> propose(1, "key_account", WITHDRAW), propose(1, "key_account", INVEST).move
    (Proposal(account_id=1, move='exit', from_status='key_account', to_status='demoted'), 'keep')
    """
    key = status in KEY_STATUSES
    if quadrant_ == INVEST and not key:
        return Proposal(account_id, PROMOTE, status, "key_account")
    if quadrant_ == BIG_STEP and status in ("prospect", "demoted"):
        return Proposal(account_id, PROMOTE, status, "candidate")
    if quadrant_ == HOLD and status == "strategic":
        return Proposal(account_id, DEMOTE, status, "key_account")
    if quadrant_ == WITHDRAW and key:
        return Proposal(account_id, EXIT, status, "demoted")
    if quadrant_ == WITHDRAW and status == "candidate":
        return Proposal(account_id, EXIT, status, "prospect")
    return Proposal(account_id, KEEP, status, status)
