"""Pages of the selection portfolio: the portfolio (chart, quadrants, rank stability), an account's
scores and ratings, the criteria catalogue, the selection rounds with their decisions and exports.
Thin views over forms, services and selectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import kampass.screening.rules_selection  # noqa: F401  (registers the permissions)
from kampass.accounts import facade as accounts_facade
from kampass.common.htmx import apply_validation_error, redirect_to, render_page
from kampass.common.permissions import authorize
from kampass.core.screening import portfolio as core
from kampass.screening import exports_selection as exports
from kampass.screening import selectors_selection as selectors
from kampass.screening import services_selection as services
from kampass.screening.charts_selection import SIZES, ChartPoint, portfolio_chart, size_labels
from kampass.screening.forms_selection import CatalogueForm, DecisionForm, RatingForm, RoundForm
from kampass.screening.models.selection import CriterionKind, Decision, RoundStatus, SelectionRound, scoring_text


def quadrant_labels() -> dict[str, tuple[str, str]]:
    """quadrant -> (name, normative move), in the active language."""
    return {
        core.INVEST: (_("High attractiveness, strong position"), _("Invest and expand")),
        core.BIG_STEP: (_("High attractiveness, weak position"), _("A big step or exit")),
        core.HOLD: (_("Low attractiveness, strong position"), _("Hold efficiently")),
        core.WITHDRAW: (
            _("Low attractiveness, weak position"),
            _("Selective withdrawal / serve through standard sales"),
        ),
    }


def move_labels() -> dict[str, str]:
    return {core.PROMOTE: _("Promote"), core.DEMOTE: _("Demote"), core.EXIT: _("Exit"), core.KEEP: _("Keep")}


def _scoring(c: Any) -> str:
    """How a computed criterion scores its fact, in the reader's language ("" for a rated one)."""
    if c.kind != CriterionKind.COMPUTED or c.key not in core.SCORING:
        return ""
    return scoring_text(c.key, core.SCORING[c.key].text)


