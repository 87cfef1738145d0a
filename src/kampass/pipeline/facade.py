"""What other contexts may ask of the pipeline context. Returns plain values and frozen
dataclasses only; callers never touch the models directly."""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.management.base import BaseCommand

from kampass.common.process_memo import ProcessMemo
from kampass.common.search import SearchHit
from kampass.pipeline.models import ACTIVE_RISK_STATUSES as _ACTIVE_RISK_STATUSES
from kampass.pipeline.models import LIKELIHOOD_PROBABILITY as _LIKELIHOOD_PROBABILITY
from kampass.pipeline.models import Outcome as _Outcome
from kampass.pipeline.models import Risk as _Risk

_CENT = Decimal("0.01")


def expected_risk_costs(account_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """Expected risk cost per account and currency: the sum over the active (open or being
    mitigated) risks of the account's open and won projects of likelihood probability x cost
    (likelihood 1..5 -> 0.1, 0.3, 0.5, 0.7, 0.9). Risks of lost projects and risks without a
    cost do not count. Accounts without such risks are left out."""
    out: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = (
        _Risk.objects.filter(
            opportunity__account_id__in=list(account_ids),
            status__in=_ACTIVE_RISK_STATUSES,
            cost__isnull=False,
        )
        .exclude(opportunity__outcome=_Outcome.LOST)
        .values_list("opportunity__account_id", "currency", "likelihood", "cost")
    )
    for account_id, currency, likelihood, cost in rows:
        # cost__isnull=False above
        out[account_id][currency] += (_LIKELIHOOD_PROBABILITY[likelihood] * cast(Decimal, cost)).quantize(_CENT)
    return {a: dict(by_currency) for a, by_currency in out.items()}


@dataclass(frozen=True)
class ConsolidatedRiskCost:
    """The expected risk cost of some accounts per currency (``by_currency``) and consolidated into
    ``currency`` (``total``), each risk's at the rate of its project's expected close date (today's for a
    date in the future or none); ``conversion`` names the conversion and any amount without a rate."""

    by_currency: dict[str, Decimal]
    currency: str
    total: Decimal
    conversion: str


def expected_risk_cost_in(account_ids: Iterable[int], *, currency: str) -> ConsolidatedRiskCost:
    """The expected risk cost of these accounts (the risks ``expected_risk_costs`` counts) in ``currency``."""

    from django.utils import timezone

    from kampass.common import fx

    today: dt.date = timezone.localdate()
    total = fx.Consolidation(currency.upper())
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    rows = (
        _Risk.objects.filter(
            opportunity__account_id__in=list(account_ids),
            status__in=_ACTIVE_RISK_STATUSES,
            cost__isnull=False,
        )
        .exclude(opportunity__outcome=_Outcome.LOST)
        .values_list("currency", "likelihood", "cost", "opportunity__expected_close_date")
    )
    for code, likelihood, cost, close in rows:
        amount = (_LIKELIHOOD_PROBABILITY[likelihood] * cast(Decimal, cost)).quantize(_CENT)
        by_currency[code] += amount
        total.add(amount, code, fx.pipeline_rate_day(close, today))
    return ConsolidatedRiskCost(dict(sorted(by_currency.items())), total.currency, total.total, total.describe())


def expected_risk_cost(account_ids: Iterable[int]) -> dict[int, tuple[Decimal, str]]:
    """Expected risk cost per account as (amount, currency) for the Commercialisation figures
    (see ``expected_risk_costs``). An account whose risks are in several currencies reports the
    currency with the largest amount; use ``expected_risk_costs`` for all of them."""
    return {
        a: max(((amount, currency) for currency, amount in by.items()), key=lambda t: (t[0], t[1]))
        for a, by in expected_risk_costs(account_ids).items()
    }


@dataclass(frozen=True)
class OpportunityCounts:
    open: int
    won: int
    lost: int


def opportunity_counts(account_ids: Iterable[int]) -> OpportunityCounts:
    """How many opportunities of these accounts are open, won and lost."""
    from django.db.models import Count

    from kampass.pipeline.models import Opportunity

    counts = dict(
        Opportunity.objects.filter(account_id__in=list(account_ids))
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return OpportunityCounts(counts.get(_Outcome.OPEN, 0), counts.get(_Outcome.WON, 0), counts.get(_Outcome.LOST, 0))


@dataclass(frozen=True)
class OpportunityRef:
    """An opportunity as other contexts see it: its account, outcome and amount in its own currency
    (``closed_on``: the day it was won or lost, ``None`` while open)."""

    id: int
    name: str
    account_id: int
    account_name: str
    outcome: str
    amount: Decimal
    currency: str
    expected_close_date: Any
    closed_on: Any


def _opportunity_refs(qs: Any) -> list[OpportunityRef]:
    rows = qs.values_list(
        "pk", "name", "account_id", "account__name", "outcome", "amount", "currency", "expected_close_date", "closed_on"
    )
    return [OpportunityRef(*row) for row in rows]


def opportunity_refs(ids: Iterable[int]) -> list[OpportunityRef]:
    """The opportunities with these ids (unknown ids are left out), by name."""
    from kampass.pipeline.models import Opportunity

    return _opportunity_refs(Opportunity.objects.filter(pk__in=list(ids)).order_by("name", "pk"))


def opportunity_choices(account_ids: Iterable[int]) -> list[OpportunityRef]:
    """The opportunities of these accounts (for a picker), by account and name."""
    from kampass.pipeline.models import Opportunity

    qs = Opportunity.objects.filter(account_id__in=list(account_ids)).order_by("account__name", "name", "pk")
    return _opportunity_refs(qs)


_programme_signals_memo: ProcessMemo[dict[str, float | None]] = ProcessMemo(size=4)


def _programme_signals_stamp() -> tuple[Any, ...]:
    """Equal while the pipeline's programme signals stay the same: the open deals and their scores
    (``open_deals_stamp``), and the qualification and risks (highest id: a new one; highest history record:
    a change or removal; the number of risks). Each a lone aggregate, read off an index."""
    from django.db.models import Count, Max

    from kampass.pipeline.models import Qualification
    from kampass.pipeline.selectors.revenue_forecast import open_deals_stamp

    return (
        open_deals_stamp(),
        Qualification.objects.aggregate(m=Max("id"))["m"],
        Qualification.history.aggregate(h=Max("history_id"))["h"],
        _Risk.objects.aggregate(m=Max("id"))["m"],
        _Risk.objects.aggregate(n=Count("id"))["n"],
        _Risk.history.aggregate(h=Max("history_id"))["h"],
    )


def programme_signals() -> dict[str, float | None]:
    """Facts of the pipeline for the KAM programme navigator (``kampass.programme.facade``), kept in the
    process while :func:`_programme_signals_stamp` holds (they read every open deal: 28 ms at 100,000
    opportunities).

    * ``opportunities_qualified_share`` (share 0..1): open opportunities whose economic buyer and
      champion are confirmed and none of whose eight MEDDPICC elements is missing, of all open
      opportunities; ``None`` without open opportunities.
    * ``owner_forecast_bias`` (probability points as a fraction, -1..1): mean of the owner's
      probability minus the calibrated probability over the open opportunities that have both;
      positive = owners are more optimistic than the model. ``None`` without such opportunities.
    * ``risks_with_owner_share`` (share): active risks with an owner, of all active risks.
    * ``findings_with_action_share`` (share): the guardrail of Facts & Strategy. A finding is an
      active risk of a customer project; it has an action when it has an owner and a mitigation.
      ``None`` without active risks.
    """
    return dict(_programme_signals_memo.for_request(_programme_signals_stamp(), _programme_signals))


def _programme_signals() -> dict[str, float | None]:
    from django.db.models import Avg, Count, F, Q

    from kampass.pipeline.models import LATE_STAGE_ELEMENTS, Opportunity, QualificationElement, QualificationStatus

    open_opps = Opportunity.objects.filter(outcome=_Outcome.OPEN)
    n_open = open_opps.count()
    qualified = None
    if n_open:
        n_elements = len(QualificationElement.values)
        qualified_count = (
            open_opps.annotate(
                known=Count("qualification", filter=~Q(qualification__status=QualificationStatus.MISSING)),
                key_confirmed=Count(
                    "qualification",
                    filter=Q(
                        qualification__element__in=list(LATE_STAGE_ELEMENTS),
                        qualification__status=QualificationStatus.CONFIRMED,
                    ),
                ),
            )
            .filter(known=n_elements, key_confirmed=len(LATE_STAGE_ELEMENTS))
            .count()
        )
        qualified = qualified_count / n_open
    bias = (
        open_opps.filter(owner_probability__isnull=False, probability__isnull=False)
        .annotate(diff=F("owner_probability") / 100.0 - F("probability"))
        .aggregate(b=Avg("diff"))["b"]
    )
    risks = _Risk.objects.filter(status__in=_ACTIVE_RISK_STATUSES)
    counts = risks.aggregate(
        n=Count("pk"),
        owned=Count("pk", filter=Q(owner__isnull=False)),
        acted=Count("pk", filter=Q(owner__isnull=False) & ~Q(mitigation="")),
    )
    n = counts["n"]
    return {
        "opportunities_qualified_share": qualified,
        "owner_forecast_bias": float(bias) if bias is not None else None,
        "risks_with_owner_share": counts["owned"] / n if n else None,
        "findings_with_action_share": counts["acted"] / n if n else None,
    }


def add_import_opportunities_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``opportunities``, ``opportunity-history`` and ``targets`` to the sub-commands of ``kampass import``
    (the command lives in commercial); returns the ``opportunities`` parser."""
    from kampass.pipeline.management import import_history, import_targets
    from kampass.pipeline.management.import_opportunities import add_parser

    parser = add_parser(sub)
    import_history.add_parser(sub)
    import_targets.add_parser(sub)
    return parser


def run_import_opportunities(command: BaseCommand, opts: dict[str, Any]) -> None:
    """Run ``kampass import opportunities`` or ``kampass import opportunity-history`` with the parsed ``opts``."""
    if opts.get("kind") == "targets":
        from kampass.pipeline.management import import_targets

        import_targets.run(command, opts)
        return
    if opts.get("kind") == "opportunity-history":
        from kampass.pipeline.management import import_history

        import_history.run(command, opts)
        return
    from kampass.pipeline.management.import_opportunities import run

    run(command, opts)


@dataclass(frozen=True)
class PipelineItemRef:
    """An opportunity or a risk of an account that another context may cite: its id and a label."""

    id: int
    label: str


def account_opportunity_refs(account_ids: Iterable[int]) -> list[PipelineItemRef]:
    """The opportunities of these accounts (open first, then by name), e.g. as evidence in a plan."""
    from kampass.pipeline.models import Opportunity

    opps = Opportunity.objects.filter(account_id__in=list(account_ids)).order_by("outcome", "name", "pk")
    return [PipelineItemRef(o.pk, f"{o.name} ({o.get_outcome_display()})") for o in opps]


def risk_refs(account_ids: Iterable[int]) -> list[PipelineItemRef]:
    """The risks of the opportunities of these accounts, by title, e.g. as evidence in a plan."""
    risks = _Risk.objects.filter(opportunity__account_id__in=list(account_ids)).select_related("opportunity")
    return [PipelineItemRef(r.pk, f"{r.title} – {r.opportunity.name}") for r in risks.order_by("title", "pk")]


@dataclass(frozen=True)
class OpenPipelineItem:
    """One opportunity that was open on a day: its stage then (``stage`` empty when it has been
    won or lost since, its stage on that day is not kept), amount, currency and expected close date."""

    stage: str
    stage_order: int
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None


@dataclass(frozen=True)
class PipelinePosition:
    """The pipeline at a group of accounts as of a day: opportunities open then (opened on or before,
    not closed before) and their amount in one currency, the win rate of those closed in the year
    before, and the buying centre of the open ones (contacts linked, opportunities with one)."""

    as_of: Any
    currency: str
    open_count: int
    open_amount: Decimal
    won: int
    lost: int
    win_rate: float | None
    buying_centre_contacts: int
    open_with_buying_centre: int

    @property
    def buying_centre_coverage(self) -> float | None:
        """Share of the open opportunities that have at least one buying-centre contact."""
        return self.open_with_buying_centre / self.open_count if self.open_count else None


def account_pipeline_position(account_ids: Iterable[int], *, as_of: Any, currency: str = "EUR") -> PipelinePosition:
    """The pipeline of these accounts as of ``as_of`` (see :class:`PipelinePosition`); amounts in
    other currencies convert at the rate of ``as_of``; the win rate counts won and lost closed in the
    365 days before ``as_of`` (``None`` without any)."""
    import datetime as dt

    from django.db.models import Q

    from kampass.common import fx
    from kampass.pipeline.models import Opportunity, OpportunityContact

    ids = list(account_ids)
    opps = Opportunity.objects.filter(account_id__in=ids)
    open_then = opps.filter(created_on__lte=as_of).filter(
        Q(closed_on__isnull=True, outcome=_Outcome.OPEN) | Q(closed_on__gt=as_of)
    )
    amount = Decimal(0)
    for o in open_then.only("amount", "currency"):
        amount += o.amount if o.currency == currency else fx.convert(o.amount, o.currency, currency, as_of)
    closed = opps.filter(closed_on__lte=as_of, closed_on__gt=as_of - dt.timedelta(days=365))
    won = closed.filter(outcome=_Outcome.WON).count()
    lost = closed.filter(outcome=_Outcome.LOST).count()
    links = OpportunityContact.objects.filter(opportunity__in=open_then)
    return PipelinePosition(
        as_of,
        currency,
        open_then.count(),
        amount.quantize(_CENT),
        won,
        lost,
        won / (won + lost) if won + lost else None,
        links.values("contact_id").distinct().count(),
        links.values("opportunity_id").distinct().count(),
    )


@dataclass(frozen=True)
class PipelineStagePosition:
    """The pipeline of some accounts as of a day: the opportunities open then (``open_items``), and
    the opportunities won and lost in the 365 days up to it with the win rate (won of won and lost;
    ``None`` without any closed)."""

    as_of: dt.date
    open_items: tuple[OpenPipelineItem, ...]
    won: int
    lost: int
    win_rate: float | None


def pipeline_position(account_ids: Iterable[int], *, as_of: dt.date) -> PipelineStagePosition:
    """The pipeline position of these accounts on ``as_of`` (see :class:`PipelineStagePosition`): an
    opportunity counts as open when it was opened on or before ``as_of`` and was still open then
    (open now, or closed after ``as_of``)."""
    from django.db.models import Q

    from kampass.pipeline.models import Opportunity

    ids = list(account_ids)
    mine = Opportunity.objects.filter(account_id__in=ids)
    open_then = mine.filter(created_on__lte=as_of).filter(Q(outcome=_Outcome.OPEN) | Q(closed_on__gt=as_of))
    items = tuple(
        OpenPipelineItem(
            stage=name if outcome == _Outcome.OPEN else "",
            stage_order=order if outcome == _Outcome.OPEN else 10_000,
            amount=amount,
            currency=currency,
            expected_close_date=close,
        )
        for name, order, outcome, amount, currency, close in open_then.order_by("stage__order", "pk").values_list(
            "stage__name", "stage__order", "outcome", "amount", "currency", "expected_close_date"
        )
    )
    closed = mine.filter(closed_on__gt=as_of - dt.timedelta(days=365), closed_on__lte=as_of)
    won = closed.filter(outcome=_Outcome.WON).count()
    lost = closed.filter(outcome=_Outcome.LOST).count()
    return PipelineStagePosition(as_of, items, won, lost, (won / (won + lost)) if won + lost else None)


@dataclass(frozen=True)
class PipelineCoverage:
    """An account's (with its subtree) open pipeline against what is still missing to its target in one
    year, in the target's currency: ``target`` (the account targets of the year: the yearly one, else its
    quarters, else its months added up), ``won`` (won deals closed in the year), ``open_pipeline`` (open
    deals expected to close by the year's end) and ``ratio`` = open pipeline / (target - won): infinite
    when the target is met, ``None`` without a target."""

    account_id: int
    year: int
    currency: str
    target: Decimal | None
    won: Decimal
    open_pipeline: Decimal
    ratio: float | None


def pipeline_coverage(account_ids: Iterable[int], *, today: Any = None) -> dict[int, PipelineCoverage]:
    """``{account_id: PipelineCoverage}`` of ``today``'s year (default: today) for every given account;
    amounts in other currencies are converted at the rate of their close (or expected close) day.

    As of ``today``: won counts the deals closed won in the year up to ``today``; the open pipeline the
    deals opened on or before ``today`` and still open then (open now, or closed after ``today``), with
    their amounts and expected close dates as they are now (the health of a past day)."""
    import datetime as dt
    import math

    from django.db.models import Q
    from django.utils import timezone

    from kampass.accounts.facade import subtree_account_ids_of
    from kampass.common import fx
    from kampass.pipeline.models import Opportunity, Target, TargetPeriod, TargetScope

    day: dt.date = today or timezone.localdate()
    year_end = dt.date(day.year, 12, 31)
    roots = sorted(set(account_ids))
    trees = subtree_account_ids_of(roots)  # one query for every subtree, not two per account
    members = {a: trees.get(a, []) for a in roots}
    every = sorted({i for m in members.values() for i in m})
    targets: dict[int, list[tuple[str, Decimal, str]]] = defaultdict(list)
    for account_id, period, amount, code in Target.objects.filter(
        scope=TargetScope.ACCOUNT, account_id__in=roots, year=day.year
    ).values_list("account_id", "period", "amount", "currency"):
        targets[account_id].append((period, amount, code))
    won_rows: dict[int, list[tuple[Decimal, str, dt.date]]] = defaultdict(list)
    for account_id, amount, code, closed in Opportunity.objects.filter(
        account_id__in=every, outcome=_Outcome.WON, closed_on__year=day.year, closed_on__lte=day
    ).values_list("account_id", "amount", "currency", "closed_on"):
        won_rows[account_id].append((amount, code, closed or day))
    open_rows: dict[int, list[tuple[Decimal, str, dt.date]]] = defaultdict(list)
    for account_id, amount, code, close in (
        Opportunity.objects.filter(account_id__in=every, created_on__lte=day, expected_close_date__lte=year_end)
        .filter(Q(outcome=_Outcome.OPEN) | Q(closed_on__gt=day))
        .values_list("account_id", "amount", "currency", "expected_close_date")
    ):
        open_rows[account_id].append((amount, code, fx.pipeline_rate_day(close, day)))
    out: dict[int, PipelineCoverage] = {}
    for account_id in roots:
        own = targets.get(account_id, [])
        chosen = next(
            (
                [t for t in own if t[0] == period]
                for period in (TargetPeriod.YEAR, TargetPeriod.QUARTER, TargetPeriod.MONTH)
                if any(t[0] == period for t in own)
            ),
            [],
        )
        currency = chosen[0][2] if chosen else "EUR"
        target_sum = fx.Consolidation(currency)
        for _period, amount, code in chosen:
            target_sum.add(amount, code, day)
        won = fx.Consolidation(currency)
        open_ = fx.Consolidation(currency)
        for member in members[account_id]:
            won.add_all(won_rows.get(member, []))
            open_.add_all(open_rows.get(member, []))
        ratio: float | None = None
        if chosen:
            gap = target_sum.total - won.total
            ratio = math.inf if gap <= 0 else float(open_.total / gap)
        out[account_id] = PipelineCoverage(
            account_id,
            day.year,
            currency,
            target_sum.total.quantize(_CENT) if chosen else None,
            won.total.quantize(_CENT),
            open_.total.quantize(_CENT),
            ratio,
        )
    return out


@dataclass(frozen=True)
class ForecastBias:
    """How optimistic the owners' win probabilities were on an account's (and its subtree's) deals
    closed in the last two years: ``bias`` = mean owner probability - win rate over the ``deals`` with
    an owner probability (0.1 = 10 points optimistic, negative = sandbagging); ``None`` below
    three such deals."""

    account_id: int
    deals: int
    bias: float | None


#: the fewest closed deals with an owner probability for an account's forecast bias
_MIN_BIAS_DEALS = 3


def forecast_bias(account_ids: Iterable[int], *, today: Any = None) -> dict[int, ForecastBias]:
    """``{account_id: ForecastBias}`` for every given account (see the dataclass). The closed deals of
    every subtree are read in one query and added up per account (a deal below two given accounts counts
    for both), so the number of queries does not grow with the number of accounts."""
    import datetime as dt

    from django.utils import timezone

    from kampass.accounts.facade import subtree_account_ids_of
    from kampass.pipeline.models import Opportunity

    day: dt.date = today or timezone.localdate()
    since = day - dt.timedelta(days=730)
    roots = sorted(set(account_ids))
    trees = subtree_account_ids_of(roots)
    deals: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    for member, probability, outcome in Opportunity.objects.filter(
        account_id__in=sorted({m for tree in trees.values() for m in tree}),
        outcome__in=(_Outcome.WON, _Outcome.LOST),
        owner_probability__isnull=False,
        closed_on__gte=since,
        closed_on__lte=day,
    ).values_list("account_id", "owner_probability", "outcome"):
        deals[member].append((probability, outcome))
    out: dict[int, ForecastBias] = {}
    for account_id in roots:
        rows = [row for member in trees.get(account_id, []) for row in deals.get(member, [])]
        bias = None
        if len(rows) >= _MIN_BIAS_DEALS:
            mean_p = sum(int(p or 0) for p, _o in rows) / 100 / len(rows)
            win_rate = sum(1 for _p, o in rows if o == _Outcome.WON) / len(rows)
            bias = mean_p - win_rate
        out[account_id] = ForecastBias(account_id, len(rows), bias)
    return out


def opportunity_names(opportunity_ids: list[int]) -> dict[int, str]:
    """``{opportunity_id: name}`` of the given opportunities (unknown ids left out)."""
    from kampass.pipeline.models import Opportunity

    return dict(Opportunity.objects.filter(pk__in=list(opportunity_ids)).values_list("pk", "name"))


def risk_names(risk_ids: list[int]) -> dict[int, str]:
    """``{risk_id: title}`` of the given risks (unknown ids left out)."""
    return {r.pk: str(r) for r in _Risk.objects.filter(pk__in=list(risk_ids))}


def _weight(probability: float | None, owner_probability: int | None, stage_probability: int) -> Decimal:
    if probability is not None:
        return Decimal(str(probability))
    if owner_probability is not None:
        return Decimal(owner_probability) / 100
    return Decimal(stage_probability) / 100


def weighted_open_pipeline(account_ids: Iterable[int], *, currency: str, today: Any = None) -> dict[int, Decimal]:
    """The open weighted pipeline of each account (its own opportunities) in ``currency``: the sum over its
    open opportunities of amount x probability (the calibrated probability where scored, else the owner's,
    else the stage's default), each amount converted at the rate of its expected close date (today's for a
    date in the future or none), to the cent. Accounts without open opportunities are left out."""
    from django.utils import timezone

    from kampass.common import fx
    from kampass.pipeline.models import Opportunity

    day = today or timezone.localdate()
    out: dict[int, Decimal] = defaultdict(Decimal)
    rows = Opportunity.objects.filter(account_id__in=list(account_ids), outcome=_Outcome.OPEN).values_list(
        "account_id", "amount", "currency", "probability", "owner_probability", "stage__probability",
        "expected_close_date",
    )  # fmt: skip
    rates: dict[tuple[str, Any], Any] = {}  # one rate lookup per currency and day
    for account_id, amount, code, p, owner_p, stage_p, close in rows:
        key = (code, fx.pipeline_rate_day(close, day))
        if key not in rates:
            rates[key] = fx.rate(code, currency, key[1])
        converted = rates[key].apply(amount)
        out[account_id] += (converted * _weight(p, owner_p, stage_p)).quantize(_CENT)
    return dict(out)


@dataclass(frozen=True)
class AccountTarget:
    """The sales target of an account subtree for one period (``label`` as the forecast shows it)."""

    account_id: int
    label: str
    starts: Any
    ends: Any
    amount: Decimal
    currency: str


def next_account_targets(account_ids: Iterable[int], *, today: Any) -> dict[int, AccountTarget]:
    """For each account, its sales target (scope "account subtree") of the next period: of its targets
    whose period has not ended on ``today``, the one ending first (the shorter period on a tie, so a
    running quarter wins over the year). Accounts without such a target are left out."""
    from kampass.core.periods import target_period_bounds, target_period_label
    from kampass.pipeline.models import Target, TargetScope

    found: dict[int, AccountTarget] = {}
    rows = Target.objects.filter(scope=TargetScope.ACCOUNT, account_id__in=list(account_ids))
    for t in rows.values_list("account_id", "period", "year", "number", "amount", "currency"):
        account_id, period, year, number, amount, code = t
        starts, ends = target_period_bounds(period, year, number)
        if ends < today:
            continue
        candidate = AccountTarget(account_id, target_period_label(period, year, number), starts, ends, amount, code)
        best = found.get(account_id)
        if best is None or (ends, ends - starts) < (best.ends, best.ends - best.starts):
            found[account_id] = candidate
    return found


def closed_counts_between(account_ids: Iterable[int], *, start: Any, end: Any) -> dict[int, tuple[int, int]]:
    """``{account_id: (won, lost)}``: the opportunities of each account closed (``closed_on``) between
    ``start`` and ``end`` inclusive, by outcome. Accounts without such opportunities are left out."""
    from django.db.models import Count

    from kampass.pipeline.models import Opportunity

    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        Opportunity.objects.filter(
            account_id__in=list(account_ids),
            outcome__in=(_Outcome.WON, _Outcome.LOST),
            closed_on__gte=start,
            closed_on__lte=end,
        )
        .values_list("account_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for account_id, outcome, n in rows:
        out[account_id][0 if outcome == _Outcome.WON else 1] += n
    return {a: (won, lost) for a, (won, lost) in out.items()}


@dataclass(frozen=True)
class LostOpportunity:
    """An opportunity lost on ``closed_on`` with its amount, also converted into the asked currency."""

    id: int
    account_id: int
    name: str
    closed_on: Any
    amount: Decimal
    currency: str
    converted: Decimal


def lost_opportunities_since(*, since: Any, min_amount: Decimal, currency: str) -> list[LostOpportunity]:
    """The opportunities lost on or after ``since`` whose amount, converted into ``currency`` at the rate of
    the day they were lost, is at least ``min_amount`` (the large losses that raise a review)."""
    from kampass.common import fx
    from kampass.pipeline.models import Opportunity

    out = []
    rows = Opportunity.objects.filter(outcome=_Outcome.LOST, closed_on__gte=since).values_list(
        "pk", "account_id", "name", "closed_on", "amount", "currency"
    )
    for pk, account_id, name, closed_on, amount, code in rows.order_by("closed_on", "pk"):
        converted = fx.convert(amount, code, currency, closed_on or since)
        if converted >= min_amount:
            out.append(LostOpportunity(pk, account_id, name, closed_on, amount, code, converted))
    return out


@dataclass(frozen=True)
class ProductOpportunity:
    """An opportunity with the products (product groups) it is about, its ``source`` (e.g.
    ``"whitespace"`` for one created from a whitespace recommendation) and its outcome."""

    id: int
    name: str
    account_id: int
    products: tuple[str, ...]
    source: str
    outcome: str
    amount: Decimal
    currency: str


def product_opportunities(account_ids: Iterable[int]) -> list[ProductOpportunity]:
    """The opportunities of these accounts that name products, or come from any source, by id."""
    from django.db.models import Q

    from kampass.pipeline.models import Opportunity

    qs = (
        Opportunity.objects.filter(account_id__in=list(account_ids))
        .filter(~Q(products=[]) | ~Q(source=""))
        .order_by("pk")
        .values_list("pk", "name", "account_id", "products", "source", "outcome", "amount", "currency")
    )
    return [
        ProductOpportunity(pk, name, acc, tuple(str(p) for p in (products or [])), source, outcome, amount, currency)
        for pk, name, acc, products, source, outcome, amount, currency in qs
    ]


def opportunity_from_recommendation(
    *,
    actor: Any,
    account_id: int,
    name: str,
    product_group: str,
    reason: str,
    source: str,
    amount: Decimal = Decimal("0"),
    currency: str = "EUR",
) -> int:
    """Create an open opportunity at ``account_id`` for ``product_group`` (in its ``products``), marked
    with ``source`` and the recommendation's ``reason`` as its description, owned by ``actor``, in the
    first open stage of the default sales process; the actor needs the right to add opportunities there.
    Returns its id."""
    from kampass.pipeline.models import Opportunity
    from kampass.pipeline.services.opportunities import opportunity_create
    from kampass.users.history import is_user

    account: Any = Opportunity._meta.get_field("account").related_model._default_manager.get(pk=account_id)
    opp = opportunity_create(
        actor=actor,
        account=account,
        name=name,
        amount=amount,
        currency=currency,
        products=[product_group],
        source=source,
        lead_source=source,
        description=reason,
        owner=actor if is_user(actor) else None,
    )
    return int(opp.pk)


def search_opportunities(*, user: Any, q: str, limit: int) -> list[SearchHit]:
    """The global search's opportunities (``kampass.common.search``): those ``user`` may see, as the
    opportunity list finds them; the subtitle names the account and the stage (or the outcome of a closed one)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from kampass.pipeline.selectors import opportunity_search

    outcomes = dict(_Outcome.choices)
    hits = []
    for row in opportunity_search(user=user, q=q, limit=limit):
        where = (
            gettext(row["stage__name"])
            if row["outcome"] == _Outcome.OPEN
            else str(outcomes.get(row["outcome"], row["outcome"]))
        )
        hits.append(
            SearchHit(
                title=row["name"],
                subtitle=f"{row['account__name']} · {where}",
                url=reverse("opportunity-detail", args=[row["pk"]]),
            )
        )
    return hits


# ---- "My work": the user's deals past their close date and the risks due ------------------------------


@dataclass(frozen=True)
class OverdueDeal:
    """An open opportunity whose expected close date has passed (``days_late``: days since)."""

    id: int
    name: str
    account_id: int
    account_name: str
    expected_close_date: dt.date
    days_late: int


@dataclass(frozen=True)
class DueRisk:
    """An active risk due within 14 days or overdue, with its opportunity (``overdue``: due date passed)."""

    id: int
    title: str
    opportunity_id: int
    opportunity_name: str
    account_name: str
    due_date: dt.date
    score: int
    overdue: bool


def overdue_deals(user: Any, *, today: dt.date) -> list[OverdueDeal]:
    """The open opportunities ``user`` owns whose expected close date is before ``today``, the oldest first."""
    from kampass.pipeline.selectors.lists import overdue_deals_of

    return [
        OverdueDeal(
            o.pk, o.name, o.account_id, o.account.name, o.expected_close_date, (today - o.expected_close_date).days
        )
        for o in overdue_deals_of(user, today=today)
        if o.expected_close_date is not None
    ]


def risks_due(user: Any, *, today: dt.date) -> list[DueRisk]:
    """The active risks of ``user``'s deals or owned by ``user`` that are due within 14 days or overdue."""
    from kampass.pipeline.selectors.risks import risks_due_of

    return [
        DueRisk(
            r.pk,
            r.title,
            r.opportunity_id,
            r.opportunity.name,
            r.opportunity.account.name,
            r.due_date,
            r.score,
            r.due_date < today,
        )
        for r in risks_due_of(user, today=today)
        if r.due_date is not None
    ]
