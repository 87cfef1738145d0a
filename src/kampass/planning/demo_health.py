"""Demo actions, health weights and health history (fictitious, deterministic).

* Weights: the default weights, saved once by the head of KAM with a note.
* Actions: on the current plan of fourteen key accounts (the demo KAM's first; a draft plan for the
  current year is started where the plans' own demo made none), three actions owned by the account's
  KAM: one done on time a month ago, one overdue by ten days, one due in three weeks; on every third
  account a fourth one done late.
* Health history: eleven monthly snapshots before today per key account (twelve with today's) around
  its current score (a deterministic walk of a few points; the components' contributions scaled to
  each month's score), then today's real snapshot through the service. For one account of the demo
  KAM ``kam`` last month's snapshot lies 15 points above today's: the drop is visible on its trend
  and raises a notice to its
  KAM and the head of KAM.

Loading again changes nothing (the snapshots are one per account and day, actions and weights are only
written when the demo's are not there); ``reset=True`` deletes the actions, snapshots, notices and
weights first.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.core import scorecard as core
from kampass.planning import action_services, health_selectors, health_services, selectors, services
from kampass.planning.models import (
    AccountPlan,
    ActionStatus,
    HealthSnapshot,
    HealthWeights,
    Notice,
    PlanAction,
    PlanStatus,
)
from kampass.users.models import Role, User

DEMO_NOTE = "Demo weights"
MAX_ACCOUNTS = 14
ACTION_TITLES = (
    ("Agree the joint service roadmap with the plant managers", "Plant managers"),
    ("Close the open quality claim before the annual review", "Quality"),
    ("Introduce the new product line to the technical buyer", "Innovation"),
    ("Prepare the price negotiation with the economic buyer", "Pricing"),
)


def _plan_for(account_id: int, head: User, today: dt.date) -> AccountPlan:
    plan = selectors.current_plan(account_id)
    if plan is not None:
        return plan
    open_plan = (
        AccountPlan.objects.filter(account_id=account_id)
        .exclude(status=PlanStatus.SUPERSEDED)
        .order_by("-period_start", "-number")
        .first()
    )
    if open_plan is not None:
        return open_plan
    return services.plan_create(
        actor=head,
        account_id=account_id,
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year, 12, 31),
    )


def _actions(head: User, accounts: list[int], today: dt.date) -> int:
    kams = accounts_facade.account_kams(accounts)
    made = 0
    for i, account_id in enumerate(accounts):
        plan = _plan_for(account_id, head, today)
        if plan.actions.exists():
            continue
        owner = kams[account_id][0].user_id if kams.get(account_id) else None
        specs = [
            (ACTION_TITLES[0], today - dt.timedelta(days=30), ActionStatus.DONE, today - dt.timedelta(days=33)),
            (ACTION_TITLES[1], today - dt.timedelta(days=10), ActionStatus.IN_PROGRESS, None),
            (ACTION_TITLES[2], today + dt.timedelta(days=21), ActionStatus.OPEN, None),
        ]
        if i % 3 == 0:
            specs.append(
                (ACTION_TITLES[3], today - dt.timedelta(days=60), ActionStatus.DONE, today - dt.timedelta(days=45))
            )
        for (title, topic), due, status, completed in specs:
            action = action_services.action_create(
                actor=head, plan=plan, title=title, owner_id=owner, due_date=due, status=status, topics=topic
            )
            if completed is not None:  # the demo's past: done on that day
                done_at = timezone.make_aware(dt.datetime.combine(completed, dt.time(15, 0)))
                PlanAction.objects.filter(pk=action.pk).update(completed_at=done_at)
            made += 1
    return made


def _history(accounts: list[int], today: dt.date, dropping: int | None) -> int:
    healths = health_selectors.account_health(accounts, today=today)
    written = 0
    for account_id in accounts:
        h = healths[account_id]
        if h.score is None:
            continue
        rng = random.Random(account_id)  # noqa: S311  # a deterministic demo walk, not a secret
        score = h.score
        for months_back in range(1, 12):
            day = today - dt.timedelta(days=30 * months_back)
            if account_id == dropping and months_back == 1:
                past = min(100.0, h.score + 15.0)
            else:
                score = max(0.0, min(100.0, score + rng.uniform(-4.0, 4.0)))
                past = round(score, 1)
            factor = past / h.score if h.score else 0.0
            components = [
                {**c, "contribution": round(c["contribution"] * factor, 1)} for c in health_selectors.components_json(h)
            ]
            _snap, created = HealthSnapshot.objects.get_or_create(
                account_id=account_id, day=day, defaults={"score": round(past, 1), "components": components}
            )
            written += created
    return written


def demo_health_load(*, reset: bool = False) -> int:
    """Load the demo actions, weights and health history; returns how many records were written."""
    today = timezone.localdate()
    with transaction.atomic():
        if reset:
            PlanAction.objects.all().delete()
            HealthSnapshot.objects.all().delete()
            Notice.objects.filter(kind="health_drop").delete()
            HealthWeights.objects.all().delete()
        head = User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk").first()
        if head is None:
            return 0
        written = 0
        if not HealthWeights.objects.exists():
            health_services.health_weights_save(actor=head, weights=core.default_weights(), note=DEMO_NOTE)
            written += 1
        keys = sorted(accounts_facade.key_account_ids())
        kams = accounts_facade.account_kams(keys)
        demo_kam = User.objects.filter(username="kam").first()
        mine = [a for a in keys if demo_kam and any(k.user_id == demo_kam.pk for k in kams.get(a, []))]
        accounts = (mine[:4] + [a for a in keys if a not in mine])[:MAX_ACCOUNTS]
        written += _actions(head, accounts, today)
        if not HealthSnapshot.objects.filter(day__lt=today).exists():
            written += _history(keys, today, mine[0] if mine else (keys[0] if keys else None))
        outcome = health_services.health_snapshots_record(actor=head, day=today, account_ids=keys)
        written += outcome.created + outcome.notices
    return written
