"""Demo objectives, KPI values and reviews (fictitious, deterministic relative to today).

* Plans: the plans of the first five key accounts (by name) that the demo's plans provide; a key
  account without a plan gets an active one for this year, written through the services.
* Objectives on each of these plans: revenue +10 %, contribution +5 %, pocket margin up one point,
  leakage share down, win rate up where the account has these figures as of the plan start (the
  baseline), two more decision makers covered (computed KPIs) and customer satisfaction (a manual KPI
  with two recorded values). The demo's invoice lines end in 2011 while its plans are dated now: the
  money KPIs are measured as of the newest invoice day when their window lies beyond the facts
  (:func:`kampass.planning.kpis.account_kpis`), so baseline and actual are both the freshest twelve
  months of facts (progress 0 until newer invoices are imported) and show real values. Objectives
  of a plan signed off before this loader ran are written directly: the demo states what the plan
  said when it was approved.
* Reviews: a check-in held about three months ago (snapshot frozen on that day) for each; an overdue
  check-in for two accounts, one due next week for the others; the annual strategic review planned
  before the period ends; a relationship stage that dropped a fortnight ago on one account; then the
  event run plans the event-triggered reviews (relationship drop, leakage breaches, large losses) and
  the check-ins due at each key account's cadence. One account reviews monthly.

Loading again changes nothing; ``reset=True`` deletes the objectives, manual values, cadences and
reviews, then loads again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kampass.planning.models import (
    AccountPlan,
    AccountReview,
    AccountReviewCadence,
    ManualKpiValue,
    Objective,
    PlanStatus,
    RelationshipStageEntry,
    ReviewKind,
)

#: texts of the demo, stored in English and shown in the reader's language (template filter stored_text)
TEXTS = {
    "revenue": gettext_noop("Grow revenue by a tenth"),
    "leakage": gettext_noop("Cut profit leakage"),
    "contribution": gettext_noop("Raise the contribution by a twentieth"),
    "pocket_margin": gettext_noop("Raise the pocket margin by one point"),
    "win_rate": gettext_noop("Win more of the deals we bid for"),
    "csat": gettext_noop("Raise customer satisfaction"),
    "decision_makers": gettext_noop("Reach two more decision makers at the level aimed for"),
    "participants": gettext_noop("Key account manager, head of KAM, the customer's purchasing director"),
    "decisions": gettext_noop("Prepare a service contract proposal; review the freight terms"),
    "notes": gettext_noop("Satisfaction with delivery times improved; pricing pressure remains."),
    "strategic": gettext_noop("Annual strategic review with the customer's executive board"),
}
FILLED = {
    "situation": {
        "business": gettext_noop("A key customer of the demo"),
        "value_drivers": gettext_noop("Uptime, cost"),
    },
    "objectives": {"ambition": gettext_noop("Preferred supplier")},
    "strategies": {"strategy": gettext_noop("Grow with service contracts")},
}


def _users() -> dict[str, Any]:
    from kampass.users.models import Role, User

    found = {u.username: u for u in User.objects.filter(username__in=["admin", "head", "kam", "kam2"])}
    actor = found.get("head") or found.get("admin") or User.objects.filter(role__in=[Role.HEAD, Role.ADMIN]).first()
    return {"actor": actor, **found}


def _key_accounts(kam: Any) -> list[int]:
    """Five key accounts: those of the demo's key account manager first, then by name."""
    from kampass.accounts import facade as accounts_facade

    mine = accounts_facade.team_account_ids(kam) if kam is not None else set()
    refs = [r for a in accounts_facade.key_account_ids() if (r := accounts_facade.account_ref(a)) is not None]
    return [r.id for r in sorted(refs, key=lambda r: (r.id not in mine, r.name, r.id))][:5]


def _plan_for(account_id: int, actor: Any, today: dt.date) -> tuple[AccountPlan, bool]:
    """The account's plan in force (or newest one), else a new draft plan of this year (signed off once its
    objectives are in); and whether this loader created it."""
    from kampass.planning import services
    from kampass.planning.selectors import current_plan

    plan = (
        current_plan(account_id)
        or AccountPlan.objects.filter(account_id=account_id).order_by("-period_start", "-number").first()
    )
    if plan is not None:
        return plan, False
    plan = services.plan_create(
        actor=actor,
        account_id=account_id,
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year, 12, 31),
    )
    for key, content in FILLED.items():
        services.plan_section_save(actor=actor, plan=plan, key=key, content=content, version=None)
    return plan, True


def _sign_off(plan: AccountPlan, actor: Any) -> None:
    from kampass.planning.services import plan_transition

    for target in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED, PlanStatus.ACTIVE):
        plan = plan_transition(actor=actor, plan=plan, target=target, comment="")


