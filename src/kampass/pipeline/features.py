"""The as-of features the win-probability model sees: only what was known at a point in time.

Training rows are **snapshots** of closed opportunities at the points in time they passed: each
dated entry into an open stage (from :class:`~kampass.pipeline.models.OpportunityStageChange`,
recorded by kampass or imported from a stage-history file), the day the deal was opened, and
checkpoints every ``CHECKPOINT_DAYS`` days while it was open (at most ``MAX_CHECKPOINTS``), so that
the days spent in a stage are seen as an open deal shows them. An open opportunity is scored with
the same features as of now (:func:`feature_rows`). Every snapshot of a deal carries the deal's
outcome; cross-validation and calibration keep the snapshots of one deal together (``groups``).

The features of a snapshot at time ``at`` (a plain dict as ``kampass.core.forecasting`` takes it):

* ``stage_order`` — the order of the open stage entered last at or before ``at`` (missing when no
  dated history says so); ``days_in_stage`` — days since that entry; ``age_days`` — days since the
  deal was opened;
* ``amount`` — the deal value as it was at ``at``: the latest value dated at or before ``at`` from
  the stage history's amounts and the field history (django-simple-history); missing when nothing
  dated that early says so (the current value of a closed deal may be its final one). It is in the
  reporting currency (``KAMPASS_REPORTING_CURRENCY``), converted with :mod:`kampass.common.fx` at the
  rate of the deal's rate day as the pipeline's totals use it on that day (its expected close date, the
  day of ``at`` for a later or no date), so that a GBP deal and a EUR deal of equal value weigh the
  same; missing for a currency no rate source knows;
* ``account_won``, ``account_lost`` — other deals of the account closed (won / lost) before the day
  of ``at``; ``account_revenue_365d`` — the account's gross invoice revenue (the commercial context's, through
  ``kampass.common.account_facts``,
  converted into the reporting currency at the invoice day's rate) in the 365 days before that day;
* ``contacts`` — buying-centre links and ``qualified`` — MEDDPICC elements confirmed, both as the
  field history of the links and the qualification has them at ``at`` (0 without history);
* ``owner_won``, ``owner_closed`` and ``owner_win_rate`` — the owner's deals closed before that day;
* ``kam_status`` — the account's KAM status on that day (from its dated status changes);
* master data taken as it is now (no history is kept of it): ``currency``, ``industry``,
  ``country``, ``lead_source``, ``opportunity_type``, ``owner``, ``products``, ``competitors`` (how
  many are named), ``opened_quarter``.

Never used, because they describe the deal up to its closing: the outcome and its reason, the
close date, the closed stage, the forecast category (Salesforce sets it to "Closed" or "Omitted"
on closing), the owner's probability (set to 0/100 on closing), and the calibrated probability.
Nothing dated after ``at`` enters a snapshot (``tests/test_features_asof.py`` proves it feature by
feature).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kampass.pipeline.models import (
    Opportunity,
    OpportunityContact,
    OpportunityStageChange,
    Outcome,
    Qualification,
    QualificationStatus,
    StageKind,
)

FEATURES = (
    "amount",
    "currency",
    "industry",
    "country",
    "kam_status",
    "lead_source",
    "opportunity_type",
    "owner",
    "products",
    "competitors",
    "opened_quarter",
    "stage_order",
    "days_in_stage",
    "age_days",
    "account_won",
    "account_lost",
    "account_revenue_365d",
    "contacts",
    "qualified",
    "owner_won",
    "owner_closed",
    "owner_win_rate",
)
CATEGORICAL = (
    "currency",
    "industry",
    "country",
    "kam_status",
    "lead_source",
    "opportunity_type",
    "owner",
    "opened_quarter",
)
NUMERIC = tuple(f for f in FEATURES if f not in CATEGORICAL)

#: Checkpoints of a closed deal between its stage entries: every 30 days while open, at most 6.
CHECKPOINT_DAYS = 30
MAX_CHECKPOINTS = 6
REVENUE_WINDOW_DAYS = 365


class _StatusAsOf:
    """The KAM status of accounts on a given day, from their dated status changes."""

    def __init__(self, account_ids: Iterable[int]) -> None:
        from kampass.accounts.models import AccountStatusChange

        self._changes: dict[int, tuple[list[dt.date], list[str], str]] = {}
        grouped: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
        rows = (
            AccountStatusChange.objects.filter(account_id__in=set(account_ids))
            .order_by("effective_date", "changed_at", "pk")
            .values_list("account_id", "effective_date", "from_status", "to_status")
        )
        for account_id, day, from_status, to_status in rows:
            grouped[account_id].append((day, from_status, to_status))
        for account_id, changes in grouped.items():
            self._changes[account_id] = ([c[0] for c in changes], [c[2] for c in changes], changes[0][1])

    def status(self, account_id: int, day: dt.date, current: str) -> str:
        entry = self._changes.get(account_id)
        if entry is None:
            return current
        days, statuses, before_first = entry
        i = bisect.bisect_right(days, day)
        if i == 0:
            return before_first or statuses[0]
        return statuses[i - 1]


class _Closings:
    """Closed deals per key (account or owner), by close day: how many were won and lost before a day."""

    def __init__(self) -> None:
        self._days: dict[Any, list[dt.date]] = defaultdict(list)
        self._won: dict[Any, list[int]] = defaultdict(list)

    def add(self, key: Any, day: dt.date, won: bool) -> None:
        self._days[key].append(day)
        self._won[key].append(int(won))

    def freeze(self) -> None:
        for key, days in self._days.items():
            order = sorted(range(len(days)), key=days.__getitem__)
            self._days[key] = [days[i] for i in order]
            cumulative, total = [], 0
            for i in order:
                total += self._won[key][i]
                cumulative.append(total)
            self._won[key] = cumulative

    def before(self, key: Any, day: dt.date) -> tuple[int, int]:
        """(won, closed) of ``key`` with a close day before ``day``."""
        days = self._days.get(key)
        if not days:
            return 0, 0
        n = bisect.bisect_left(days, day)
        return (self._won[key][n - 1] if n else 0), n


class _Dated:
    """Dated values per key, to read the latest value at or before a time."""

    def __init__(self) -> None:
        self._items: dict[Any, list[tuple[dt.datetime, Any]]] = defaultdict(list)

    def add(self, key: Any, at: dt.datetime, value: Any) -> None:
        self._items[key].append((at, value))

    def freeze(self) -> None:
        for items in self._items.values():
            items.sort(key=lambda item: item[0])

    def at(self, key: Any, when: dt.datetime) -> Any:
        items = self._items.get(key)
        if not items:
            return None
        i = bisect.bisect_right([t for t, _ in items], when)
        return items[i - 1][1] if i else None

    def all_at(self, key: Any, when: dt.datetime) -> list[Any]:
        """Values dated at or before ``when``, oldest first."""
        return [v for t, v in self._items.get(key, ()) if t <= when]


def _owner_key(owner_username: str | None, owner_name: str) -> str:
    return owner_username or owner_name


@dataclass(frozen=True)
class Snapshot:
    """One point in time of an opportunity: the training row's date (or now, for scoring)."""

    opportunity: Opportunity
    at: dt.datetime


