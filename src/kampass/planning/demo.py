"""Demo account plans (``kampass demo``): plans for most key accounts in different states, so that the
plan pages, the programme's ``accounts_with_plan_share`` and the scorecard have something to show.

Per key account (in name order, every fifth left without a plan): approved and active (current);
approved long ago (stale: ``approved_at`` set back beyond ``KAMPASS_PLAN_MAX_AGE_MONTHS`` by an
update, as if signed off then; the current ones are set back 20 to 105 days the same way, so that the
health history sees them signed off on a past day); a draft of next year; one in review. Each has filled sections, SWOT
items citing the account's opportunities, risks, contacts or a figure, and a relationship history.
Deterministic and idempotent: nothing is loaded when demo plans exist (``reset`` reloads them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.pipeline import facade as pipeline_facade
from kampass.planning import services
from kampass.planning.models import AccountPlan, PlanStatus, RelationshipStageEntry, SwotItem

STAGES = ("exploratory", "basic", "cooperative", "interdependent", "integrated")

#: how many days ago the current plans were signed off, in turn
CURRENT_APPROVED_DAYS = (40, 75, 105, 20)

#: what each key account gets, in turn (``None``: no plan)
STATES: tuple[str | None, ...] = ("current", "stale", "draft", "in_review", None)


def _content(name: str, year: int) -> dict[str, dict[str, str]]:
    return {
        "situation": {
            "business": f"{name} serves industrial customers in Europe and Asia; growth comes from services.",
            "strategy": f"{name} wants to cut its supplier base and expects partners to co-develop.",
            "value_drivers": "Uptime of installed equipment, total cost of ownership, faster product launches.",
            "decision_process": "Category management proposes, the board signs off above 1 M.",
            "competitors": "Two global competitors, one local price fighter.",
        },
        "swot": {"summary": "Build on the installed base; close the gap in the engineering buying centre."},
        "relationship": {"assessment": "Regular joint reviews, but no shared roadmap yet."},
        "objectives": {"ambition": f"Preferred supplier of {name} for drives and service by the end of {year}."},
        "strategies": {"strategy": "Joint value workshops, a dedicated service team, quarterly executive reviews."},
        "solutions": {"offering": "Predictive maintenance bundle", "co_creation": "Pilot line for the next drive."},
        "resources": {"team": "KAM, solution architect, service lead", "time_budget": "40 days a year"},
    }


def _swot(plan: AccountPlan, actor: Any) -> int:
    ids = accounts_facade.subtree_account_ids(plan.account_id)
    opps = pipeline_facade.account_opportunity_refs(ids)
    risks = pipeline_facade.risk_refs(ids)
    contacts = accounts_facade.contact_refs(ids)
    items: list[dict[str, Any]] = [
        {"kind": "strength", "text": "Large installed base with service contracts", "evidence_kind": "figure",
         "evidence_note": "62 % of their lines run our drives"},
        {"kind": "weakness", "text": "Little access to engineering"},
        {"kind": "opportunity", "text": "Retrofit programme of the older plants"},
        {"kind": "threat", "text": "Price pressure from a local competitor"},
    ]  # fmt: skip
    if opps:
        items[2].update(evidence_kind="opportunity", evidence_id=opps[0].id)
    if risks:
        items[3].update(evidence_kind="risk", evidence_id=risks[0].id)
    if contacts:
        items.append({"kind": "strength", "text": "A champion in purchasing", "evidence_kind": "contact",
                      "evidence_id": contacts[0].id})  # fmt: skip
    for item in items:
        services.swot_item_add(actor=actor, plan=plan, **item)
    return len(items)


def _actor_for(account_id: int, kams: dict[int, int], head: Any) -> Any:
    from kampass.users.models import User

    user_id = kams.get(account_id)
    return User.objects.filter(pk=user_id).first() if user_id else head


def _plan(account: Any, state: str, *, index: int, head: Any, kams: dict[int, int]) -> int:
    today = timezone.localdate()
    author = _actor_for(account.id, kams, head)
    year = today.year + 1 if state in ("draft", "in_review") else today.year
    if state == "stale":
        year = today.year - 2
    plan = services.plan_create(
        actor=author,
        account_id=account.id,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        as_of=min(today, dt.date(year, 1, 1) - dt.timedelta(days=30)) if state != "draft" else today,
    )
    created = 1
    content = _content(account.name, year)
    if state == "draft":  # a draft still has gaps
        content["strategies"] = {}
    for key, fields in content.items():
        services.plan_section_save(actor=author, plan=plan, key=key, content=fields, version=None)
    created += _swot(plan, author)
    rank = index % 3
    services.plan_relationship_set(actor=author, plan=plan, now=STAGES[rank], target=STAGES[rank + 1])
    services.plan_relationship_set(actor=author, plan=plan, now=STAGES[rank + 1], target=STAGES[rank + 2])
    created += 2
    if state == "draft":
        return created
    plan = services.plan_transition(actor=author, plan=plan, target=PlanStatus.IN_REVIEW)
    services.plan_comment_add(actor=head, plan=plan, body="Please quantify the ambition.", section_key="objectives")
    created += 1
    if state == "in_review":
        return created
    plan = services.plan_transition(actor=head, plan=plan, target=PlanStatus.APPROVED, comment="Approved.")
    plan = services.plan_transition(actor=author, plan=plan, target=PlanStatus.ACTIVE)
    if state == "stale":
        months = settings.KAMPASS_PLAN_MAX_AGE_MONTHS + 6
        AccountPlan.objects.filter(pk=plan.pk).update(
            approved_at=timezone.now() - dt.timedelta(days=round(months * 30.44))
        )
    else:  # signed off one to four months ago (the health history counts the plan from that day on)
        AccountPlan.objects.filter(pk=plan.pk).update(
            approved_at=timezone.now() - dt.timedelta(days=CURRENT_APPROVED_DAYS[index % len(CURRENT_APPROVED_DAYS)])
        )
    return created


def _reset() -> None:
    SwotItem.objects.all().delete()
    RelationshipStageEntry.objects.all().delete()
    AccountPlan.objects.all().delete()


@transaction.atomic
def demo_plans_load(*, reset: bool = False) -> int:
    """Load the demo plans (see the module docstring); returns how many records were created."""
    from kampass.users.models import Role, User

    if reset:
        _reset()
    if AccountPlan.objects.exists():
        return 0
    head = User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk").first()
    if head is None:
        return 0
    keys = sorted(accounts_facade.key_account_ids())
    refs = sorted((r for r in (accounts_facade.account_ref(i) for i in keys) if r is not None), key=lambda r: r.name)
    kams = {k.account_id: k.user_id for k in accounts_facade.kam_assignments()}
    created = 0
    for index, ref in enumerate(refs):
        state = STATES[index % len(STATES)]
        if state is not None:
            created += _plan(ref, state, index=index, head=head, kams=kams)
    return created
