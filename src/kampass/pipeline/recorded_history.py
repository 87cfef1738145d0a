"""kampass's own opportunities as a :class:`~kampass.core.forecasting.backtest.DealHistory`, for
``kampass forecast backtest`` without a file and for the backtest on the model report.

Per opportunity (nothing is written):

* **opened** -- ``created_on``; **closed** -- ``closed_on`` of a won or lost opportunity (``NaT`` while
  open); **won** -- the outcome is won. A closed opportunity without a close date cannot be placed in
  time and is left out (the notes say how many).
* **As first recorded** -- the amount, currency, owner, owner's probability, lead source and type come
  from the opportunity's earliest history record (``django-simple-history``), i.e. as they were when
  kampass first knew the deal, not as they are now: an owner reassigned later, an amount changed at
  the closing, a probability set to 0/100 on losing never enter. Without a history record the current
  values are taken for an open opportunity; for a closed one the owner's probability is then unknown.
* **Amount** -- converted into the reporting currency at the rate of the day it was opened
  (:mod:`kampass.common.fx`); an amount in a currency no rate source knows is left out of the totals.
* **Stage** -- for the ``stage_rate`` baseline, the stage the opportunity was in *as of* each snapshot
  (:class:`StagesAsOf`, ``DealHistory.stage_at``): the open stage it entered last before that day by its
  dated stage changes (recorded by kampass or imported from a stage-history file); none when no dated
  change into an open stage precedes the day. ``DealHistory.stage`` keeps the stage it entered first when
  that was an open stage recorded on the day it was opened (an import records the stage on the import
  day, after the deal was opened, so imported deals without a stage history have none).
* **Owner's probability** -- the first recorded one, when it was recorded on the day the opportunity was
  opened and while it was open (none: ``NaN``), for the same reason.
* **Features** -- the live as-of snapshot features the model is trained on
  (:class:`kampass.pipeline.features.AsOf`, the same builder as training): at every snapshot of the
  backtest (the training rows before an origin and the deals scored at it) each deal's row is made as
  known before that day -- the open stage entered last and the days in it, the deal's age, the amount as
  dated then (in the reporting currency), the account's wins, losses and invoice revenue before the day,
  its KAM status then, buying-centre coverage and qualification as their history has them, the owner's
  record before the day, and the master data (currency, industry, country, lead source, type, owner,
  products, competitors, quarter opened). ``DealHistory.features`` holds the rows as known at the end of
  the day each deal was opened (for the leakage guard); ``DealHistory.features_at`` gives them as of any
  day. Nothing dated on or after a snapshot's day enters its row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
from django.db.models import F
from django.utils import timezone

from kampass.core.forecasting.backtest import DealHistory
from kampass.pipeline.features import CATEGORICAL, FEATURES, AsOf
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome, StageKind

FIRST_RECORDED = (
    "amount",
    "currency",
    "owner_id",
    "owner_name",
    "owner_probability",
    "lead_source",
    "opportunity_type",
)


@dataclass(frozen=True)
class RecordedHistory:
    """The history of kampass's opportunities and what the reader noticed (for the user); ``pks``
    are the opportunities' primary keys in the order of ``history.ids``."""

    history: DealHistory
    pks: tuple[int, ...]
    notes: list[str] = field(default_factory=list)


def _first_records() -> dict[int, dict[str, Any]]:
    """The earliest history record of every opportunity (its values as kampass first knew them)."""
    first: dict[int, dict[str, Any]] = {}
    rows = Opportunity.history.order_by("id", "history_date", "history_id").values(
        "id", "outcome", "history_date", *FIRST_RECORDED
    )
    for row in rows.iterator(chunk_size=2000):
        first.setdefault(row["id"], row)
    return first


def _first_open_stages() -> dict[int, tuple[str, dt.date]]:
    """The name of the stage every opportunity entered first, where that was an open stage, and the day
    it was recorded."""
    first: dict[int, tuple[str, str, dt.date]] = {}
    changes = OpportunityStageChange.objects.order_by("opportunity_id", "changed_at", "pk").values_list(
        "opportunity_id", "to_stage__name", "to_stage__kind", "changed_at"
    )
    for opportunity_id, name, kind, when in changes.iterator(chunk_size=2000):
        first.setdefault(opportunity_id, (name, kind, timezone.localdate(when)))
    return {pk: (name, day) for pk, (name, kind, day) in first.items() if kind == StageKind.OPEN}


