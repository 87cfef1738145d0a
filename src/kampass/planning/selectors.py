"""Reads of the planning context: which plans a user sees, an account's current plan and versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.core import planning as core
from kampass.planning.models import AccountPlan, PlanStatus
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_kam, is_reader


def plans_visible(
    *, user: Actor, account_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[AccountPlan]:
    """The plan versions ``user`` may read (all for head, admin, controller, viewer; a KAM those of
    the accounts on whose team they are, or below), optionally of one account, one status, or
    matching ``q`` in the account's name."""
    plans = AccountPlan.objects.select_related("account", "template", "approved_by", "created_by")
    if not (is_admin(user) or is_head(user) or is_reader(user)):
        plans = plans.filter(accounts_facade.in_team_subtrees(user))
    if account_id is not None:
        plans = plans.filter(account_id=account_id)
    if status:
        plans = plans.filter(status=status)
    if q:
        plans = plans.filter(account__name__icontains=q)
    return plans


def plan_search(*, user: Actor, q: str, limit: int) -> list[Mapping[str, Any]]:
    """At most ``limit`` plan versions ``user`` may read for the global search, found as the plan list finds
    them (the account's name contains ``q``): accounts whose name begins with ``q`` first, then by account
    name, newest period and version first. One query (besides the user's teams); only the columns shown."""
    rank = Case(When(account__name__istartswith=q, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(
        plans_visible(user=user, q=q)
        .annotate(rank=rank)
        .order_by("rank", Lower("account__name"), "account_id", "-period_start", "-number")
        .values("pk", "account__name", "period_start", "period_end", "number", "status")[:limit]
    )


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


def plan_is_current(
    plan: AccountPlan | None, *, today: dt.date, max_age_months: int | None = None, signed_off_then: bool = False
) -> bool:
    """Whether a plan counts as current: signed off (approved or active) and approved no longer than
    ``max_age_months`` (setting ``KAMPASS_PLAN_MAX_AGE_MONTHS``) before ``today``. With
    ``signed_off_then`` (a past day) a plan superseded since counts too (it was signed off then)."""
    if plan is None or plan.approved_at is None:
        return False
    if plan.status not in core.SIGNED_OFF and not (signed_off_then and plan.status == PlanStatus.SUPERSEDED):
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


def newest_signed_off(account_ids: list[int], *, as_of: dt.date | None = None) -> dict[int, Any]:
    """``{account_id: newest approved/active plan}`` by sign-off time. ``as_of`` a past day: the newest
    plan approved on or before that day (also a superseded one: it was signed off then)."""
    if as_of is None:
        plans = signed_off_plans(account_ids)
    else:
        end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
        plans = AccountPlan.objects.filter(
            account_id__in=account_ids,
            status__in=(PlanStatus.APPROVED, PlanStatus.ACTIVE, PlanStatus.SUPERSEDED),
            approved_at__lt=end,
        )
    found: dict[int, Any] = {}
    for plan in plans.order_by("account_id", "-approved_at", "-number"):
        found.setdefault(plan.account_id, plan)
    return found


# ---- the plan pages and the API ------------------------------------------------------------------

#: the sort keys of the plan list: ``{key: ordering}``
PLAN_SORTS: dict[str, tuple[str, ...]] = {
    "account": ("account__name", "-period_start", "-number"),
    "period": ("period_start", "account__name", "number"),
    "status": ("status", "account__name", "-number"),
    "updated": ("updated_at", "pk"),
}


def plans_sorted(plans: QuerySet[AccountPlan], sort: str = "", descending: bool = False) -> QuerySet[AccountPlan]:
    """``plans`` in the order of a list column (account name by default), ascending or descending."""
    fields = PLAN_SORTS.get(sort, PLAN_SORTS["account"])
    if descending:
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return plans.order_by(*fields)


def plannable_accounts(user: Actor) -> list[Any]:
    """The accounts ``user`` may start a plan for (``planning.add_plan``): every account for the
    head of KAM and administrators, for a key account manager those of their teams and below."""
    if is_admin(user) or is_head(user):
        return accounts_facade.all_accounts()
    if not is_kam(user):
        return []
    return accounts_facade.accounts_in_subtrees(accounts_facade.team_account_ids(user))


def may_plan_any(user: Actor) -> bool:
    """Whether ``user`` may start a plan for some account (without listing the accounts)."""
    if is_admin(user) or is_head(user):
        return True
    return bool(is_kam(user) and accounts_facade.team_account_ids(user))


def plan_sections(plan: AccountPlan) -> list[tuple[core.SectionSpec, Any]]:
    """The plan's sections in template order: ``(spec, PlanSection or None)``."""
    saved = {s.key: s for s in plan.sections.select_related("updated_by")}
    return [(spec, saved.get(spec.key)) for spec in plan.specs()]


def swot_by_kind(plan: AccountPlan) -> dict[str, list[Any]]:
    """The plan's SWOT items per quadrant (strength, weakness, opportunity, threat), in order."""
    from kampass.planning.models import SwotKind

    found: dict[str, list[Any]] = {k: [] for k in SwotKind.values}
    for item in plan.swot_items.order_by("position", "pk"):
        found.setdefault(item.kind, []).append(item)
    return found


def relationship_history(account_id: int) -> QuerySet[Any]:
    """The account's relationship stage assessments, newest first."""
    from kampass.planning.models import RelationshipStageEntry

    return (
        RelationshipStageEntry.objects.filter(account_id=account_id)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
    )


def missing_fields(plan: AccountPlan) -> list[tuple[str, str]]:
    """``(section key, "Section: field")`` of the required fields still empty."""
    from kampass.planning.services import missing_labels

    specs = plan.specs()
    return missing_labels(specs, core.missing_required(specs, plan_content(plan)))


def section_last_change(section: Any) -> tuple[Any, Any]:
    """Who saved a section last and when (its change history)."""
    from kampass.common.concurrency import last_change

    return last_change(section) if section is not None else (None, None)


def compare_versions(first: AccountPlan, second: AccountPlan) -> list[dict[str, Any]]:
    """What changed from the older to the newer of two versions of the same plan, section by section
    in template order: each changed field with its label, text before and after, and who last
    changed the section in the newer version and when."""
    from django.utils.translation import get_language

    older, newer = sorted((first, second), key=lambda p: p.number)
    changes = core.compare_content(plan_content(older), plan_content(newer))
    de = (get_language() or "en").startswith("de")
    specs = {s.key: s for s in newer.specs()}
    order = list(specs)
    newer_sections = {s.key: s for s in newer.sections.all()}
    out: list[dict[str, Any]] = []
    for key in sorted({c.section for c in changes}, key=lambda k: order.index(k) if k in order else len(order)):
        spec = specs.get(key)
        labels = {f.key: (f.label_de if de else f.label_en) for f in spec.fields} if spec else {}
        who, when = section_last_change(newer_sections.get(key))
        out.append(
            {
                "key": key,
                "label": spec.label("de" if de else "en") if spec else key,
                "changed_by": who,
                "changed_at": when,
                "fields": [
                    {"key": c.field, "label": labels.get(c.field, c.field), "before": c.before, "after": c.after}
                    for c in changes
                    if c.section == key
                ],
            }
        )
    return out


def newest_plan(account_id: int) -> AccountPlan | None:
    """The account's newest plan version (latest period, highest version number), whatever its status."""
    return AccountPlan.objects.filter(account_id=account_id).order_by("-period_start", "-number").first()
