"""Targets (quotas): which a user sees, the list with search, filters and sorting, and the forecast by
forecast category against them (won so far, commit, best case, pipeline, the target and the gap)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.pipeline.models import ForecastCategory, Outcome, Target, TargetScope
from kampass.pipeline.selectors.lists import CENT, OpportunityFilters, opportunity_list
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_reader

#: The most targets the forecast page sets against the forecast at once.
MAX_ATTAINMENT_ROWS = 200


def visible_targets(user: Actor) -> QuerySet[Target]:
    """The targets ``user`` may read: all for administrators, head of KAM, controllers and viewers; a
    key account manager's own, their teams' and those of the account subtrees they are on the team of."""
    qs = Target.objects.select_related("owner", "org_unit", "account")
    if is_admin(user) or is_head(user) or is_reader(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    accounts = accounts_facade.in_team_subtrees(user)
    units = accounts_facade.org_unit_ids(user)
    return qs.filter(
        Q(scope=TargetScope.OWNER, owner_id=user.pk)
        | Q(scope=TargetScope.TEAM, org_unit_id__in=units)
        | (Q(scope=TargetScope.ACCOUNT) & accounts)
    )


@dataclass(frozen=True)
class TargetFilters:
    """Filters of the target list (all optional)."""

    q: str = ""
    scope: str = ""
    period: str = ""
    year: int | None = None
    sort: str = "period"
    descending: bool = False


TARGET_SORTS: dict[str, list[Any]] = {
    "period": ["year", "period", "number"],
    "subject": [Coalesce(Lower("owner__last_name"), Lower("org_unit__name"), Lower("account__name"))],
    "scope": ["scope"],
    "amount": ["amount"],
    "currency": ["currency"],
    "updated": ["updated_at"],
}


def target_list(*, user: Actor, filters: TargetFilters | None = None) -> QuerySet[Target]:
    """Visible targets matching ``filters``, sorted (``filters.sort`` in ``TARGET_SORTS``)."""
    authorize(user, "pipeline.view_targets")
    f = filters or TargetFilters()
    qs = visible_targets(user)
    if f.q:
        qs = qs.filter(
            Q(owner__username__icontains=f.q)
            | Q(owner__first_name__icontains=f.q)
            | Q(owner__last_name__icontains=f.q)
            | Q(org_unit__name__icontains=f.q)
            | Q(account__name__icontains=f.q)
            | Q(note__icontains=f.q)
        )
    if f.scope:
        qs = qs.filter(scope=f.scope)
    if f.period:
        qs = qs.filter(period=f.period)
    if f.year:
        qs = qs.filter(year=f.year)
    keys = TARGET_SORTS.get(f.sort, TARGET_SORTS["period"])
    order = [(k.desc() if f.descending else k.asc()) if not isinstance(k, str) else (f"-{k}" if f.descending else k)
             for k in keys]  # fmt: skip
    return qs.order_by(*order, "pk")


def target_get(*, user: Actor, pk: int) -> Target:
    """The target if ``user`` may read it (404 when there is none, 403 when it is hidden)."""
    target = get_object_or_404(Target.objects.select_related("owner", "org_unit", "account"), pk=pk)
    authorize(user, "pipeline.view_target", target)
    return target


# ---------------------------------------------------------------- forecast against targets


@dataclass(frozen=True)
class TargetAttainment:
    """One target against the deals of its subject in its period, every amount converted into the
    target's currency: ``won`` (won deals closed in the period; at the rate of the closing day),
    ``commit``, ``best_case`` and ``pipeline`` (open deals of that forecast category expected to close
    in the period; at the rate of the expected close date, today's for dates ahead). The categories
    do not include each other. ``gap`` = target − won − commit (what still has to come from best case
    and pipeline); ``gap_best_case`` = gap − best case. ``unconverted`` deals are in a currency no
    rate source knows and are left out (counted, never silently)."""

    target: Target
    won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    deals: int
    unconverted: int

    @property
    def gap(self) -> Decimal:
        return self.target.amount - self.won - self.commit

    @property
    def gap_best_case(self) -> Decimal:
        return self.gap - self.best_case

    @property
    def attainment(self) -> float | None:
        """Won so far as a share of the target (``None`` for a target of zero)."""
        return float(self.won / self.target.amount) if self.target.amount else None

    def as_json(self) -> dict[str, Any]:
        t = self.target

        def m(v: Decimal) -> str:
            return str(v.quantize(CENT))

        return {
            "target_id": t.pk,
            "scope": t.scope,
            "subject": t.subject_label,
            "period": t.period,
            "period_label": t.period_label,
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
            "currency": t.currency,
            "target": m(t.amount),
            "won": m(self.won),
            "commit": m(self.commit),
            "best_case": m(self.best_case),
            "pipeline": m(self.pipeline),
            "gap": m(self.gap),
            "gap_best_case": m(self.gap_best_case),
            "attainment": self.attainment,
            "deals": self.deals,
            "unconverted": self.unconverted,
        }


def _deals_of(user: Actor, target: Target) -> QuerySet[Any]:
    """The visible opportunities that count for ``target``'s subject."""
    if target.scope == TargetScope.OWNER:
        return opportunity_list(user=user, filters=OpportunityFilters(owner=target.owner_id))
    if target.scope == TargetScope.ACCOUNT:
        return opportunity_list(user=user, filters=OpportunityFilters(account=target.account_id, subtree=True))
    members = accounts_facade.org_unit_member_ids(target.org_unit_id) if target.org_unit_id else set()
    return opportunity_list(user=user).filter(owner_id__in=members)


def attainment(
    *, user: Actor, target: Target, today: dt.date | None = None, convert: Callable[..., Decimal] | None = None
) -> TargetAttainment:
    """``target`` against the deals of its subject that ``user`` may see (see :class:`TargetAttainment`)."""
    authorize(user, "pipeline.view_target", target)
    convert = convert or fx.convert
    today = today or timezone.localdate()
    start, end = target.start, target.end
    qs = _deals_of(user, target).order_by()
    won_rows = (
        qs.filter(outcome=Outcome.WON)
        .annotate(day=Coalesce("closed_on", "expected_close_date"))
        .filter(day__gte=start, day__lte=end)
        .values_list("amount", "currency", "day")
    )
    open_rows = qs.filter(
        outcome=Outcome.OPEN,
        expected_close_date__gte=start,
        expected_close_date__lte=end,
        forecast_category__in=[ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE],
    ).values_list("amount", "currency", "expected_close_date", "forecast_category")
    sums = {"won": Decimal(0), **{c: Decimal(0) for c in ForecastCategory.values}}
    deals = unconverted = 0
    rows = [(a, c, d, "won") for a, c, d in won_rows]
    rows += [(a, c, fx.pipeline_rate_day(d, today), key) for a, c, d, key in open_rows]
    for amount, currency, day, key in rows:
        try:
            value = convert(amount, currency, target.currency, day)
        except fx.UnknownCurrency:
            unconverted += 1
            continue
        sums[key] += value
        deals += 1
    return TargetAttainment(
        target=target,
        won=sums["won"],
        commit=sums[ForecastCategory.COMMIT],
        best_case=sums[ForecastCategory.BEST_CASE],
        pipeline=sums[ForecastCategory.PIPELINE],
        deals=deals,
        unconverted=unconverted,
    )


def subject_key(target: Target) -> str:
    """``"owner:3"``, ``"team:2"`` or ``"account:7"``: the subject of a target as a filter value."""
    subject_id = {"owner": target.owner_id, "team": target.org_unit_id, "account": target.account_id}[target.scope]
    return f"{target.scope}:{subject_id}"


def target_subjects(*, user: Actor, period: str = "") -> list[tuple[str, str]]:
    """The subjects of the visible targets as (filter value, label), sorted by label."""
    qs = visible_targets(user)
    if period:
        qs = qs.filter(period=period)
    subjects = {subject_key(t): f"{t.subject_label}" for t in qs}
    return sorted(subjects.items(), key=lambda s: s[1].lower())


def targets_against_forecast(
    *, user: Actor, period: str = "quarter", year: int | None = None, subject: str = "", today: dt.date | None = None
) -> list[TargetAttainment]:
    """Every visible ``period`` target of ``year`` (default: this year), of one ``subject`` when given
    (``"owner:<id>"``, ``"team:<id>"``, ``"account:<id>"``), against the forecast by category."""
    authorize(user, "pipeline.view_targets")
    today = today or timezone.localdate()
    qs = visible_targets(user).filter(period=period, year=year or today.year)
    scope, _sep, subject_id = subject.partition(":")
    if scope in TargetScope.values and subject_id.isdigit():
        field = {"owner": "owner_id", "team": "org_unit_id", "account": "account_id"}[scope]
        qs = qs.filter(scope=scope, **{field: int(subject_id)})
    qs = qs.order_by("number", "scope", "pk")[:MAX_ATTAINMENT_ROWS]
    return [attainment(user=user, target=t, today=today) for t in qs]
