"""Read operations of the pipeline context: the board, opportunity lists and details, the risk
matrix, the forecast per period, the optimism analysis and the model report.

Visibility follows the commercial figures: a key account manager sees the opportunities of
the accounts whose team they are on and of everything below them; head of KAM, controllers,
viewers and administrators see all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from kampass.accounts.models import Account, TeamMember
from kampass.accounts.rules import is_admin, is_head, is_reader, team_account_ids
from kampass.common.permissions import authorize
from kampass.pipeline.models import (
    ACTIVE_RISK_STATUSES,
    LATE_STAGE_ELEMENTS,
    ModelVersion,
    Opportunity,
    OpportunityContact,
    OpportunityStageChange,
    Outcome,
    Qualification,
    QualificationElement,
    QualificationStatus,
    Risk,
    Stage,
    StageKind,
    StageSet,
    TrainingJob,
)
from kampass.users.actors import Actor

CENT = Decimal("0.01")


# ---------------------------------------------------------------- visibility and lists


def visible_q(user: Actor, prefix: str = "") -> Q | None:
    """A filter for what ``user`` may see (``None``: everything). ``prefix`` leads to the
    opportunity (e.g. ``"opportunity__"`` for risks)."""
    if is_admin(user) or is_head(user) or is_reader(user):
        return None
    paths = list(Account.objects.filter(pk__in=team_account_ids(user)).values_list("path", flat=True))
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}account__path__startswith": path})
    return q


def visible_opportunities(user: Actor) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.all()
    q = visible_q(user)
    return qs if q is None else qs.filter(q)


@dataclass(frozen=True)
class OpportunityFilters:
    """Filters of the board, the list and the forecast (all optional)."""

    q: str = ""
    owner: int | None = None  # user id
    owner_name: str = ""  # an imported owner without a user
    account: int | None = None
    subtree: bool = False  # with ``account``: the account and everything below it
    stage: int | None = None
    stage_set: int | None = None
    outcome: str = ""  # open | won | lost
    forecast_category: str = ""
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    sort: str = "close"
    descending: bool = False


SORTS: dict[str, Any] = {
    "close": F("expected_close_date"),
    "name": F("name"),
    "amount": F("amount"),
    "probability": F("probability"),
    "owner_probability": F("owner_probability"),
    "stage": F("stage__order"),
    "account": F("account__name"),
    "owner": F("owner_name"),
    "updated": F("updated_at"),
    "created": F("created_on"),
}


def opportunity_list(*, user: Actor, filters: OpportunityFilters | None = None) -> QuerySet[Opportunity]:
    """Visible opportunities matching ``filters``, sorted (``filters.sort`` in ``SORTS``; missing values last)."""
    f = filters or OpportunityFilters()
    qs = visible_opportunities(user).select_related("account", "stage", "owner", "model_version")
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q)
            | Q(account__name__icontains=f.q)
            | Q(owner_name__icontains=f.q)
            | Q(external_id__iexact=f.q)
        )
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.owner_name:
        qs = qs.filter(owner_name=f.owner_name)
    if f.account:
        if f.subtree:
            root = Account.objects.filter(pk=f.account).values_list("path", flat=True).first()
            qs = qs.filter(account__path__startswith=root) if root else qs.none()
        else:
            qs = qs.filter(account_id=f.account)
    if f.stage:
        qs = qs.filter(stage_id=f.stage)
    if f.stage_set:
        qs = qs.filter(stage_set_id=f.stage_set)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.forecast_category:
        qs = qs.filter(forecast_category=f.forecast_category)
    if f.close_from:
        qs = qs.filter(expected_close_date__gte=f.close_from)
    if f.close_to:
        qs = qs.filter(expected_close_date__lte=f.close_to)
    order = SORTS.get(f.sort, SORTS["close"])
    order = order.desc(nulls_last=True) if f.descending else order.asc(nulls_last=True)
    return qs.order_by(order, "pk")


def owner_options(*, user: Actor) -> list[tuple[str, str]]:
    """Owners of visible opportunities as (filter value, label): ``"u:<id>"`` for users, ``"n:<name>"`` for names."""
    qs = visible_opportunities(user)
    users = (
        qs.filter(owner__isnull=False)
        .values_list("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .order_by()
        .distinct()
    )
    out = [(f"u:{pk}", f"{first} {last}".strip() or username) for pk, first, last, username in users]
    names = (
        qs.filter(owner__isnull=True).exclude(owner_name="").values_list("owner_name", flat=True).order_by().distinct()
    )
    out += [(f"n:{n}", n) for n in names]
    return sorted(out, key=lambda o: o[1].lower())


# ---------------------------------------------------------------- board


@dataclass(frozen=True)
class BoardColumn:
    """One stage on the board: its opportunities (the first ``limit``), how many, and what they are worth
    (per currency; ``weighted`` by the calibrated probability where scored, else the owner's)."""

    stage: Stage
    count: int
    amounts: dict[str, Decimal]
    weighted: dict[str, Decimal]
    opportunities: list[Opportunity]

    @property
    def more(self) -> int:
        return self.count - len(self.opportunities)


@dataclass(frozen=True)
class Board:
    stage_set: StageSet
    columns: list[BoardColumn]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


def _weight(o: Opportunity) -> float:
    if o.probability is not None:
        return o.probability
    if o.owner_probability is not None:
        return o.owner_probability / 100
    return o.stage.probability / 100


def pipeline_board(
    *,
    user: Actor,
    filters: OpportunityFilters | None = None,
    stage_set: StageSet | None = None,
    include_closed: bool = False,
    limit: int = 50,
) -> Board:
    """The opportunities of one sales process (default: the default one) by stage, in stage order.

    Closed stages are left out unless ``include_closed``."""
    from kampass.pipeline.services import default_stage_set

    authorize(user, "pipeline.view_pipeline")
    stage_set = stage_set or default_stage_set()
    stages = list(stage_set.stages.order_by("order"))
    if not include_closed:
        stages = [s for s in stages if s.kind == StageKind.OPEN]
    qs = opportunity_list(user=user, filters=filters).filter(stage_set=stage_set)
    # one query for the totals of all columns, then one page of cards per column
    amounts: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    weighted: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[int, int] = defaultdict(int)
    by_id = {stage.pk: stage for stage in stages}
    for stage_id, currency, amount, p, owner_p in qs.filter(stage__in=stages).values_list(
        "stage_id", "currency", "amount", "probability", "owner_probability"
    ):
        stage_probability = by_id[stage_id].probability
        counts[stage_id] += 1
        amounts[stage_id][currency] += amount
        w = p if p is not None else (owner_p / 100 if owner_p is not None else stage_probability / 100)
        weighted[stage_id][currency] += (amount * Decimal(str(w))).quantize(CENT)
    columns = [
        BoardColumn(
            stage,
            counts[stage.pk],
            dict(amounts[stage.pk]),
            dict(weighted[stage.pk]),
            list(qs.filter(stage=stage)[:limit]) if counts[stage.pk] else [],
        )
        for stage in stages
    ]
    return Board(stage_set, columns)


# ---------------------------------------------------------------- one opportunity


@dataclass(frozen=True)
class QualificationRow:
    element: str
    label: str
    status: str
    status_label: str
    evidence: str
    flagged: bool  # economic buyer / champion not confirmed in a late stage
    item: Qualification | None


def qualification_rows(opportunity: Opportunity) -> list[QualificationRow]:
    """The eight MEDDPICC elements in order (missing ones included), with the late-stage flags."""
    items = {q.element: q for q in opportunity.qualification.all()}
    late = opportunity.is_open and opportunity.stage.is_late
    labels = dict(QualificationStatus.choices)
    rows = []
    for element, label in QualificationElement.choices:
        item = items.get(element)
        status = item.status if item else QualificationStatus.MISSING
        rows.append(
            QualificationRow(
                element=element,
                label=str(label),
                status=status,
                status_label=str(labels[status]),
                evidence=item.evidence if item else "",
                flagged=late and element in LATE_STAGE_ELEMENTS and status != QualificationStatus.CONFIRMED,
                item=item,
            )
        )
    return rows


def qualification_flags(opportunity: Opportunity) -> list[str]:
    """Elements flagged on this opportunity: economic buyer or champion not confirmed in a late stage."""
    return [r.element for r in qualification_rows(opportunity) if r.flagged]


@dataclass(frozen=True)
class OpportunityDetail:
    opportunity: Opportunity
    stages: list[Stage]  # of its sales process, in order
    history: list[OpportunityStageChange]
    qualification: list[QualificationRow]
    flags: list[str]
    contacts: list[OpportunityContact]
    risks: list[Risk]
    expected_risk_cost: dict[str, Decimal]  # active risks, per currency
    explanation: list[Any]  # core ``Factor`` list (empty without a score)
    can_edit: bool


def opportunity_get(*, user: Actor, pk: int) -> Opportunity:
    """The opportunity if ``user`` may see it (404 if there is none, ``PermissionDenied`` if hidden)."""
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("account", "stage", "stage__stage_set", "owner", "model_version"), pk=pk
    )
    authorize(user, "pipeline.view_opportunity", opportunity)
    return opportunity


