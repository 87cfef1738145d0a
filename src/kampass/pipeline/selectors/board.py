"""The pipeline board: one column per stage of a sales process with its cards and totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from kampass.common.permissions import authorize
from kampass.pipeline.models import Opportunity, Stage, StageKind, StageSet
from kampass.pipeline.selectors.backtests import ScorerSwitch, forecast_scorer
from kampass.pipeline.selectors.lists import CENT, OpportunityFilters, opportunity_list
from kampass.users.actors import Actor


@dataclass(frozen=True)
class BoardColumn:
    """One stage on the board: its opportunities (the first ``limit``), how many, and what they are worth
    (per currency; ``weighted`` by the calibrated probability where scored, else the owner's; while the
    last backtest showed the model not better than a baseline, by that baseline's probability)."""

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
    switch = forecast_scorer()
    for pk, stage_id, currency, amount, p, owner_p in qs.filter(stage__in=stages).values_list(
        "pk", "stage_id", "currency", "amount", "probability", "owner_probability"
    ):
        if switch is not None:
            p = switch.probability(pk)
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
    return Board(stage_set, columns, switch)
