"""Reads of the planning context: which plans a user sees, an account's current plan and versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from kampass.accounts import facade as accounts_facade
from kampass.core import planning as core
from kampass.planning.models import AccountPlan, PlanStatus
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_reader


def plans_visible(
    *, user: Actor, account_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[AccountPlan]:
    """The plan versions ``user`` may read (all for head, admin, controller, viewer; a KAM those of
    the accounts on whose team they are, or below), optionally of one account, one status, or
    matching ``q`` in the account's name."""
    plans = AccountPlan.objects.select_related("account", "approved_by", "created_by")
    if not (is_admin(user) or is_head(user) or is_reader(user)):
        team = accounts_facade.team_account_ids(user)
        if not team:
            return plans.none()
        below = Q(account_id__in=team)
        for account_id_ in team:
            below |= Q(account__path__contains=f"/{account_id_}/") | Q(account__path__startswith=f"{account_id_}/")
        plans = plans.filter(below)
    if account_id is not None:
        plans = plans.filter(account_id=account_id)
    if status:
        plans = plans.filter(status=status)
    if q:
        plans = plans.filter(account__name__icontains=q)
    return plans


def current_plan(account_id: int) -> AccountPlan | None:
    """The account's plan in force: the active version, else the newest approved one."""
    plans = AccountPlan.objects.filter(account_id=account_id)
    active = plans.filter(status=PlanStatus.ACTIVE).order_by("-period_start", "-number").first()
    return active or plans.filter(status=PlanStatus.APPROVED).order_by("-period_start", "-number").first()


def plan_versions(plan: AccountPlan) -> QuerySet[AccountPlan]:
    """All versions of the plan's account and period, newest first."""
    return AccountPlan.objects.filter(account_id=plan.account_id, period_start=plan.period_start).order_by("-number")


def plan_content(plan: AccountPlan) -> dict[str, dict[str, str]]:
    """The sections' fields of one version: ``{section key: {field key: text}}``."""
    return {s.key: dict(s.content) for s in plan.sections.all()}


def plan_is_current(plan: AccountPlan | None, *, today: dt.date, max_age_months: int | None = None) -> bool:
    """Whether a plan counts as current: signed off (approved or active) and approved no longer than
    ``max_age_months`` (setting ``KAMPASS_PLAN_MAX_AGE_MONTHS``) before ``today``."""
    if plan is None or plan.status not in core.SIGNED_OFF or plan.approved_at is None:
        return False
    months = settings.KAMPASS_PLAN_MAX_AGE_MONTHS if max_age_months is None else max_age_months
    return plan_age_months(plan.approved_at.date(), today) <= months


def plan_age_months(approved_on: dt.date, today: dt.date) -> float:
    """Whole and part months between sign-off and ``today`` (30.44 days a month).

    >>> plan_age_months(dt.date(2026, 1, 1), dt.date(2026, 7, 2))
    6.0
    """
    return round((today - approved_on).days / 30.44, 1)


def signed_off_plans(account_ids: list[int] | None = None) -> QuerySet[AccountPlan]:
    """Approved and active plan versions (of the given accounts)."""
    plans = AccountPlan.objects.filter(status__in=(PlanStatus.APPROVED, PlanStatus.ACTIVE))
    if account_ids is not None:
        plans = plans.filter(account_id__in=account_ids)
    return plans


def newest_signed_off(account_ids: list[int]) -> dict[int, Any]:
    """``{account_id: newest approved/active plan}`` by sign-off time."""
    found: dict[int, Any] = {}
    for plan in signed_off_plans(account_ids).order_by("account_id", "-approved_at", "-number"):
        found.setdefault(plan.account_id, plan)
    return found