def opportunity_detail(*, user: Actor, pk: int, explain: bool = True) -> OpportunityDetail:
    """Everything the opportunity page shows."""
    from kampass.pipeline.services import score_explanation

    opportunity = opportunity_get(user=user, pk=pk)
    risks = list(opportunity.risks.select_related("owner"))
    explanation: list[Any] = []
    if explain and opportunity.is_open:
        try:
            explanation = score_explanation(opportunity)
        except ImportError:  # the modelling core is not installed
            explanation = []
    rows = qualification_rows(opportunity)
    return OpportunityDetail(
        opportunity=opportunity,
        stages=list(opportunity.stage_set.stages.order_by("order")),
        history=list(opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")),
        qualification=rows,
        flags=[r.element for r in rows if r.flagged],
        contacts=list(opportunity.contacts.select_related("contact")),
        risks=risks,
        expected_risk_cost=_risk_cost_by_currency(r for r in risks if r.status in ACTIVE_RISK_STATUSES),
        explanation=explanation,
        can_edit=user.has_perm("pipeline.change_opportunity", opportunity),
    )


def opportunity_history(opportunity: Opportunity, *, limit: int = 200) -> list[Any]:
    """Field changes of the opportunity (django-simple-history records, newest first)."""
    return list(opportunity.history.select_related("history_user").order_by("-history_date")[:limit])


# ---------------------------------------------------------------- risks


def _risk_cost_by_currency(risks: Iterable[Risk]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in risks:
        cost = r.expected_cost
        if cost is not None:
            out[r.currency] += cost
    return dict(out)


def risk_list(
    *,
    user: Actor,
    opportunity: Opportunity | None = None,
    account: int | None = None,
    subtree: bool = False,
    active_only: bool = False,
) -> QuerySet[Risk]:
    """Visible risks, of one opportunity, one account or one account's subtree."""
    qs = Risk.objects.select_related("opportunity", "opportunity__account", "owner")
    q = visible_q(user, "opportunity__")
    if q is not None:
        qs = qs.filter(q)
    if opportunity is not None:
        qs = qs.filter(opportunity=opportunity)
    if account:
        if subtree:
            root = Account.objects.filter(pk=account).values_list("path", flat=True).first()
            qs = qs.filter(opportunity__account__path__startswith=root) if root else qs.none()
        else:
            qs = qs.filter(opportunity__account_id=account)
    if active_only:
        qs = qs.filter(status__in=ACTIVE_RISK_STATUSES)
    return qs


@dataclass(frozen=True)
class RiskMatrix:
    """Counts of risks by likelihood x impact: ``cells[likelihood - 1][impact - 1]``."""

    cells: list[list[int]]
    total: int
    expected_cost: dict[str, Decimal]

    def count(self, likelihood: int, impact: int) -> int:
        return self.cells[likelihood - 1][impact - 1]


def risk_matrix(
    *,
    user: Actor,
    opportunity: Opportunity | None = None,
    account: int | None = None,
    subtree: bool = False,
    active_only: bool = True,
) -> RiskMatrix:
    """The 5x5 risk matrix of the visible (by default: active) risks in scope."""
    qs = risk_list(user=user, opportunity=opportunity, account=account, subtree=subtree, active_only=active_only)
    cells = [[0] * 5 for _ in range(5)]
    for likelihood, impact, n in qs.values_list("likelihood", "impact").annotate(n=Count("pk")).order_by():
        cells[likelihood - 1][impact - 1] += n
    return RiskMatrix(cells, sum(map(sum, cells)), _risk_cost_by_currency(qs))


# ---------------------------------------------------------------- forecast


def period_label(day: dt.date, period: str) -> str:
    """``"2026-12"`` for months, ``"2027-Q1"`` for quarters."""
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


@dataclass(frozen=True)
class ForecastRow:
    """One period: the pipeline value, and expected/P10/P50/P90 revenue from the calibrated
    probabilities and from the owners' probabilities."""

    period: str
    deals: int
    pipeline: Decimal
    expected: Decimal | None
    p10: Decimal | None
    p50: Decimal | None
    p90: Decimal | None
    owner_expected: Decimal
    owner_p10: Decimal
    owner_p50: Decimal
    owner_p90: Decimal

    def as_json(self) -> dict[str, Any]:
        def m(v: Decimal | None) -> str | None:
            return None if v is None else str(v.quantize(CENT))

        return {
            "period": self.period,
            "deals": self.deals,
            "pipeline": m(self.pipeline),
            "calibrated": {"expected": m(self.expected), "p10": m(self.p10), "p50": m(self.p50), "p90": m(self.p90)},
            "owner": {
                "expected": m(self.owner_expected),
                "p10": m(self.owner_p10),
                "p50": m(self.owner_p50),
                "p90": m(self.owner_p90),
            },
        }


@dataclass(frozen=True)
class ForecastGroup:
    key: str
    label: str
    rows: list[ForecastRow]


@dataclass(frozen=True)
class ForecastReport:
    """The forecast of open opportunities with an expected close date, in one currency.

    Calibrated figures use the stored model probabilities; deals not scored yet are left out
    of them (``unscored``). Owner figures use the owner's probability, or the stage's default
    probability where the owner gave none. Deals in other currencies (``other_currencies``) and
    without a close date (``undated``) are counted, not included."""

    period: str
    currency: str
    currencies: list[str]
    rows: list[ForecastRow]
    groups: list[ForecastGroup]
    group_by: str
    deals: int
    unscored: int
    undated: int
    other_currencies: int
    model_version: str | None
    simulations: int
    seed: int

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "currency": self.currency,
            "currencies": self.currencies,
            "deals": self.deals,
            "unscored": self.unscored,
            "undated": self.undated,
            "other_currencies": self.other_currencies,
            "model_version": self.model_version,
            "simulations": self.simulations,
            "seed": self.seed,
            "rows": [r.as_json() for r in self.rows],
            "group_by": self.group_by,
            "groups": [{"key": g.key, "label": g.label, "rows": [r.as_json() for r in g.rows]} for g in self.groups],
        }


Item = tuple[str, Decimal, float | None, float]


def _forecast_rows(items: list[Item], simulations: int, seed: int) -> list[ForecastRow]:
    """``items``: (period, amount, calibrated p or None, owner p)."""
    from kampass.core.forecasting import forecast_distribution

    if not items:
        return []
    scored = [i for i in items if i[2] is not None]
    calibrated = {
        f.period: f
        for f in forecast_distribution(
            [float(i[2]) for i in scored],  # type: ignore[arg-type]
            [i[1] for i in scored],
            [i[0] for i in scored],
            simulations=simulations,
            seed=seed,
        )
    }
    owner = {
        f.period: f
        for f in forecast_distribution(
            [i[3] for i in items], [i[1] for i in items], [i[0] for i in items], simulations=simulations, seed=seed
        )
    }
    pipeline: dict[str, Decimal] = defaultdict(Decimal)
    deals: Counter[str] = Counter()
    for period, amount, _p, _o in items:
        pipeline[period] += amount
        deals[period] += 1
    rows = []
    for period in sorted(pipeline):
        c, o = calibrated.get(period), owner[period]
        rows.append(
            ForecastRow(
                period=period,
                deals=deals[period],
                pipeline=pipeline[period],
                expected=c.expected if c else None,
                p10=c.p10 if c else None,
                p50=c.p50 if c else None,
                p90=c.p90 if c else None,
                owner_expected=o.expected,
                owner_p10=o.p10,
                owner_p50=o.p50,
                owner_p90=o.p90,
            )
        )
    return rows


def forecast(
    *,
    user: Actor,
    filters: OpportunityFilters | None = None,
    period: str = "month",
    group_by: str = "",
    currency: str = "",
    simulations: int = 10_000,
    seed: int = 0,
) -> ForecastReport:
    """Expected revenue per month or quarter with P10/P50/P90 (Monte Carlo over independent
    outcomes, ``kampass.core.forecasting.forecast_distribution``), from the calibrated and from
    the owners' probabilities; optionally also per ``group_by`` owner or account.

    ``currency`` picks the currency (default: the one most open deals are in)."""
    authorize(user, "pipeline.view_pipeline")
    if period not in ("month", "quarter"):
        period = "month"
    base = opportunity_list(user=user, filters=filters).filter(outcome=Outcome.OPEN)
    records = list(
        base.values_list(
            "pk",
            "expected_close_date",
            "amount",
            "currency",
            "probability",
            "owner_probability",
            "stage__probability",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "owner_name",
            "account_id",
            "account__name",
            "model_version__version",
        )
    )
    counts = Counter(r[3] for r in records)
    currencies = sorted(counts, key=lambda c: (-counts[c], c))
    chosen = currency or (currencies[0] if currencies else "EUR")
    in_currency = [r for r in records if r[3] == chosen]
    dated = [r for r in in_currency if r[1] is not None]
    versions = Counter(r[14] for r in dated if r[14])

    def item(r: tuple[Any, ...]) -> tuple[str, Decimal, float | None, float]:
        owner_p = (r[5] if r[5] is not None else r[6]) / 100
        return (period_label(r[1], period), r[2], r[4], owner_p)

    groups: list[ForecastGroup] = []
    if group_by in ("owner", "account"):
        by: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        labels: dict[str, str] = {}
        for r in dated:
            if group_by == "owner":
                key = f"u:{r[7]}" if r[7] else f"n:{r[11]}"
                labels[key] = (f"{r[8]} {r[9]}".strip() or r[10]) if r[7] else (r[11] or "–")
            else:
                key, labels[f"{r[12]}"] = f"{r[12]}", r[13]
            by[key].append(r)
        for key in sorted(by, key=lambda k: labels[k].lower()):
            rows = _forecast_rows([item(r) for r in by[key]], simulations, seed)
            groups.append(ForecastGroup(key, labels[key], rows))
    return ForecastReport(
        period=period,
        currency=chosen,
        currencies=currencies,
        rows=_forecast_rows([item(r) for r in dated], simulations, seed),
        groups=groups,
        group_by=group_by if groups or group_by in ("owner", "account") else "",
        deals=len(dated),
        unscored=sum(1 for r in dated if r[4] is None),
        undated=len(in_currency) - len(dated),
        other_currencies=len(records) - len(in_currency),
        model_version=versions.most_common(1)[0][0] if versions else None,
        simulations=simulations,
        seed=seed,
    )


# ---------------------------------------------------------------- optimism analysis


@dataclass(frozen=True)
class OptimismReport:
    """Owners' probabilities vs outcomes (and the model's) per owner, team or account, over the
    visible closed opportunities. ``rows`` are core ``CalibrationRow`` records; the model's
    probability of a deal is the score stored while it was open, else its out-of-fold
    probability from the active model version's cross-validation."""

    by: str
    rows: list[Any]
    deals: int
    with_owner_probability: int
    with_model_probability: int
    model_version: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "deals": self.deals,
            "with_owner_probability": self.with_owner_probability,
            "with_model_probability": self.with_model_probability,
            "model_version": self.model_version,
            "rows": [
                {
                    "group": r.group,
                    "deals": r.deals,
                    "win_rate": r.win_rate,
                    "owner_mean": r.owner_mean,
                    "owner_bias": r.owner_bias,
                    "owner_brier": r.owner_brier,
                    "model_mean": r.model_mean,
                    "model_bias": r.model_bias,
                    "model_brier": r.model_brier,
                }
                for r in self.rows
            ],
        }


