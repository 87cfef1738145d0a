"""Pages of the health score and the scorecard: the portfolio of key accounts by health (sortable,
filterable, with roll-ups per KAM, team and group), one account's health with its decomposition and
trend, the weights page of the head of KAM, and marking a notice read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kampass.accounts import facade as accounts_facade
from kampass.common.htmx import is_fragment_request, redirect_to, render_form_page, render_page, submit_form
from kampass.common.i18n import ui_language
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.core import scorecard as core
from kampass.planning import health_runs
from kampass.planning import health_selectors as selectors
from kampass.planning import health_services as services
from kampass.planning.charts_health import health_trend_chart
from kampass.planning.forms_health import HealthWeightsForm
from kampass.planning.models import HealthRun, Notice


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if 0 <= number <= 100 else None


def _filters(request: HttpRequest) -> selectors.ScorecardFilters:
    g = request.GET
    return selectors.ScorecardFilters(
        kam=_int(g.get("kam", "")),
        team=_int(g.get("team", "")),
        light=g.get("light", "") if g.get("light") in (core.GREEN, core.AMBER, core.RED) else "",
        q=g.get("q", "").strip()[:200],
        sort=g.get("sort", "health") if g.get("sort") in selectors.SCORECARD_SORTS else "health",
        descending=g.get("dir", "desc" if "sort" not in g else "") == "desc",
        health_min=_number(g.get("min", "")[:10]),
        health_max=_number(g.get("max", "")[:10]),
    )


def component_rows(h: core.Health, lang: str) -> list[dict[str, Any]]:
    """The components of a score as the pages show them: label, raw value, score, weight, contribution, light."""
    return [
        {
            "key": c.key,
            "label": core.SPECS[c.key].label(lang),
            "unit": core.SPECS[c.key].unit,
            "raw": c.raw,
            "unbounded": c.raw is not None and c.raw == float("inf"),
            "score": c.score,
            "weight": c.weight,
            "contribution": c.contribution,
            "width_em": round(c.contribution * 0.16, 2),  # the bar is 16 em wide for 100 points
            "light": core.traffic_light(c.score),
            "present": c.present,
        }
        for c in h.components
    ]


@login_required
def scorecard_page(request: HttpRequest) -> HttpResponseBase:
    """All key accounts the user may read, by health; filters by KAM, team, light and name; sortable
    (``?export=csv|xlsx``: every row of the scorecard as a file)."""
    filters = _filters(request)
    card = selectors.scorecard(user=request.user, filters=filters)
    if card.computed_now:
        health_runs.health_run_catch_up()
    lang = ui_language()
    if export_format(request) is not None:
        return export_response(request, stem="scorecard", columns=_scorecard_columns(lang), rows=card.rows)
    page = paginate(request, card.rows)
    context = {
        "card": card,
        "filters": filters,
        "sort_default": "health",
        "sort_default_dir": "desc",
        "page": page,
        "rows": [{"row": r, "components": component_rows(r.health, lang)} for r in page.object_list],
        "components": [(s.key, s.label(lang)) for s in core.COMPONENTS],
        "kams": card.kam_options,
        "teams": card.team_options,
        "lights": [(core.GREEN, _("green")), (core.AMBER, _("amber")), (core.RED, _("red"))],
        "can_weigh": request.user.has_perm("planning.manage_health_weights"),
        **_run_context(health_runs.latest_run()),
    }
    return render_page(request, "planning/health_scorecard.html", context, fragment="planning/health_table.html")


def _component_points(key: str) -> Any:
    def points(row: selectors.ScorecardRow) -> float | None:
        component = row.health.component(key)
        return component.contribution if component is not None and component.present else None

    return points


def _scorecard_columns(lang: str) -> list[Column[selectors.ScorecardRow]]:
    """The columns of the scorecard as a file, in the active language: the page's columns and the points
    of each component (empty where the component has no value)."""
    lights = {core.GREEN: _("green"), core.AMBER: _("amber"), core.RED: _("red")}
    return [
        Column(_("Account"), lambda r: r.name),
        Column(_("KAM"), lambda r: ", ".join(r.kams)),
        Column(_("Team"), lambda r: ", ".join(r.teams)),
        Column(_("Health"), lambda r: None if r.score is None else round(r.score, 1)),
        Column(_("Status"), lambda r: lights.get(r.light, _("no value"))),
        Column(_("Change in points"), lambda r: None if r.change is None else round(r.change, 1)),
        Column(_("Snapshot"), lambda r: r.day),
        *[
            Column(_("Points: %(component)s") % {"component": spec.label(lang)}, _component_points(spec.key))
            for spec in core.COMPONENTS
        ],
    ]


def _run_context(run: HealthRun | None) -> dict[str, Any]:
    return {"run": run, "run_active": run is not None and not run.finished}


@login_required
@require_POST
def scorecard_recompute(request: HttpRequest) -> HttpResponse:
    """Recompute every key account's health now, as a background task (head of KAM)."""
    authorize(request.user, "planning.manage_health_weights")
    run = health_runs.health_run_start(actor=request.user)
    if is_fragment_request(request):
        return render_page(request, "planning/health_run.html", _run_context(run))
    messages.success(request, _("The health of every key account is being recomputed in the background."))
    return redirect_to(request, reverse("scorecard"))


