"""Reads of the health score and the scorecard: the active weights, the raw components of each account
(from the other contexts' facades and this context's plans, actions and reviews), the scores, the stored
snapshots (trend) and the portfolio with its roll-ups per KAM, team and group."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.core import scorecard as core
from kampass.pipeline import facade as pipeline_facade
from kampass.planning import action_selectors
from kampass.planning.models import HealthSnapshot, HealthWeights, Notice
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_reader

log = logging.getLogger(__name__)

#: how far back the reviews of the health component count
REVIEWS_WINDOW_DAYS = 182


def weights_row() -> HealthWeights | None:
    """The active set of weights as stored (``None`` before the head of KAM saved any)."""
    return HealthWeights.objects.filter(active=True).first()


def active_weights() -> dict[str, int]:
    """The weights in force: the stored active set (components it does not name get their default), else
    the defaults of :func:`kampass.core.scorecard.default_weights`."""
    weights = core.default_weights()
    row = weights_row()
    if row is not None:
        weights.update({k: int(v) for k, v in row.weights.items() if k in core.SPECS})
    return weights


def _reviews_held(account_ids: list[int], since: dt.date, until: dt.date) -> dict[int, int] | None:
    """Reviews held per account from ``since`` to ``until`` from ``planning.facade.reviews_held`` (the
    reviews part of this context); ``None`` while that part is not there (the component is then reported
    missing)."""
    from kampass.planning import facade

    reader = getattr(facade, "reviews_held", None)
    if reader is None:
        return None
    found = reader(account_ids, since=since, until=until)
    return {a: int(n or 0) for a, n in dict(found).items()}


def raw_components(account_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, dict[str, float | None]]:
    """``{account_id: {component key: raw value or None}}``, the raw figures of the health components
    (:data:`kampass.core.scorecard.COMPONENTS`). A signed-off plan's absence gives plan freshness
    ``inf`` (score 0: a fact, not a gap); a target already met gives pipeline coverage ``inf`` (score 1).

    ``today`` a past day gives the components as of that day, so that a snapshot recorded for it (the
    daily run, a backfill, the demo's history) is what kampass would have computed then: only invoice
    lines dated up to the day, deals opened and closed up to it, the plan signed off by then, actions
    created by then (done after it: still open), reviews held up to it, decision makers and their coverage as
    they stood then (from the change history; members and coverage created in bulk without one count as
    they are now). The current amounts, probabilities and statuses of deals and actions are today's."""
    ids = sorted(set(account_ids))
    day = today or timezone.localdate()
    as_of = day if day < timezone.localdate() else None
    try:
        commercial = commercial_facade.account_health_figures(ids, as_of=as_of)
    except Exception:  # no analytics store yet (or it is unreadable): the commercial components are missing
        log.warning("health: commercial figures not available", exc_info=True)
        commercial = {}
    coverage = pipeline_facade.pipeline_coverage(ids, today=day)
    bias = pipeline_facade.forecast_bias(ids, today=day)
    dms = accounts_facade.decision_maker_coverage(ids, as_of=as_of)
    from kampass.planning.facade import account_plan_facts

    plans = account_plan_facts(ids, today=day)
    actions = action_selectors.action_completion(ids, today=day)
    reviews = _reviews_held(ids, day - dt.timedelta(days=REVIEWS_WINDOW_DAYS), day)
    out: dict[int, dict[str, float | None]] = {}
    for a in ids:
        c = commercial.get(a)
        plan = plans.get(a)
        out[a] = {
            "profitability_trend": c.margin_trend if c else None,
            "leakage_share": c.leakage_share if c else None,
            "pipeline_coverage": coverage[a].ratio if a in coverage else None,
            "forecast_bias": bias[a].bias if a in bias else None,
            "decision_maker_coverage": dms[a].share if a in dms else None,
            "plan_freshness": (plan.age_months if plan and plan.age_months is not None else math.inf),
            "action_completion": actions[a].share if a in actions else None,
            "reviews_held": float(reviews.get(a, 0)) if reviews is not None else None,
        }
    return out


def account_health(
    account_ids: Iterable[int], *, today: dt.date | None = None, weights: dict[str, int] | None = None
) -> dict[int, core.Health]:
    """``{account_id: Health}`` computed now from the raw components and the weights in force."""
    w = weights or active_weights()
    return {a: core.health(raw, w) for a, raw in raw_components(account_ids, today=today).items()}


def components_json(h: core.Health) -> list[dict[str, Any]]:
    """The components of a score as stored in a snapshot and sent by the API and the CLI: key, raw value
    (``None`` for missing; an infinite one as ``None`` with ``"unbounded": true``), score, weight, contribution."""
    return [
        {
            "key": c.key,
            "raw": None if c.raw is None or math.isinf(c.raw) else round(c.raw, 4),
            "unbounded": c.raw is not None and math.isinf(c.raw),
            "score": c.score,
            "weight": c.weight,
            "contribution": c.contribution,
        }
        for c in h.components
    ]


def can_see_health(user: Actor, account: Any) -> bool:
    return bool(user.has_perm("planning.view_health", account))


def health_account_ids(user: Actor) -> list[int]:
    """The key accounts whose health ``user`` may read: all for head, administrator, controller and
    viewer; a KAM's the key accounts on (or below) the accounts of their teams."""
    keys = accounts_facade.key_account_ids()
    if is_admin(user) or is_head(user) or is_reader(user):
        return sorted(keys)
    mine: set[int] = set()
    for ids in accounts_facade.subtree_account_ids_of(accounts_facade.team_account_ids(user)).values():
        mine.update(ids)
    return sorted(keys & mine)


def snapshots(account_id: int, *, limit: int = 24) -> list[HealthSnapshot]:
    """The account's newest snapshots, oldest first."""
    rows = list(HealthSnapshot.objects.filter(account_id=account_id).order_by("-day")[:limit])
    return rows[::-1]


def previous_snapshot(account_id: int, before: dt.date) -> HealthSnapshot | None:
    return HealthSnapshot.objects.filter(account_id=account_id, day__lt=before).order_by("-day").first()


@dataclass(frozen=True)
class ScorecardRow:
    """One key account on the scorecard: its health now with components, the light, its KAMs and teams,
    its top-level group, and the change since the last stored snapshot before today."""

    account_id: int
    name: str
    path: str
    kam_status: str
    kams: tuple[str, ...]
    kam_ids: tuple[int, ...]
    teams: tuple[str, ...]
    team_ids: tuple[int, ...]
    group_id: int
    health: core.Health
    light: str
    change: float | None
    #: the day of the stored snapshot shown and when it was computed (``None``: none stored, computed now)
    day: dt.date | None = None
    computed_at: dt.datetime | None = None

    @property
    def score(self) -> float | None:
        return self.health.score


@dataclass(frozen=True)
class Rollup:
    """The mean health of the key accounts of one KAM, team or group."""

    kind: str
    key: int
    name: str
    accounts: int
    health: float | None
    light: str


@dataclass(frozen=True)
class ScorecardFilters:
    kam: int | None = None
    team: int | None = None
    light: str = ""
    q: str = ""
    sort: str = "health"
    descending: bool = False
    health_min: float | None = None
    health_max: float | None = None


@dataclass(frozen=True)
class Scorecard:
    rows: list[ScorecardRow]
    by_kam: list[Rollup] = field(default_factory=list)
    by_team: list[Rollup] = field(default_factory=list)
    by_group: list[Rollup] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)
    #: every KAM and team of the readable key accounts (the filters' choices), ``(id, name)`` by name
    kam_options: list[tuple[int, str]] = field(default_factory=list)
    team_options: list[tuple[int, str]] = field(default_factory=list)
    #: the oldest and newest computation of the stored snapshots shown (``None``: none stored)
    oldest_computed: dt.datetime | None = None
    newest_computed: dt.datetime | None = None
    #: key accounts without a stored snapshot, computed for this view
    computed_now: int = 0


