"""Pages of the targets (quotas): the list with search, filters, sorting and pages, the form to set or
change one, and deleting. Thin views over the target form, services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import confirm_delete, render_form_page, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.pipeline import services
from kampass.pipeline.forms import TargetForm, TargetUploadForm
from kampass.pipeline.models import Target, TargetPeriod, TargetScope
from kampass.pipeline.selectors.targets import TARGET_SORTS, TargetFilters, target_get, target_list


def _filters(request: HttpRequest) -> TargetFilters:
    g = request.GET
    year = g.get("year", "")
    return TargetFilters(
        q=g.get("q", "").strip()[:200],
        scope=g.get("scope", "") if g.get("scope") in TargetScope.values else "",
        period=g.get("period", "") if g.get("period") in TargetPeriod.values else "",
        year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        sort=g.get("sort", "period") if g.get("sort") in TARGET_SORTS else "period",
        descending=g.get("dir") == "desc",
    )


@login_required
def target_list_page(request: HttpRequest) -> HttpResponseBase:
    """All targets the user may read: search, filters by scope, period and year, sorting and pages
    (``?export=csv|xlsx``: all matching targets as a file)."""
    filters = _filters(request)
    targets = target_list(user=request.user, filters=filters)
    if export_format(request) is not None:
        return export_response(request, stem="targets", columns=_target_columns(), rows=targets)
    page = paginate(request, targets)
    context = {
        "page": page,
        "filters": filters,
        "sort_default": "period",
        "scopes": TargetScope.choices,
        "periods": TargetPeriod.choices,
        "can_add": request.user.has_perm("pipeline.add_target"),
        "import_form": TargetUploadForm() if request.user.has_perm("pipeline.add_target") else None,
    }
    return render_page(request, "pipeline/target_list.html", context, fragment="pipeline/_target_table.html")


def _target_columns() -> list[Column[Target]]:
    """The columns of the target list as a file, in the active language."""
    return [
        Column(_("For"), lambda t: t.subject_label),
        Column(_("Kind"), lambda t: t.get_scope_display()),
        Column(_("Period"), lambda t: t.period_label),
        Column(_("Period type"), lambda t: t.get_period_display()),
        Column(_("Target"), lambda t: t.amount),
        Column(_("Currency"), lambda t: t.currency),
        Column(_("Note"), lambda t: t.note),
    ]


def _form_page(request: HttpRequest, form: Any, *, title: str, submit: str | None = None) -> HttpResponse:
    return render_form_page(
        request, form, template="pipeline/target_form.html", title=title, cancel_url=reverse("target-list"),
        submit=submit,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "pipeline.add_target")
    form = TargetForm(request.POST or None, initial={"year": _this_year(), "number": 1})
    done = submit_form(
        request,
        form,
        lambda data: services.target_create(actor=request.user, **form.service_data()),
        success=lambda t: (
            _("Target for %(subject)s in %(period)s set.") % {"subject": t.subject_label, "period": t.period_label}
        ),
        next_url=reverse("target-list"),
    )
    return done or _form_page(request, form, title=_("New target"), submit=_("Set target"))


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_target", target)
    form = TargetForm(request.POST or None, initial=TargetForm.initial_from(target))
    done = submit_form(
        request,
        form,
        lambda data: services.target_update(actor=request.user, target=target, **form.service_data()),
        success=_("Changes saved."),
        next_url=reverse("target-list"),
    )
    return done or _form_page(request, form, title=_("Target %(name)s") % {"name": target})


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.delete_target", target)
    return confirm_delete(
        request,
        target,
        lambda version: services.target_delete(actor=request.user, target=target, version=version),
        success=_("Target %(name)s deleted.") % {"name": target},
        next_url=reverse("target-list"),
        cancel_url=reverse("target-list"),
    )


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year
