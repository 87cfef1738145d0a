"""Writes of account reviews: plan, edit, hold (freezing the snapshot), cancel, the cadence per account,
and raising reviews from events. One transaction per function; permissions checked here
(``planning.change_plan`` on the account: its KAM and the head of KAM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.concurrency import expect_version
from kampass.common.permissions import authorize
from kampass.core import kpis as core
from kampass.planning import services
from kampass.planning.models import (
    AccountPlan,
    AccountReview,
    AccountReviewCadence,
    ReviewCadence,
    ReviewKind,
    ReviewStatus,
    ReviewTrigger,
)
from kampass.users.actors import Actor

#: days between an event and the review it raises
EVENT_REVIEW_DAYS = 14

TEXT_FIELDS = ("participants", "objective_notes", "action_notes", "decisions", "notes")


def default_cadence() -> str:
    """The cadence of accounts without their own (setting ``KAMPASS_REVIEW_CADENCE``, quarterly)."""
    value = str(getattr(settings, "KAMPASS_REVIEW_CADENCE", "quarterly"))
    return value if value in core.CADENCE_MONTHS else "quarterly"


def _plan_of(account_id: int, plan_id: int | None) -> AccountPlan | None:
    if plan_id is None:
        from kampass.planning.selectors import current_plan

        return current_plan(account_id)
    plan = AccountPlan.objects.filter(pk=plan_id).first()
    if plan is None or plan.account_id != account_id:
        raise ValidationError({"plan": [_("Plan %(id)s is not a plan of this account.") % {"id": plan_id}]})
    return plan


def _require_planned(review: AccountReview) -> None:
    if review.status != ReviewStatus.PLANNED:
        raise ValidationError(
            {
                "status": [
                    _("This review is %(status)s and can no longer be changed.")
                    % {"status": review.get_status_display()}
                ]
            }
        )


def _texts(values: dict[str, str]) -> dict[str, str]:
    return {k: str(values.get(k) or "").strip() for k in TEXT_FIELDS if k in values}


@transaction.atomic
def review_plan(
    *,
    actor: Actor,
    account_id: int,
    kind: str,
    due_on: dt.date,
    plan_id: int | None = None,
    **texts: str,
) -> AccountReview:
    """Plan a review of an account (a check-in or the annual strategic review) for ``due_on``; it refers
    to the given plan version, else to the account's plan in force."""
    account = services._account(account_id)
    authorize(actor, "planning.change_plan", account)
    if kind not in (ReviewKind.CHECK_IN, ReviewKind.STRATEGIC):
        raise ValidationError({"kind": [_("Plan a check-in or a strategic review; events raise their own reviews.")]})
    plan = _plan_of(account.pk, plan_id)
    review = AccountReview(
        account=account, plan=plan, kind=kind, due_on=due_on, created_by=services._user(actor), **_texts(texts)
    )
    services._save(review, actor)
    return review


@transaction.atomic
def review_update(
    *, actor: Actor, review: AccountReview, version: int | None, due_on: dt.date, **texts: str
) -> AccountReview:
    """Change the date or the notes of a planned review (refused when someone saved it meanwhile)."""
    authorize(actor, "planning.change_plan", review.account)
    review = AccountReview.objects.select_for_update().get(pk=review.pk)
    expect_version(review, version)
    _require_planned(review)
    review.due_on = due_on
    for name, value in _texts(texts).items():
        setattr(review, name, value)
    services._save(review, actor)
    return review


def review_snapshot(review: AccountReview, *, as_of: dt.date) -> dict[str, Any]:
    """What a held review freezes: the account's KPIs as of ``as_of`` and every objective of the review's
    plan with baseline, target, actual, progress and status."""
    from kampass.common import fx
    from kampass.planning.kpis import account_kpis
    from kampass.planning.selectors_objectives import objectives_progress

    currency = fx.reporting_currency()
    kpis = account_kpis([review.account_id], as_of=as_of, currency=currency)[review.account_id]
    objectives = objectives_progress(review.plan, today=as_of) if review.plan is not None else []
    return {
        "as_of": as_of.isoformat(),
        "taken_at": timezone.now().isoformat(),
        "currency": currency,
        "plan_id": review.plan_id,
        "kpis": {key: value.as_json() for key, value in kpis.items()},
        "objectives": [o.as_json() for o in objectives],
    }


