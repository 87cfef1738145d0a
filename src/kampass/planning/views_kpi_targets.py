"""Pages of the KPI targets: the KPI matrix (key accounts x KPIs with value, target and traffic light,
under their groups, with the roll-ups per KAM and team) and the targets the head of KAM sets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.concurrency import expect_version
from kampass.common.htmx import confirm_delete, render_form_page, render_page, submit_form
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.core import kpis as catalogue
from kampass.planning import kpi_target_selectors as selectors
from kampass.planning import kpi_target_services as services
from kampass.planning.forms_kpi_targets import KpiTargetForm
from kampass.planning.kpis import display_value
from kampass.planning.models import KpiTarget


def _cell(c: selectors.Cell) -> dict[str, Any]:
    t = c.target
    return {
        "key": c.key,
        "value": display_value(c.value, c.unit, c.currency),
        "target": display_value(t.green, c.unit, t.currency) if t else "",
        "amber": display_value(t.amber, c.unit, t.currency) if t else "",
        "higher": t.higher_is_better if t else None,
        "light": c.light,
    }


@login_required
def kpi_matrix_page(request: HttpRequest) -> HttpResponse:
    """The KPI matrix of the key accounts the user may read."""
    m = selectors.kpi_matrix(user=request.user)
    lang = ui_language()
    context = {
        "matrix": m,
        "kpis": [(k, catalogue.kpi(k).label(lang)) for k in m.keys],
        "rollup_kpis": [(k, catalogue.kpi(k).label(lang)) for k in selectors.core.ROLLED_UP_KEYS],
        "rows": [{"row": r, "cells": [_cell(c) for c in r.cells], "indent": range(r.depth)} for r in m.rows],
        "by_kam": [{"row": r, "cells": [_cell(c) for c in r.cells]} for r in m.by_kam],
        "by_team": [{"row": r, "cells": [_cell(c) for c in r.cells]} for r in m.by_team],
        "can_set": request.user.has_perm("planning.manage_kpi_targets"),
    }
    return render_page(request, "planning/kpi_matrix.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_targets_page(request: HttpRequest) -> HttpResponse:
    """The targets (head of KAM) with a form to set one."""
    authorize(request.user, "planning.manage_kpi_targets")
    lang = ui_language()
    form = KpiTargetForm(request.POST or None, lang=lang)
    done = submit_form(
        request,
        form,
        lambda data: services.kpi_target_set(
            actor=request.user, kpi_key=data["kpi_key"], account_id=data.get("account"), green=data["green"],
            amber=data["amber"], higher_is_better=form.higher_is_better(), currency=data.get("currency", ""),
            version=_version_of(data),
        ),
        success=_("Target saved."),
        next_url=reverse("kpi-targets"),
    )  # fmt: skip
    targets = [
        {"target": t, "label": catalogue.kpi(t.kpi_key).label(lang) if t.kpi_key in catalogue.KPI_BY_KEY else t.kpi_key,
         "green": display_value(t.green, catalogue.KPI_BY_KEY[t.kpi_key].unit, t.currency)
         if t.kpi_key in catalogue.KPI_BY_KEY else str(t.green),
         "amber": display_value(t.amber, catalogue.KPI_BY_KEY[t.kpi_key].unit, t.currency)
         if t.kpi_key in catalogue.KPI_BY_KEY else str(t.amber)}
        for t in selectors.target_list()
    ]  # fmt: skip
    return done or render_form_page(
        request, form, template="planning/kpi_targets.html", title=_("KPI targets"),
        cancel_url=reverse("kpi-matrix"), targets=targets,
    )  # fmt: skip


def _version_of(data: dict[str, Any]) -> int | None:
    """The version of the target being replaced, when the form carried one (else the latest is replaced)."""
    version = data.get("version")
    return int(version) if version else None


@login_required
@require_http_methods(["GET", "POST"])
def kpi_target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, "planning.manage_kpi_targets")
    target = get_object_or_404(KpiTarget, pk=pk)

    def delete(version: int | None) -> None:
        expect_version(target, version)
        services.kpi_target_remove(actor=request.user, target=target)

    return confirm_delete(
        request, target, delete, success=_("Target removed."), next_url=reverse("kpi-targets"),
        cancel_url=reverse("kpi-targets"),
    )  # fmt: skip
