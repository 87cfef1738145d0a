"""Pages of the pipeline context: the board, opportunities (list, page, forms, qualification,
buying centre, risks), the account's opportunities, the forecast and the model report.
Thin views over forms, services, selectors and the page read models in ``pages.py``."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kampass.accounts.models import Account
from kampass.common.concurrency import ConcurrentEdit, last_change, remove_or_conflict
from kampass.common.htmx import (
    confirm_delete,
    form_status,
    is_fragment_request,
    redirect_to,
    render_form_page,
    render_page,
    submit_form,
)
from kampass.common.list_export import export_format, export_response
from kampass.common.pagination import paginate, paginate_rows
from kampass.common.panels import OPPORTUNITY, render_panels
from kampass.common.permissions import authorize
from kampass.pipeline import charts, pages, selectors, services
from kampass.pipeline.forms import (
    OpportunityContactForm,
    OpportunityForm,
    QualificationForm,
    RiskForm,
    StageChangeForm,
)
from kampass.pipeline.models import (
    BacktestRun,
    ForecastCategory,
    Opportunity,
    OpportunityContact,
    Outcome,
    QualificationElement,
    Risk,
    Stage,
    StageSet,
    TrainingJob,
)
from kampass.users.history import field_changes

BOARD_CARDS_PER_COLUMN = 20  # a column shows about five at once; "N more" opens the list of the stage


def _opportunity_url(opportunity: Opportunity, anchor: str = "") -> str:
    return reverse("opportunity-detail", args=[opportunity.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    cancel_url: str,
    opportunity: Opportunity | None = None,
    account: Account | None = None,
    submit: str | None = None,
) -> HttpResponse:
    return render_form_page(
        request, form, template="pipeline/form_page.html", title=title, cancel_url=cancel_url, submit=submit,
        opportunity=opportunity, account=account,
    )  # fmt: skip


# ---------------------------------------------------------------- board


def _board_context(request: HttpRequest, *, focus: int | None = None) -> dict[str, Any]:
    user = request.user
    filters = pages.filters_from(request)
    stage_set = pages.chosen_stage_set(request)
    include_closed = request.GET.get("closed") == "1"
    board = selectors.pipeline_board(
        user=user,
        filters=filters,
        stage_set=stage_set,
        include_closed=include_closed,
        limit=BOARD_CARDS_PER_COLUMN,
    )
    stages = [c.stage for c in board.columns]
    all_stages = list(board.stage_set.stages.order_by("order"))
    opportunities = [o for c in board.columns for o in c.opportunities]
    editable = {o.pk for o in opportunities if user.has_perm("pipeline.change_opportunity", o)}
    query = request.GET.urlencode()
    cards = pages.board_cards(
        opportunities,
        stages=all_stages,
        query=f"?{query}" if query else "",
        editable=editable,
        flags=pages.late_stage_flags(opportunities, board.stage_set),
        csrf_token=get_token(request),
        focus=focus,
    )
    return {
        "board": board,
        "columns": [
            {
                "c": c,
                "cards": [cards[o.pk] for o in c.opportunities],
                "amounts": pages.money_list(c.amounts),
                "weighted": pages.money_list(c.weighted),
                "needs_reason": selectors.stage_needs_reason(c.stage),
            }
            for c in board.columns
        ],
        "stages": stages,
        "editable": editable,
        "filters": filters,
        "owner_value": pages.owner_value(filters),
        "owners": selectors.owner_options(user=user),
        "account_value": pages.account_filter_value(filters),
        "stage_sets": list(StageSet.objects.all()),
        "fragment": is_fragment_request(request),
        "include_closed": include_closed,
        "query": f"?{query}" if query else "",
        "can_add": selectors.may_add_opportunities(user),
        "switch_note": pages.switch_note(board.switch),
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The pipeline board: one column per stage of a sales process, a card per opportunity."""
    return render_page(request, "pipeline/board.html", _board_context(request), fragment="pipeline/_board.html")