@transaction.atomic
def review_hold(
    *, actor: Actor, review: AccountReview, version: int | None, held_on: dt.date, **texts: str
) -> AccountReview:
    """Record a planned review as held on ``held_on`` with its participants, notes and decisions, and
    freeze the snapshot of KPIs and objectives (planned vs actual) as of that day. A held review is
    immutable."""
    authorize(actor, "planning.change_plan", review.account)
    review = AccountReview.objects.select_for_update().get(pk=review.pk)
    expect_version(review, version)
    _require_planned(review)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": [_("A review cannot be held in the future.")]})
    for name, value in _texts(texts).items():
        setattr(review, name, value)
    if not review.participants:
        raise ValidationError({"participants": [_("Name who took part.")]})
    if review.plan is None:
        review.plan = _plan_of(review.account_id, None)
    review.held_on = held_on
    review.held_by = services._user(actor)
    review.status = ReviewStatus.HELD
    review.snapshot = review_snapshot(review, as_of=held_on)
    services._save(review, actor)
    return review


@transaction.atomic
def review_cancel(*, actor: Actor, review: AccountReview, version: int | None, reason: str = "") -> AccountReview:
    """Cancel a planned review (the reason goes to its notes)."""
    authorize(actor, "planning.change_plan", review.account)
    review = AccountReview.objects.select_for_update().get(pk=review.pk)
    expect_version(review, version)
    _require_planned(review)
    review.status = ReviewStatus.CANCELLED
    if reason.strip():
        review.notes = (review.notes + "\n\n" if review.notes else "") + reason.strip()
    services._save(review, actor)
    return review


@transaction.atomic
def review_cadence_set(*, actor: Actor, account_id: int, cadence: str) -> str:
    """Set how often the account's check-in is due ("" returns it to the default cadence)."""
    account = services._account(account_id)
    authorize(actor, "planning.change_plan", account)
    if cadence and cadence not in ReviewCadence.values:
        raise ValidationError({"cadence": [_("Unknown review cadence “%(value)s”.") % {"value": cadence}]})
    if not cadence:
        AccountReviewCadence.objects.filter(account=account).delete()
        return default_cadence()
    AccountReviewCadence.objects.update_or_create(account=account, defaults={"cadence": cadence})
    return cadence


# ---- events -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewEvent:
    """Something that calls for a review of a key account: ``key`` names it once and for all (a second
    run finds the review it raised), ``note`` says what happened."""

    account_id: int
    trigger: str
    key: str
    note: str


#: further sources of events, ``source(today) -> events`` (e.g. a drop of the health score, registered
#: by the module that computes health)
REVIEW_EVENT_SOURCES: list[Callable[[dt.date], Iterable[ReviewEvent]]] = []


def _key_account_of() -> dict[int, int]:
    """``{account id: the key account it belongs to}`` (itself, or its nearest key-account ancestor)."""
    from kampass.accounts import facade as accounts_facade

    owner: dict[int, tuple[int, int]] = {}
    for key_id in accounts_facade.key_account_ids():
        ids = accounts_facade.subtree_account_ids(key_id)
        for member in ids:
            # the smallest subtree is the nearest key account
            if member not in owner or len(ids) < owner[member][1]:
                owner[member] = (key_id, len(ids))
    return {member: key for member, (key, _n) in owner.items()}


