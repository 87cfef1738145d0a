"""The pipeline board: one column per stage of a sales process with its cards and totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DateField, F, FloatField, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.common.process_memo import ProcessMemo
from kampass.pipeline.models import Opportunity, Outcome, Stage, StageKind, StageSet
from kampass.pipeline.selectors.backtests import ScorerSwitch, forecast_scorer
from kampass.pipeline.selectors.lists import CENT, OpportunityFilters, opportunity_list, visible_q
from kampass.users.actors import Actor


@dataclass(frozen=True)
class BoardColumn:
    """One stage on the board: its opportunities (the first ``limit``), how many, and what they are worth
    (per currency; ``weighted`` by the calibrated probability where scored, else the owner's), and both
    consolidated into the board's currency (``total``, ``weighted_total``; ``conversion`` says how); while the
    last backtest showed the model not better than a baseline, weighted by that baseline's probability)."""

    stage: Stage
    count: int
    amounts: dict[str, Decimal]
    weighted: dict[str, Decimal]
    opportunities: list[Opportunity]
    total: Decimal = Decimal(0)
    weighted_total: Decimal = Decimal(0)
    conversion: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.opportunities)


@dataclass(frozen=True)
class Board:
    """The board; ``currency`` is the one its consolidated totals are in, ``conversion`` says how the
    amounts in other currencies were converted ("" when none were)."""

    stage_set: StageSet
    columns: list[BoardColumn]
    currency: str = "EUR"
    conversion: str = ""
    switch: ScorerSwitch | None = None

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


def _weight(o: Opportunity) -> float:
    if o.probability is not None:
        return o.probability
    if o.owner_probability is not None:
        return o.owner_probability / 100
    return o.stage.probability / 100


def _grouped_totals(
    rows: QuerySet[Opportunity], today: dt.date
) -> Iterator[tuple[int, str, dt.date, int, Decimal, Decimal]]:
    """``(stage id, currency, rate day, deals, amount, weighted amount)`` of ``rows`` grouped by stage,
    currency and the day whose rate converts them (:func:`kampass.common.fx.pipeline_rate_day`: the expected
    close date, today's for a later date or none); a deal is weighted by its calibrated probability, else
    its owner's, else its stage's. The weighted sums are rounded to the cent per group."""
    weight = Coalesce(
        F("probability"),
        Cast(F("owner_probability"), FloatField()) / 100.0,
        Cast(F("stage__probability"), FloatField()) / 100.0,
        output_field=FloatField(),
    )
    rate_day = Case(
        When(expected_close_date__lte=today, then=F("expected_close_date")),
        default=Value(today),
        output_field=DateField(),
    )
    grouped = (
        rows.order_by()
        .annotate(rate_day=rate_day)
        .values("stage_id", "currency", "rate_day")
        .annotate(
            n=Count("pk"),
            total=Sum("amount"),
            weighted=Sum(Cast(F("amount"), FloatField()) * weight, output_field=FloatField()),
        )
        .values_list("stage_id", "currency", "rate_day", "n", "total", "weighted")
    )
    for stage_id, currency, day, n, total, weighted in grouped:
        amount = Decimal(total).quantize(CENT)
        yield stage_id, currency, day, n, amount, Decimal(str(weighted or 0)).quantize(CENT)


#: the grouped totals of the board's open columns per user, filters and stages, kept while
#: :func:`~kampass.pipeline.selectors.revenue_forecast.open_deals_stamp` holds (adding up 40,000 open deals
#: costs most of the board's queries at the size of a large supplier)
_totals: ProcessMemo[list[tuple[int, str, dt.date, int, Decimal, Decimal]]] = ProcessMemo(size=64)


def _open_column_totals(
    rows: QuerySet[Opportunity], *, user: Actor, filters: OpportunityFilters | None, stages: list[Stage], today: dt.date
) -> list[tuple[int, str, dt.date, int, Decimal, Decimal]]:
    """:func:`_grouped_totals` of the open deals of ``stages`` the user sees, kept in the process while the
    open deals, their scores, the stages, the users and teams and the day stay the same."""
    from kampass.pipeline.selectors.revenue_forecast import open_deals_stamp

    key = ("board-totals", getattr(user, "pk", None), filters, tuple(s.pk for s in stages), today)
    return _totals.for_request((key, open_deals_stamp()), lambda: list(_grouped_totals(rows, today)))


#: what a board card shows and needs (its account's path: whether a key account manager may move it), read
#: instead of every column of the deal, its account, owner and model version (a card's objects were built from
#: about 90 columns)
CARD_FIELDS = (
    "name", "version", "outcome", "stage", "stage_set_id", "amount", "currency", "expected_close_date",
    "owner_name", "owner_probability", "probability", "scored_at",
    "account__name", "account__path",
    "owner__first_name", "owner__last_name", "owner__username",
    "model_version__version",
)  # fmt: skip