def _owner_units(records: list[tuple[Any, ...]]) -> dict[tuple[int, int], str]:
    """Org unit of (owner, account) from the account teams (on the account or an ancestor)."""
    from kampass.core.hierarchy import path_ids

    owners = {r[1] for r in records if r[1]}
    members = TeamMember.objects.filter(user_id__in=owners, org_unit__isnull=False).values_list(
        "user_id", "account_id", "org_unit__name"
    )
    unit_of: dict[tuple[int, int], str] = {(u, a): n for u, a, n in members}
    fallback: dict[int, str] = {}
    for u, _a, n in members:
        fallback.setdefault(u, n)
    out = {}
    for r in records:
        if not r[1]:
            continue
        name = next((unit_of[(r[1], a)] for a in reversed(path_ids(r[2]) or []) if (r[1], a) in unit_of), None)
        out[(r[1], r[0])] = name or fallback.get(r[1], "")
    return out


def optimism(*, user: Actor, by: str = "owner", filters: OpportunityFilters | None = None) -> OptimismReport:
    """How optimistic owners' numbers are per owner, team (the owner's org unit) or account,
    compared with outcomes and with the model (core ``owner_calibration``)."""
    from kampass.core.forecasting import owner_calibration

    authorize(user, "pipeline.view_pipeline")
    if by not in ("owner", "team", "account"):
        by = "owner"
    qs = opportunity_list(user=user, filters=filters).exclude(outcome=Outcome.OPEN)
    records = list(
        qs.values_list(
            "pk",
            "owner_id",
            "account__path",
            "outcome",
            "owner_probability",
            "probability",
            "scored_at",
            "closed_on",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "owner_name",
            "account__name",
        )
    )
    active = ModelVersion.objects.filter(active=True).order_by("-trained_at").only("version", "holdout").first()
    holdout = active.holdout if active else {}
    units = _owner_units([(r[0], r[1], r[2]) for r in records]) if by == "team" else {}
    owner_ps: list[float | None] = []
    model_ps: list[float | None] = []
    outcomes: list[int] = []
    groups: list[str] = []
    for r in records:
        owner_ps.append(None if r[4] is None else r[4] / 100)
        scored_open = r[5] is not None and r[6] is not None and (r[7] is None or r[6].date() <= r[7])
        model_ps.append(r[5] if scored_open else holdout.get(str(r[0])))
        outcomes.append(1 if r[3] == Outcome.WON else 0)
        if by == "owner":
            groups.append((f"{r[8]} {r[9]}".strip() or r[10]) if r[1] else (r[11] or "–"))
        elif by == "team":
            groups.append(units.get((r[1], r[0]), "") or "–")
        else:
            groups.append(r[12])
    rows = owner_calibration(owner_ps, model_ps, outcomes, groups) if records else []
    return OptimismReport(
        by=by,
        rows=list(rows),
        deals=len(records),
        with_owner_probability=sum(p is not None for p in owner_ps),
        with_model_probability=sum(p is not None for p in model_ps),
        model_version=active.version if active else None,
    )