@login_required
@require_POST
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another stage (drag and drop or the card's stage select); answers with the
    board (HTMX) so a refused move leaves the card where it was, with the reason shown.

    A move based on a card that someone else changed since the board was loaded answers 409 with
    both versions side by side (the stage the user chose; the card as saved now, who saved it and
    when) and the choice to apply the move anyway or to keep the saved card."""
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    stage_id = request.POST.get("stage", "")
    stage = opportunity.stage_set.stages.filter(pk=int(stage_id)).first() if stage_id.isdigit() else None
    version = request.POST.get("version", "")
    reason = request.POST.get("reason", "")
    conflict: dict[str, Any] | None = None
    if stage is None:
        messages.error(request, _("Choose a stage of this opportunity's sales process."))
    else:
        try:
            services.opportunity_change_stage(
                actor=request.user, opportunity=opportunity, stage=stage, reason=reason,
                version=int(version) if version.isdigit() else None,
            )  # fmt: skip
        except ConcurrentEdit as exc:
            conflict = _move_conflict(request, exc, stage=stage, reason=reason)
        except ValidationError as exc:
            messages.error(
                request,
                _("“%(name)s” was not moved: %(reason)s")
                % {"name": opportunity.name, "reason": " ".join(exc.messages)},
            )
        else:
            messages.success(
                request,
                _("“%(name)s” moved to %(stage)s.") % {"name": opportunity.name, "stage": _(stage.name)},
            )
    if conflict is not None:
        context = _board_context(request) | {"move_conflict": conflict}  # the focus goes to its first button
        response = render_page(request, "pipeline/board.html", context, fragment="pipeline/_board.html", status=409)
        response["Kampass-Conflict"] = "1"  # kampass.js swaps this 409 in (the board with both versions)
        return response
    if is_fragment_request(request):
        return render_page(request, "pipeline/_board.html", _board_context(request, focus=opportunity.pk))
    query = request.GET.urlencode()
    return redirect_to(request, reverse("pipeline-board") + (f"?{query}" if query else ""))


def _move_conflict(request: HttpRequest, exc: ConcurrentEdit, *, stage: Stage, reason: str) -> dict[str, Any]:
    """Both versions of a card whose stage move came too late: the user's (the stage they chose)
    and the saved one (stage, amount, owner, close date; who saved it and when), with the version
    the move may be re-applied on."""
    current = exc.current()
    if current is not None:
        current = selectors.opportunity_get(user=request.user, pk=current.pk)
    who, when = last_change(current) if current is not None else (None, None)
    return {
        "mine_stage": stage,
        "reason": reason,
        "current": current,
        "changed_by": who,
        "changed_at": when,
        "move_url": reverse("opportunity-move", args=[exc.pk]) + (f"?{request.GET.urlencode()}" if request.GET else ""),
        "board_url": reverse("pipeline-board") + (f"?{request.GET.urlencode()}" if request.GET else ""),
    }


# ---------------------------------------------------------------- opportunity list


@login_required
def account_choices(request: HttpRequest) -> HttpResponse:
    """The account filter's suggestions (``<option>`` elements of its datalist) for the text typed so far."""
    choices = pages.account_choices(user=request.user, q=request.GET.get("account", "").strip()[:100])
    return render(request, "pipeline/_account_choices.html", {"choices": choices})


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponseBase:
    """All visible opportunities: search, filters, sorting and pages (``?export=csv|xlsx``: all as a file)."""
    filters = pages.filters_from(request, default_sort="name")
    opportunities = selectors.opportunity_list(user=request.user, filters=filters)
    if export_format(request) is not None:
        return export_response(request, stem="opportunities", columns=pages.opportunity_columns(), rows=opportunities)
    page = paginate_rows(request, opportunities)
    context = {
        "page": page,
        "filters": filters,
        "owner_value": pages.owner_value(filters),
        "owners": selectors.owner_options(user=request.user),
        "account_value": pages.account_filter_value(filters),
        "outcomes": Outcome.choices,
        "can_add": selectors.may_add_opportunities(request.user),
    }
    return render_page(request, "pipeline/opportunity_list.html", context, fragment="pipeline/_opportunity_table.html")


# ---------------------------------------------------------------- one opportunity


def _detail_context(request: HttpRequest, pk: int, *, explain: bool = False) -> dict[str, Any]:
    detail = selectors.opportunity_detail(user=request.user, pk=pk, explain=explain)
    o = detail.opportunity
    matrix = selectors.risk_matrix(user=request.user, opportunity=o)
    gap = detail.probability_gap
    return {
        "d": detail,
        "opportunity": o,
        "account": o.account,
        "flags": detail.flags,
        "probability_pct": None if o.probability is None else o.probability * 100,
        "probability_gap": gap,
        "probability_gap_abs": abs(gap) if gap is not None else None,
        "confirmed_count": detail.confirmed_count,
        "today": timezone.localdate(),
        "matrix": pages.matrix_rows(matrix, detail.active_risks),
        "matrix_total": matrix.total,
        "severity_labels": pages.severity_labels(),
        "risk_cost": pages.money_list(detail.expected_risk_cost),
        "history": selectors.opportunity_history(o, limit=50),
        "history_entries": _history_entries(o),
        "can_edit": detail.can_edit,
        "can_delete": request.user.has_perm("pipeline.delete_opportunity", o),
        "editing": "",
        "stage_form": StageChangeForm(opportunity=o, auto_id="id_sc_%s") if detail.can_edit else None,
        "panels": render_panels(OPPORTUNITY, request, o),
    }


def _history_entries(opportunity: Opportunity) -> list[dict[str, Any]]:
    """Field changes of the opportunity in words (newest first): who changed which field from what to what."""
    records = selectors.opportunity_history(opportunity, limit=60)
    hidden = frozenset({"history_id", "history_date", "history_user", "history_type", "history_change_reason", "id"})
    entries = []
    for new, old in zip(records, [*records[1:], None], strict=False):
        entry: dict[str, Any] = {"when": new.history_date, "who": new.history_user, "changes": []}
        if old is None or new.history_type == "+":
            entry["action"] = "created"
        elif new.history_type == "-":
            entry["action"] = "deleted"
        else:
            entry["action"] = "changed"
            entry["changes"] = field_changes(new, old, hidden=hidden)
            if not entry["changes"]:
                continue
        entries.append(entry)
    return entries


@login_required
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The opportunity page: facts, qualification, buying centre, risks, probability, history
    (``?part=qualification`` with HTMX: the checklist alone).

    The main factors behind the score need the win-probability model (scikit-learn, seconds to
    import in a fresh process), so the page leaves them out and loads them with HTMX from
    ``?part=factors``: the page itself never waits for the model.
    """
    part = request.GET.get("part")
    if part == "factors":
        detail = selectors.opportunity_detail(user=request.user, pk=pk, explain=True)
        factors = pages.factor_texts(detail.explanation, stages=detail.stages)
        return render_page(request, "pipeline/_factors.html", {"factors": factors, "opportunity": detail.opportunity})
    fragment = "pipeline/_qualification.html" if part == "qualification" else None
    return render_page(request, "pipeline/opportunity_detail.html", _detail_context(request, pk), fragment=fragment)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    account = None
    account_id = request.GET.get("account") or request.POST.get("account")
    if account_id and str(account_id).isdigit():
        account = Account.objects.filter(pk=int(account_id)).first()
    if account is not None:
        authorize(request.user, "pipeline.add_opportunity", account)
    elif not selectors.may_add_opportunities(request.user):
        authorize(request.user, "pipeline.add_opportunity")
    initial: dict[str, Any] = {"owner": request.user.pk, "forecast_category": ForecastCategory.PIPELINE}
    if account is not None:
        initial.update(account=account.pk, currency=account.currency)
    form = OpportunityForm(request.POST or None, initial=initial, creating=True, user=request.user)
    done = submit_form(
        request,
        form,
        lambda data: services.opportunity_create(actor=request.user, **form.service_data()),
        success=lambda o: _("Opportunity “%(name)s” created.") % {"name": o.name},
        next_url=lambda o: _opportunity_url(o),
    )
    if done:
        return done
    cancel = reverse("account-opportunities", args=[account.pk]) if account else reverse("opportunity-list")
    return _form_page(
        request, form, title=_("New opportunity"), cancel_url=cancel, account=account, submit=_("Create opportunity")
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    form = OpportunityForm(
        request.POST or None, initial=OpportunityForm.initial_from(opportunity), creating=False, user=request.user
    )
    done = submit_form(
        request,
        form,
        lambda data: services.opportunity_update(actor=request.user, opportunity=opportunity, **form.service_data()),
        success=_("Changes saved."),
        next_url=_opportunity_url(opportunity),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": opportunity.name},
        cancel_url=_opportunity_url(opportunity),
        opportunity=opportunity,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.delete_opportunity", opportunity)
    return confirm_delete(
        request,
        opportunity,
        lambda version: services.opportunity_delete(actor=request.user, opportunity=opportunity, version=version),
        success=_("Opportunity “%(name)s” deleted.") % {"name": opportunity.name},
        next_url=reverse("account-opportunities", args=[opportunity.account_id]),
        cancel_url=_opportunity_url(opportunity),
        template="pipeline/confirm_delete.html",
        opportunity=opportunity,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the stage with a form (reason and note): the way without drag and drop."""
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    form = StageChangeForm(request.POST or None, opportunity=opportunity, initial={"version": opportunity.version})
    done = submit_form(
        request,
        form,
        lambda data: services.opportunity_change_stage(actor=request.user, opportunity=opportunity, **data),
        success=lambda change: _("Stage changed to %(stage)s.") % {"stage": _(change.to_stage.name)},
        next_url=_opportunity_url(opportunity, "stages"),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Change the stage of %(name)s") % {"name": opportunity.name},
        cancel_url=_opportunity_url(opportunity),
        opportunity=opportunity,
        submit=_("Change stage"),
    )


# ---------------------------------------------------------------- qualification (inline)


@login_required
@require_http_methods(["GET", "POST"])
def qualification_edit(request: HttpRequest, pk: int, element: str) -> HttpResponse:
    """Edit one MEDDPICC element inline: GET gives the checklist with that row as a form,
    POST saves it and gives the checklist back (with the late-stage flags recomputed)."""
    if element not in QualificationElement.values:
        raise Http404(_("Unknown qualification element."))
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    current = next(r for r in selectors.qualification_rows(opportunity) if r.element == element)
    form = QualificationForm(
        request.POST or None,
        initial={
            "status": current.status,
            "evidence": current.evidence,
            "version": current.item.version if current.item else None,
        },
        auto_id=f"id_q_{element}_%s",
    )
    done = submit_form(
        request,
        form,
        lambda data: services.qualification_set(actor=request.user, opportunity=opportunity, element=element, **data),
        success=_("%(element)s saved.") % {"element": current.label},
        next_url=_opportunity_url(opportunity, "qualification"),
    )
    if done is not None and done.status_code == 409:  # a stale save: the conflict view
        return done
    if done and is_fragment_request(request):
        context = _detail_context(request, pk) | {"fragment_messages": True}
        return render_page(
            request, "pipeline/opportunity_detail.html", context, fragment="pipeline/_qualification.html"
        )
    if done:
        return done
    context = _detail_context(request, pk) | {"editing": element, "q_form": form}
    status = form_status(request, form)
    return render_page(
        request, "pipeline/opportunity_detail.html", context, fragment="pipeline/_qualification.html", status=status
    )


# ---------------------------------------------------------------- buying centre of the project


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    link_id = request.GET.get("link", "")
    link = (
        get_object_or_404(OpportunityContact, pk=int(link_id), opportunity=opportunity) if link_id.isdigit() else None
    )
    initial = (
        {"contact": link.contact_id, "roles": link.roles, "notes": link.notes, "version": link.version}
        if link is not None
        else None
    )  # changing an existing link: based on its version
    form = OpportunityContactForm(request.POST or None, opportunity=opportunity, user=request.user, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.opportunity_contact_set(actor=request.user, opportunity=opportunity, **data),
        success=lambda link: _("%(person)s added to the buying centre of this project.") % {"person": link.contact},
        next_url=_opportunity_url(opportunity, "buying-centre"),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Buying centre of %(name)s") % {"name": opportunity.name},
        cancel_url=_opportunity_url(opportunity, "buying-centre"),
        opportunity=opportunity,
        submit=_("Add"),
    )


@login_required
@require_POST
def contact_remove(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    link = get_object_or_404(OpportunityContact.objects.select_related("contact"), pk=link_id, opportunity=opportunity)
    conflict = remove_or_conflict(
        request,
        lambda version: services.opportunity_contact_remove(actor=request.user, link=link, version=version),
        back_url=_opportunity_url(opportunity, "buying-centre"),
    )
    if conflict:
        return conflict
    messages.success(
        request, _("%(person)s removed from the buying centre of this project.") % {"person": link.contact}
    )
    return redirect_to(request, _opportunity_url(opportunity, "buying-centre"))


# ---------------------------------------------------------------- risks


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    form = RiskForm(request.POST or None, initial={"currency": opportunity.currency, "owner": request.user.pk})
    done = submit_form(
        request,
        form,
        lambda data: services.risk_create(actor=request.user, opportunity=opportunity, **data),
        success=lambda risk: _("Risk “%(title)s” added.") % {"title": risk.title},
        next_url=_opportunity_url(opportunity, "risks"),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("New risk for %(name)s") % {"name": opportunity.name},
        cancel_url=_opportunity_url(opportunity, "risks"),
        opportunity=opportunity,
        submit=_("Add risk"),
    )


def _risk(request: HttpRequest, pk: int, risk_id: int) -> tuple[Opportunity, Risk]:
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    return opportunity, get_object_or_404(Risk, pk=risk_id, opportunity=opportunity)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int, risk_id: int) -> HttpResponse:
    opportunity, risk = _risk(request, pk, risk_id)
    authorize(request.user, "pipeline.change_opportunity", opportunity)
    fields = [
        "title", "category", "likelihood", "impact", "cost", "currency", "description", "mitigation",
        "due_date", "status",
    ]  # fmt: skip
    initial = {f: getattr(risk, f) for f in fields} | {"owner": risk.owner_id, "version": risk.version}
    form = RiskForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.risk_update(actor=request.user, risk=risk, **data),
        success=_("Changes saved."),
        next_url=_opportunity_url(opportunity, "risks"),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Risk “%(title)s”") % {"title": risk.title},
        cancel_url=_opportunity_url(opportunity, "risks"),
        opportunity=opportunity,
    )


