"""Pages of the planning context: the plan list, the plan with its section editor (autosave, merge on
a concurrent edit), SWOT, relationship, comments, life cycle and version compare (the plan templates:
``views_templates``).

Thin views over forms, services and selectors; one view serves the page and the fragment HTMX asks for.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.concurrency import ConcurrentEdit, content_conflict_rows, remove_or_conflict
from kampass.common.htmx import (
    is_fragment_request,
    redirect_to,
    render_form_page,
    render_page,
    submit_form,
)
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate, query_without
from kampass.common.permissions import authorize
from kampass.planning import evidence, selectors, services
from kampass.planning.forms import (
    CommentForm,
    PlanCreateForm,
    RelationshipForm,
    SectionForm,
    SwotItemForm,
    TransitionForm,
    next_calendar_year,
    section_fields,
)
from kampass.planning.models import AccountPlan, PlanSection, PlanStatus, SwotItem, SwotKind

# ---------------------------------------------------------------- list and create


@login_required
def plan_list(request: HttpRequest) -> HttpResponseBase:
    """The plan versions the user may read: search by account, filter by status, sort, pages
    (``?export=csv|xlsx``: all of them as a file)."""
    g = request.GET
    q, status, sort = g.get("q", "").strip(), g.get("status", ""), g.get("sort", "account")
    if status not in PlanStatus.values:
        status = ""
    plans = selectors.plans_sorted(
        selectors.plans_visible(user=request.user, status=status, q=q), sort, g.get("dir") == "desc"
    )
    if export_format(request) is not None:
        return export_response(request, stem="plans", columns=_plan_columns(), rows=plans)
    page = paginate(request, plans)
    context = {
        "page": page,
        "q": q,
        "status": status,
        "sort_default": "account",
        "sort": sort,
        "dir": g.get("dir", ""),
        "statuses": PlanStatus.choices,
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort", "dir"),
        "can_add": selectors.may_plan_any(request.user),
        "can_manage_templates": request.user.has_perm("planning.manage_templates"),
    }
    return render_page(request, "planning/plan_list.html", context, fragment="planning/plan_table.html")


def _plan_columns() -> list[Column[AccountPlan]]:
    """The columns of the plan list as a file, in the active language."""
    return [
        Column(_("Account"), lambda p: p.account.name),
        Column(_("Period from"), lambda p: p.period_start),
        Column(_("Period to"), lambda p: p.period_end),
        Column(_("Version"), lambda p: p.number),
        Column(_("Status"), lambda p: p.get_status_display()),
        Column(_("Approved"), lambda p: p.approved_at),
        Column(_("Approved by"), lambda p: str(p.approved_by) if p.approved_by_id else None),
        Column(_("Last change"), lambda p: p.updated_at),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    accounts = selectors.plannable_accounts(request.user)
    if not accounts:
        raise PermissionDenied
    start, end = next_calendar_year()
    initial: dict[str, Any] = {"period_start": start, "period_end": end}
    if request.GET.get("account", "").isdigit():
        initial["account"] = int(request.GET["account"])
    form = PlanCreateForm(request.POST or None, accounts=accounts, initial=initial)
    done = submit_form(
        request,
        form,
        lambda d: services.plan_create(
            actor=request.user,
            account_id=d["account"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            template_id=d.get("template"),
        ),
        success=_("Plan started."),
        next_url=lambda p: reverse("plan-detail", args=[p.pk]),
    )
    if done:
        return done
    return render_form_page(
        request,
        form,
        template="planning/plan_form_page.html",
        title=_("New account plan"),
        cancel_url=reverse("plan-list"),
        submit=_("Start plan"),
    )


# ---------------------------------------------------------------- the plan


def _plan(request: HttpRequest, pk: int, perm: str = "planning.view_plan") -> AccountPlan:
    plan = get_object_or_404(
        AccountPlan.objects.select_related("account", "template", "approved_by", "created_by"), pk=pk
    )
    authorize(request.user, perm, plan.account)
    return plan


def _section_view(plan: AccountPlan, spec: Any, section: Any, *, form: Any = None) -> dict[str, Any]:
    content = dict(section.content) if section is not None else {}
    who, when = selectors.section_last_change(section)
    fields = [
        {"key": key, "label": label, "required": required, "value": content.get(key, "")}
        for key, label, required in section_fields(spec)
    ]
    return {
        "key": spec.key,
        "label": spec.label(_lang()),
        "fields": fields,
        "section": section,
        "version": section.version if section is not None else None,
        "changed_by": who,
        "changed_at": when,
        "form": form,
    }


def _lang() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


def _plan_context(request: HttpRequest, plan: AccountPlan) -> dict[str, Any]:
    user = request.user
    can_edit = plan.editable and user.has_perm("planning.change_plan", plan.account)
    sections = [_section_view(plan, spec, section) for spec, section in selectors.plan_sections(plan)]
    cited = evidence.labels(plan.account_id)
    swot = [
        {
            "kind": kind,
            "label": label,
            "items": [
                {"item": i, "evidence": cited.get((i.evidence_kind, i.evidence_id or 0), "")}
                for i in selectors.swot_by_kind(plan).get(kind, [])
            ],
        }
        for kind, label in SwotKind.choices
    ]
    versions = list(selectors.plan_versions(plan))
    return {
        "plan": plan,
        "sections": sections,
        "swot": swot,
        "swot_kinds": SwotKind.choices,
        "evidence_choices": evidence.all_choices(plan.account_id) if can_edit else {},
        "relationship_history": list(selectors.relationship_history(plan.account_id)[:20]),
        "relationship_form": RelationshipForm(
            initial={
                "relationship_now": plan.relationship_now,
                "relationship_target": plan.relationship_target,
                "version": plan.version,
            }
        ),
        "situation": _situation(plan),
        "versions": versions,
        "other_versions": [v for v in versions if v.pk != plan.pk],
        "missing": selectors.missing_fields(plan) if plan.editable else [],
        "can_edit": can_edit,
        "can_comment": user.has_perm("planning.comment_plan", plan.account),
        "can_approve": plan.status == PlanStatus.IN_REVIEW and user.has_perm("planning.approve_plan", plan.account),
        "can_change": user.has_perm("planning.change_plan", plan.account),
        "has_open_version": any(v.editable for v in versions),
    }


def _situation(plan: AccountPlan) -> Any:
    from kampass.planning import situation

    return situation.position(plan)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan: header, sections in template order (editor or read-only), SWOT, relationship,
    comments, life-cycle buttons and the versions."""
    plan = _plan(request, pk)
    return render_page(request, "planning/plan_detail.html", _plan_context(request, plan))


