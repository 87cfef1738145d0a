"""Pages of the solutions context: the solution library, a solution with its uses, the initiatives
board and an initiative with its realised revenue. Thin views over forms, services and selectors;
one view serves the page and the fragment HTMX asks for."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.concurrency import ConcurrentEdit, conflict_response
from kampass.common.htmx import confirm_delete, redirect_to, render_form_page, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.pipeline import facade as pipeline_facade
from kampass.solutions import selectors, services
from kampass.solutions.forms import InitiativeForm, MoveForm, SolutionForm, UseForm
from kampass.solutions.models import Initiative, Solution, SolutionStatus, SolutionUse, Stage

# ---------------------------------------------------------------- library


def _filters(request: HttpRequest) -> selectors.SolutionFilters:
    g = request.GET
    return selectors.SolutionFilters(
        q=g.get("q", "").strip(),
        status=g.get("status", ""),
        segment=g.get("segment", "").strip(),
        sort=g.get("sort", "name"),
        descending=g.get("dir") == "desc",
    )


@login_required
def library(request: HttpRequest) -> HttpResponseBase:
    """The solution library: search, filter by segment and status, sort, and where each is used
    (``?export=csv|xlsx``: the whole filtered library as a file)."""
    authorize(request.user, "solutions.view_solution")
    filters = _filters(request)
    solutions = selectors.solution_list(filters=filters)
    if export_format(request) is not None:
        everything = list(solutions)
        all_uses = selectors.uses_by_solution(s.pk for s in everything)
        rows = [(s, all_uses.get(s.pk, [])) for s in everything]
        return export_response(request, stem="solutions", columns=_library_columns(), rows=rows)
    page = paginate(request, solutions)
    uses = selectors.uses_by_solution(s.pk for s in page.object_list)
    context: dict[str, Any] = {
        "page": page,
        "rows": [(s, uses.get(s.pk, [])) for s in page.object_list],
        "filters": filters,
        "statuses": SolutionStatus.choices,
        "segments": selectors.segment_choices(),
        "can_add": request.user.has_perm("solutions.add_solution"),
        "reuse_share": selectors.solution_reuse_share(),
    }
    return render_page(request, "solutions/library.html", context, fragment="solutions/_library_table.html")


def _library_columns() -> list[Column[tuple[Any, list[selectors.UseRow]]]]:
    """The columns of the library as a file: rows of (solution, its uses), in the active language."""
    return [
        Column(_("Solution"), lambda r: r[0].name),
        Column(_("Problem solved"), lambda r: r[0].problem),
        Column(_("Target segments"), lambda r: r[0].segments),
        Column(_("Status"), lambda r: r[0].get_status_display()),
        Column(_("Accounts"), lambda r: r[0].account_count),
        Column(_("Uses"), lambda r: r[0].use_count),
        Column(_("Used at"), lambda r: "; ".join(u.account for u in r[1])),
        Column(_("Reference accounts"), lambda r: "; ".join(u.account for u in r[1] if u.reference)),
    ]


def _form_page(request: HttpRequest, form: Any, *, title: str, cancel_url: str, **extra: Any) -> HttpResponse:
    return render_form_page(
        request, form, template="solutions/form_page.html", title=title, cancel_url=cancel_url, **extra
    )


@login_required
@require_http_methods(["GET", "POST"])
def solution_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "solutions.add_solution")
    form = SolutionForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: services.solution_create(actor=request.user, **form.service_kwargs()),
        success=lambda s: _("Solution “%(name)s” added to the library.") % {"name": s.name},
        next_url=lambda s: reverse("solution", args=[s.pk]),
    )
    return done or _form_page(
        request, form, title=_("New solution"), cancel_url=reverse("solution-library"), submit=_("Add solution")
    )


@login_required
def solution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, "solutions.view_solution")
    solution = get_object_or_404(Solution, pk=pk)
    user = request.user
    context = {
        "solution": solution,
        "uses": selectors.solution_uses(solution),
        "initiatives": list(solution.initiatives.order_by("name")),
        "history": list(solution.history.select_related("history_user").order_by("-history_date")[:20]),
        "can_edit": user.has_perm("solutions.change_solution", solution),
        "can_delete": user.has_perm("solutions.delete_solution", solution),
        "can_link": user.has_perm("solutions.add_solution") and solution.status == SolutionStatus.ACTIVE,
        "use_form": UseForm(),
        "unlinkable": {u.id for u in selectors.solution_uses(solution) if _may_unlink(user, u.id)},
    }
    return render_page(request, "solutions/solution_detail.html", context)


def _may_unlink(user: Any, use_id: int) -> bool:
    use = SolutionUse.objects.select_related("account").filter(pk=use_id).first()
    return use is not None and user.has_perm("solutions.unlink_use", use)


@login_required
@require_http_methods(["GET", "POST"])
def solution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    solution = get_object_or_404(Solution, pk=pk)
    authorize(request.user, "solutions.change_solution", solution)
    form = SolutionForm(request.POST or None, instance=solution)
    done = submit_form(
        request,
        form,
        lambda data: services.solution_update(
            actor=request.user, solution=solution, version=data.get("version"), **form.service_kwargs()
        ),
        success=_("Changes saved."),
        next_url=reverse("solution", args=[pk]),
    )
    return done or _form_page(
        request, form, title=_("Edit “%(name)s”") % {"name": solution.name}, cancel_url=reverse("solution", args=[pk])
    )


@login_required
@require_POST
def solution_retire(request: HttpRequest, pk: int) -> HttpResponse:
    solution = get_object_or_404(Solution, pk=pk)
    authorize(request.user, "solutions.change_solution", solution)
    version = request.POST.get("version", "")
    try:
        services.solution_retire(
            actor=request.user, solution=solution, version=int(version) if version.isdigit() else None
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Solution “%(name)s” retired.") % {"name": solution.name})
    return redirect_to(request, reverse("solution", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def solution_delete(request: HttpRequest, pk: int) -> HttpResponse:
    solution = get_object_or_404(Solution, pk=pk)
    authorize(request.user, "solutions.delete_solution", solution)
    return confirm_delete(
        request,
        solution,
        lambda version: services.solution_delete(actor=request.user, solution=solution, version=version),
        success=_("Solution “%(name)s” deleted.") % {"name": solution.name},
        next_url=reverse("solution-library"),
        cancel_url=reverse("solution", args=[pk]),
    )


@login_required
@require_POST
def use_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the solution to an account (the form on the solution page)."""
    solution = get_object_or_404(Solution, pk=pk)
    authorize(request.user, "solutions.add_solution")
    form = UseForm(request.POST)
    back = reverse("solution", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Choose an account."))
        return redirect_to(request, back)
    d = form.cleaned_data
    try:
        services.solution_use_link(
            actor=request.user,
            solution=solution,
            account_id=d["account"],
            opportunity_id=d["opportunity"],
            note=d["note"],
            reference=d["reference"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Use linked."))
    return redirect_to(request, back)


@login_required
@require_POST
def use_unlink(request: HttpRequest, pk: int, use_pk: int) -> HttpResponse:
    use = get_object_or_404(SolutionUse.objects.select_related("account"), pk=use_pk, solution_id=pk)
    services.solution_use_unlink(actor=request.user, use=use)
    messages.success(request, _("Use unlinked."))
    return redirect_to(request, reverse("solution", args=[pk]))


@login_required
@require_POST
def opportunity_solutions(request: HttpRequest, pk: int) -> HttpResponse:
    """Link (``op=link``, ``solution_id``) or unlink (``op=unlink``, ``use_id``) a solution used for
    opportunity ``pk`` (the panel on the opportunity page); back to the opportunity page."""
    refs = pipeline_facade.opportunity_refs([pk])
    if not refs:
        raise Http404(_("No such opportunity."))
    back = reverse("opportunity-detail", args=[pk]) + "#solutions"
    op = request.POST.get("op", "")
    try:
        if op == "link":
            raw = request.POST.get("solution_id", "")
            solution = Solution.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
            if solution is None:
                raise ValidationError({"solution_id": _("Choose a solution of the library.")})
            services.solution_use_link(
                actor=request.user, solution=solution, account_id=refs[0].account_id, opportunity_id=pk
            )
            messages.success(request, _("Solution “%(name)s” linked.") % {"name": solution.name})
        elif op == "unlink":
            raw = request.POST.get("use_id", "")
            use = get_object_or_404(
                SolutionUse.objects.select_related("account"), pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0,
                opportunity_id=pk,
            )  # fmt: skip
            services.solution_use_unlink(actor=request.user, use=use)
            messages.success(request, _("Use unlinked."))
        else:
            raise ValidationError({"op": _("Unknown operation.")})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect_to(request, back)


# ---------------------------------------------------------------- initiatives


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The initiatives board: a column per stage; each card moves by a select and a button."""
    authorize(request.user, "solutions.view_initiative")
    user = request.user
    columns = [
        (stage, label, [(i, user.has_perm("solutions.change_initiative", i)) for i in items])
        for stage, label, items in selectors.board_columns()
    ]
    figures = selectors.innovation_figures()
    context = {
        "columns": columns,
        "stages": Stage.choices,
        "can_add": user.has_perm("solutions.add_initiative"),
        "figures": figures,
    }
    return render_page(request, "solutions/board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "solutions.add_initiative")
    form = InitiativeForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: services.initiative_create(actor=request.user, **form.service_kwargs()),
        success=lambda i: _("Initiative “%(name)s” started.") % {"name": i.name},
        next_url=lambda i: reverse("co-creation-initiative", args=[i.pk]),
    )
    return done or _form_page(
        request, form, title=_("New co-creation initiative"), cancel_url=reverse("initiative-board"),
        submit=_("Create initiative"),
    )  # fmt: skip


@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, "solutions.view_initiative")
    initiative = get_object_or_404(Initiative.objects.select_related("solution", "created_by"), pk=pk)
    user = request.user
    context = {
        "initiative": initiative,
        "accounts": list(initiative.accounts.order_by("name")),
        "revenue": selectors.realised_revenue(initiative),
        "stage_changes": list(initiative.stage_changes.select_related("changed_by").order_by("on", "pk")),
        "history": list(initiative.history.select_related("history_user").order_by("-history_date")[:20]),
        "can_edit": user.has_perm("solutions.change_initiative", initiative),
        "can_delete": user.has_perm("solutions.delete_initiative", initiative),
        "stages": Stage.choices,
    }
    return render_page(request, "solutions/initiative_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "solutions.change_initiative", initiative)
    initial = {
        "name": initiative.name,
        "description": initiative.description,
        "accounts": list(initiative.accounts.values_list("pk", flat=True)),
        "starts": initiative.starts,
        "ends": initiative.ends,
        "effort_hours": initiative.effort_hours,
        "effort_cost": initiative.effort_cost,
        "currency": initiative.currency,
        "opportunities": list(initiative.opportunities.values_list("pk", flat=True)),
        "product_groups": initiative.product_groups,
        "solution": initiative.solution_id,
        "version": initiative.version,
    }
    form = InitiativeForm(request.POST or None, initial=initial, editing=True)
    done = submit_form(
        request,
        form,
        lambda data: services.initiative_update(
            actor=request.user, initiative=initiative, version=data.get("version"), **form.service_kwargs()
        ),
        success=_("Changes saved."),
        next_url=reverse("co-creation-initiative", args=[pk]),
    )
    return done or _form_page(
        request,
        form,
        title=_("Edit “%(name)s”") % {"name": initiative.name},
        cancel_url=reverse("co-creation-initiative", args=[pk]),
    )


@login_required
@require_POST
def initiative_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an initiative to another stage (select + button on the board and the initiative page)."""
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "solutions.change_initiative", initiative)
    form = MoveForm(request.POST)
    back = (
        reverse("initiative-board")
        if request.POST.get("from") == "board"
        else reverse("co-creation-initiative", args=[pk])
    )
    if not form.is_valid():
        messages.error(request, _("Choose a valid stage."))
        return redirect_to(request, back)
    try:
        services.initiative_move(
            actor=request.user, initiative=initiative, stage=form.cleaned_data["stage"],
            on=form.cleaned_data["on"], version=form.cleaned_data["version"],
        )  # fmt: skip
    except ConcurrentEdit as exc:
        return conflict_response(request, form, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = dict(Stage.choices)[form.cleaned_data["stage"]]
        messages.success(request, _("“%(name)s” moved to “%(stage)s”.") % {"name": initiative.name, "stage": label})
    return redirect_to(request, back)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_delete(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "solutions.delete_initiative", initiative)
    return confirm_delete(
        request,
        initiative,
        lambda version: services.initiative_delete(actor=request.user, initiative=initiative, version=version),
        success=_("Initiative “%(name)s” deleted.") % {"name": initiative.name},
        next_url=reverse("initiative-board"),
        cancel_url=reverse("co-creation-initiative", args=[pk]),
    )