class StagesAsOf:
    """``DealHistory.stage_at`` of kampass's opportunities: the name of the open stage each entered last
    at or before the start of a day (the rule :class:`AsOf` reads ``stage_order`` by), from the dated
    stage changes; ``None`` when no dated entry into an open stage precedes the day."""

    def __init__(self, opportunity_ids: Sequence[int]) -> None:
        self._entries: dict[str, list[tuple[dt.datetime, str]]] = {}
        changes = (
            OpportunityStageChange.objects.filter(
                opportunity_id__in=list(opportunity_ids), changed_at__isnull=False, to_stage__kind=StageKind.OPEN
            )
            .exclude(from_stage_id=F("to_stage_id"))  # an entry into the same stage only records an amount
            .order_by("changed_at", "pk")
            .values_list("opportunity_id", "to_stage__name", "changed_at")
        )
        for opportunity_id, name, when in changes.iterator(chunk_size=2000):
            if when is not None:  # excluded by the query: a derived entry has no date
                self._entries.setdefault(str(opportunity_id), []).append((when, name))

    def stage(self, pk: str, at: dt.datetime) -> str | None:
        """The open stage the opportunity ``pk`` entered last at or before ``at``."""
        entries = self._entries.get(pk, ())
        k = bisect.bisect_right([when for when, _ in entries], at)
        return entries[k - 1][1] if k else None

    def __call__(self, day: Any, ids: tuple[str, ...]) -> tuple[str | None, ...]:
        at = _start_of(dt.date.fromisoformat(str(day)[:10]))
        return tuple(self.stage(pk, at) for pk in ids)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def feature_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Feature rows (:meth:`AsOf.row`) as a table: categorical features as strings, the others as floats."""
    return pa.table(
        {
            name: pa.array([r[name] for r in rows], type=pa.string() if name in CATEGORICAL else pa.float64())
            for name in FEATURES
        }
    )


class FeaturesAsOf:
    """``DealHistory.features_at`` of kampass's opportunities: their :class:`AsOf` rows as known before a
    day (at its start), cached per day and deal (a backtest asks for the same snapshots again)."""

    def __init__(self, opportunities: Sequence[Opportunity]) -> None:
        self._by_id = {str(o.pk): o for o in opportunities}
        self._context = AsOf(opportunities)
        self._cache: dict[tuple[dt.date, str], dict[str, Any]] = {}

    def row(self, pk: str, day: dt.date) -> dict[str, Any]:
        """The features of the opportunity ``pk`` as known before ``day``."""
        key = (day, pk)
        if key not in self._cache:
            self._cache[key] = self._context.row(self._by_id[pk], _start_of(day))
        return self._cache[key]

    def __call__(self, day: Any, ids: tuple[str, ...]) -> pa.Table:
        on = dt.date.fromisoformat(str(day)[:10])
        return feature_table([self.row(pk, on) for pk in ids])


def recorded_deal_history(*, today: dt.date | None = None) -> RecordedHistory:
    """The :class:`DealHistory` of all opportunities (see the module docstring); ``end`` is ``today``
    (default: the local date), the last day whose outcomes are known."""
    from kampass.common.fx import UnknownCurrency, convert, reporting_currency

    today = today or timezone.localdate()
    target = reporting_currency()
    first = _first_records()
    stages = _first_open_stages()
    notes: list[str] = []
    opportunities = list(
        Opportunity.objects.order_by("pk").values(
            "pk",
            "created_on",
            "closed_on",
            "outcome",
            *FIRST_RECORDED,
        )
    )
    undated = [o for o in opportunities if o["outcome"] != Outcome.OPEN and o["closed_on"] is None]
    if undated:
        notes.append(f"{len(undated)} closed opportunities without a close date left out")
    later = [o for o in opportunities if o["created_on"] > today]
    if later:
        notes.append(f"{len(later)} opportunities opened after {today} left out")
    skip = {o["pk"] for o in (*undated, *later)}
    kept = [o for o in opportunities if o["pk"] not in skip]
    unknown_currency = 0
    loaded = {
        o.pk: o
        for o in Opportunity.objects.select_related("account", "stage", "owner").filter(pk__in=[o["pk"] for o in kept])
    }
    features_at = FeaturesAsOf([loaded[o["pk"]] for o in kept])
    amounts: list[float] = []
    owner_p: list[float] = []
    opened, closed, won, stage = [], [], [], []
    for o in kept:
        record = first.get(o["pk"])
        if record is None:
            # no history record: the current values, but no owner's probability (not known when it was given)
            record = {**o, "owner_probability": None}
        elif record["outcome"] != Outcome.OPEN:
            record = {**record, "owner_probability": None}  # first recorded already closed: a final value
        day: dt.date = o["created_on"]
        try:
            amount = float(convert(Decimal(record["amount"]), record["currency"], target, day))
        except UnknownCurrency:
            unknown_currency += 1
            amount = math.nan
        amounts.append(amount)
        p = record["owner_probability"]
        # known when opened only if recorded on the day it was opened (an import records later)
        at_opening = "history_date" in record and timezone.localdate(record["history_date"]) <= day
        owner_p.append(math.nan if p is None or not at_opening else p / 100)
        opened.append(np.datetime64(day, "D"))
        is_closed = o["outcome"] != Outcome.OPEN
        closed.append(np.datetime64(o["closed_on"], "D") if is_closed else np.datetime64("NaT", "D"))
        won.append(o["outcome"] == Outcome.WON)
        entered = stages.get(o["pk"])
        stage.append(entered[0] if entered is not None and entered[1] <= day else None)
    if unknown_currency:
        notes.append(f"{unknown_currency} amounts in a currency without exchange rates left out of the totals")
    probabilities = np.asarray(owner_p, dtype=np.float64)
    history = DealHistory(
        ids=tuple(str(o["pk"]) for o in kept),
        opened=np.asarray(opened, dtype="datetime64[D]"),
        closed=np.asarray(closed, dtype="datetime64[D]"),
        won=np.asarray(won, dtype=bool),
        # as known at the end of the day each deal was opened; any other day through features_at
        features=feature_table([features_at.row(str(o["pk"]), o["created_on"] + dt.timedelta(days=1)) for o in kept]),
        end=np.datetime64(today, "D"),
        amount=np.asarray(amounts, dtype=np.float64),
        amount_unit=target,
        stage=tuple(stage) if any(s is not None for s in stage) else (),
        owner_probability=probabilities if len(probabilities) and not np.isnan(probabilities).all() else None,
        features_at=features_at,
        stage_at=StagesAsOf([o["pk"] for o in kept]),
    )
    return RecordedHistory(history=history, pks=tuple(o["pk"] for o in kept), notes=notes)


def default_origins(history: DealHistory, horizon: int, *, months: int = 12) -> list[dt.date]:
    """Monthly origins (the first of each month) over the last ``months`` months whose horizon ends by the
    end of the data and with at least one deal opened ``horizon`` days before (something to learn from).

    Examples
    --------
    >>> h = DealHistory(
    ...     ids=("a",), opened=np.array(["2023-01-10"], dtype="datetime64[D]"),
    ...     closed=np.array(["NaT"], dtype="datetime64[D]"), won=np.array([False]),
    ...     features=pa.table({"x": ["1"]}), end=np.datetime64("2024-06-15"),
    ... )
    >>> [str(d) for d in default_origins(h, 90, months=3)]
    ['2024-01-01', '2024-02-01', '2024-03-01']
    """
    if len(history) == 0:
        return []
    last = (history.end + np.timedelta64(1, "D") - np.timedelta64(horizon, "D")).astype(dt.date)
    earliest = (history.opened.min() + np.timedelta64(horizon + 1, "D")).astype(dt.date)
    origins = []
    month = dt.date(last.year, last.month, 1)
    for _ in range(months):
        if month < earliest:
            break
        origins.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return sorted(origins)


def first_owner_probabilities() -> dict[int, float]:
    """The owner's probability (0-1) of every opportunity as first recorded while it was open, where
    one was given (a probability first recorded on a closed opportunity is its final 0/100, not used)."""
    return {
        pk: record["owner_probability"] / 100
        for pk, record in _first_records().items()
        if record["outcome"] == Outcome.OPEN and record["owner_probability"] is not None
    }
