"""Factories for the planning tests: plans are made through the services (they create the
template's sections and check the life cycle)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory, UserFactory
from kampass.planning.models import AccountPlan, PlanStatus
from kampass.planning.services import plan_create, plan_section_save, plan_transition
from kampass.users.models import Role, User

FILLED = {
    "situation": {"business": "Elevators and escalators, 60 countries", "value_drivers": "Service margin, uptime"},
    "objectives": {"ambition": "Preferred supplier for drives"},
    "strategies": {"strategy": "Co-develop the next drive generation"},
}


def head_actor() -> User:
    return User.objects.filter(role=Role.HEAD).first() or UserFactory(role=Role.HEAD, username="planning-head")


def make_plan(
    *,
    account: Account | None = None,
    actor: Any = None,
    period_start: dt.date = dt.date(2027, 1, 1),
    period_end: dt.date = dt.date(2027, 12, 31),
    status: str = PlanStatus.DRAFT,
    filled: bool = True,
    **fields: Any,
) -> AccountPlan:
    """A plan of ``account`` (a new key account if none), filled with the required fields and moved
    through the life cycle to ``status`` by the head of KAM."""
    head = head_actor()
    plan = plan_create(
        actor=actor or head,
        account_id=(account or AccountFactory(kam_status="key_account")).pk,
        period_start=period_start,
        period_end=period_end,
        **fields,
    )
    if filled or status != PlanStatus.DRAFT:
        for key, content in FILLED.items():
            plan_section_save(actor=head, plan=plan, key=key, content=content, version=None)
    path = {
        PlanStatus.DRAFT: [],
        PlanStatus.IN_REVIEW: [PlanStatus.IN_REVIEW],
        PlanStatus.APPROVED: [PlanStatus.IN_REVIEW, PlanStatus.APPROVED],
        PlanStatus.ACTIVE: [PlanStatus.IN_REVIEW, PlanStatus.APPROVED, PlanStatus.ACTIVE],
        PlanStatus.SUPERSEDED: [PlanStatus.IN_REVIEW, PlanStatus.APPROVED, PlanStatus.SUPERSEDED],
    }[PlanStatus(status)]
    for target in path:
        plan = plan_transition(actor=head, plan=plan, target=target, comment="ok")
    plan.refresh_from_db()
    return plan
