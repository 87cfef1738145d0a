"""Reads of the solutions context: the library with its uses, the initiatives board, the realised
revenue of an initiative and the programme figures (solution reuse, innovation revenue against effort).

Figures of other contexts come through their facades: won opportunities from the pipeline, invoice
revenue by product group from the commercial context, the key accounts from the accounts context.
Amounts are converted into the reporting currency at the rate of their own day
(:mod:`kampass.common.fx`); every total names its rate source.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common import fx
from kampass.core import innovation
from kampass.pipeline import facade as pipeline_facade
from kampass.solutions.models import Initiative, Solution, SolutionStatus, SolutionUse, Stage

SOLUTION_SORTS = {
    "name": ("name", "pk"),
    "status": ("status", "name", "pk"),
    "uses": ("use_count", "name", "pk"),
    "accounts": ("account_count", "name", "pk"),
    "updated": ("updated_at", "pk"),
}


@dataclass(frozen=True)
class SolutionFilters:
    q: str = ""
    status: str = ""
    segment: str = ""
    sort: str = "name"
    descending: bool = False


def solution_list(*, filters: SolutionFilters | None = None) -> QuerySet[Solution]:
    """Solutions with the number of uses and of distinct accounts using them (``use_count``,
    ``account_count``), searched, filtered and sorted."""
    f = filters or SolutionFilters()
    qs = Solution.objects.annotate(
        use_count=Count("uses", distinct=True), account_count=Count("uses__account", distinct=True)
    )
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q)
            | Q(problem__icontains=f.q)
            | Q(value_proposition__icontains=f.q)
            | Q(segments__icontains=f.q)
            | Q(components__icontains=f.q)
        )
    if f.status in SolutionStatus.values:
        qs = qs.filter(status=f.status)
    if f.segment:
        qs = qs.filter(segments__icontains=f.segment)
    order = SOLUTION_SORTS.get(f.sort, SOLUTION_SORTS["name"])
    return qs.order_by(*[("-" + o if f.descending else o) for o in order])


def segment_choices() -> list[str]:
    """Every target segment named by a solution, alphabetically (case-insensitively unique)."""
    found: dict[str, str] = {}
    for raw in Solution.objects.exclude(segments="").values_list("segments", flat=True):
        for part in raw.split(","):
            part = part.strip()
            if part:
                found.setdefault(part.casefold(), part)
    return sorted(found.values(), key=str.casefold)


@dataclass(frozen=True)
class UseRow:
    """A use of a solution as the pages show it."""

    id: int
    solution_id: int
    solution: str
    account_id: int
    account: str
    opportunity_id: int | None
    opportunity: str
    plan_id: int | None
    note: str
    reference: bool
    linked_by: str
    linked_at: dt.datetime


def _use_rows(qs: QuerySet[SolutionUse]) -> list[UseRow]:
    uses = list(qs.select_related("solution", "account", "created_by"))
    names = {r.id: r.name for r in pipeline_facade.opportunity_refs(u.opportunity_id for u in uses if u.opportunity_id)}
    return [
        UseRow(
            u.pk,
            u.solution_id,
            u.solution.name,
            u.account_id,
            str(u.account),
            u.opportunity_id,
            names.get(u.opportunity_id, "") if u.opportunity_id else "",
            u.plan_id,
            u.note,
            u.reference,
            str(u.created_by) if u.created_by_id else "",
            u.created_at,
        )
        for u in uses
    ]


def solution_uses(solution: Solution) -> list[UseRow]:
    return _use_rows(solution.uses.order_by("account__name", "pk"))


def uses_by_solution(solution_ids: Iterable[int]) -> dict[int, list[UseRow]]:
    """The uses of these solutions (for the library table), per solution."""
    out: dict[int, list[UseRow]] = defaultdict(list)
    for row in _use_rows(
        SolutionUse.objects.filter(solution_id__in=list(solution_ids)).order_by("account__name", "pk")
    ):
        out[row.solution_id].append(row)
    return dict(out)


def account_uses(account_ids: Iterable[int]) -> list[UseRow]:
    return _use_rows(SolutionUse.objects.filter(account_id__in=list(account_ids)).order_by("solution__name", "pk"))


# ---------------------------------------------------------------- initiatives

INITIATIVE_SORTS = {"name": ("name", "pk"), "stage": ("stage", "name", "pk"), "start": ("starts", "pk")}


@dataclass(frozen=True)
class InitiativeFilters:
    q: str = ""
    stage: str = ""
    account_id: int | None = None
    sort: str = "name"
    descending: bool = False


def initiative_list(*, filters: InitiativeFilters | None = None) -> QuerySet[Initiative]:
    f = filters or InitiativeFilters()
    qs = Initiative.objects.select_related("solution").annotate(account_count=Count("accounts", distinct=True))
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(description__icontains=f.q))
    if f.stage in Stage.values:
        qs = qs.filter(stage=f.stage)
    if f.account_id is not None:
        qs = qs.filter(accounts__pk=f.account_id)
    order = INITIATIVE_SORTS.get(f.sort, INITIATIVE_SORTS["name"])
    return qs.order_by(*[("-" + o if f.descending else o) for o in order])


def board_columns() -> list[tuple[str, str, list[Initiative]]]:
    """The initiatives per stage (``(stage, label, initiatives)``), in the order of the stages."""
    by_stage: dict[str, list[Initiative]] = defaultdict(list)
    for i in Initiative.objects.prefetch_related("accounts").order_by("stage_since", "name", "pk"):
        by_stage[i.stage].append(i)
    return [(value, str(label), by_stage.get(value, [])) for value, label in Stage.choices]


@dataclass(frozen=True)
class RevenueLine:
    """One source of an initiative's revenue: a won opportunity or a product group at an account."""

    kind: str  # "opportunity" | "product_group"
    label: str
    account: str
    amount: Decimal
    currency: str
    converted: Decimal


