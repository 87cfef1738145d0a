"""KPI targets with traffic lights and the roll-up of KPIs over several accounts: pure, no Django.

The head of KAM sets a **target** per KPI of the catalogue (:mod:`kampass.core.kpis`), for all key
accounts or for one account: a ``green`` and an ``amber`` threshold and a direction. A value at least
as good as ``green`` is green, at least as good as ``amber`` amber, anything worse red.

A KPI of several accounts (a KAM's, a team's, a group's subtree) is **rolled up** from its parts:
money and counts are summed, shares are recomputed from their summed numerators and denominators
(revenue-weighted, never the mean of the accounts' shares). Levels and manually recorded KPIs have
no meaningful sum and are not rolled up.

>>> t = Target(green=Decimal("0.2"), amber=Decimal("0.1"), higher_is_better=True)
>>> [light(v, t) for v in (Decimal("0.25"), Decimal("0.15"), Decimal("0.05"), None)]
['green', 'amber', 'red', '']
>>> a = KpiParts("EUR", gross=Decimal(100), pocket=Decimal(90), won=1, lost=1)
>>> b = KpiParts("EUR", gross=Decimal(900), pocket=Decimal(450), won=0, lost=2)
>>> values(rollup([a, b]))["pocket_margin"], values(rollup([a, b]))["win_rate"]
(0.54, 0.25)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kampass.core import kpis as catalogue

GREEN = "green"
AMBER = "amber"
RED = "red"
LIGHTS: tuple[str, ...] = (GREEN, AMBER, RED)

#: the KPIs that a roll-up over several accounts can give (sums and recomputed shares)
ROLLED_UP_KEYS: tuple[str, ...] = (
    "revenue",
    "contribution",
    "pocket_margin",
    "leakage_share",
    "pipeline_coverage",
    "win_rate",
    "decision_makers_covered",
)


@dataclass(frozen=True)
class Target:
    """The thresholds of one KPI: ``green`` and ``amber`` in the KPI's unit (shares as fractions, money
    in ``currency``), and whether higher values are better.

    >>> threshold_error(Target(Decimal(10), Decimal(20), higher_is_better=True))
    'order'
    """

    green: Decimal
    amber: Decimal
    higher_is_better: bool = True
    currency: str = ""


def threshold_error(target: Target) -> str:
    """``"order"`` when the amber threshold is better than the green one (green must be at least as
    demanding), else ``""``.

    >>> threshold_error(Target(Decimal("0.05"), Decimal("0.10"), higher_is_better=False))
    ''
    """
    if target.higher_is_better and target.amber > target.green:
        return "order"
    if not target.higher_is_better and target.amber < target.green:
        return "order"
    return ""


def light(value: Decimal | float | None, target: Target | None) -> str:
    """The traffic light of ``value`` against ``target``: ``green``, ``amber``, ``red``, or ``""`` without
    a value or a target.

    >>> t = Target(Decimal("0.05"), Decimal("0.10"), higher_is_better=False)
    >>> light(Decimal("0.05"), t), light(0.08, t), light(0.2, t), light(0.1, None)
    ('green', 'amber', 'red', '')
    """
    if value is None or target is None:
        return ""
    v = Decimal(str(value))
    if target.higher_is_better:
        return GREEN if v >= target.green else AMBER if v >= target.amber else RED
    return GREEN if v <= target.green else AMBER if v <= target.amber else RED


def target_for(key: str, account_id: int | None, targets: Iterable[tuple[str, int | None, Target]]) -> Target | None:
    """The target of ``key`` for ``account_id``: the account's own, else the one for all accounts.

    >>> general, own = Target(Decimal(1), Decimal(0)), Target(Decimal(5), Decimal(3))
    >>> rows = [("win_rate", None, general), ("win_rate", 7, own)]
    >>> target_for("win_rate", 7, rows) is own, target_for("win_rate", 8, rows) is general
    (True, True)
    >>> target_for("revenue", 7, rows) is None
    True
    """
    general: Target | None = None
    for k, account, target in targets:
        if k != key:
            continue
        if account is not None and account == account_id:
            return target
        if account is None:
            general = target
    return general


@dataclass(frozen=True)
class KpiParts:
    """The additive figures behind the KPIs of one account (its subtree) or of several: money in
    ``currency``. ``invoiced`` says whether there were invoice lines at all, ``targeted`` whether a
    sales target exists (the denominator of pipeline coverage)."""

    currency: str
    gross: Decimal = Decimal(0)
    pocket: Decimal = Decimal(0)
    contribution: Decimal = Decimal(0)
    invoiced: bool | None = None
    won: int = 0
    lost: int = 0
    weighted_pipeline: Decimal = Decimal(0)
    sales_target: Decimal = Decimal(0)
    targeted: bool = False
    decision_makers: int = 0

    @property
    def has_invoices(self) -> bool:
        return self.invoiced if self.invoiced is not None else self.gross != 0


def rollup(parts: Iterable[KpiParts]) -> KpiParts:
    """The sum of ``parts`` (all in one currency; ``ValueError`` otherwise). The accounts must not
    overlap (a group together with its own subsidiary would count twice).

    >>> rollup([KpiParts("EUR", gross=Decimal(1)), KpiParts("EUR", gross=Decimal(2))]).gross
    Decimal('3')
    """
    items = list(parts)
    codes = {p.currency for p in items}
    if len(codes) > 1:
        raise ValueError(f"parts in several currencies: {sorted(codes)}")
    return KpiParts(
        currency=codes.pop() if codes else "",
        gross=sum((p.gross for p in items), Decimal(0)),
        pocket=sum((p.pocket for p in items), Decimal(0)),
        contribution=sum((p.contribution for p in items), Decimal(0)),
        invoiced=any(p.has_invoices for p in items),
        won=sum(p.won for p in items),
        lost=sum(p.lost for p in items),
        weighted_pipeline=sum((p.weighted_pipeline for p in items), Decimal(0)),
        sales_target=sum((p.sales_target for p in items if p.targeted), Decimal(0)),
        targeted=any(p.targeted for p in items),
        decision_makers=sum(p.decision_makers for p in items),
    )


def values(parts: KpiParts) -> dict[str, Decimal | float | None]:
    """The KPIs of :data:`ROLLED_UP_KEYS` from ``parts``: money to the cent, shares as fractions
    rounded to 4 places; ``None`` where the denominator is missing or zero.

    >>> v = values(KpiParts("EUR", gross=Decimal(200), pocket=Decimal(150), contribution=Decimal(40)))
    >>> v["revenue"], v["leakage_share"], v["win_rate"], v["pipeline_coverage"]
    (Decimal('200.00'), 0.25, None, None)
    """
    cent = Decimal("0.01")
    g = parts.gross
    decided = parts.won + parts.lost
    target_ok = parts.targeted and parts.sales_target > 0
    return {
        "revenue": g.quantize(cent) if parts.has_invoices else None,
        "contribution": parts.contribution.quantize(cent) if parts.has_invoices else None,
        "pocket_margin": round(float(parts.pocket / g), 4) if g else None,
        "leakage_share": round(float((g - parts.pocket) / g), 4) if g else None,
        "pipeline_coverage": round(float(parts.weighted_pipeline / parts.sales_target), 4) if target_ok else None,
        "win_rate": round(parts.won / decided, 4) if decided else None,
        "decision_makers_covered": Decimal(parts.decision_makers),
    }


def outermost(paths: dict[int, str]) -> list[int]:
    """Of accounts given as ``{id: materialised path}`` ("1/4/9/"-style, ancestors first), those with no
    ancestor among them: a roll-up over them counts every subtree once.

    >>> outermost({1: "1/", 4: "1/4/", 5: "5/", 9: "5/9/", 12: "12/"})
    [1, 5, 12]
    """
    chosen: list[int] = []
    for account_id, path in sorted(paths.items(), key=lambda kv: (kv[1].count("/"), kv[1])):
        if not any(path.startswith(paths[c]) and path != paths[c] for c in chosen):
            chosen.append(account_id)
    return sorted(chosen)


def unit(key: str) -> str:
    """The unit of a KPI of the catalogue.

    >>> unit("revenue"), unit("win_rate")
    ('money', 'share')
    """
    return catalogue.kpi(key).unit