def large_loss_events(today: dt.date) -> list[ReviewEvent]:
    """Opportunities of key accounts (or their subsidiaries) lost in the last ``KAMPASS_REVIEW_EVENT_DAYS``
    days worth at least ``KAMPASS_REVIEW_LARGE_LOSS`` in the reporting currency: one event per key account
    for the losses since its last large-loss review was raised (they are discussed together); the event is
    named by the newest of them, so a later loss raises a new review."""
    from kampass.common import fx
    from kampass.pipeline import facade as pipeline_facade

    owner = _key_account_of()
    currency = fx.reporting_currency()
    threshold = Decimal(str(settings.KAMPASS_REVIEW_LARGE_LOSS))
    since = today - dt.timedelta(days=int(settings.KAMPASS_REVIEW_EVENT_DAYS))
    raised: dict[int, dt.date] = {}
    for account_id, created_at in AccountReview.objects.filter(trigger=ReviewTrigger.LARGE_LOSS).values_list(
        "account_id", "created_at"
    ):
        day = timezone.localtime(created_at).date()
        raised[account_id] = max(day, raised.get(account_id, day))
    losses: dict[int, list[Any]] = {}
    for lost in pipeline_facade.lost_opportunities_since(since=since, min_amount=threshold, currency=currency):
        key_account = owner.get(lost.account_id)
        if key_account is None or lost.closed_on > today or lost.closed_on < raised.get(key_account, since):
            continue
        losses.setdefault(key_account, []).append(lost)
    events = []
    for key_account, found in losses.items():
        biggest = max(found, key=lambda o: (o.converted, o.id))
        note = _("Lost “%(name)s” (%(amount)s %(currency)s) on %(day)s.") % {
            "name": biggest.name, "amount": f"{biggest.amount:,.0f}", "currency": biggest.currency,
            "day": biggest.closed_on.isoformat(),
        }  # fmt: skip
        if len(found) > 1:
            note += " " + _("%(n)d large losses in all.") % {"n": len(found)}
        newest = max(o.id for o in found)
        events.append(ReviewEvent(key_account, ReviewTrigger.LARGE_LOSS, f"large_loss:{newest}", note))
    return events


def leakage_events(today: dt.date) -> list[ReviewEvent]:
    """Key accounts whose leakage share of the last 12 months is above ``KAMPASS_REVIEW_LEAKAGE_SHARE``
    (one event per account and month)."""
    from kampass.accounts import facade as accounts_facade
    from kampass.planning.kpis import account_kpis

    limit = float(settings.KAMPASS_REVIEW_LEAKAGE_SHARE)
    events = []
    for account_id, values in account_kpis(sorted(accounts_facade.key_account_ids()), as_of=today).items():
        share = values["leakage_share"].value
        if share is not None and float(share) > limit:
            note = _("Leakage takes %(share).1f %% of revenue (guardrail %(limit).1f %%).") % {
                "share": 100 * float(share), "limit": 100 * limit,
            }  # fmt: skip
            events.append(ReviewEvent(account_id, ReviewTrigger.LEAKAGE_BREACH, f"leakage_breach:{today:%Y-%m}", note))
    return events


def relationship_drop_events(today: dt.date) -> list[ReviewEvent]:
    """Key accounts whose relationship stage was set lower than the assessment before it (or to
    disintegrating) in the last ``KAMPASS_REVIEW_EVENT_DAYS`` days."""
    from kampass.accounts import facade as accounts_facade
    from kampass.core.planning import relationship_rank
    from kampass.planning.models import RelationshipStageEntry

    keys = accounts_facade.key_account_ids()
    since = today - dt.timedelta(days=int(settings.KAMPASS_REVIEW_EVENT_DAYS))
    previous: dict[int, str] = {}
    events = []
    for entry in RelationshipStageEntry.objects.filter(account_id__in=keys).order_by("account_id", "recorded_at", "pk"):
        before = previous.get(entry.account_id)
        previous[entry.account_id] = entry.stage
        day = timezone.localtime(entry.recorded_at).date()
        if before is None or before == entry.stage or not (since <= day <= today):
            continue
        old, new = relationship_rank(before), relationship_rank(entry.stage)
        if old is not None and (new is None or new < old):
            note = _("Relationship stage dropped from %(old)s to %(new)s on %(day)s.") % {
                "old": before, "new": entry.stage, "day": day.isoformat(),
            }  # fmt: skip
            events.append(
                ReviewEvent(entry.account_id, ReviewTrigger.RELATIONSHIP_DROP, f"relationship_drop:{entry.pk}", note)
            )
    return events


