"""Reads of plan objectives: each objective with its actual value, progress and status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kampass.core import kpis as core
from kampass.planning.models import AccountPlan, Objective


@dataclass(frozen=True)
class ObjectiveProgress:
    """An objective as of a day: its KPI's actual value, the progress from baseline to target, the
    part of its time elapsed and the resulting status (:func:`kampass.core.kpis.tracking_status`)."""

    objective: Objective
    actual: Decimal | float | None
    progress: float | None
    elapsed: float
    status: str
    source: str

    def as_json(self) -> dict[str, object]:
        o = self.objective
        return {
            "id": o.pk,
            "title": o.title,
            "kpi_key": o.kpi_key,
            "unit": o.unit,
            "currency": o.currency,
            "baseline": str(o.baseline),
            "target": str(o.target),
            "actual": None if self.actual is None else str(self.actual),
            "progress": self.progress,
            "elapsed": self.elapsed,
            "status": self.status,
            "start_on": o.start_on.isoformat(),
            "due_on": o.due_on.isoformat(),
        }


def objectives_progress(plan: AccountPlan, *, today: dt.date) -> list[ObjectiveProgress]:
    """Every objective of ``plan`` with its actual value as of ``today`` (capped at the due date: after
    it, the value on the due date counts), in the plan's order."""
    from kampass.planning.kpis import account_kpis

    objectives = list(plan.objectives.order_by("position", "pk"))
    if not objectives:
        return []
    by_day: dict[tuple[dt.date, str], dict[str, object]] = {}
    out = []
    for o in objectives:
        as_of = min(today, o.due_on)
        key = (as_of, o.currency)
        if key not in by_day:
            by_day[key] = dict(account_kpis([plan.account_id], as_of=as_of, currency=o.currency)[plan.account_id])
        value = by_day[key].get(o.kpi_key)
        actual = getattr(value, "value", None)
        share = core.progress(o.baseline, o.target, actual)
        elapsed = core.elapsed_share(o.start_on, o.due_on, today)
        out.append(
            ObjectiveProgress(
                o, actual, share, elapsed, core.tracking_status(share, elapsed), getattr(value, "source", "")
            )
        )
    return out


def objective_of(objective_id: int) -> Objective | None:
    return Objective.objects.select_related("plan", "plan__account").filter(pk=objective_id).first()