SCORECARD_SORTS = ("health", "name", "change", *core.COMPONENT_KEYS)


def _sort_key(sort: str) -> Any:
    def key(r: ScorecardRow) -> tuple[Any, ...]:
        if sort == "name":
            return (0, r.name.lower())
        if sort == "change":
            value = r.change
        elif sort in core.SPECS:
            c = r.health.component(sort)
            value = c.contribution if c and c.present else None
        else:
            value = r.score
        return (value is None, value if value is not None else 0.0, r.name.lower())

    return key


def health_from_snapshot(score: float | None, components: list[dict[str, Any]]) -> core.Health:
    """The health as a snapshot stored it (:func:`components_json`), in the form of a computed one."""
    parts = []
    for c in components:
        raw = math.inf if c.get("unbounded") else c.get("raw")
        parts.append(
            core.Component(
                str(c["key"]), None if raw is None else float(raw), c.get("score"), float(c.get("weight") or 0),
                float(c.get("contribution") or 0.0),
            )
        )  # fmt: skip
    missing = tuple(p.key for p in parts if p.score is None and p.weight > 0)
    return core.Health(score, tuple(parts), missing)


def newest_snapshots(
    account_ids: Iterable[int], *, today: dt.date
) -> dict[int, tuple[HealthSnapshot, HealthSnapshot | None]]:
    """``{account_id: (newest snapshot on or before today, the one before it or None)}``; accounts without
    a snapshot are left out. Two rows per account are read (a window over the account's days)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ranked = (
        HealthSnapshot.objects.filter(account_id__in=list(account_ids), day__lte=today)
        .annotate(rank=Window(RowNumber(), partition_by=[F("account_id")], order_by=F("day").desc()))
        .order_by("account_id", "-day")
    )
    out: dict[int, tuple[HealthSnapshot, HealthSnapshot | None]] = {}
    for snap in ranked:
        if snap.rank == 1:
            out[snap.account_id] = (snap, None)
        elif snap.rank == 2 and snap.account_id in out:
            out[snap.account_id] = (out[snap.account_id][0], snap)
    return out


def scorecard(
    *, user: Actor, filters: ScorecardFilters | None = None, today: dt.date | None = None, live: bool = False
) -> Scorecard:
    """The key accounts ``user`` may read with their health, filtered and sorted, and the roll-ups of
    the shown rows per KAM, team and top-level group (mean of the accounts' health).

    The health of each account is its newest stored snapshot on or before ``today`` (the daily run or
    the head's "recompute now" writes them; computing every account per view took seconds), with the
    change since the snapshot before it. Accounts without one, or all with ``live``, are computed now
    (their change: since the newest snapshot before today)."""
    f = filters or ScorecardFilters()
    day = today or timezone.localdate()
    ids = health_account_ids(user)
    weights = active_weights()
    stored = {} if live else newest_snapshots(ids, today=day)
    missing = [a for a in ids if a not in stored]
    healths = account_health(missing, today=day, weights=weights) if missing else {}
    kams = accounts_facade.account_kams(ids)
    refs = accounts_facade.account_refs(ids)  # one query, not one per account
    previous = {
        s.account_id: s.score
        for s in HealthSnapshot.objects.filter(account_id__in=missing, day__lt=day).order_by("account_id", "day")
    }
    rows = []
    for a in ids:
        ref = refs.get(a)
        if ref is None:
            continue
        k = kams.get(a, [])
        if a in stored:
            snap, before = stored[a]
            h = health_from_snapshot(snap.score, snap.components)
            change = core.change(before.score if before else None, h.score)
            snap_day, computed = snap.day, snap.computed_at
        else:
            h = healths[a]
            change = core.change(previous.get(a), h.score)
            snap_day, computed = None, None
        units = sorted({(x.org_unit_id, x.org_unit_name) for x in k if x.org_unit_id is not None}, key=lambda u: u[1])
        group = int(ref.path.split("/")[0]) if ref.path.split("/")[0].isdigit() else a
        rows.append(
            ScorecardRow(
                a, ref.name, ref.path, ref.kam_status_label,
                tuple(x.name for x in k), tuple(x.user_id for x in k),
                tuple(n for _i, n in units), tuple(i for i, _n in units),
                group, h, core.health_light(h.score), change, snap_day, computed,
            )
        )  # fmt: skip
    kam_options = sorted({p for r in rows for p in zip(r.kam_ids, r.kams, strict=True)}, key=lambda p: p[1].lower())
    team_options = sorted({p for r in rows for p in zip(r.team_ids, r.teams, strict=True)}, key=lambda p: p[1].lower())
    if f.kam is not None:
        rows = [r for r in rows if f.kam in r.kam_ids]
    if f.team is not None:
        rows = [r for r in rows if f.team in r.team_ids]
    if f.light:
        rows = [r for r in rows if r.light == f.light]
    if f.q:
        rows = [r for r in rows if f.q.lower() in r.name.lower()]
    if f.health_min is not None:
        rows = [r for r in rows if r.score is not None and r.score >= f.health_min]
    if f.health_max is not None:
        rows = [r for r in rows if r.score is not None and r.score <= f.health_max]
    rows.sort(key=_sort_key(f.sort if f.sort in SCORECARD_SORTS else "health"), reverse=f.descending)
    times = [r.computed_at for r in rows if r.computed_at is not None]
    return Scorecard(
        rows, *_rollups(rows), weights=weights, kam_options=kam_options, team_options=team_options,
        oldest_computed=min(times) if times else None, newest_computed=max(times) if times else None,
        computed_now=sum(1 for r in rows if r.computed_at is None),
    )  # fmt: skip


def _rollups(rows: list[ScorecardRow]) -> tuple[list[Rollup], list[Rollup], list[Rollup]]:
    kam: dict[int, tuple[str, list[float | None]]] = {}
    team: dict[int, tuple[str, list[float | None]]] = {}
    group: dict[int, list[float | None]] = {}
    for r in rows:
        for uid, name in zip(r.kam_ids, r.kams, strict=True):
            kam.setdefault(uid, (name, []))[1].append(r.score)
        for tid, name in zip(r.team_ids, r.teams, strict=True):
            team.setdefault(tid, (name, []))[1].append(r.score)
        group.setdefault(r.group_id, []).append(r.score)

    def rollup(kind: str, key: int, name: str, scores: list[float | None]) -> Rollup:
        mean = core.mean_health(scores)
        return Rollup(kind, key, name, len(scores), mean, core.health_light(mean))

    groups = accounts_facade.account_refs(group)
    group_names = {g: (ref.name if (ref := groups.get(g)) else str(g)) for g in group}
    by_kam = sorted((rollup("kam", k, n, s) for k, (n, s) in kam.items()), key=lambda r: r.name.lower())
    by_team = sorted((rollup("team", k, n, s) for k, (n, s) in team.items()), key=lambda r: r.name.lower())
    by_group = sorted((rollup("group", g, group_names[g], s) for g, s in group.items()), key=lambda r: r.name.lower())
    return by_kam, by_team, by_group


def notices_of(user: Actor, *, unread_only: bool = True) -> QuerySet[Notice]:
    """The user's notices, newest first."""
    qs = Notice.objects.filter(recipient_id=getattr(user, "pk", None)).select_related("account")
    return qs.filter(read_at__isnull=True) if unread_only else qs


@dataclass(frozen=True)
class KpiTarget:
    """One objective of the account's plan in force as the scorecard shows it: the KPI, its target and
    actual value, the tracking status and its traffic light."""

    title: str
    kpi_key: str
    target: Any
    actual: Any
    unit: str
    currency: str
    status: str
    light: str


def kpi_targets(account_id: int, *, today: dt.date | None = None) -> list[KpiTarget]:
    """The objectives (KPI targets) of the account's plan in force with their lights; empty without one."""
    from kampass.planning.selectors import current_plan
    from kampass.planning.selectors_objectives import objectives_progress

    plan = current_plan(account_id)
    if plan is None:
        return []
    day = today or timezone.localdate()
    return [
        KpiTarget(
            p.objective.title, p.objective.kpi_key, p.objective.target, p.actual, p.objective.unit,
            p.objective.currency, p.status, core.objective_light(p.status),
        )
        for p in objectives_progress(plan, today=day)
    ]  # fmt: skip
