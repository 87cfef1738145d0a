"""Pages of the plan actions: the actions section of a plan (page and fragment), adding, changing and
removing an action, and "my open actions" (everyone their own; the head of KAM everyone's). Thin views
over the action form, services and selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from kampass.accounts import facade as accounts_facade
from kampass.common.htmx import confirm_delete, render_form_page, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.planning import action_selectors as selectors
from kampass.planning import action_services as services
from kampass.planning.forms_health import ActionForm
from kampass.planning.models import AccountPlan, ActionStatus, PlanAction, PlanStatus
from kampass.users.rules import is_admin, is_head, is_reader


def _plan(request: HttpRequest, pk: int) -> AccountPlan:
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=pk)
    authorize(request.user, "planning.view_plan", plan.account)
    return plan


def _action(request: HttpRequest, pk: int) -> PlanAction:
    try:
        return selectors.action_get(user=request.user, pk=pk)
    except PlanAction.DoesNotExist:
        raise Http404(_("No such action.")) from None


def section_context(request: HttpRequest, plan: AccountPlan) -> dict[str, Any]:
    """What ``planning/actions_section.html`` needs (the plan page includes it in its strategies section)."""
    today = timezone.localdate()
    actions = list(
        selectors.action_list(
            user=request.user, filters=selectors.ActionFilters(mine=False, status="all", plan=plan.pk), today=today
        )
    )
    user = request.user
    return {
        "plan": plan,
        "actions": actions,
        "links": selectors.links_shown(actions),
        "overdue": {a.pk for a in actions if a.is_overdue(today)},
        "can_add": user.has_perm("planning.change_plan", plan.account) and plan.status != PlanStatus.SUPERSEDED,
        "editable": {a.pk for a in actions if user.has_perm("planning.progress_action", a)}
        if plan.status != PlanStatus.SUPERSEDED
        else set(),
        "removable": {a.pk for a in actions if user.has_perm("planning.change_action", a)}
        if plan.status != PlanStatus.SUPERSEDED
        else set(),
    }


@login_required
def plan_actions(request: HttpRequest, plan_pk: int) -> HttpResponse:
    """The actions of one plan version (page, or the fragment for the plan page's strategies section)."""
    plan = _plan(request, plan_pk)
    return render_page(
        request, "planning/actions_plan.html", section_context(request, plan), fragment="planning/actions_section.html"
    )


def _back(action_or_plan: Any) -> str:
    plan_id = action_or_plan.plan_id if isinstance(action_or_plan, PlanAction) else action_or_plan.pk
    return reverse("plan-actions", args=[plan_id])


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = _plan(request, plan_pk)
    authorize(request.user, "planning.change_plan", plan.account)
    form = ActionForm(request.POST or None, team_user_ids=accounts_facade.team_user_ids(plan.account_id))
    done = submit_form(
        request,
        form,
        lambda data: services.action_create(actor=request.user, plan=plan, **form.service_data()),
        success=lambda a: _("Action “%(title)s” added.") % {"title": a.title},
        next_url=_back(plan),
    )
    return done or render_form_page(
        request, form, template="planning/actions_form.html", title=_("New action for %(plan)s") % {"plan": plan},
        cancel_url=_back(plan), submit=_("Add action"), plan=plan,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    authorize(request.user, "planning.progress_action", action)
    progress_only = not request.user.has_perm("planning.change_action", action)
    form = ActionForm(
        request.POST or None,
        initial=ActionForm.initial_from(action),
        team_user_ids=accounts_facade.team_user_ids(action.plan.account_id),
        progress_only=progress_only,
    )
    mine = reverse("my-actions")
    next_url = mine if request.GET.get("next") == mine else _back(action)
    done = submit_form(
        request,
        form,
        lambda data: services.action_update(
            actor=request.user, action=action, version=data.get("version"), **form.service_data()
        ),
        success=_("Changes saved."),
        next_url=next_url,
    )
    return done or render_form_page(
        request, form, template="planning/actions_form.html", title=_("Action %(title)s") % {"title": action.title},
        cancel_url=next_url, plan=action.plan,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    authorize(request.user, "planning.change_action", action)
    return confirm_delete(
        request,
        action,
        lambda version: services.action_delete(actor=request.user, action=action, version=version),
        success=_("Action “%(title)s” removed.") % {"title": action.title},
        next_url=_back(action),
        cancel_url=_back(action),
    )


def _action_columns(today: dt.date) -> list[Column[tuple[PlanAction, list[selectors.LinkShown]]]]:
    """The columns of the action list as a file: rows of (action, its links), in the active language."""
    return [
        Column(pgettext("plan action", "Action"), lambda r: r[0].title),
        Column(_("Account"), lambda r: r[0].plan.account.name),
        Column(_("Owner"), lambda r: str(r[0].owner) if r[0].owner_id else None),
        Column(_("Due"), lambda r: r[0].due_date),
        Column(_("Status"), lambda r: r[0].get_status_display()),
        Column(_("Overdue"), lambda r: r[0].is_overdue(today)),
        Column(_("Links"), lambda r: "; ".join(f"{link.kind_label}: {link.name}" for link in r[1])),
    ]


STATUS_FILTERS = ("open", "all", *ActionStatus.values)


def _filters(request: HttpRequest, *, sees_all: bool) -> selectors.ActionFilters:
    g = request.GET
    owner = g.get("owner", "")
    return selectors.ActionFilters(
        mine=not (sees_all and g.get("who") == "all"),
        status=g.get("status", "open") if g.get("status", "open") in STATUS_FILTERS else "open",
        overdue=g.get("overdue") == "1",
        owner=int(owner) if sees_all and owner.isdigit() and len(owner) < 10 else None,
        q=g.get("q", "").strip()[:200],
        sort=g.get("sort", "due") if g.get("sort") in selectors.ACTION_SORTS else "due",
        descending=g.get("dir") == "desc",
    )


@login_required
def my_actions(request: HttpRequest) -> HttpResponseBase:
    """The signed-in user's actions (open ones by default); the head of KAM (and administrators, controllers
    and viewers) may switch to everyone's. Search, filters, sorting and pages (``?export=csv|xlsx``: all
    matching actions as a file)."""
    user = request.user
    sees_all = bool(is_admin(user) or is_head(user) or is_reader(user))
    filters = _filters(request, sees_all=sees_all)
    today = timezone.localdate()
    matching = selectors.action_list(user=user, filters=filters, today=today)
    if export_format(request) is not None:
        everything = list(matching)
        all_links = selectors.links_shown(everything)
        rows = [(a, all_links.get(a.pk, [])) for a in everything]
        return export_response(request, stem="actions", columns=_action_columns(today), rows=rows)
    page = paginate(request, matching)
    actions = list(page.object_list)
    context = {
        "page": page,
        "filters": filters,
        "sort_default": "due",
        "sees_all": sees_all,
        "statuses": ActionStatus.choices,
        "links": selectors.links_shown(actions),
        "overdue": {a.pk for a in actions if a.is_overdue(today)},
        "editable": {a.pk for a in actions if user.has_perm("planning.progress_action", a)},
        "today": today,
        "soon": today + dt.timedelta(days=7),
    }
    return render_page(request, "planning/actions_list.html", context, fragment="planning/actions_table.html")