def cadence_events(today: dt.date) -> list[ReviewEvent]:
    """Key accounts without a planned check-in: the next one at their cadence after the last review held
    (or after their plan's start, or today when they have none)."""
    from kampass.accounts import facade as accounts_facade
    from kampass.planning.selectors import current_plan

    keys = sorted(accounts_facade.key_account_ids())
    cadences = dict(AccountReviewCadence.objects.filter(account_id__in=keys).values_list("account_id", "cadence"))
    planned = set(
        AccountReview.objects.filter(
            account_id__in=keys, status=ReviewStatus.PLANNED, kind=ReviewKind.CHECK_IN
        ).values_list("account_id", flat=True)
    )
    last: dict[int, dt.date] = {}
    for account_id, held_on in AccountReview.objects.filter(
        account_id__in=keys, status=ReviewStatus.HELD, held_on__isnull=False
    ).values_list("account_id", "held_on"):
        if held_on is not None:
            last[account_id] = max(held_on, last.get(account_id, held_on))
    events = []
    for account_id in keys:
        if account_id in planned:
            continue
        plan = current_plan(account_id)
        start = plan.period_start if plan is not None else today
        cadence = cadences.get(account_id, default_cadence())
        due = core.next_review_due(last.get(account_id), cadence, start=start)
        events.append(ReviewEvent(account_id, ReviewTrigger.CADENCE, f"cadence:{due.isoformat()}", due.isoformat()))
    return events


@transaction.atomic
def reviews_raise_events(*, today: dt.date | None = None) -> list[AccountReview]:
    """Plan a review for every event that calls for one and has none yet: large losses, leakage guardrail
    breaches, relationship stage drops, events of the registered :data:`REVIEW_EVENT_SOURCES` (the health
    score) and the next check-in at each key account's cadence. Idempotent: an event raises one review
    (``event_key``), and a second leakage or check-in review is not planned while one is still open.
    Returns the reviews planned by this run."""
    day = today or timezone.localdate()
    events: list[ReviewEvent] = [
        *large_loss_events(day),
        *leakage_events(day),
        *relationship_drop_events(day),
        *cadence_events(day),
    ]
    for source in REVIEW_EVENT_SOURCES:
        events.extend(source(day))
    existing = set(AccountReview.objects.exclude(event_key="").values_list("account_id", "event_key"))
    open_triggers = set(
        AccountReview.objects.filter(status=ReviewStatus.PLANNED)
        .exclude(trigger="")
        .values_list("account_id", "trigger")
    )
    created = []
    for event in events:
        if (event.account_id, event.key) in existing:
            continue
        repeats = event.trigger in (ReviewTrigger.LEAKAGE_BREACH, ReviewTrigger.HEALTH_DROP)
        if repeats and (event.account_id, event.trigger) in open_triggers:
            continue
        if event.trigger == ReviewTrigger.CADENCE:
            kind, due, note = ReviewKind.CHECK_IN, dt.date.fromisoformat(event.note), ""
        else:
            kind, due, note = ReviewKind.EVENT, day + dt.timedelta(days=EVENT_REVIEW_DAYS), event.note
        review = AccountReview(
            account_id=event.account_id,
            plan=_plan_of(event.account_id, None),
            kind=kind,
            trigger=event.trigger,
            event_key=event.key,
            event_note=note[:300],
            due_on=due,
        )
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:  # raised by a concurrent run meanwhile
            continue
        existing.add((event.account_id, event.key))
        open_triggers.add((event.account_id, event.trigger))
        created.append(review)
    return created
