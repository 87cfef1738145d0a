"""Pages of the organisation context: KAM process and function diagram, workload and
lead units, competence profiles and development actions. Thin views over forms,
services and selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.concurrency import ConcurrentEdit, last_change
from kampass.common.htmx import confirm_delete, form_status, redirect_to, render_form_page, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.organisation import charts, facade, selectors, services
from kampass.organisation.forms import (
    ActionForm,
    CatalogueEntryForm,
    ProfileForm,
    RoleTargetsForm,
    StructureSettingsForm,
)
from kampass.organisation.models import (
    ActionStatus,
    BilingualCatalogueEntry,
    BlockedCause,
    Competence,
    DevelopmentAction,
    FunctionRole,
    ProcessActivity,
    ProfileRole,
    RaciCode,
)
from kampass.organisation.raci import Conflict
from kampass.users.models import User

CONFLICT_LABELS = {
    Conflict.NO_ACCOUNTABLE: gettext_lazy("no Accountable"),
    Conflict.SEVERAL_ACCOUNTABLE: gettext_lazy("several Accountable"),
    Conflict.NO_RESPONSIBLE: gettext_lazy("no Responsible"),
}


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    cancel_url: str,
    submit: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render_form_page(
        request, form, template="organisation/form_page.html", title=title, cancel_url=cancel_url, submit=submit,
        **(extra or {}),
    )  # fmt: skip


# ---------------------------------------------------------------- overview


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    context = {
        "raci": facade.raci_summary(),
        "structure": facade.structure_summary(),
        "people": facade.people_summary(),
        "conflict_labels": CONFLICT_LABELS,
    }
    return render_page(request, "organisation/overview.html", context)


# ---------------------------------------------------------------- function diagram


def _raci_context(request: HttpRequest) -> dict[str, Any]:
    matrix = selectors.raci_matrix()
    return {
        "matrix": matrix,
        "rows": [
            {
                "activity": a,
                "cells": [(r, matrix.code(a.pk, r.pk), matrix.version(a.pk, r.pk)) for r in matrix.roles],
                "check": matrix.checks[a.pk],
            }
            for a in matrix.activities
        ],
        "codes": RaciCode.choices,
        "can_edit": request.user.has_perm("organisation.change_structure"),
        "conflict_labels": CONFLICT_LABELS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def raci(request: HttpRequest) -> HttpResponse:
    """The function diagram; a POST saves every cell at once (the form without JavaScript)."""
    authorize(request.user, "organisation.view_structure")
    if request.method == "POST":
        authorize(request.user, "organisation.change_structure")
        matrix = selectors.raci_matrix()
        changed = [
            (a, r, request.POST[name])
            for a in matrix.activities
            for r in matrix.roles
            if (name := f"cell-{a.pk}-{r.pk}") in request.POST and request.POST[name] != matrix.code(a.pk, r.pk)
        ]
        versions = {(a.pk, r.pk): _posted_version(request, f"version-{a.pk}-{r.pk}") for a, r, _code in changed}
        try:
            services.raci_set_many(actor=request.user, cells=changed, versions=versions)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEdit:  # nothing written: name every cell changed since the page was loaded
            saved = selectors.raci_matrix()
            stale = [
                (a, r, code)
                for a, r, code in changed
                if versions[(a.pk, r.pk)] not in (None, saved.version(a.pk, r.pk))
            ]
            messages.error(request, " ".join(_raci_conflict_text(a, r, code) for a, r, code in stale))
        else:
            messages.success(request, _("Function diagram saved."))
        return redirect_to(request, reverse("organisation-raci"))
    return render_page(request, "organisation/raci.html", _raci_context(request))


@login_required
@require_POST
def raci_cell(request: HttpRequest, activity_id: int, role_id: int) -> HttpResponse:
    """Set one cell (HTMX); answers with the activity's conflict cell and the conflict count (out of band)."""
    activity = get_object_or_404(ProcessActivity, pk=activity_id)
    role = get_object_or_404(FunctionRole, pk=role_id)
    error, status = "", 200
    code = request.POST.get("code", request.POST.get(f"cell-{activity.pk}-{role.pk}", ""))
    version = _posted_version(request, f"version-{activity.pk}-{role.pk}")
    try:
        services.raci_set(actor=request.user, activity=activity, role=role, code=code, version=version)
    except ValidationError as exc:
        error, status = " ".join(exc.messages), 422
    except ConcurrentEdit:  # changed since the page was loaded: both codes, and the cell as saved now
        error, status = _raci_conflict_text(activity, role, code), 409
    saved = selectors.raci_cell(activity, role)
    context = {
        "activity": activity,
        "role": role,
        "check": selectors.activity_check(activity),
        "conflict_count": selectors.raci_matrix().conflict_count,
        "conflict_labels": CONFLICT_LABELS,
        "error": error,
        "oob": True,
        "saved_code": saved.code if saved else "",
        "saved_version": saved.version if saved else 0,
        "stale": status == 409,
        "codes": RaciCode.choices,
    }
    response = render_page(request, "organisation/_raci_cell_result.html", context, status=status)
    if status == 409:
        response["Kampass-Conflict"] = "1"  # kampass.js swaps it in: the user sees both codes in the row
    return response