class AsOf:
    """Everything dated the snapshot features of ``opportunities`` are read from, loaded once."""

    def __init__(self, opportunities: Sequence[Opportunity]) -> None:
        ids = [o.pk for o in opportunities]
        account_ids = {o.account_id for o in opportunities}
        self.status = _StatusAsOf(account_ids)
        # dated stage entries and amounts of the stage history
        self.entries: dict[int, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
        self.amounts = _Dated()
        changes = (
            OpportunityStageChange.objects.filter(opportunity_id__in=ids, changed_at__isnull=False)
            .order_by("changed_at", "pk")
            .values_list(
                "opportunity_id",
                "changed_at",
                "from_stage_id",
                "to_stage_id",
                "to_stage__order",
                "to_stage__kind",
                "amount",
            )
        )
        for opportunity_id, at, from_id, to_id, order, kind, amount in changes:
            if at is None:  # excluded by the query: a derived entry has no date
                continue
            if from_id != to_id:  # an entry from a stage into itself only records the amount then
                self.entries[opportunity_id].append((at, order, kind))
            if amount is not None:
                self.amounts.add(opportunity_id, at, float(amount))
        for opportunity_id, at, amount in Opportunity.history.filter(id__in=ids).values_list(
            "id", "history_date", "amount"
        ):
            if amount is not None:
                self.amounts.add(opportunity_id, at, float(amount))
        self.amounts.freeze()
        # earlier closings of the accounts and the owners (any deal, not only these)
        self.accounts = _Closings()
        self.owners = _Closings()
        closed = Opportunity.objects.exclude(outcome=Outcome.OPEN).filter(closed_on__isnull=False)
        for account_id, username, owner_name, outcome, closed_on in closed.values_list(
            "account_id", "owner__username", "owner_name", "outcome", "closed_on"
        ):
            if closed_on is None:  # excluded by the query
                continue
            won = outcome == Outcome.WON
            self.accounts.add(account_id, closed_on, won)
            owner = _owner_key(username, owner_name)
            if owner:
                self.owners.add(owner, closed_on, won)
        self.accounts.freeze()
        self.owners.freeze()
        # buying-centre links and confirmed qualification, as their field history has them
        self.contacts = _Dated()
        for opportunity_id, contact_id, at, kind in OpportunityContact.history.filter(
            opportunity_id__in=ids
        ).values_list("opportunity_id", "contact_id", "history_date", "history_type"):
            self.contacts.add(opportunity_id, at, (contact_id, kind != "-"))
        self.contacts.freeze()
        self.qualification = _Dated()
        for opportunity_id, element, status, at, kind in Qualification.history.filter(
            opportunity_id__in=ids
        ).values_list("opportunity_id", "element", "status", "history_date", "history_type"):
            self.qualification.add(
                opportunity_id, at, (element, kind != "-" and status == QualificationStatus.CONFIRMED)
            )
        self.qualification.freeze()
        self.revenue = _revenue_by_account(account_ids)
        self._rates: dict[tuple[str, dt.date], float | None] = {}

    def _reporting(self, o: Opportunity, amount: float | None, day: dt.date) -> float | None:
        """``amount`` in ``o``'s currency converted into the reporting currency at the deal's rate day."""
        from kampass.common import fx

        if amount is None:
            return None
        on = fx.pipeline_rate_day(o.expected_close_date, day)
        key = (o.currency, on)
        if key not in self._rates:
            try:
                self._rates[key] = float(fx.rate(o.currency, fx.reporting_currency(), on).rate)
            except fx.UnknownCurrency:
                self._rates[key] = None
        rate = self._rates[key]
        return None if rate is None else round(amount * rate, 2)

    def _revenue_before(self, account_id: int, day: dt.date) -> float:
        entry = self.revenue.get(account_id)
        if entry is None:
            return 0.0
        days, cumulative = entry
        end = bisect.bisect_left(days, day)
        start = bisect.bisect_left(days, day - dt.timedelta(days=REVENUE_WINDOW_DAYS))
        if end == 0:
            return 0.0
        return cumulative[end - 1] - (cumulative[start - 1] if start else 0.0)

    def row(self, o: Opportunity, at: dt.datetime, *, now: bool = False) -> dict[str, Any]:
        """The features of ``o`` as of ``at``; ``now``: ``at`` is the present (the current stage and
        amount are what is known)."""
        day = timezone.localdate(at)
        entered = [e for e in self.entries.get(o.pk, ()) if e[0] <= at]
        if now:
            stage_order: int | None = o.stage.order
            amount: float | None = float(o.amount)
        else:
            open_entries = [e for e in entered if e[2] == StageKind.OPEN]
            stage_order = open_entries[-1][1] if open_entries else None
            amount = self.amounts.at(o.pk, at)
        since = _stretch_start(entered, stage_order)
        account_won, account_closed = self.accounts.before(o.account_id, day)
        owner = _owner_key(o.owner.username if o.owner_id and o.owner is not None else None, o.owner_name)
        owner_won, owner_closed = self.owners.before(owner, day) if owner else (0, 0)
        linked: dict[Any, bool] = {}
        for contact_id, present in self.contacts.all_at(o.pk, at):
            linked[contact_id] = present
        confirmed: dict[Any, bool] = {}
        for element, ok in self.qualification.all_at(o.pk, at):
            confirmed[element] = ok
        account = o.account
        return {
            "amount": self._reporting(o, amount, day),
            "currency": o.currency,
            "industry": account.industry or None,
            "country": str(account.country) or None,
            "kam_status": self.status.status(account.pk, day, account.kam_status),
            "lead_source": o.lead_source or None,
            "opportunity_type": o.opportunity_type or None,
            "owner": owner or None,
            "products": len(o.products or []),
            "competitors": len(o.competitors or []),
            "opened_quarter": f"Q{(o.created_on.month - 1) // 3 + 1}",
            "stage_order": stage_order,
            "days_in_stage": (day - timezone.localdate(since)).days if since is not None else None,
            "age_days": max(0, (day - o.created_on).days),
            "account_won": account_won,
            "account_lost": account_closed - account_won,
            "account_revenue_365d": self._revenue_before(o.account_id, day),
            "contacts": sum(linked.values()),
            "qualified": sum(confirmed.values()),
            "owner_won": owner_won,
            "owner_closed": owner_closed,
            "owner_win_rate": owner_won / owner_closed if owner_closed else None,
        }


def _stretch_start(entered: Sequence[tuple[dt.datetime, int, str]], order: int | None) -> dt.datetime | None:
    """When the deal entered the stage ``order`` it is in at the end of ``entered`` (the first of the
    last unbroken run of entries into it: a repeated entry, e.g. an import's record, does not restart it)."""
    if order is None or not entered or entered[-1][1] != order:
        return None
    i = len(entered) - 1
    while i > 0 and entered[i - 1][1] == order:
        i -= 1
    return entered[i][0]


def _revenue_by_account(account_ids: Iterable[int]) -> dict[int, tuple[list[dt.date], list[float]]]:
    """Per account the invoice days and the cumulative gross revenue in the reporting currency."""
    from kampass.common import fx
    from kampass.common.account_facts import daily_gross_revenue

    try:
        daily = daily_gross_revenue(account_ids)
    except Exception:
        return {}
    target = fx.reporting_currency()
    out: dict[int, tuple[list[dt.date], list[float]]] = {}
    for account_id, items in daily.items():
        days: list[dt.date] = []
        cumulative: list[float] = []
        total = 0.0
        for day, currency, amount in items:
            try:
                value = fx.convert(amount, currency, target, day) if currency != target else amount
            except fx.UnknownCurrency:
                continue
            total += float(value)
            if days and days[-1] == day:
                cumulative[-1] = total
            else:
                days.append(day)
                cumulative.append(total)
        out[account_id] = (days, cumulative)
    return out


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def snapshot_times(o: Opportunity, entries: Sequence[tuple[dt.datetime, int, str]]) -> list[dt.datetime]:
    """The points in time a closed deal is seen at in training: when it was opened (its first entry
    recorded on that day, else the start of the day), each dated entry into an open stage while it was
    open, and checkpoints every ``CHECKPOINT_DAYS`` days."""
    if o.closed_on is None:
        return []
    end = o.closed_on
    # opened: at the first entry recorded that day (a deal created in kampass), else at the start of the day
    first = [at for at, _order, _kind in entries if timezone.localdate(at) == o.created_on]
    times = {min(first) if first else _start_of(o.created_on)}
    for at, _order, kind in entries:
        if kind == StageKind.OPEN and o.created_on <= timezone.localdate(at) <= end:
            times.add(at)
    for k in range(1, MAX_CHECKPOINTS + 1):
        day = o.created_on + dt.timedelta(days=CHECKPOINT_DAYS * k)
        if day >= end:
            break
        times.add(_start_of(day))
    return sorted(times)


def training_snapshots(closed: Sequence[Opportunity]) -> tuple[list[Snapshot], list[dict[str, Any]]]:
    """The snapshots of the closed deals ``closed`` (with ``account``, ``stage`` and ``owner`` loaded)
    and their feature rows, in the same order."""
    context = AsOf(closed)
    snapshots: list[Snapshot] = []
    rows: list[dict[str, Any]] = []
    for o in closed:
        for at in snapshot_times(o, context.entries.get(o.pk, ())):
            snapshots.append(Snapshot(o, at))
            rows.append(context.row(o, at))
    return snapshots, rows


def feature_rows(opportunities: list[Opportunity], *, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Feature rows of ``opportunities`` (with ``account``, ``stage`` and ``owner`` loaded) as of
    ``at`` (default: now, with the current stage and amount)."""
    context = AsOf(opportunities)
    if at is None:
        moment = timezone.now()
        return [context.row(o, moment, now=True) for o in opportunities]
    return [context.row(o, at) for o in opportunities]


def snapshot_row(opportunity: Opportunity, at: dt.datetime) -> dict[str, Any]:
    """The features of one opportunity as of ``at`` (for tests and explanations)."""
    return AsOf([opportunity]).row(opportunity, at)


def constant_features(rows: list[dict[str, Any]]) -> list[str]:
    """Features that carry no information in ``rows`` (always missing or one single value)."""
    out = []
    for name in FEATURES:
        values = {r.get(name) for r in rows}
        if len(values) <= 1:
            out.append(name)
    return out
