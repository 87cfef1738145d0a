"""Pages of plan objectives and account KPIs: the objectives section of a plan (page and fragment), the
objective forms, the KPIs of an account and the form recording a manual KPI value. Thin views over
forms, services and selectors; one view serves the page and the fragment HTMX asks for."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import confirm_delete, render_form_page, render_page, submit_form
from kampass.common.permissions import authorize
from kampass.core import kpis as core
from kampass.planning import selectors_objectives, services_objectives
from kampass.planning.forms_objectives import ManualKpiValueForm, ObjectiveForm
from kampass.planning.kpis import account_kpis, display_value
from kampass.planning.models import AccountPlan, Objective

_Account: Any = AccountPlan._meta.get_field("account").related_model


def _plan(request: HttpRequest, plan_id: int) -> AccountPlan:
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=plan_id)
    authorize(request.user, "planning.view_plan", plan.account)
    return plan


def objective_rows(plan: AccountPlan) -> list[dict[str, Any]]:
    """The objectives of ``plan`` as the section shows them (values formatted for the reader)."""
    lang = get_language() or "en"
    rows = []
    for p in selectors_objectives.objectives_progress(plan, today=timezone.localdate()):
        o = p.objective
        definition = o.kpi
        rows.append(
            {
                "objective": o,
                "kpi": definition.label(lang) if definition else o.kpi_key,
                "computed": definition.computed if definition else False,
                "baseline": display_value(o.baseline, o.unit, o.currency),
                "target": display_value(o.target, o.unit, o.currency),
                "actual": display_value(p.actual, o.unit, o.currency),
                "progress": p.progress,
                "progress_bar": max(0, min(100, round(100 * p.progress))) if p.progress is not None else 0,
                "elapsed": p.elapsed,
                "status": p.status,
                "source": p.source,
            }
        )
    return rows


STATUS_LABELS = {
    core.ACHIEVED: gettext_lazy("achieved"),
    core.ON_TRACK: gettext_lazy("on track"),
    core.AT_RISK: gettext_lazy("at risk"),
    core.OFF_TRACK: gettext_lazy("off track"),
    core.NO_DATA: gettext_lazy("no value yet"),
}


def _section_context(request: HttpRequest, plan: AccountPlan) -> dict[str, Any]:
    return {
        "plan": plan,
        "rows": objective_rows(plan),
        "can_edit": plan.editable and request.user.has_perm("planning.change_plan", plan.account),
        "can_record": request.user.has_perm("planning.change_plan", plan.account),
        "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
    }


@login_required
def plan_objectives(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The objectives of a plan version with actual, progress and status: a page of its own, and the
    fragment the plan page's "objectives" section loads (``planning/objectives_section.html``)."""
    plan = _plan(request, plan_id)
    return render_page(
        request,
        "planning/objectives_page.html",
        _section_context(request, plan),
        fragment="planning/objectives_body.html",
    )


def _objective_action(request: HttpRequest, plan: AccountPlan, objective: Objective | None) -> Any:
    def action(data: dict[str, Any]) -> Objective:
        fields = {k: data[k] for k in ("title", "kpi_key", "baseline", "target", "due_on", "start_on")}
        if objective is None:
            return services_objectives.objective_create(actor=request.user, plan=plan, **fields)
        return services_objectives.objective_update(
            actor=request.user, objective=objective, version=data.get("version"), **fields
        )

    return action


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    authorize(request.user, "planning.change_plan", plan.account)
    back = reverse("plan-objectives", args=[plan.pk])
    form = ObjectiveForm(request.POST or None, initial={"start_on": plan.period_start, "due_on": plan.period_end})
    done = submit_form(
        request, form, _objective_action(request, plan, None), success=_("Objective added."), next_url=back
    )
    return done or render_form_page(
        request, form, template="planning/objectives_form.html", title=_("New objective for %(plan)s") % {"plan": plan},
        cancel_url=back, plan=plan,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective.objects.select_related("plan", "plan__account"), pk=pk)
    plan = objective.plan
    authorize(request.user, "planning.change_plan", plan.account)
    back = reverse("plan-objectives", args=[plan.pk])
    initial = {
        "title": objective.title, "kpi_key": objective.kpi_key, "baseline": objective.baseline,
        "target": objective.target, "start_on": objective.start_on, "due_on": objective.due_on,
        "version": objective.version,
    }  # fmt: skip
    form = ObjectiveForm(request.POST or None, initial=initial)
    done = submit_form(
        request, form, _objective_action(request, plan, objective), success=_("Objective saved."), next_url=back
    )
    return done or render_form_page(
        request, form, template="planning/objectives_form.html", title=_("Edit objective"), cancel_url=back, plan=plan
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_delete(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective.objects.select_related("plan", "plan__account"), pk=pk)
    authorize(request.user, "planning.change_plan", objective.plan.account)
    back = reverse("plan-objectives", args=[objective.plan_id])
    return confirm_delete(
        request,
        objective,
        lambda version: services_objectives.objective_delete(actor=request.user, objective=objective, version=version),
        success=_("Objective removed."),
        next_url=back,
        cancel_url=back,
    )


@login_required
def account_kpi_page(request: HttpRequest, account_id: int) -> HttpResponse:
    """The KPIs of an account (a group: with everything below it) as of a day (``?as_of=``, default today)."""
    import datetime as dt

    account = get_object_or_404(_Account, pk=account_id)
    authorize(request.user, "planning.view_plan", account)
    try:
        as_of = dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = timezone.localdate()
    lang = get_language() or "en"
    values = account_kpis([account.pk], as_of=as_of)[account.pk]
    rows = [
        {
            "definition": core.kpi(key), "label": core.kpi(key).label(lang),
            "description": core.kpi(key).description(lang),
            "value": display_value(v.value, v.unit, v.currency), "source": v.source,
        }
        for key, v in values.items()
    ]  # fmt: skip
    context = {
        "account": account, "as_of": as_of, "rows": rows,
        "can_record": request.user.has_perm("planning.change_plan", account),
    }  # fmt: skip
    return render_page(request, "planning/objectives_kpis.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_value_record(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(_Account, pk=account_id)
    authorize(request.user, "planning.change_plan", account)
    back = reverse("account-kpis", args=[account.pk])
    form = ManualKpiValueForm(request.POST or None, initial={"measured_on": timezone.localdate()})
    done = submit_form(
        request,
        form,
        lambda data: services_objectives.manual_kpi_record(actor=request.user, account_id=account.pk, **data),
        success=_("Value recorded."),
        next_url=back,
    )
    return done or render_form_page(
        request, form, template="planning/objectives_form.html",
        title=_("Record a KPI value of %(account)s") % {"account": account}, cancel_url=back,
    )  # fmt: skip
