"""Demo actions, health weights and health history (fictitious, deterministic).

* Weights: the default weights, saved once by the head of KAM with a note.
* Actions: on the current plan of fourteen key accounts (the demo KAM's first; a draft plan for the
  current year is started where the plans' own demo made none), actions owned by the account's KAM,
  each created two months before it falls due and done on a dated day: one done on time a month ago,
  one overdue by ten days, one due in three weeks, two of earlier in the year (on time, late or on
  time in turn); on every third account one more done late, on some one left overdue since the spring.
* The dropping account (the first key account of the demo KAM ``kam``): its actions were all done on
  time until a month ago, four fell due in the last month and are overdue; two reviews held six to
  seven months ago have left the reviews window since. Its health therefore falls in the last month
  (by 13 points in the full demo, more than ``KAMPASS_HEALTH_DROP_POINTS``), and today's snapshot
  raises the notice to its KAM and the head of KAM.
* Health history: eleven snapshots, every 30 days before today, and today's, all recorded by the
  service (:func:`health_services.health_snapshots_record`) oldest first, each computed as of its
  day from the demo's dated facts (invoice lines, deals, plans signed off, actions, reviews; see
  :func:`health_selectors.raw_components`). Nothing in the history is made up: it moves because the
  facts are dated. The past days raise no notices (a backfill is history); today's run does.

Loading again changes nothing (the snapshots are one per account and day, the history is written only
when no past snapshot exists, actions, reviews and weights only when the demo's are not there);
``reset=True`` deletes the actions, snapshots, notices and weights first.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.core import scorecard as core
from kampass.planning import action_services, health_services, selectors, services
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
    ("Run the joint value workshop with engineering", "Innovation"),
    ("Review the service contract's uptime figures", "Service"),
    ("Send the revised frame agreement to purchasing", "Contract"),
)
#: how many monthly snapshots before today the demo's history has
HISTORY_MONTHS = 11
#: how long ago the dropping account's reviews were held (the first; the second twelve days earlier)
REVIEWS_BACK_DAYS = 190


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


Spec = tuple[tuple[str, str], dt.date, str, dt.date | None]


def _specs(i: int, today: dt.date, dropping: bool) -> list[Spec]:
    """The actions of the ``i``-th account: ``(title and topic, due, status, done on)``."""
    done, late, open_ = ActionStatus.DONE, ActionStatus.DONE, ActionStatus.IN_PROGRESS

    def back(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    if dropping:  # all done on time until a month ago, then four left overdue
        return [
            (ACTION_TITLES[4], back(days=100), done, back(days=102)),
            (ACTION_TITLES[0], back(days=45), done, back(days=47)),
            (ACTION_TITLES[3], back(days=28), open_, None),
            (ACTION_TITLES[1], back(days=25), open_, None),
            (ACTION_TITLES[5], back(days=18), ActionStatus.OPEN, None),
            (ACTION_TITLES[6], back(days=9), ActionStatus.OPEN, None),
            (ACTION_TITLES[2], today + dt.timedelta(days=21), ActionStatus.OPEN, None),
        ]
    specs: list[Spec] = [
        (ACTION_TITLES[0], back(days=30), done, back(days=33)),
        (ACTION_TITLES[1], back(days=10), open_, None),
        (ACTION_TITLES[2], today + dt.timedelta(days=21), ActionStatus.OPEN, None),
        # earlier in the year: one done on time, one done late or on time in turn
        (ACTION_TITLES[4], back(days=290 - 20 * (i % 4)), done, back(days=295 - 20 * (i % 4))),
        (ACTION_TITLES[5], back(days=200 - 15 * (i % 3)), late, back(days=200 - 15 * (i % 3) - 10 + 25 * (i % 2))),
    ]
    if i % 3 == 0:
        specs.append((ACTION_TITLES[3], back(days=60), late, back(days=45)))
    if i % 4 == 1:  # one left overdue since the spring
        specs.append((ACTION_TITLES[6], back(days=150), open_, None))
    return specs


def _actions(head: User, accounts: list[int], today: dt.date, dropping: int | None) -> int:
    """The demo actions, each created two months before it fell due (``created_at`` set back, as if
    planned then) and done on its day: so that the health of every past month counts them as it would
    have then."""
    kams = accounts_facade.account_kams(accounts)
    made = 0
    for i, account_id in enumerate(accounts):
        plan = _plan_for(account_id, head, today)
        if plan.actions.exists():
            continue
        owner = kams[account_id][0].user_id if kams.get(account_id) else None
        for (title, topic), due, status, completed in _specs(i, today, account_id == dropping):
            action = action_services.action_create(
                actor=head, plan=plan, title=title, owner_id=owner, due_date=due, status=status, topics=topic
            )
            planned = min(due, today) - dt.timedelta(days=60)
            changes: dict[str, dt.datetime] = {"created_at": _at(planned, 9)}
            if completed is not None:  # the demo's past: done on that day
                changes["completed_at"] = _at(completed, 15)
            PlanAction.objects.filter(pk=action.pk).update(**changes)
            made += 1
    return made


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _reviews(head: User, account_id: int, today: dt.date) -> int:
    """Two reviews of the dropping account held six to seven months ago: they counted for its health a
    month ago and have left the reviews window (:data:`health_selectors.REVIEWS_WINDOW_DAYS`) since."""
    from kampass.planning.models import AccountReview, ReviewKind, ReviewStatus
    from kampass.planning.services_reviews import review_hold, review_plan

    made = 0
    for days in (REVIEWS_BACK_DAYS, REVIEWS_BACK_DAYS + 12):
        held_on = today - dt.timedelta(days=days)
        if AccountReview.objects.filter(account_id=account_id, status=ReviewStatus.HELD, held_on=held_on).exists():
            continue
        review = review_plan(actor=head, account_id=account_id, kind=ReviewKind.CHECK_IN, due_on=held_on)
        review_hold(actor=head, review=review, version=None, held_on=held_on, participants="KAM, buyer",
                    decisions="Keep the quarterly check-ins.", notes=DEMO_NOTE)  # fmt: skip
        made += 1
    return made


def history_days(today: dt.date) -> list[dt.date]:
    """The days of the demo's past snapshots, oldest first: every 30 days back from today, eleven of them."""
    return [today - dt.timedelta(days=30 * months_back) for months_back in range(HISTORY_MONTHS, 0, -1)]


def _history(head: User, accounts: list[int], today: dt.date) -> int:
    """The past snapshots through the service, oldest first, each computed as of its day; no notices
    (the drops of the past are history: only today's run tells the KAM)."""
    written = 0
    for day in history_days(today):
        outcome = health_services.health_snapshots_record(actor=head, day=day, account_ids=accounts, notify=False)
        written += outcome.created
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
        dropping = mine[0] if mine else (keys[0] if keys else None)
        written += _actions(head, accounts, today, dropping)
        if dropping is not None:
            written += _reviews(head, dropping, today)
        if not HealthSnapshot.objects.filter(day__lt=today).exists():
            written += _history(head, keys, today)
        outcome = health_services.health_snapshots_record(actor=head, day=today, account_ids=keys)
        written += outcome.created + outcome.notices
    return written