def _as_of(request: HttpRequest) -> dt.date | None:
    value = request.GET.get("as_of", "")
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _size(request: HttpRequest) -> str:
    """The bubble size the page shows (``?size=revenue|potential``, default revenue)."""
    value = request.GET.get("size", "")
    return value if value in SIZES else SIZES[0]


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """The selection portfolio: chart (bubble size revenue or potential, ``?size=``), quadrants with their
    moves, and the accounts with their scores and rank stability under +-20 % weights."""
    authorize(request.user, "screening.view_selection")
    as_of = _as_of(request)
    view = selectors.portfolio(as_of=as_of)
    size = _size(request)
    labels = size_labels()
    sizes = [
        (key, labels[key], "?" + urlencode({"size": key, **({"as_of": as_of.isoformat()} if as_of else {})}))
        for key in SIZES
    ]
    threshold = float(view.catalogue.threshold) if view.catalogue else 50.0
    quadrants = quadrant_labels()
    moves = move_labels()
    rows = []
    for r in view.rows:
        proposal = core.propose(r.account.id, r.account.kam_status, r.score.quadrant)
        rows.append({"row": r, "quadrant": quadrants.get(r.score.quadrant), "move": moves[proposal.move],
                     "proposal": proposal})  # fmt: skip
    counts = {q: sum(1 for r in view.rows if r.score.quadrant == q) for q in core.QUADRANTS}
    context: dict[str, Any] = {
        "view": view,
        "rows": rows,
        "quadrants": [(q, *quadrants[q], counts[q]) for q in core.QUADRANTS],
        "chart_spec": portfolio_chart(
            [
                ChartPoint(
                    r.account.name,
                    r.account.kam_status_label,
                    r.score.attractiveness,
                    r.score.position,
                    r.revenue,
                    r.potential,
                )
                for r in view.rows
            ],
            threshold=threshold,
            currency=selectors.reporting_currency(),
            size=size,
        ),
        "size": size,
        "sizes": sizes,
        "scoring": [(c, _scoring(c)) for c in view.criteria],
        "can_configure": request.user.has_perm("screening.configure_criteria"),
        "can_decide": request.user.has_perm("screening.decide_round"),
        "currency": selectors.reporting_currency(),
    }
    return render_page(request, "screening/selection/portfolio.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_scores(request: HttpRequest, account_id: int) -> HttpResponse:
    """An account's contributions per criterion, its ratings with their history, and the rating form."""
    authorize(request.user, "screening.view_selection")
    ref = accounts_facade.account_ref(account_id)
    if ref is None:
        raise Http404
    catalogue = selectors.current_catalogue()
    criteria = selectors.catalogue_criteria(catalogue) if catalogue else []
    rated = [(c.key, c.shown_label) for c in criteria if c.kind == CriterionKind.RATED]
    account_obj = services._account(account_id)
    can_rate = bool(rated) and request.user.has_perm("screening.rate_account", account_obj)
    form = RatingForm(request.POST or None, criteria=rated, initial={"criterion_key": request.GET.get("criterion")})
    status = 200
    if request.method == "POST":
        authorize(request.user, "screening.rate_account", account_obj)
        if form.is_valid():
            try:
                services.rating_create(actor=request.user, account_id=account_id, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Rating saved."))
                return redirect_to(request, reverse("screening-portfolio-account", args=[account_id]))
        status = 422
    view = selectors.portfolio()
    row = next((r for r in view.rows if r.account.id == account_id), None)
    labels = {c.key: c.shown_label for c in criteria}
    context = {
        "account": ref,
        "row": row,
        "labels": labels,
        "contributions": [(labels.get(c.criterion, c.criterion), c) for c in row.score.contributions] if row else [],
        "quadrant": quadrant_labels().get(row.score.quadrant) if row else None,
        "history": list(selectors.rating_history(account_id)[:50]),
        "form": form,
        "can_rate": can_rate,
    }
    return render_page(request, "screening/selection/account.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    """The criteria catalogue in force and its versions; the head of KAM publishes the next version."""
    authorize(request.user, "screening.view_selection")
    current = selectors.current_catalogue()
    criteria = selectors.catalogue_criteria(current) if current else []
    can_configure = request.user.has_perm("screening.configure_criteria")
    form = CatalogueForm(
        request.POST or None, criteria=criteria, initial={"threshold": current.threshold if current else Decimal(50)}
    )
    status = 200
    if request.method == "POST":
        authorize(request.user, "screening.configure_criteria")
        if form.is_valid():
            base = services.catalogue_specs(current) if current else services.default_criteria()
            specs = [
                services.CriterionSpec(
                    s.key, s.label, s.dimension, s.kind, form.cleaned_data.get(f"weight_{s.key}", s.weight)
                )
                for s in base
            ]
            new = form.new_criterion()
            if new:
                specs.append(services.CriterionSpec(new[0], new[1], new[2], CriterionKind.RATED, Decimal(new[3])))
            try:
                published = services.catalogue_publish(
                    actor=request.user, criteria=specs, note=form.cleaned_data["note"],
                    threshold=form.cleaned_data["threshold"],
                )  # fmt: skip
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Catalogue version %(n)s published.") % {"n": published.number})
                return redirect_to(request, reverse("screening-catalogue"))
        status = 422
    context = {
        "catalogue": current,
        "criteria": [(c, _scoring(c)) for c in criteria],
        "versions": list(type(current).objects.order_by("-number")[:20]) if current else [],
        "form": form,
        "can_configure": can_configure,
    }
    return render_page(request, "screening/selection/catalogue.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    """The selection rounds; the head of KAM opens the next one."""
    authorize(request.user, "screening.view_selection")
    form = RoundForm(request.POST or None)
    status = 200
    if request.method == "POST":
        authorize(request.user, "screening.decide_round")
        if form.is_valid():
            try:
                opened = services.round_open(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Round %(period)s opened.") % {"period": opened.period})
                return redirect_to(request, reverse("screening-round", args=[opened.pk]))
        status = 422
    context = {
        "rounds": list(selectors.round_list()),
        "form": form,
        "can_decide": request.user.has_perm("screening.decide_round"),
    }
    return render_page(request, "screening/selection/rounds.html", context, status=status)


def _status_labels() -> dict[str, str]:
    return dict(accounts_facade.kam_status_choices())


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, "screening.view_selection")
    selection_round = get_object_or_404(SelectionRound.objects.select_related("catalogue"), pk=pk)
    statuses = accounts_facade.kam_status_choices()
    can_decide = request.user.has_perm("screening.decide_round") and selection_round.status == RoundStatus.OPEN
    decisions = list(selectors.round_decisions(selection_round))
    rows = [
        (d, DecisionForm(statuses=statuses, initial={"status": d.proposed_status}, prefix=f"d{d.pk}"))
        for d in decisions
    ]
    context = {
        "round": selection_round,
        "rows": rows,
        "statuses": _status_labels(),
        "moves": move_labels(),
        "quadrants": quadrant_labels(),
        "can_decide": can_decide,
        "open_count": sum(1 for d in decisions if not d.decided),
    }
    return render_page(request, "screening/selection/round.html", context)


@login_required
@require_POST
def decision_record(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=decision_pk, round_id=pk)
    authorize(request.user, "screening.decide_round")
    form = DecisionForm(request.POST, statuses=accounts_facade.kam_status_choices(), prefix=f"d{decision.pk}")
    if form.is_valid():
        try:
            services.decision_record(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Decision on %(account)s recorded.") % {"account": decision.account.name})
    else:
        messages.error(request, _("Choose a status and give the reason for the decision."))
    return redirect_to(request, reverse("screening-round", args=[pk]) + f"#decision-{decision.pk}")


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = get_object_or_404(SelectionRound, pk=pk)
    authorize(request.user, "screening.decide_round")
    try:
        services.round_close(actor=request.user, selection_round=selection_round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Round %(period)s closed.") % {"period": selection_round.period})
    return redirect_to(request, reverse("screening-round", args=[pk]))


@login_required
def round_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The round as XLSX or PDF, in German or English (``?lang=de|en``, default the page's language)."""
    authorize(request.user, "screening.view_selection")
    selection_round = get_object_or_404(SelectionRound.objects.select_related("catalogue"), pk=pk)
    lang = request.GET.get("lang") or translation.get_language() or "en"
    lang = "de" if lang.startswith("de") else "en"
    with translation.override(lang):
        if fmt == "xlsx":
            data = exports.round_workbook(selection_round)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif fmt == "pdf":
            data = exports.round_pdf(selection_round)
            content_type = "application/pdf"
        else:
            raise Http404
    response = HttpResponse(data, content_type=content_type)
    name = f"selection-round-{selection_round.pk}-{lang}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
