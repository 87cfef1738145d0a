"""Writes of plan objectives and manual KPI values. One transaction per function; the permission is
checked here (``planning.change_plan`` on the plan's account), so UI, API and CLI share one rule.
Objectives are part of the plan's content: they change only while the version is a draft or in review,
and a new version starts with copies of them (registered in ``services.VERSION_COPIERS``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.concurrency import expect_version
from kampass.common.permissions import authorize
from kampass.core import kpis as core
from kampass.planning import services
from kampass.planning.models import AccountPlan, ManualKpiValue, Objective
from kampass.users.actors import Actor


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number, not “%(value)s”.") % {"value": value}]
        return Decimal(0)
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        errors[field] = [_("Enter a number, not “%(value)s”.") % {"value": value}]
        return Decimal(0)
    return number.quantize(Decimal("0.0001"))


def _check(
    *, plan: AccountPlan, title: str, kpi_key: str, baseline: Any, target: Any, start_on: dt.date, due_on: dt.date
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    definition = core.KPI_BY_KEY.get(kpi_key)
    if not title.strip():
        errors["title"] = [_("Name the objective.")]
    if definition is None:
        errors["kpi_key"] = [_("Unknown KPI “%(key)s”.") % {"key": kpi_key}]
    elif not definition.available:
        errors["kpi_key"] = [_("The KPI “%(key)s” is not available yet.") % {"key": kpi_key}]
    base = _decimal(baseline, "baseline", errors)
    goal = _decimal(target, "target", errors)
    if "baseline" not in errors and "target" not in errors and base == goal:
        errors["target"] = [_("The target must differ from the baseline.")]
    if due_on < start_on:
        errors["due_on"] = [_("The due date must not be before the start.")]
    if due_on > plan.period_end + dt.timedelta(days=366):
        errors["due_on"] = [_("The due date must be within a year after the plan period.")]
    clean = {"title": title.strip(), "kpi_key": kpi_key, "baseline": base, "target": goal}
    if definition is not None:
        from kampass.common import fx

        clean["unit"] = definition.unit
        clean["currency"] = fx.reporting_currency() if definition.unit == core.MONEY else ""
    return clean, errors


@transaction.atomic
def objective_create(
    *,
    actor: Actor,
    plan: AccountPlan,
    title: str,
    kpi_key: str,
    baseline: Any,
    target: Any,
    due_on: dt.date,
    start_on: dt.date | None = None,
) -> Objective:
    """Add an objective bound to a KPI of the catalogue to an editable plan version. ``start_on`` (the day
    the baseline holds) defaults to the start of the plan period; money objectives are in the reporting
    currency."""
    authorize(actor, "planning.change_plan", plan.account)
    plan = AccountPlan.objects.select_for_update().get(pk=plan.pk)  # its status now, not as loaded
    services._require_editable(plan)
    start = start_on or plan.period_start
    clean, errors = _check(
        plan=plan, title=title, kpi_key=kpi_key, baseline=baseline, target=target, start_on=start, due_on=due_on
    )
    if errors:
        raise ValidationError(errors)
    position = (plan.objectives.aggregate(m=Max("position"))["m"] or 0) + 1
    objective = Objective(plan=plan, start_on=start, due_on=due_on, position=position, **clean)
    services._save(objective, actor)
    return objective


@transaction.atomic
def objective_update(
    *,
    actor: Actor,
    objective: Objective,
    version: int | None,
    title: str,
    kpi_key: str,
    baseline: Any,
    target: Any,
    due_on: dt.date,
    start_on: dt.date | None = None,
) -> Objective:
    """Change an objective of an editable plan version (refused when someone saved it meanwhile)."""
    authorize(actor, "planning.change_plan", objective.plan.account)
    plan = AccountPlan.objects.select_for_update().get(pk=objective.plan_id)  # its status now, not as loaded
    services._require_editable(plan)
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    expect_version(objective, version)
    start = start_on or objective.start_on
    clean, errors = _check(
        plan=plan, title=title, kpi_key=kpi_key, baseline=baseline, target=target, start_on=start, due_on=due_on
    )
    if errors:
        raise ValidationError(errors)
    for name, value in clean.items():
        setattr(objective, name, value)
    objective.start_on, objective.due_on = start, due_on
    services._save(objective, actor)
    return objective


@transaction.atomic
def objective_delete(*, actor: Actor, objective: Objective, version: int | None = None) -> None:
    """Remove an objective from an editable plan version (refused when someone saved it meanwhile)."""
    authorize(actor, "planning.change_plan", objective.plan.account)
    services._require_editable(AccountPlan.objects.select_for_update().get(pk=objective.plan_id))
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    expect_version(objective, version)
    objective.delete()


def copy_objectives(old: AccountPlan, new: AccountPlan) -> None:
    """Copy the objectives of ``old`` into its new version ``new`` (called by ``plan_new_version``)."""
    Objective.objects.bulk_create(
        [
            Objective(
                plan=new,
                title=o.title,
                kpi_key=o.kpi_key,
                unit=o.unit,
                currency=o.currency,
                baseline=o.baseline,
                target=o.target,
                start_on=o.start_on,
                due_on=o.due_on,
                position=o.position,
                copied_from=o,
            )
            for o in old.objectives.order_by("position", "pk")
        ]
    )


if copy_objectives not in services.VERSION_COPIERS:
    services.VERSION_COPIERS.append(copy_objectives)


@transaction.atomic
def manual_kpi_record(
    *, actor: Actor, account_id: int, kpi_key: str, value: Any, measured_on: dt.date, note: str = ""
) -> ManualKpiValue:
    """Record the value of a manual KPI of an account measured on a day (the actual of its objectives)."""
    account = services._account(account_id)
    authorize(actor, "planning.change_plan", account)
    errors: dict[str, list[str]] = {}
    definition = core.KPI_BY_KEY.get(kpi_key)
    if definition is None or definition.computed:
        errors["kpi_key"] = [_("“%(key)s” is not a manual KPI.") % {"key": kpi_key}]
    number = _decimal(value, "value", errors)
    if measured_on > timezone.localdate():
        errors["measured_on"] = [_("A value cannot be measured in the future.")]
    if errors:
        raise ValidationError(errors)
    from kampass.common import fx

    assert definition is not None
    return ManualKpiValue.objects.create(
        account=account,
        kpi_key=kpi_key,
        value=number,
        currency=fx.reporting_currency() if definition.unit == core.MONEY else "",
        measured_on=measured_on,
        note=note.strip()[:300],
        recorded_by=services._user(actor),
    )