def _objectives(plan: AccountPlan, actor: Any, editable: bool, today: dt.date) -> int:
    from kampass.common import fx
    from kampass.planning.kpis import account_kpis
    from kampass.planning.services_objectives import objective_create

    if plan.objectives.exists():
        return 0
    start = min(plan.period_start, today)
    base = account_kpis([plan.account_id], as_of=start)[plan.account_id]

    def value(key: str) -> Decimal | None:
        found = base[key].value
        return Decimal(str(found)).quantize(Decimal("0.0001")) if found not in (None, 0) else None

    # computed objectives only where the account has a baseline (invoice lines of its customers)
    rows: list[tuple[str, str, Decimal, Decimal]] = []
    if (revenue := value("revenue")) is not None:
        rows.append((TEXTS["revenue"], "revenue", revenue, (revenue * Decimal("1.1")).quantize(Decimal("1"))))
    if (contribution := value("contribution")) is not None:
        target = (contribution + abs(contribution) * Decimal("0.05")).quantize(Decimal("1"))
        rows.append((TEXTS["contribution"], "contribution", contribution, target))
    if (margin := value("pocket_margin")) is not None:
        rows.append((TEXTS["pocket_margin"], "pocket_margin", margin, min(Decimal(1), margin + Decimal("0.01"))))
    if (leakage := value("leakage_share")) is not None:
        rows.append(
            (TEXTS["leakage"], "leakage_share", leakage, (leakage * Decimal("0.7")).quantize(Decimal("0.0001")))
        )
    if (win_rate := value("win_rate")) is not None:
        rows.append((TEXTS["win_rate"], "win_rate", win_rate, min(Decimal("0.95"), win_rate + Decimal("0.1"))))
    covered = value("decision_makers_covered") or Decimal(0)
    rows.append((TEXTS["decision_makers"], "decision_makers_covered", covered, covered + 2))
    rows.append((TEXTS["csat"], "customer_satisfaction", Decimal("6.5"), Decimal("8")))
    for position, (title, key, baseline, target) in enumerate(rows, start=1):
        if editable:
            objective_create(actor=actor, plan=plan, title=title, kpi_key=key, baseline=baseline, target=target,
                             due_on=plan.period_end, start_on=plan.period_start)  # fmt: skip
        else:
            from kampass.core import kpis as core

            unit = core.kpi(key).unit
            code = fx.reporting_currency() if unit == core.MONEY else ""
            Objective.objects.create(
                plan=plan, title=title, kpi_key=key, unit=unit, currency=code,
                baseline=baseline, target=target, start_on=plan.period_start, due_on=plan.period_end, position=position,
            )  # fmt: skip
    return len(rows)


def _manual_values(account_id: int, actor: Any, today: dt.date) -> int:
    from kampass.planning.services_objectives import manual_kpi_record

    for days, value in ((150, "6.8"), (20, "7.4")):
        manual_kpi_record(actor=actor, account_id=account_id, kpi_key="customer_satisfaction", value=value,
                          measured_on=today - dt.timedelta(days=days), note="")  # fmt: skip
    return 2


def _reviews(index: int, account_id: int, plan: AccountPlan, actor: Any, today: dt.date) -> int:
    from kampass.planning.services_reviews import review_hold, review_plan

    held_on = today - dt.timedelta(days=85 + index)
    held = review_plan(actor=actor, account_id=account_id, kind=ReviewKind.CHECK_IN, due_on=held_on, plan_id=plan.pk)
    review_hold(actor=actor, review=held, version=None, held_on=held_on, participants=TEXTS["participants"],
                decisions=TEXTS["decisions"], notes=TEXTS["notes"])  # fmt: skip
    next_due = today - dt.timedelta(days=6 + index) if index < 2 else today + dt.timedelta(days=5 + index)
    review_plan(actor=actor, account_id=account_id, kind=ReviewKind.CHECK_IN, due_on=next_due, plan_id=plan.pk)
    strategic_due = max(today + dt.timedelta(days=20), plan.period_end - dt.timedelta(days=30))
    review_plan(actor=actor, account_id=account_id, kind=ReviewKind.STRATEGIC, due_on=strategic_due,
                plan_id=plan.pk, notes=TEXTS["strategic"])  # fmt: skip
    return 3


def _relationship_drop(account_id: int, actor: Any) -> int:
    """A stage history ending in a drop (left alone when the account's history exists already)."""
    if RelationshipStageEntry.objects.filter(account_id=account_id).exists():
        return 0
    now = timezone.now()
    RelationshipStageEntry.objects.create(account_id=account_id, stage="interdependent", target="integrated",
                                          recorded_at=now - dt.timedelta(days=200), recorded_by=actor)  # fmt: skip
    RelationshipStageEntry.objects.create(account_id=account_id, stage="cooperative", target="interdependent",
                                          recorded_at=now - dt.timedelta(days=14), recorded_by=actor)  # fmt: skip
    return 2


def _reset() -> None:
    AccountReview.objects.all().delete()
    AccountReviewCadence.objects.all().delete()
    ManualKpiValue.objects.all().delete()
    Objective.objects.all().delete()


@transaction.atomic
def demo_reviews_load(*, reset: bool = False) -> int:
    """Load the demo objectives, KPI values and reviews; returns how many records were created."""
    from kampass.planning.services_reviews import reviews_raise_events

    if reset:
        _reset()
    users = _users()
    actor = users["actor"]
    if actor is None or AccountReview.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    for index, account_id in enumerate(_key_accounts(users.get("kam"))):
        plan, new = _plan_for(account_id, actor, today)
        created += _objectives(plan, actor, plan.editable, today)
        if new:
            _sign_off(plan, actor)
            plan.refresh_from_db()
        created += _manual_values(account_id, actor, today)
        created += _reviews(index, account_id, plan, actor, today)
        if index == 0:
            AccountReviewCadence.objects.create(account_id=account_id, cadence="monthly")
        if index == 2:
            created += _relationship_drop(account_id, actor)
    created += len(reviews_raise_events(today=today))
    return created