def _cards(qs: QuerySet[Opportunity], stage: Stage, limit: int) -> list[Opportunity]:
    """The first ``limit`` cards of a column (:data:`CARD_FIELDS`), each with the column's ``stage`` object
    instead of its own copy read along (160 stage objects of ten columns each at a large supplier's board)."""
    cards = list(qs.filter(stage=stage).select_related(None).select_related(*CARD_RELATIONS).only(*CARD_FIELDS)[:limit])
    for o in cards:
        o.stage = stage
    return cards


#: the objects a card reads along with its deal
CARD_RELATIONS = ("account", "owner", "model_version")


#: a user who sees only some accounts has the board read by the ids of the open deals at them, when there
#: are at most this many (see :func:`_named_open_deals`)
NAMED_OPEN_DEALS_MAX = 2000


def _named_open_deals(qs: QuerySet[Opportunity], user: Actor) -> QuerySet[Opportunity]:
    """``qs`` limited to the ids of the open deals ``user`` sees, for a user who sees only some accounts and
    at most :data:`NAMED_OPEN_DEALS_MAX` open deals there (else ``qs``).

    The same rows, read another way. The ids come along the index of (account, outcome): 12 open deals at
    a key account manager's 40 accounts among 100,000 opportunities in 1.4 ms. Without them SQLite's planner
    (it keeps no statistics) took the index of the stage or of the sales process, both shared by thousands
    of deals, and walked them to find the few visible ones: 6-11 ms per column of the board, 20-25 ms for the
    column totals. With the ids, 1.6 and 1.2 ms."""
    visible = visible_q(user)
    if visible is None:
        return qs
    ids = list(
        Opportunity.objects.filter(visible, outcome=Outcome.OPEN).values_list("pk", flat=True)[
            : NAMED_OPEN_DEALS_MAX + 1
        ]
    )
    return qs if len(ids) > NAMED_OPEN_DEALS_MAX else qs.filter(pk__in=ids)


def pipeline_board(
    *,
    user: Actor,
    filters: OpportunityFilters | None = None,
    stage_set: StageSet | None = None,
    include_closed: bool = False,
    limit: int = 50,
    currency: str = "",
) -> Board:
    """The opportunities of one sales process (default: the default one) by stage, in stage order.

    Closed stages are left out unless ``include_closed``. Column totals are kept per currency and
    consolidated into ``currency`` (default: the user's view currency), each amount at the rate of its
    expected close date (today's for a date in the future or none)."""
    from kampass.pipeline.services import default_stage_set

    authorize(user, "pipeline.view_pipeline")
    stage_set = stage_set or default_stage_set()
    stages = list(stage_set.stages.order_by("order"))
    if not include_closed:
        stages = [s for s in stages if s.kind == StageKind.OPEN]
    qs = opportunity_list(user=user, filters=filters).filter(stage_set=stage_set)
    if not include_closed:
        qs = _named_open_deals(qs, user)
    # one query for the totals of all columns, then one page of cards per column
    amounts: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    weighted: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[int, int] = defaultdict(int)
    currency = (currency or fx.view_currency(user)).upper()
    today = timezone.localdate()
    board_total = fx.Consolidation(currency)
    totals = {stage.pk: fx.Consolidation(currency) for stage in stages}
    weighted_totals: dict[int, Decimal] = defaultdict(Decimal)
    switch = forecast_scorer()
    open_rows = qs.filter(stage__in=stages)
    if switch is None:
        # the database adds up each stage's amounts per currency and rate day: the board's totals cost one
        # grouped query, however many deals (40,000 open deals took 0.6 s one by one)
        grouped = _open_column_totals(open_rows, user=user, filters=filters, stages=stages, today=today)
        for stage_id, amount_currency, day, n, amount, weighted_amount in grouped:
            counts[stage_id] += n
            amounts[stage_id][amount_currency] += amount
            weighted[stage_id][amount_currency] += weighted_amount
            converted = totals[stage_id].add(amount, amount_currency, day, n)
            board_total.add(amount, amount_currency, day, n)
            if amount:
                weighted_totals[stage_id] += (converted * weighted_amount / amount).quantize(CENT)
    else:  # the baseline's probability of each deal (by id) weights it
        for pk, stage_id, amount_currency, amount, close in open_rows.values_list(
            "pk", "stage_id", "currency", "amount", "expected_close_date"
        ):
            w = Decimal(str(switch.probability(pk)))
            counts[stage_id] += 1
            amounts[stage_id][amount_currency] += amount
            weighted[stage_id][amount_currency] += (amount * w).quantize(CENT)
            day = fx.pipeline_rate_day(close, today)
            converted = totals[stage_id].add(amount, amount_currency, day)
            board_total.add(amount, amount_currency, day)
            weighted_totals[stage_id] += (converted * w).quantize(CENT)
    columns = [
        BoardColumn(
            stage,
            counts[stage.pk],
            dict(amounts[stage.pk]),
            dict(weighted[stage.pk]),
            _cards(qs, stage, limit) if counts[stage.pk] else [],
            total=totals[stage.pk].total,
            weighted_total=weighted_totals[stage.pk],
            conversion=totals[stage.pk].describe(),
        )
        for stage in stages
    ]
    return Board(stage_set, columns, currency=currency, conversion=board_total.describe(), switch=switch)