# ---------------------------------------------------------------- model report


@dataclass(frozen=True)
class ModelReport:
    """The active model version with its cross-validation scores (beside the base rate and the
    naive-Bayes scorer) and reliability bins, the earlier versions and the latest training job."""

    version: ModelVersion | None
    metrics: dict[str, Any]
    reliability: dict[str, list[dict[str, Any]]]
    versions: list[ModelVersion]
    latest_job: TrainingJob | None
    scored_open: int
    open_total: int
    can_train: bool = False
    features: list[str] = field(default_factory=list)


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.defer("model", "holdout").order_by("-trained_at")


def model_report(*, user: Actor) -> ModelReport:
    authorize(user, "pipeline.view_model")
    versions = list(model_versions()[:20])
    active = next((v for v in versions if v.active), None)
    open_qs = visible_opportunities(user).filter(outcome=Outcome.OPEN)
    counts = open_qs.aggregate(total=Count("pk"), scored=Count("pk", filter=Q(probability__isnull=False)))
    return ModelReport(
        version=active,
        metrics=active.metrics if active else {},
        reliability=active.reliability if active else {},
        versions=versions,
        latest_job=TrainingJob.objects.select_related("model_version").first(),
        scored_open=counts["scored"],
        open_total=counts["total"],
        can_train=user.has_perm("pipeline.train_model"),
        features=list(active.features) if active else [],
    )