def _posted_version(request: HttpRequest, name: str) -> int | None:
    """The version a page posted in ``name`` (``None`` when it sent none or garbage)."""
    raw = request.POST.get(name, request.POST.get("version", ""))
    return int(raw) if raw.isdigit() else None


def _raci_conflict_text(activity: ProcessActivity, role: FunctionRole, code: str) -> str:
    """Both versions of a RACI cell changed by someone else since the page was loaded."""
    saved = selectors.raci_cell(activity, role)
    who, when = last_change(saved) if saved is not None else (None, None)
    values = {
        "cell": f"{activity.label} – {role.label}",
        "mine": code or "·",
        "saved": saved.code if saved else "·",
        "who": who or _("someone else"),
        "when": formats.date_format(when, "SHORT_DATETIME_FORMAT") if when else "–",
    }
    return (
        _(
            "Not saved: %(who)s changed the cell %(cell)s on %(when)s. Your entry: %(mine)s; saved now: %(saved)s. "
            "The cell shows the saved code; choose yours again to replace it."
        )
        % values
    )


# ---------------------------------------------------------------- editable catalogues


@dataclass(frozen=True)
class CatalogueKind:
    model: type[BilingualCatalogueEntry]
    view_perm: str
    change_perm: str
    list_url: str
    title: Any
    singular: Any
    create: Any
    update: Any
    delete: Any
    kwarg: str
    url_prefix: str


CATALOGUES = {
    "activities": CatalogueKind(
        ProcessActivity,
        "organisation.view_structure",
        "organisation.change_structure",
        "organisation-activities",
        gettext_lazy("KAM process activities"),
        gettext_lazy("activity"),
        services.activity_create,
        services.activity_update,
        services.activity_delete,
        "activity",
        "organisation-activity",
    ),
    "roles": CatalogueKind(
        FunctionRole,
        "organisation.view_structure",
        "organisation.change_structure",
        "organisation-roles",
        gettext_lazy("Roles of the function diagram"),
        gettext_lazy("role"),
        services.role_create,
        services.role_update,
        services.role_delete,
        "role",
        "organisation-role",
    ),
    "competences": CatalogueKind(
        Competence,
        "organisation.view_competences",
        "organisation.change_competences",
        "organisation-competences",
        gettext_lazy("Competence model"),
        gettext_lazy("competence"),
        services.competence_create,
        services.competence_update,
        services.competence_delete,
        "competence",
        "organisation-competence",
    ),
}


def _kind(kind: str) -> CatalogueKind:
    if kind not in CATALOGUES:
        raise Http404
    return CATALOGUES[kind]


@login_required
def catalogue_list(request: HttpRequest, kind: str) -> HttpResponse:
    k = _kind(kind)
    authorize(request.user, k.view_perm)
    q = request.GET.get("q", "").strip()
    entries = k.model._default_manager.all()
    if q:
        entries = entries.filter(Q(name_en__icontains=q) | Q(name_de__icontains=q) | Q(key__icontains=q))
    context = {
        "kind": kind,
        "k": k,
        "rows": [
            {
                "entry": e,
                "edit_url": reverse(f"{k.url_prefix}-edit", args=[e.pk]),
                "delete_url": reverse(f"{k.url_prefix}-delete", args=[e.pk]),
            }
            for e in entries
        ],
        "create_url": reverse(f"{k.url_prefix}-create"),
        "q": q,
        "can_edit": request.user.has_perm(k.change_perm),
    }
    return render_page(
        request, "organisation/catalogue_list.html", context, fragment="organisation/_catalogue_table.html"
    )


