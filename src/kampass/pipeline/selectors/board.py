"""The pipeline board: one column per stage of a sales process with its cards and totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.pipeline.models import Opportunity, Stage, StageKind, StageSet
from kampass.pipeline.selectors.lists import CENT, OpportunityFilters, opportunity_list
from kampass.users.actors import Actor


@dataclass(frozen=True)
class BoardColumn:
    """One stage on the board: its opportunities (the first ``limit``), how many, and what they are worth
    (per currency; ``weighted`` by the calibrated probability where scored, else the owner's), and both
    consolidated into the board's currency (``total``, ``weighted_total``; ``conversion`` says how)."""

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
    # one query for the totals of all columns, then one page of cards per column
    amounts: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    weighted: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[int, int] = defaultdict(int)
    by_id = {stage.pk: stage for stage in stages}
    currency = (currency or fx.view_currency(user)).upper()
    today = timezone.localdate()
    board_total = fx.Consolidation(currency)
    totals = {stage.pk: fx.Consolidation(currency) for stage in stages}
    weighted_totals: dict[int, Decimal] = defaultdict(Decimal)
    for stage_id, amount_currency, amount, p, owner_p, close in qs.filter(stage__in=stages).values_list(
        "stage_id", "currency", "amount", "probability", "owner_probability", "expected_close_date"
    ):
        stage_probability = by_id[stage_id].probability
        counts[stage_id] += 1
        amounts[stage_id][amount_currency] += amount
        w = Decimal(str(p if p is not None else (owner_p / 100 if owner_p is not None else stage_probability / 100)))
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
            list(qs.filter(stage=stage)[:limit]) if counts[stage.pk] else [],
            total=totals[stage.pk].total,
            weighted_total=weighted_totals[stage.pk],
            conversion=totals[stage.pk].describe(),
        )
        for stage in stages
    ]
    return Board(stage_set, columns, currency=currency, conversion=board_total.describe())
