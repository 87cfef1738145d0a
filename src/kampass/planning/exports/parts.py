"""The further parts of a plan that the exports show when their models exist: the objectives (KPI,
baseline, target, due date) and the actions (owner, due date, status, overdue). Those models belong
to other modules of the planning context (``models/objectives.py``, ``models/actions.py``); each
builder looks its model up by name and gives ``None`` while it is not installed, so the exports show
what exists. Further parts register with :func:`~kampass.planning.exports.content.register_export_part`."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.planning.exports.content import ExportPart, register_export_part
from kampass.planning.models import AccountPlan


def _model(name: str) -> Any:
    """The planning model ``name``, ``None`` when it is not installed."""
    try:
        return apps.get_model("planning", name)
    except LookupError:
        return None


@register_export_part
def objectives_part(plan: AccountPlan, lang: str) -> ExportPart | None:
    """The plan's objectives in their order: title, KPI (label in ``lang``), unit, baseline, target, due date."""
    model = _model("Objective")
    if model is None:
        return None
    rows = []
    for o in model.objects.filter(plan=plan).order_by("position", "pk"):
        kpi = o.kpi
        rows.append(
            (
                str(o.title),
                kpi.label(lang) if kpi is not None else str(o.kpi_key),
                f"{o.get_unit_display()} {o.currency}".strip(),
                o.baseline,
                o.target,
                o.due_on,
            )
        )
    return ExportPart(
        "objectives",
        _("Objectives and KPIs"),
        (_("Objective"), _("KPI"), _("Unit"), _("Baseline"), _("Target"), _("Due")),
        tuple(rows),
        ("", "", "", "#,##0.####", "#,##0.####", ""),
        empty_text=_("No objectives yet."),
    )


@register_export_part
def actions_part(plan: AccountPlan, lang: str) -> ExportPart | None:
    """The plan's actions by due date: title, owner, due date, status, and whether it is overdue."""
    model = _model("PlanAction")
    if model is None:
        return None
    today = timezone.localdate()
    rows = []
    for a in model.objects.filter(plan=plan).select_related("owner").order_by("due_date", "pk"):
        owner = (a.owner.get_full_name() or a.owner.get_username()) if a.owner else ""
        rows.append(
            (str(a.title), owner, a.due_date, str(a.get_status_display()), _("overdue") if a.is_overdue(today) else "")
        )
    return ExportPart(
        "actions",
        _("Actions"),
        (_("Action"), _("Owner"), _("Due"), _("Status"), _("Overdue")),
        tuple(rows),
        empty_text=_("No actions yet."),
    )