@login_required
@require_POST
def risk_delete(request: HttpRequest, pk: int, risk_id: int) -> HttpResponse:
    opportunity, risk = _risk(request, pk, risk_id)
    conflict = remove_or_conflict(
        request,
        lambda version: services.risk_delete(actor=request.user, risk=risk, version=version),
        back_url=_opportunity_url(opportunity, "risks"),
    )
    if conflict:
        return conflict
    messages.success(request, _("Risk “%(title)s” deleted.") % {"title": risk.title})
    return redirect_to(request, _opportunity_url(opportunity, "risks"))


# ---------------------------------------------------------------- the account's opportunities


@login_required
def account_opportunities(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The opportunities of an account (``?subtree=1``: with its subsidiaries), with totals
    (``?export=csv|xlsx``: the listed opportunities as a file)."""
    account = get_object_or_404(Account.objects.select_related("parent"), pk=pk)
    subtree = request.GET.get("subtree") == "1"
    base = pages.filters_from(request, default_sort="name")
    filters = dataclasses.replace(base, account=account.pk, subtree=subtree)
    opportunities = selectors.opportunity_list(user=request.user, filters=filters)
    if export_format(request) is not None:
        stem = "-".join(filter(None, ["opportunities", slugify(account.name)]))
        return export_response(request, stem=stem, columns=pages.opportunity_columns(), rows=opportunities)
    summary = selectors.account_pipeline(user=request.user, account=account, subtree=subtree)
    page = paginate(request, opportunities)
    context = {
        "account": account,
        "subtree": subtree,
        "filters": filters,
        "page": page,
        "summary": summary,
        "amounts": pages.money_list(summary.amounts),
        "risk_cost": pages.money_list(summary.expected_risk_cost),
        "other_currencies": sorted(c for c in summary.amounts if c != account.currency),
        "outcomes": Outcome.choices,
        "has_children": Account.objects.filter(parent=account).exists(),
        "can_add": request.user.has_perm("pipeline.add_opportunity", account),
        "restricted": not request.user.has_perm("accounts.view_account_details", account),
    }
    return render_page(
        request, "pipeline/account_opportunities.html", context, fragment="pipeline/_opportunity_table.html"
    )


# ---------------------------------------------------------------- forecast


GROUPINGS = ("", "owner", "account", "subtree")
OPTIMISM_BY = ("owner", "team", "account")


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    """Expected revenue per period with P10/P50/P90 (calibrated) beside the owners' forecast,
    optionally per owner, account or account subtree; and the optimism analysis."""
    g = request.GET
    filters = pages.filters_from(request)
    period = g.get("period", "month") if g.get("period") in ("month", "quarter") else "month"
    group = g.get("group", "") if g.get("group") in GROUPINGS else ""
    by = g.get("by", "owner") if g.get("by") in OPTIMISM_BY else "owner"
    report = selectors.forecast(
        user=request.user,
        filters=filters,
        period=period,
        group_by=group if group in ("owner", "account") else "",
        currency=pages.chosen_currency(request),
    )
    groups = report.groups
    if group == "subtree":
        groups = pages.forecast_subtree_groups(
            user=request.user, filters=filters, period=period, currency=report.currency
        )
    optimism = selectors.optimism(user=request.user, by=by, filters=filters)
    calibration = pages.owner_model_calibration(user=request.user, filters=filters)
    calibration_bins = {k: v for k, v in (("owner", calibration.owner), ("kampass", calibration.model)) if v}
    context = {
        "report": report,
        "switch_note": pages.switch_note(report.switch),
        "filters": filters,
        "period": period,
        "group": group,
        "by": by,
        "groups": [{"g": x, "totals": pages.group_totals(x.rows)} for x in groups],
        "totals": pages.group_totals(report.rows),
        "owner_value": pages.owner_value(filters),
        "owners": selectors.owner_options(user=request.user),
        "account_value": pages.account_filter_value(filters),
        "fan_spec": charts.fan_chart(
            [r for r in report.rows if r.expected is not None],
            owner_expected={r.period: r.owner_expected for r in report.rows},
            currency=report.currency,
            current_period=report.current_period,
        )
        if report.rows
        else None,
        "period_rows": [
            {
                "r": r,
                "diff": None if r.expected is None else r.owner_expected - r.expected,
                "past": report.is_past(r.period),
                "current": r.period == report.current_period,
            }
            for r in report.rows
        ],
        "optimism": optimism,
        "optimism_rows": [_percent_row(r, optimism.pooled(r.group)) for r in optimism.rows],
        "optimism_groupings": [("owner", _("Owner")), ("team", _("Team")), ("account", _("Account"))],
        "optimism_spec": charts.optimism_chart(optimism.rows),
        "calibration": calibration,
        "calibration_spec": charts.reliability_chart(
            calibration_bins, names={"owner": _("Owners' probabilities"), "kampass": _("Calibrated model")}
        )
        if calibration_bins
        else None,
    }
    context.update(_targets_context(request))
    target = getattr(getattr(request, "htmx", None), "target", None)
    fragments = {"optimism": "pipeline/_optimism.html", "targets-forecast": "pipeline/_targets_forecast.html"}
    return render_page(
        request, "pipeline/forecast.html", context, fragment=fragments.get(str(target), "pipeline/_forecast.html")
    )


def _targets_context(request: HttpRequest) -> dict[str, Any]:
    """The forecast by category against the targets (own parameters ``tp``, ``ty``, ``subject``)."""
    from kampass.pipeline.selectors import targets as target_selectors

    g = request.GET
    kind = g.get("tp", "quarter") if g.get("tp") in ("month", "quarter", "year") else "quarter"
    year = int(g["ty"]) if g.get("ty", "").isdigit() and 2000 <= int(g["ty"]) <= 2100 else timezone.localdate().year
    subjects = target_selectors.target_subjects(user=request.user, period=kind)
    subject = g.get("subject", "") if g.get("subject") in dict(subjects) else ""
    return {
        "target_rows": target_selectors.targets_against_forecast(
            user=request.user, period=kind, year=year, subject=subject
        ),
        "target_period": kind,
        "target_year": year,
        "target_subject": subject,
        "target_subjects": subjects,
        "target_periods": [("month", _("month")), ("quarter", _("quarter")), ("year", _("year"))],
    }


def _percent_row(row: Any, pooled: Any = None) -> dict[str, Any]:
    """A calibration row with means, win rate and bias in percent (Brier scores as they are), and the
    owners' bias shrunk towards the team's (``pooled``: its core ``PooledBias``)."""

    def pct(v: float | None) -> float | None:
        return None if v is None else v * 100

    return {
        "group": row.group,
        "deals": row.deals,
        "win_rate": pct(row.win_rate),
        "owner_win_rate": pct(row.owner_win_rate),
        "model_win_rate": pct(row.model_win_rate),
        "owner_mean": pct(row.owner_mean),
        "owner_bias": pct(row.owner_bias),
        "owner_leaning": selectors.bias_leaning(row.owner_bias),
        "owner_brier": row.owner_brier,
        "owner_deals": row.owner_deals,
        "owner_bias_shrunk": pct(pooled.shrunk) if pooled is not None else None,
        "owner_bias_prior": pct(pooled.prior) if pooled is not None else None,
        "shrinkage_weight": pooled.weight if pooled is not None else None,
        "small_sample": pooled.small_sample if pooled is not None else row.owner_deals == 0,
        "model_mean": pct(row.model_mean),
        "model_bias": pct(row.model_bias),
        "model_brier": row.model_brier,
    }


# ---------------------------------------------------------------- model report and retraining


def _scorer_names() -> dict[str, str]:
    return {
        "kampass": _("kampass model"),
        "base_rate": _("Base rate"),
        "naive_bayes": _("Naive Bayes"),
        "stage_rate": _("Stage win rate"),
        "owner": _("Owners' probabilities"),
    }


@login_required
def model_report(request: HttpRequest) -> HttpResponse:
    """The active model version: cross-validation scores beside the baselines, the reliability
    diagram, the version history and (for head of KAM and administrators) retraining."""
    report = selectors.model_report(user=request.user)
    names = _scorer_names()
    scores: list[dict[str, Any]] = []
    for key in selectors.SCORERS:
        values = report.metrics.get(key)
        if isinstance(values, dict):
            name = names[key]
            if key == "owner" and values.get("rows"):
                name = _("%(name)s (the %(n)d deals with one)") % {"name": name, "n": values["rows"]}
            scores.append({"key": key, "name": name, **{k: values.get(k) for k in ("brier", "log_loss", "ece", "auc")}})
    bins = {key: [_Bin(**b) for b in report.reliability.get(key, [])] for key in names if report.reliability.get(key)}
    labels = pages.feature_labels()
    job = report.latest_job
    context = {
        "report": report,
        "scores": scores,
        "best": report.best_scorer,
        "reliability_spec": charts.reliability_chart(bins, names=names) if bins else None,
        "features": [labels.get(f, f) for f in report.features],
        "job": job,
        "job_active": selectors.training_job_active(job),
        **_backtest_context(request),
        "drift": selectors.win_rate_by_quarter(report.version),
    }
    return render_page(request, "pipeline/model_report.html", context)


def _backtest_context(request: HttpRequest) -> dict[str, Any]:
    """The backtest section of the model report: the latest run (progress), the last finished run's
    result per origin, the scorers pooled, the chart over the origins and the verdict."""
    names = pages.scorer_names()
    run = selectors.latest_backtest_run()
    done = selectors.last_finished_backtest()
    result: dict[str, Any] = done.result if done is not None else {}
    origins = result.get("origins", [])
    keys = [k for k in names if k in result.get("pooled", {})]
    verdict = result.get("verdict")
    return {
        "backtest_run": run,
        "backtest_active": selectors.backtest_run_active(run),
        "backtest_done": done,
        "backtest": result,
        "backtest_scorers": [{"key": k, "name": names[k]} for k in keys],
        "backtest_origins": [{"o": o, "brier": [o["scorers"].get(k, {}).get("brier") for k in keys]} for o in origins],
        "backtest_pooled": [{"key": k, "name": names[k], **result["pooled"][k]} for k in keys],
        "backtest_spec": charts.backtest_chart(origins, names={k: names[k] for k in keys}) if origins else None,
        "verdict": verdict,
        "verdict_best": names.get(verdict["best_baseline"], verdict["best_baseline"]) if verdict else "",
        "can_backtest": request.user.has_perm("pipeline.train_model"),
    }


@login_required
@require_POST
def model_backtest(request: HttpRequest) -> HttpResponse:
    """Queue a backtest on kampass's own opportunities (background task); the report follows its progress."""
    try:
        services.backtest_run_create(actor=request.user)
    except services.BacktestRefused as refusal:
        messages.warning(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Backtest queued; the page shows its progress."))
    return redirect_to(request, reverse("model-report") + "#backtest")


@login_required
def backtest_run(request: HttpRequest, pk: Any) -> HttpResponse:
    """The progress of one backtest run (polled by HTMX while it is queued or running)."""
    authorize(request.user, "pipeline.view_model")
    run = get_object_or_404(BacktestRun.objects.select_related("created_by"), pk=pk)
    active = selectors.backtest_run_active(run)
    response = render_page(
        request, "pipeline/_backtest_run.html", {"backtest_run": run, "backtest_active": active, "report": None}
    )
    if not active and is_fragment_request(request) and request.GET.get("poll") == "1":
        response["HX-Refresh"] = "true"  # the result table and chart: reload the page once
    return response


@dataclasses.dataclass(frozen=True)
class _Bin:
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@login_required
@require_POST
def model_retrain(request: HttpRequest) -> HttpResponse:
    """Queue a retraining (background task); the report page then follows its progress."""
    try:
        services.training_job_create(actor=request.user)
    except services.TrainingAlreadyQueued as refusal:
        messages.warning(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Retraining queued; the page shows its progress."))
    return redirect_to(request, reverse("model-report") + "#training")


@login_required
def training_job(request: HttpRequest, pk: Any) -> HttpResponse:
    """The progress of one training job (polled by HTMX while it is queued or running)."""
    authorize(request.user, "pipeline.view_model")
    job = get_object_or_404(TrainingJob.objects.select_related("model_version", "created_by"), pk=pk)
    active = selectors.training_job_active(job)
    response = render_page(request, "pipeline/_training_job.html", {"job": job, "job_active": active, "report": None})
    if not active and is_fragment_request(request) and request.GET.get("poll") == "1":
        response["HX-Refresh"] = "true"  # the new version's scores and chart: reload the page once
    return response