@login_required
def scorecard_run(request: HttpRequest, pk: str) -> HttpResponse:
    """The progress of one recomputation (polled by the scorecard page while it runs)."""
    authorize(request.user, "planning.manage_health_weights")
    run = get_object_or_404(HealthRun, pk=pk)
    return render_page(request, "planning/health_run.html", _run_context(run))


@login_required
def account_health_page(request: HttpRequest, account_pk: int) -> HttpResponse:
    """One account's health now: decomposition into the components' contributions, and its trend."""
    ref = accounts_facade.account_ref(account_pk)
    if ref is None:
        raise Http404(_("No such account."))
    authorize(request.user, "planning.view_health", _account(account_pk))
    h = selectors.account_health([account_pk])[account_pk]
    history = selectors.snapshots(account_pk)
    lang = ui_language()
    context = {
        "account": ref,
        "health": h,
        "light": core.health_light(h.score),
        "components": component_rows(h, lang),
        "missing": [core.SPECS[k].label(lang) for k in h.missing],
        "history": history[::-1],
        "trend_spec": health_trend_chart([(s.day, s.score) for s in history]),
        "kpi_targets": selectors.kpi_targets(account_pk),
    }
    return render_page(request, "planning/health_account.html", context)


def _account(account_pk: int) -> Any:
    from kampass.planning.models import AccountPlan

    account_model = AccountPlan._meta.get_field("account").related_model
    return get_object_or_404(account_model, pk=account_pk)


@login_required
@require_http_methods(["GET", "POST"])
def health_weights_page(request: HttpRequest) -> HttpResponse:
    """The weights of the health components (head of KAM)."""
    authorize(request.user, "planning.manage_health_weights")
    row = selectors.weights_row()
    initial: dict[str, Any] = {**selectors.active_weights(), "note": row.note if row else ""}
    if row is not None:
        initial["version"] = row.version
    form = HealthWeightsForm(request.POST or None, initial=initial, lang=ui_language())
    done = submit_form(
        request,
        form,
        lambda data: services.health_weights_save(
            actor=request.user, weights=form.weights(), note=data.get("note", ""), version=data.get("version")
        ),
        success=_("Weights saved; the health scores use them from now on."),
        next_url=reverse("scorecard"),
    )
    return done or render_form_page(
        request, form, template="planning/health_weights.html", title=_("Weights of the health score"),
        cancel_url=reverse("scorecard"),
    )  # fmt: skip


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk, recipient_id=request.user.pk)
    services.notice_mark_read(actor=request.user, notice=notice)
    return redirect_to(request, reverse("dashboard"))