# ---------------------------------------------------------------- per account (for the account page)


@dataclass(frozen=True)
class AccountPipeline:
    """Open pipeline of an account (or its subtree) for the account page."""

    open_count: int
    amounts: dict[str, Decimal]
    won_count: int
    lost_count: int
    expected_risk_cost: dict[str, Decimal]


def account_pipeline(*, user: Actor, account: Account, subtree: bool = False) -> AccountPipeline:
    filters = OpportunityFilters(account=account.pk, subtree=subtree)
    qs = opportunity_list(user=user, filters=filters).order_by()
    by_outcome = dict(qs.values_list("outcome").annotate(n=Count("pk")))
    amounts = dict(qs.filter(outcome=Outcome.OPEN).values_list("currency").annotate(s=Sum("amount")))
    risks = risk_list(user=user, account=account.pk, subtree=subtree, active_only=True).exclude(
        opportunity__outcome=Outcome.LOST
    )
    return AccountPipeline(
        open_count=by_outcome.get(Outcome.OPEN, 0),
        amounts=amounts,
        won_count=by_outcome.get(Outcome.WON, 0),
        lost_count=by_outcome.get(Outcome.LOST, 0),
        expected_risk_cost=_risk_cost_by_currency(risks),
    )


def ensure_visible(user: Actor, opportunity: Opportunity) -> None:
    if not user.has_perm("pipeline.view_opportunity", opportunity):
        raise PermissionDenied