@dataclass
class RealisedRevenue:
    """The revenue an initiative realised since its start, in ``currency`` (``conversion``: the rates used)."""

    currency: str
    total: Decimal = Decimal(0)
    opportunities: Decimal = Decimal(0)
    product_groups: Decimal = Decimal(0)
    lines: list[RevenueLine] = field(default_factory=list)
    conversion: str = ""


def _won(opportunity_ids: Iterable[int]) -> list[pipeline_facade.OpportunityRef]:
    return [r for r in pipeline_facade.opportunity_refs(opportunity_ids) if r.outcome == "won"]


def realised_revenue(
    initiative: Initiative, *, currency: str | None = None, until: dt.date | None = None
) -> RealisedRevenue:
    """What ``initiative`` earned: the amounts of its linked opportunities that were won, plus the gross
    invoice revenue of its product groups at its accounts' customers from its start (to ``until``)."""
    code = (currency or fx.reporting_currency()).upper()
    total = fx.Consolidation(code)
    out = RealisedRevenue(code)
    today = timezone.localdate()
    for ref in _won(initiative.opportunities.values_list("pk", flat=True)):
        day = ref.closed_on or today
        if until is not None and day > until:
            continue
        value = total.add(ref.amount, ref.currency, day)
        out.opportunities += value
        out.lines.append(RevenueLine("opportunity", ref.name, ref.account_name, ref.amount, ref.currency, value))
    account_names = dict(initiative.accounts.values_list("pk", "name"))
    groups: dict[tuple[int, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = commercial_facade.product_group_revenue(
        account_names, initiative.product_groups, since=initiative.starts, until=until
    )
    for account_id, group, day, cur, amount in rows:
        value = total.add(amount, cur, day)
        out.product_groups += value
        sums = groups[(account_id, group, cur)]
        sums[0] += amount
        sums[1] += value
    for (account_id, group, cur), (amount, value) in sorted(groups.items()):
        out.lines.append(RevenueLine("product_group", group, account_names.get(account_id, ""), amount, cur, value))
    out.total = total.total
    out.conversion = total.describe()
    return out


# ---------------------------------------------------------------- programme figures


def solution_reuse_share() -> float | None:
    """Share of the solutions in use at key accounts that are used at two or more distinct key accounts."""
    keys = [a.id for a in accounts_facade.key_account_refs()]
    pairs = SolutionUse.objects.filter(account_id__in=keys).values_list("solution_id", "account_id")
    return innovation.reuse_share(pairs)


@dataclass(frozen=True)
class InnovationFigures:
    """The Innovation guardrail's parts over the window (in ``currency``): see ``facade.programme_signals``."""

    window_start: dt.date
    window_end: dt.date
    currency: str
    parts: innovation.RevenueEffort
    conversion: str


def innovation_figures(*, as_of: dt.date | None = None) -> InnovationFigures:
    """Innovation revenue share against innovation effort share over the twelve months up to ``as_of``
    (default: the newest invoice day of the key accounts, today without invoice lines)."""
    code = fx.reporting_currency()
    keys = [a.id for a in accounts_facade.key_account_refs()]
    daily = commercial_facade.daily_gross_revenue(keys)
    if as_of is None:
        days = [rows[-1][0] for rows in daily.values() if rows]
        as_of = max(days) if days else timezone.localdate()
    start, end = innovation.window_before(as_of)
    consolidation = fx.Consolidation(code)
    key_revenue = Decimal(0)
    for rows in daily.values():
        for day, cur, amount in rows:
            if start <= day <= end:
                key_revenue += consolidation.add(amount, cur, day)

    key_set = set(keys)
    revenue = Decimal(0)
    effort = Decimal(0)
    seen_opportunities: set[int] = set()
    first_start: dict[tuple[int, str], dt.date] = {}
    for i in Initiative.objects.prefetch_related("accounts", "opportunities"):
        end_of = i.ends or end
        effort += consolidation.add(innovation.prorated(i.effort_cost, i.starts, end_of, start, end), i.currency, end)
        seen_opportunities.update(o.pk for o in i.opportunities.all())
        for account in i.accounts.all():
            if account.pk not in key_set:
                continue
            for group in i.product_groups:
                key = (account.pk, group)
                first_start[key] = min(first_start.get(key, i.starts), i.starts)
    for ref in _won(seen_opportunities):
        if ref.closed_on is not None and start <= ref.closed_on <= end:
            revenue += consolidation.add(ref.amount, ref.currency, ref.closed_on)
    if first_start:
        accounts = {a for a, _ in first_start}
        groups = {g for _, g in first_start}
        since = max(min(first_start.values()), start)
        for account_id, group, day, cur, amount in commercial_facade.product_group_revenue(
            accounts, groups, since=since, until=end
        ):
            began = first_start.get((account_id, group))
            if began is not None and day >= began:
                revenue += consolidation.add(amount, cur, day)
    parts = innovation.revenue_effort(
        innovation_revenue=revenue, key_account_revenue=key_revenue, innovation_effort=effort, effort_base=key_revenue
    )
    return InnovationFigures(start, end, code, parts, consolidation.describe())
