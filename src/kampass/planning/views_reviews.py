"""Pages of account reviews: the list (due, overdue, held; filters, sort, pages), a review's page with its
frozen snapshot (planned vs actual), and the forms to plan, change, hold and cancel a review and to set
an account's review cadence. Thin views over forms, services and selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import redirect_to, render_form_page, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate, query_without
from kampass.common.permissions import authorize
from kampass.core import kpis as core
from kampass.planning import selectors_reviews, services_reviews
from kampass.planning.forms_reviews import (
    ReviewCadenceForm,
    ReviewCancelForm,
    ReviewEditForm,
    ReviewHoldForm,
    ReviewPlanForm,
)
from kampass.planning.kpis import display_value
from kampass.planning.models import AccountPlan, AccountReview, ReviewKind, ReviewStatus
from kampass.planning.views_objectives import STATUS_LABELS, objective_rows

_Account: Any = AccountPlan._meta.get_field("account").related_model

STATE_LABELS = [
    ("open", gettext_lazy("open")), ("due", gettext_lazy("due")), ("overdue", gettext_lazy("overdue")),
    ("upcoming", gettext_lazy("upcoming")),
    ("held", gettext_lazy("held")), ("cancelled", gettext_lazy("cancelled")), ("all", gettext_lazy("all")),
]  # fmt: skip


def _not_planned(request: HttpRequest, review: AccountReview) -> HttpResponse | None:
    """A held or cancelled review no longer changes: its forms lead back to its page."""
    if review.status == ReviewStatus.PLANNED:
        return None
    message = _("This review is %(status)s and can no longer be changed.") % {"status": review.get_status_display()}
    messages.info(request, message)
    return redirect_to(request, reverse("review-detail", args=[review.pk]))


def _review(request: HttpRequest, pk: int) -> AccountReview:
    review = get_object_or_404(AccountReview.objects.select_related("account", "plan", "held_by"), pk=pk)
    authorize(request.user, "planning.view_plan", review.account)
    return review


@login_required
def review_list(request: HttpRequest) -> HttpResponseBase:
    """Reviews the user may read: planned ones by default (overdue and due flagged), or held, cancelled, all
    (``?export=csv|xlsx``: all matching reviews as a file)."""
    g = request.GET
    today = timezone.localdate()
    account = g.get("account", "")
    filters: dict[str, Any] = {
        "state": g.get("state", "open") if g.get("state", "open") in selectors_reviews.STATES else "open",
        "kind": g.get("kind", "") if g.get("kind", "") in ReviewKind.values else "",
        "q": g.get("q", "").strip()[:200],
        "sort": g.get("sort", "due") if g.get("sort", "due") in selectors_reviews.SORTS else "due",
        "account_id": int(account) if account.isdigit() else None,
    }
    reviews = selectors_reviews.review_list(user=request.user, today=today, **filters)
    if export_format(request) is not None:
        return export_response(request, stem="reviews", columns=_review_columns(today), rows=reviews)
    page = paginate(request, reviews)
    rows = [{"review": r, "flag": selectors_reviews.due_flag(r, today)} for r in page.object_list]
    counts = {
        state: selectors_reviews.review_list(user=request.user, today=today, state=state).count()
        for state in ("overdue", "due")
    }
    chosen = _Account.objects.filter(pk=filters["account_id"]).first() if filters["account_id"] else None
    context = {
        "can_plan": chosen is not None and request.user.has_perm("planning.change_plan", chosen),
        "page": page, "rows": rows, "filters": filters, "states": [(k, str(v)) for k, v in STATE_LABELS],
        "kinds": ReviewKind.choices, "counts": counts, "query": query_without(request, "page"),
        "sorts": [("due", _("due first")), ("-due", _("due last")), ("account", _("account")),
                  ("-held", _("held most recently"))],
    }  # fmt: skip
    return render_page(request, "planning/reviews_list.html", context, fragment="planning/reviews_results.html")


def _review_columns(today: dt.date) -> list[Column[AccountReview]]:
    """The columns of the review list as a file, in the active language; the state as the page flags it."""
    flags = {"overdue": _("overdue"), "due": _("due"), "upcoming": _("planned")}

    def state(review: AccountReview) -> str:
        return flags.get(selectors_reviews.due_flag(review, today)) or str(review.get_status_display())

    return [
        Column(_("Account"), lambda r: r.account.name),
        Column(_("Kind"), lambda r: r.get_kind_display()),
        Column(_("Trigger"), lambda r: r.get_trigger_display() if r.trigger else None),
        Column(_("Event"), lambda r: r.event_note),
        Column(_("Due"), lambda r: r.due_on),
        Column(_("Held on"), lambda r: r.held_on),
        Column(_("Status"), state),
    ]


def _snapshot_rows(snapshot: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The snapshot's objectives and KPIs formatted for the page."""
    lang = get_language() or "en"
    objectives = [
        {
            **o,
            "baseline_text": display_value(o.get("baseline"), o.get("unit", ""), o.get("currency", "")),
            "target_text": display_value(o.get("target"), o.get("unit", ""), o.get("currency", "")),
            "actual_text": display_value(o.get("actual"), o.get("unit", ""), o.get("currency", "")),
            "status_text": STATUS_LABELS.get(o.get("status", ""), o.get("status", "")),
        }
        for o in snapshot.get("objectives", [])
    ]
    kpis = [
        {
            "label": core.KPI_BY_KEY[k].label(lang) if k in core.KPI_BY_KEY else k,
            "value": display_value(v.get("value"), v.get("unit", ""), v.get("currency", "")),
            "source": v.get("source", ""),
        }
        for k, v in snapshot.get("kpis", {}).items()
    ]
    return objectives, kpis


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A review: what it is about, its notes and decisions and, once held, the frozen snapshot; while it
    is planned, the objectives' progress today."""
    review = _review(request, pk)
    today = timezone.localdate()
    snapshot_objectives, snapshot_kpis = _snapshot_rows(review.snapshot or {})
    live = objective_rows(review.plan) if review.status == ReviewStatus.PLANNED and review.plan is not None else []
    context = {
        "review": review, "flag": selectors_reviews.due_flag(review, today),
        "snapshot_objectives": snapshot_objectives, "snapshot_kpis": snapshot_kpis, "live": live,
        "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
        "can_edit": review.status == ReviewStatus.PLANNED
        and request.user.has_perm("planning.change_plan", review.account),
        "cadence": selectors_reviews.cadence_of(review.account_id),
    }  # fmt: skip
    return render_page(request, "planning/reviews_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(_Account, pk=account_id)
    authorize(request.user, "planning.change_plan", account)
    back = reverse("review-list") + f"?account={account.pk}&state=all"
    form = ReviewPlanForm(request.POST or None, initial={"kind": ReviewKind.CHECK_IN})
    done = submit_form(
        request,
        form,
        lambda data: services_reviews.review_plan(actor=request.user, account_id=account.pk, **data),
        success=_("Review planned."),
        next_url=lambda review: reverse("review-detail", args=[review.pk]),
    )
    return done or render_form_page(
        request, form, template="planning/reviews_form.html",
        title=_("Plan a review of %(account)s") % {"account": account}, cancel_url=back,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    authorize(request.user, "planning.change_plan", review.account)
    if (answered := _not_planned(request, review)) is not None:
        return answered
    back = reverse("review-detail", args=[review.pk])
    initial = {
        "due_on": review.due_on,
        "participants": review.participants,
        "notes": review.notes,
        "version": review.version,
    }
    form = ReviewEditForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services_reviews.review_update(
            actor=request.user,
            review=review,
            version=data.get("version"),
            due_on=data["due_on"],
            participants=data["participants"],
            notes=data["notes"],
        ),
        success=_("Review saved."),
        next_url=back,
    )
    return done or render_form_page(
        request, form, template="planning/reviews_form.html", title=_("Edit review"), cancel_url=back
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Hold a review: the form with the objectives planned vs actual today; saving freezes the snapshot."""
    review = _review(request, pk)
    authorize(request.user, "planning.change_plan", review.account)
    if (answered := _not_planned(request, review)) is not None:
        return answered
    back = reverse("review-detail", args=[review.pk])
    initial = {
        "held_on": timezone.localdate(), "participants": review.participants, "objective_notes": review.objective_notes,
        "action_notes": review.action_notes, "decisions": review.decisions, "notes": review.notes,
        "version": review.version,
    }  # fmt: skip
    form = ReviewHoldForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services_reviews.review_hold(
            actor=request.user,
            review=review,
            version=data.get("version"),
            **{k: v for k, v in data.items() if k != "version"},
        ),
        success=_("Review held; its snapshot is frozen."),
        next_url=back,
    )
    plan = review.plan
    if plan is None:
        from kampass.planning.selectors import current_plan

        plan = current_plan(review.account_id)
    return done or render_form_page(
        request, form, template="planning/reviews_hold.html",
        title=_("Hold the review of %(account)s") % {"account": review.account}, cancel_url=back,
        submit=_("Hold and freeze the snapshot"), review=review, plan=plan,
        rows=objective_rows(plan) if plan is not None else [],
        status_labels={k: str(v) for k, v in STATUS_LABELS.items()},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def review_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    authorize(request.user, "planning.change_plan", review.account)
    if (answered := _not_planned(request, review)) is not None:
        return answered
    back = reverse("review-detail", args=[review.pk])
    form = ReviewCancelForm(request.POST or None, initial={"version": review.version})
    done = submit_form(
        request,
        form,
        lambda data: services_reviews.review_cancel(
            actor=request.user, review=review, version=data.get("version"), reason=data["reason"]
        ),
        success=_("Review cancelled."),
        next_url=back,
    )
    return done or render_form_page(
        request, form, template="planning/reviews_form.html", title=_("Cancel the review"), cancel_url=back,
        submit=_("Cancel the review"),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def review_cadence(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(_Account, pk=account_id)
    authorize(request.user, "planning.change_plan", account)
    back = reverse("review-list") + f"?account={account.pk}&state=all"
    from kampass.planning.models import AccountReviewCadence

    own = AccountReviewCadence.objects.filter(account=account).values_list("cadence", flat=True).first() or ""
    form = ReviewCadenceForm(request.POST or None, initial={"cadence": own}, default=services_reviews.default_cadence())
    done = submit_form(
        request,
        form,
        lambda data: services_reviews.review_cadence_set(
            actor=request.user, account_id=account.pk, cadence=data["cadence"]
        ),
        success=_("Review cadence saved."),
        next_url=back,
    )
    return done or render_form_page(
        request, form, template="planning/reviews_form.html",
        title=_("Review cadence of %(account)s") % {"account": account}, cancel_url=back,
    )  # fmt: skip
