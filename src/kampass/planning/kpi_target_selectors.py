"""Reads of the KPI targets and the KPI matrix: each key account the user may read (and the groups
above them) with every KPI's value, target and traffic light, and the roll-ups per KAM and team.

A row's KPIs cover the account's whole subtree (:mod:`kampass.planning.kpis`); the roll-ups per KAM
and team add the parts of their outermost accounts (a group and its own subsidiary count once) and
recompute the shares from the sums (:mod:`kampass.core.kpi_targets`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.core import kpi_targets as core
from kampass.core import kpis as catalogue
from kampass.planning import kpis as kpi_values
from kampass.planning.health_selectors import health_account_ids
from kampass.planning.models import KpiTarget
from kampass.users.actors import Actor


def target_list(*, account_id: int | None = None) -> QuerySet[KpiTarget]:
    """All targets (``account_id``: those for every account and this account's own)."""
    qs = KpiTarget.objects.select_related("account").order_by("kpi_key", "account__name", "pk")
    if account_id is not None:
        from django.db.models import Q

        qs = qs.filter(Q(account__isnull=True) | Q(account_id=account_id))
    return qs


def _as_target(row: KpiTarget) -> core.Target:
    return core.Target(row.green, row.amber, row.higher_is_better, row.currency)


def target_rows() -> list[tuple[str, int | None, core.Target]]:
    """Every stored target as ``(kpi key, account id or None, Target)``."""
    return [(r.kpi_key, r.account_id, _as_target(r)) for r in KpiTarget.objects.all()]


def kpi_parts(account_ids: Iterable[int], *, as_of: dt.date, currency: str) -> dict[int, core.KpiParts]:
    """``{account_id: KpiParts}``: the additive figures behind the rolled-up KPIs of each account's
    subtree, as of ``as_of``, money in ``currency`` (sales targets in other currencies converted at the
    rate of ``as_of``). The same sources and window as :func:`kampass.planning.kpis.account_kpis`."""
    from kampass.commercial import facade as commercial_facade
    from kampass.common import fx
    from kampass.pipeline import facade as pipeline_facade

    wanted = sorted(set(account_ids))
    found = accounts_facade.subtree_account_ids_of(wanted)  # one query; an unknown account has an empty tree
    trees = {a: found.get(a, []) for a in wanted}
    members = sorted({m for tree in trees.values() for m in tree})
    start = as_of - dt.timedelta(days=kpi_values.WINDOW_DAYS - 1)
    pnl = commercial_facade.account_pnl_between(members, start=start, end=as_of, currency=currency)
    targets = pipeline_facade.next_account_targets(list(trees), today=as_of)
    closed = pipeline_facade.closed_counts_between(members, start=start, end=as_of)
    covered = accounts_facade.decision_makers_covered(members)
    pipeline = pipeline_facade.weighted_open_pipeline(members, currency=currency, today=as_of)
    out: dict[int, core.KpiParts] = {}
    for account_id, tree in trees.items():
        rows = [pnl[m] for m in tree if m in pnl]
        target = targets.get(account_id)
        amount = Decimal(0)
        if target is not None and target.amount > 0:
            amount = (
                target.amount
                if target.currency == currency
                else fx.convert(target.amount, target.currency, currency, as_of)
            )
        out[account_id] = core.KpiParts(
            currency,
            gross=sum((r.gross_revenue for r in rows), Decimal(0)),
            pocket=sum((r.pocket_revenue for r in rows), Decimal(0)),
            contribution=sum((r.contribution for r in rows), Decimal(0)),
            invoiced=bool(rows),
            won=sum(closed.get(m, (0, 0))[0] for m in tree),
            lost=sum(closed.get(m, (0, 0))[1] for m in tree),
            weighted_pipeline=sum((pipeline.get(m, Decimal(0)) for m in tree), Decimal(0)),
            sales_target=amount,
            targeted=amount > 0,
            decision_makers=sum(covered.get(m, 0) for m in tree),
        )
    return out


@dataclass(frozen=True)
class Cell:
    """One KPI of one row: its value (``None``: none), the target in force and the light."""

    key: str
    value: Decimal | float | None
    unit: str
    currency: str
    target: core.Target | None
    light: str


@dataclass(frozen=True)
class MatrixRow:
    """One account of the matrix (``kind`` "account", or "group" for a group above the key accounts
    that is none itself), its depth in the hierarchy and its KPIs over its subtree."""

    account_id: int
    name: str
    path: str
    kind: str
    depth: int
    cells: tuple[Cell, ...]

    def cell(self, key: str) -> Cell:
        """The cell of ``key`` (``StopIteration`` for a KPI the matrix does not show)."""
        return next(c for c in self.cells if c.key == key)


@dataclass(frozen=True)
class RollupRow:
    """The KPIs of a KAM's or a team's key accounts together (``accounts``: how many)."""

    kind: str
    key: int
    name: str
    accounts: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class KpiMatrix:
    as_of: dt.date
    currency: str
    keys: tuple[str, ...]
    rows: list[MatrixRow]
    by_kam: list[RollupRow] = field(default_factory=list)
    by_team: list[RollupRow] = field(default_factory=list)


#: the KPIs the matrix shows (every KPI of the catalogue with a source)
MATRIX_KEYS: tuple[str, ...] = tuple(k.key for k in catalogue.CATALOGUE if k.available)


def _cells(
    values: dict[str, kpi_values.KpiValue] | dict[str, Decimal | float | None],
    keys: tuple[str, ...],
    account_id: int | None,
    targets: Sequence[tuple[str, int | None, core.Target]],
    currency: str,
) -> tuple[Cell, ...]:
    cells = []
    for key in keys:
        raw = values.get(key)
        value = raw.value if isinstance(raw, kpi_values.KpiValue) else raw
        code = raw.currency if isinstance(raw, kpi_values.KpiValue) else currency
        unit = catalogue.kpi(key).unit
        target = core.target_for(key, account_id, targets)
        if target is not None and unit == catalogue.MONEY and target.currency and target.currency != code:
            target = None  # a money target in another currency does not judge this value
        cells.append(Cell(key, value, unit, code if unit == catalogue.MONEY else "", target, core.light(value, target)))
    return tuple(cells)


def kpi_matrix(*, user: Actor, as_of: dt.date | None = None, currency: str = "") -> KpiMatrix:
    """The key accounts ``user`` may read, each under the groups above it that are not key accounts
    themselves, with every KPI (over the subtree), its target and light; and the roll-ups of the
    readable key accounts per KAM and per team (sums of money and counts, shares recomputed from the
    sums; levels and manual KPIs are not rolled up). Targets: the account's own, else the one for all."""
    from kampass.common import fx

    day = as_of or timezone.localdate()
    code = (currency or fx.reporting_currency()).upper()
    key_ids = health_account_ids(user)
    refs = {a: ref for a in key_ids if (ref := accounts_facade.account_ref(a)) is not None}
    groups: set[int] = set()
    for ref in refs.values():
        top = ref.path.split("/")[0]
        if top.isdigit() and int(top) not in refs:
            groups.add(int(top))
    for g in groups:
        if (ref := accounts_facade.account_ref(g)) is not None:
            refs[g] = ref
    targets = target_rows()
    values = kpi_values.account_kpis(list(refs), as_of=day, currency=code) if refs else {}
    rows = [
        MatrixRow(
            a, ref.name, ref.path, "group" if a in groups else "account", ref.path.count("/") - 1,
            _cells(values.get(a, {}), MATRIX_KEYS, a, targets, code),
        )
        for a, ref in refs.items()
    ]  # fmt: skip
    rows.sort(key=lambda r: [int(p) for p in r.path.split("/") if p.isdigit()])
    by_kam, by_team = _rollups([a for a in key_ids if a in refs], {a: refs[a].path for a in refs}, targets, day, code)
    return KpiMatrix(day, code, MATRIX_KEYS, rows, by_kam, by_team)


def _rollups(
    key_ids: list[int],
    paths: dict[int, str],
    targets: list[tuple[str, int | None, core.Target]],
    day: dt.date,
    code: str,
) -> tuple[list[RollupRow], list[RollupRow]]:
    kams = accounts_facade.account_kams(key_ids)
    kam_accounts: dict[int, tuple[str, set[int]]] = {}
    team_accounts: dict[int, tuple[str, set[int]]] = {}
    for a in key_ids:
        for k in kams.get(a, []):
            kam_accounts.setdefault(k.user_id, (k.name, set()))[1].add(a)
            if k.org_unit_id is not None:
                team_accounts.setdefault(k.org_unit_id, (k.org_unit_name, set()))[1].add(a)
    involved = {a for _n, s in [*kam_accounts.values(), *team_accounts.values()] for a in s}
    parts = kpi_parts(involved, as_of=day, currency=code) if involved else {}

    def row(kind: str, key: int, name: str, accounts: set[int]) -> RollupRow:
        chosen = core.outermost({a: paths[a] for a in accounts})
        total = core.rollup(parts[a] for a in chosen)
        general = [(k, None, t) for k, acc, t in targets if acc is None]
        return RollupRow(
            kind, key, name, len(chosen), _cells(core.values(total), core.ROLLED_UP_KEYS, None, general, code)
        )

    by_kam = sorted((row("kam", k, n, s) for k, (n, s) in kam_accounts.items()), key=lambda r: r.name.lower())
    by_team = sorted((row("team", k, n, s) for k, (n, s) in team_accounts.items()), key=lambda r: r.name.lower())
    return by_kam, by_team