def _entry_initial(entry: BilingualCatalogueEntry) -> dict[str, Any]:
    return {
        f: getattr(entry, f)
        for f in ("key", "name_en", "name_de", "description_en", "description_de", "order", "active", "version")
    }


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_create(request: HttpRequest, kind: str) -> HttpResponse:
    k = _kind(kind)
    authorize(request.user, k.change_perm)
    form = CatalogueEntryForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: k.create(actor=request.user, **data),
        success=lambda entry: _("“%(name)s” added.") % {"name": entry.label},
        next_url=reverse(k.list_url),
    )
    if done:
        return done
    return _form_page(
        request, form, title=_("New %(kind)s") % {"kind": k.singular}, cancel_url=reverse(k.list_url), submit=_("Add")
    )


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    k = _kind(kind)
    entry = get_object_or_404(k.model, pk=pk)
    authorize(request.user, k.change_perm)
    form = CatalogueEntryForm(request.POST or None, initial=_entry_initial(entry))
    done = submit_form(
        request,
        form,
        lambda data: k.update(actor=request.user, **{k.kwarg: entry}, **data),
        success=_("Changes saved."),
        next_url=reverse(k.list_url),
    )
    if done:
        return done
    return _form_page(request, form, title=_("Edit %(name)s") % {"name": entry.label}, cancel_url=reverse(k.list_url))


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    k = _kind(kind)
    entry = get_object_or_404(k.model, pk=pk)
    authorize(request.user, k.change_perm)
    return confirm_delete(
        request,
        entry,
        lambda version: k.delete(actor=request.user, **{k.kwarg: entry}, version=version),
        success=_("“%(name)s” deleted.") % {"name": entry.label},
        next_url=reverse(k.list_url),
        cancel_url=reverse(k.list_url),
    )


# ---------------------------------------------------------------- workload and lead units


@login_required
@require_http_methods(["GET", "POST"])
def workload(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "organisation.view_structure")
    settings_obj = selectors.structure_settings()
    can_edit = request.user.has_perm("organisation.change_structure")
    form = StructureSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "max_accounts_per_kam": settings_obj.max_accounts_per_kam,
            "version": settings_obj.version if settings_obj.pk else 0,
        },
    )
    if request.method == "POST":
        authorize(request.user, "organisation.change_structure")
        done = submit_form(
            request,
            form,
            lambda data: services.structure_settings_update(actor=request.user, **data),
            success=_("Threshold saved."),
            next_url=reverse("organisation-workload"),
            conflict_extra={"max_accounts_per_kam": settings_obj.max_accounts_per_kam},
        )
        if done:
            return done
    only_missing = request.GET.get("missing") == "1"
    rows = selectors.workload(threshold=settings_obj.max_accounts_per_kam)
    only_over = request.GET.get("over") == "1"
    context = {
        "rows": [r for r in rows if r.over_threshold] if only_over else rows,
        "all_rows": rows,
        "only_over": only_over,
        "threshold": settings_obj.max_accounts_per_kam,
        "international": selectors.international_accounts(only_missing=only_missing),
        "only_missing": only_missing,
        "form": form,
        "can_edit": can_edit,
    }
    return render_page(request, "organisation/workload.html", context, status=form_status(request, form))


# ---------------------------------------------------------------- competence profiles


@login_required
def people(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "organisation.view_competences")
    persons = list(selectors.visible_profile_people(user=request.user))
    profiles = selectors.profiles(persons)
    actions = selectors.open_actions_per_person(persons)
    gap_rows: list[tuple[str, float]] = []
    if request.user.has_perm("organisation.view_all_profiles"):
        gap_rows = selectors.mean_gap_per_competence(profiles)
    context = {
        "rows": [(p, actions.get(p.person.pk, (0, 0))) for p in profiles],
        "gap_spec": charts.gap_overview_chart(gap_rows),
        "summary": facade.people_summary(),
        "can_set_targets": request.user.has_perm("organisation.set_targets"),
        "competence_count": Competence.objects.filter(active=True).count(),
    }
    return render_page(request, "organisation/people.html", context)