def _section_spec(plan: AccountPlan, key: str) -> Any:
    spec = {s.key: s for s in plan.specs()}.get(key)
    if spec is None:
        raise Http404
    return spec


def _editor_response(request: HttpRequest, plan: AccountPlan, spec: Any, *, saved: bool = False) -> HttpResponse:
    section = PlanSection.objects.filter(plan=plan, key=spec.key).select_related("updated_by").first()
    context = {"plan": plan, "s": _section_view(plan, spec, section), "can_edit": True, "just_saved": saved}
    return TemplateResponse(request, "planning/plan_section_editor.html", context)


@login_required
@require_POST
def section_save(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Save a section's fields: the autosave of the editor (HTMX: answers only the new version and a
    status line), the plain form post, or the resolution of a conflict (``resolution`` = ``mine``,
    ``theirs`` or ``merge``). A save based on an older version answers both versions side by side."""
    plan = _plan(request, pk, "planning.change_plan")
    spec = _section_spec(plan, key)
    resolution = request.POST.get("resolution", "")
    if resolution == "theirs":
        return (
            _editor_response(request, plan, spec) if is_fragment_request(request) else _to_section(request, plan, key)
        )
    data = request.POST.copy()
    if resolution == "merge":
        for f in spec.fields:
            choice = request.POST.get(f"choice_{f.key}", "merged")
            if choice == "mine":
                data[f"f_{f.key}"] = request.POST.get(f"m_{f.key}", "")
            elif choice == "theirs":
                data[f"f_{f.key}"] = request.POST.get(f"t_{f.key}", "")
    elif resolution == "mine":
        for f in spec.fields:
            data[f"f_{f.key}"] = request.POST.get(f"m_{f.key}", "")
    form = SectionForm(data, spec=spec)
    status_context: dict[str, Any] = {"key": key, "plan": plan}
    if not form.is_valid():
        status_context["errors"] = {name[2:]: errs for name, errs in form.errors.items()}
        return _status_response(request, plan, key, status_context, status=422)
    try:
        section = services.plan_section_save(
            actor=request.user, plan=plan, key=key, content=form.content(), version=form.cleaned_data.get("version")
        )
    except ValidationError as exc:
        status_context["message"] = " ".join(exc.messages)
        return _status_response(request, plan, key, status_context, status=422)
    except ConcurrentEdit as exc:
        return _conflict(request, plan, spec, form.content(), exc)
    if resolution or not is_fragment_request(request):
        if is_fragment_request(request):
            return _editor_response(request, plan, spec, saved=True)
        messages.success(request, _("Section saved."))
        return _to_section(request, plan, key)
    status_context.update({"version": section.version, "saved_at": section.updated_at})
    response = TemplateResponse(request, "planning/plan_section_status.html", status_context)
    response["HX-Reswap"] = "none"
    return response


def _to_section(request: HttpRequest, plan: AccountPlan, key: str) -> HttpResponse:
    return redirect_to(request, reverse("plan-detail", args=[plan.pk]) + f"#section-{key}")


def _status_response(
    request: HttpRequest, plan: AccountPlan, key: str, context: dict[str, Any], *, status: int
) -> HttpResponse:
    if is_fragment_request(request):
        response = TemplateResponse(request, "planning/plan_section_status.html", context)
        response["HX-Reswap"] = "none"
        return response
    messages.error(
        request,
        " ".join(str(e) for errs in context.get("errors", {}).values() for e in errs) or context.get("message", ""),
    )
    context_page = _plan_context(request, plan)
    return render_page(request, "planning/plan_detail.html", context_page, status=status)


def _conflict(
    request: HttpRequest, plan: AccountPlan, spec: Any, mine: dict[str, str], exc: ConcurrentEdit
) -> HttpResponse:
    current = exc.current()
    from kampass.common.concurrency import last_change

    who, when = last_change(current) if current is not None else (None, None)
    context = {
        "plan": plan,
        "key": spec.key,
        "label": spec.label(_lang()),
        "rows": content_conflict_rows(
            [(k, label) for k, label, _r in section_fields(spec)], mine, dict(current.content) if current else {}
        ),
        "version": current.version if current is not None else None,
        "changed_by": who,
        "changed_at": when,
    }
    template = (
        "planning/plan_section_merge.html" if is_fragment_request(request) else "planning/plan_section_conflict.html"
    )
    response = TemplateResponse(request, template, context, status=409)
    response["Kampass-Conflict"] = "1"
    return response


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the plan in its life cycle (submit, send back, approve with comment, make active)."""
    plan = _plan(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The input was not accepted. Check it and try again."))
        return redirect_to(request, reverse("plan-detail", args=[pk]))
    try:
        services.plan_transition(
            actor=request.user,
            plan=plan,
            target=form.cleaned_data["target"],
            comment=form.cleaned_data.get("comment") or "",
            version=form.cleaned_data.get("version"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConcurrentEdit:
        messages.error(request, _("Someone else changed this in the meantime. Reload the page and try again."))
    else:
        plan.refresh_from_db()
        messages.success(request, _("The plan is now “%(status)s”.") % {"status": plan.get_status_display()})
    return redirect_to(request, reverse("plan-detail", args=[pk]))


@login_required
@require_POST
def plan_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        new = services.plan_new_version(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect_to(request, reverse("plan-detail", args=[pk]))
    messages.success(request, _("Version %(number)s started.") % {"number": new.number})
    return redirect_to(request, reverse("plan-detail", args=[new.pk]))


@login_required
@require_POST
def plan_adopt_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Let an open version follow its template's current sections (see ``services.plan_adopt_template``)."""
    plan = _plan(request, pk)
    version = request.POST.get("version", "")
    try:
        hidden = services.plan_adopt_template(
            actor=request.user, plan=plan, version=int(version) if version.isdigit() else None
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConcurrentEdit:
        messages.error(request, _("Someone else changed this in the meantime. Reload the page and try again."))
    else:
        plan.refresh_from_db()
        messages.success(
            request,
            _("The plan now follows version %(version)s of the template “%(name)s”.")
            % {"version": plan.template_version, "name": plan.template.name},
        )
        if hidden:
            messages.warning(
                request,
                _("The template no longer has these sections; their text is kept but not shown: %(keys)s.")
                % {"keys": ", ".join(hidden)},
            )
    return redirect_to(request, reverse("plan-detail", args=[pk]))


@login_required
@require_POST
def relationship_save(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = RelationshipForm(request.POST)
    if form.is_valid():
        try:
            services.plan_relationship_set(
                actor=request.user,
                plan=plan,
                now=form.cleaned_data["relationship_now"],
                target=form.cleaned_data.get("relationship_target") or "",
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEdit:
            messages.error(request, _("Someone else changed this in the meantime. Reload the page and try again."))
        else:
            messages.success(request, _("Relationship stage saved."))
    else:
        messages.error(request, _("Choose a relationship stage."))
    return redirect_to(request, reverse("plan-detail", args=[pk]) + "#section-relationship")


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "planning.comment_plan")
    form = CommentForm(request.POST)
    key = request.POST.get("section_key", "")
    if form.is_valid():
        try:
            services.plan_comment_add(
                actor=request.user,
                plan=plan,
                body=form.cleaned_data["body"],
                section_key=form.cleaned_data["section_key"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect_to(request, reverse("plan-detail", args=[pk]) + (f"#section-{key}" if key else ""))


# ---------------------------------------------------------------- SWOT


def _swot_done(request: HttpRequest, plan: AccountPlan) -> HttpResponse:
    return redirect_to(request, reverse("plan-detail", args=[plan.pk]) + "#section-swot")


@login_required
@require_POST
def swot_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "planning.change_plan")
    form = SwotItemForm(request.POST)
    if form.is_valid():
        try:
            services.swot_item_add(
                actor=request.user, plan=plan, kind=form.cleaned_data["kind"], **form.service_kwargs()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("SWOT item added."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _swot_done(request, plan)


def _swot_item(request: HttpRequest, pk: int, item_pk: int) -> tuple[AccountPlan, SwotItem]:
    plan = _plan(request, pk, "planning.change_plan")
    item = get_object_or_404(SwotItem, pk=item_pk, plan=plan)
    return plan, item


@login_required
@require_POST
def swot_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan, item = _swot_item(request, pk, item_pk)
    form = SwotItemForm({**request.POST.dict(), "kind": item.kind})
    if form.is_valid():
        try:
            services.swot_item_update(
                actor=request.user, item=item, version=form.cleaned_data.get("version"), **form.service_kwargs()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEdit:
            messages.error(request, _("Someone else changed this in the meantime. Reload the page and try again."))
        else:
            messages.success(request, _("SWOT item saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _swot_done(request, plan)


@login_required
@require_POST
def swot_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan, item = _swot_item(request, pk, item_pk)
    back = reverse("plan-detail", args=[plan.pk]) + "#section-swot"
    try:
        conflict = remove_or_conflict(
            request, lambda v: services.swot_item_remove(actor=request.user, item=item, version=v), back_url=back
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _swot_done(request, plan)
    if conflict is not None:
        return conflict
    messages.success(request, _("SWOT item removed."))
    return _swot_done(request, plan)


@login_required
@require_POST
def swot_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan, item = _swot_item(request, pk, item_pk)
    try:
        services.swot_item_move(actor=request.user, item=item, offset=-1 if request.POST.get("dir") == "up" else 1)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _swot_done(request, plan)


# ---------------------------------------------------------------- compare


@login_required
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions of the same account and period, section by section: what changed, who, when."""
    plan = _plan(request, pk)
    versions = list(selectors.plan_versions(plan))
    other_id = request.GET.get("with", "")
    other = next((v for v in versions if str(v.pk) == other_id), None)
    if other is None:
        other = next((v for v in versions if v.pk == plan.based_on_id), None) or next(
            (v for v in versions if v.pk != plan.pk), None
        )
    if other_id and (other is None or str(other.pk) != other_id):
        raise Http404(_("Only versions of the same account and period can be compared."))
    older, newer = sorted((plan, other), key=lambda p: p.number) if other is not None else (plan, plan)
    context = {
        "plan": plan,
        "other": other,
        "older": older,
        "newer": newer,
        "versions": versions,
        "changes": selectors.compare_versions(plan, other) if other is not None else [],
    }
    return render_page(request, "planning/plan_compare.html", context)
