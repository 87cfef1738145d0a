"""The plan's solutions (the plan page's "solutions" section): the solutions of the library the plan
uses, a search of the library to pick more, linking and unlinking. One view serves the page, the
HTMX fragment and the posts; the rules live in ``services_solutions`` and the solutions context."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import is_fragment_request, redirect_to, render_page
from kampass.common.permissions import authorize
from kampass.planning import services_solutions as services
from kampass.planning.models import AccountPlan
from kampass.solutions import facade as solutions_facade

#: how many library entries the picker lists at once
PICKER_LIMIT = 20


def _plan(request: HttpRequest, pk: int) -> AccountPlan:
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=pk)
    authorize(request.user, "planning.view_plan", plan.account)
    return plan


def section_context(request: HttpRequest, plan: AccountPlan, *, query: str = "", error: str = "") -> dict[str, Any]:
    """What ``planning/plan_solutions_section.html`` needs."""
    linked = solutions_facade.solutions_for_plan(plan.pk)
    can_edit = plan.editable and request.user.has_perm("planning.change_plan", plan.account)
    linked_ids = {s.id for s in linked}
    candidates = (
        [
            s
            for s in solutions_facade.solution_search(query, limit=PICKER_LIMIT + len(linked_ids))
            if s.id not in linked_ids
        ][:PICKER_LIMIT]
        if can_edit
        else []
    )
    return {
        "plan": plan,
        "linked": linked,
        "candidates": candidates,
        "query": query,
        "can_edit": can_edit,
        "error": error,
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_solutions(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the plan's solutions (``?q=`` searches the library for more). POST ``op`` = ``link`` or
    ``unlink`` with ``solution_id``: change them (page: back to the plan; HTMX: the fragment again)."""
    plan = _plan(request, pk)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:200]
    error = ""
    if request.method == "POST":
        op = request.POST.get("op", "")
        raw = request.POST.get("solution_id", "")
        try:
            if not raw.isdigit() or len(raw) > 12:
                raise ValidationError({"solution_id": [_("Choose a solution of the library.")]})
            if op == "link":
                services.plan_solution_link(actor=request.user, plan=plan, solution_id=int(raw))
            elif op == "unlink":
                services.plan_solution_unlink(actor=request.user, plan=plan, solution_id=int(raw))
            else:
                raise ValidationError({"op": [_("Unknown operation.")]})
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if not is_fragment_request(request):
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _("Solutions of the plan saved."))
            return redirect_to(request, reverse("plan-detail", args=[plan.pk]) + "#section-solutions")
    context = section_context(request, plan, query=query, error=error)
    # an HTMX post that was refused answers with the fragment showing the message (HTMX swaps only 2xx)
    return render_page(
        request, "planning/plan_solutions_page.html", context, fragment="planning/plan_solutions_section.html"
    )