@login_required
def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=ProfileRole.values)
    authorize(request.user, "organisation.view_profile", person)
    prof = selectors.profile(person)
    actions = selectors.action_list(user=request.user, filters=selectors.ActionFilters(person=person.pk))
    context = {
        "person": person,
        "profile": prof,
        "spec": charts.profile_chart(prof.lines),
        "actions": list(actions),
        "can_rate": request.user.has_perm("organisation.rate_profile", person),
        "can_self_rate": request.user.has_perm("organisation.self_rate", person),
        "can_add_action": request.user.has_perm("organisation.add_action", person),
    }
    return render_page(request, "organisation/profile_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=ProfileRole.values)
    authorize(request.user, "organisation.view_profile", person)
    can_rate = request.user.has_perm("organisation.rate_profile", person)
    can_self_rate = request.user.has_perm("organisation.self_rate", person)
    if not (can_rate or can_self_rate):
        authorize(request.user, "organisation.rate_profile", person)
    prof = selectors.profile(person)
    personal, personal_versions = selectors.personal_targets(person)
    versions = {line.competence.pk: line.version for line in prof.lines}
    form = ProfileForm(
        request.POST or None,
        profile=prof,
        can_rate=can_rate,
        can_self_rate=can_self_rate,
        personal_targets=personal,
        versions=versions,
        target_versions=personal_versions,
    )
    saved: dict[str, Any] = {}  # the profile as saved now (loaded with this request), for a conflict
    for line in prof.lines:
        cid = line.competence.pk
        saved |= {f"level_{cid}": line.row.level, f"note_{cid}": line.note, f"target_{cid}": personal.get(cid)}
        saved[f"self_{cid}"] = line.row.self_level

    def save(data: dict[str, Any]) -> None:
        changes = []
        for line in prof.lines:
            cid = line.competence.pk
            level, note, target = data.get(f"level_{cid}"), data.get(f"note_{cid}"), data.get(f"target_{cid}")
            self_level = data.get(f"self_{cid}")
            changes.append(
                services.ProfileLineChange(
                    line.competence,
                    rate=can_rate and (level != line.row.level or note != line.note),
                    level=level,
                    note=note,
                    set_target=can_rate and target != personal.get(cid),
                    target=target,
                    self_rate=can_self_rate and self_level != line.row.self_level,
                    self_level=self_level,
                    version=data.get(f"version_{cid}"),
                    target_version=data.get(f"version_target_{cid}"),
                )
            )
        services.profile_update(actor=request.user, person=person, changes=changes)

    done = submit_form(
        request,
        form,
        save,
        success=_("Profile saved."),
        next_url=reverse("organisation-profile", args=[person.pk]),
        conflict_extra=saved,
        conflict_versions={f"version_{cid}": v for cid, v in versions.items()}
        | {f"version_target_{line.competence.pk}": personal_versions.get(line.competence.pk, 0) for line in prof.lines},
    )
    if done:
        return done
    context = {
        "form": form,
        "person": person,
        "title": _("Competence profile of %(name)s") % {"name": person},
        "cancel_url": reverse("organisation-profile", args=[person.pk]),
    }
    return render_page(
        request,
        "organisation/profile_edit.html",
        context,
        fragment="organisation/_profile_form.html",
        status=form_status(request, form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "organisation.set_targets")
    competences = list(Competence.objects.filter(active=True))
    current = selectors.role_targets()
    versions = selectors.role_target_versions()
    form = RoleTargetsForm(request.POST or None, competences=competences, current=current, versions=versions)

    def save(data: dict[str, Any]) -> None:
        changed = {
            (role, c): data[f"{role}_{c.pk}"]
            for c in competences
            for role in ProfileRole.values
            if data[f"{role}_{c.pk}"] != current.get((role, c.pk))
        }
        seen = {(role, c): data.get(f"version_{role}_{c.pk}") for role, c in changed}
        services.role_targets_set(actor=request.user, targets=changed, versions=seen)

    saved = {f"{role}_{cid}": level for (role, cid), level in current.items()}  # as saved now, for a conflict
    done = submit_form(
        request,
        form,
        save,
        success=_("Targets saved."),
        next_url=reverse("organisation-people"),
        conflict_extra={
            f"{role}_{c.pk}": saved.get(f"{role}_{c.pk}") for c in competences for role in ProfileRole.values
        },
        conflict_versions={
            f"version_{role}_{c.pk}": versions.get((role, c.pk), 0) for c in competences for role in ProfileRole.values
        },
    )
    if done:
        return done
    context = {"form": form, "roles": ProfileRole.choices, "cancel_url": reverse("organisation-people")}
    return render_page(request, "organisation/targets.html", context, status=form_status(request, form))


# ---------------------------------------------------------------- development actions


def _bool_param(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@login_required
def action_list(request: HttpRequest) -> HttpResponseBase:
    """The development actions the user may read: search, filters, sorting and pages
    (``?export=csv|xlsx``: all matching actions as a file)."""
    g = request.GET
    person = g.get("person", "")
    competence = g.get("competence", "")
    filters = selectors.ActionFilters(
        q=g.get("q", "").strip(),
        person=int(person) if person.isdigit() else None,
        status=g.get("status", "") if g.get("status", "") in ActionStatus.values else "",
        open_only=g.get("open") == "1",
        blocked=_bool_param(g.get("blocked", "")),
        cause=g.get("cause", "") if g.get("cause", "") in BlockedCause.values else "",
        competence=int(competence) if competence.isdigit() else None,
        sort=g.get("sort", "due"),
        descending=g.get("dir") == "desc",
    )
    actions = selectors.action_list(user=request.user, filters=filters)
    if export_format(request) is not None:
        return export_response(request, stem="development-actions", columns=_action_columns(), rows=actions)
    page = paginate(request, actions)
    context = {
        "page": page,
        "filters": filters,
        "sort_default": "due",
        "statuses": ActionStatus.choices,
        "causes": BlockedCause.choices,
        "people": selectors.visible_profile_people(user=request.user),
        "competences": Competence.objects.filter(active=True),
        "can_add": request.user.has_perm(
            "organisation.add_action", request.user if isinstance(request.user, User) else None
        )
        or request.user.has_perm("organisation.view_all_profiles"),
    }
    return render_page(request, "organisation/action_list.html", context, fragment="organisation/_action_table.html")


def _action_columns() -> list[Column[DevelopmentAction]]:
    """The columns of the development action list as a file, in the active language (texts kampass
    stored itself translated, as the page shows them)."""
    return [
        Column(_("Title"), lambda a: _(a.title) if a.title else a.title),
        Column(_("Person"), lambda a: str(a.person)),
        Column(_("Competence"), lambda a: str(a.competence) if a.competence_id else None),
        Column(_("Due"), lambda a: a.due_date),
        Column(_("Status"), lambda a: a.get_status_display()),
        Column(_("Blocked by the organisation"), lambda a: a.get_blocked_cause_display() if a.blocked else None),
        Column(_("What blocks it"), lambda a: _(a.blocked_note) if a.blocked and a.blocked_note else None),
        Column(_("Owner"), lambda a: str(a.owner) if a.owner_id else None),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("organisation.view_all_profiles"):
        authorize(user, "organisation.add_action", user)
    initial: dict[str, Any] = {}
    if request.GET.get("person", "").isdigit():
        initial["person"] = int(request.GET["person"])
    form = ActionForm(request.POST or None, user=user, initial=initial or None)
    done = submit_form(
        request,
        form,
        lambda data: services.action_create(actor=user, **data),
        success=lambda action: _("Development action “%(title)s” added.") % {"title": action.title},
        next_url=reverse("organisation-actions"),
    )
    if done:
        return done
    return _form_page(
        request, form, title=_("New development action"), cancel_url=reverse("organisation-actions"), submit=_("Add")
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(DevelopmentAction.objects.select_related("person"), pk=pk)
    authorize(request.user, "organisation.change_action", action)
    form = ActionForm(request.POST or None, user=request.user, action=action)
    done = submit_form(
        request,
        form,
        lambda data: services.action_update(actor=request.user, action=action, **data),
        success=_("Changes saved."),
        next_url=reverse("organisation-actions"),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Edit %(title)s") % {"title": action.title},
        cancel_url=reverse("organisation-actions"),
        extra={"can_delete": request.user.has_perm("organisation.delete_action", action), "action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(DevelopmentAction, pk=pk)
    authorize(request.user, "organisation.delete_action", action)
    return confirm_delete(
        request,
        action,
        lambda version: services.action_delete(actor=request.user, action=action, version=version),
        success=_("Development action deleted."),
        next_url=reverse("organisation-actions"),
        cancel_url=reverse("organisation-actions"),
    )
