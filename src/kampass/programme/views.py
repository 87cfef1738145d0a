"""Pages of the programme context: dashboard, rounds, questionnaire, results, phase and
recommendations, the PDF report. Thin views over forms, services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.guardrails import describe
from kampass.common.htmx import form_status, is_fragment_request, redirect_to, render_page, submit_form
from kampass.common.i18n import ui_language as current_lang
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.models import JobStatus
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.core.concept import Catalogue
from kampass.core.recommender import input_text
from kampass.programme import selectors, services
from kampass.programme.catalogue import active_catalogue
from kampass.programme.charts import maturity_chart, roadmap_chart, tension_chart
from kampass.programme.forms import AcceptForm, PhaseForm, RespondentForm, RoundForm
from kampass.programme.models import AssessmentRound, Function, ReportJob, Respondent, RoundStatus
from kampass.programme.report import guardrail_text, threshold_text, timing_labels, warning_labels

# ---------------------------------------------------------------- helpers


def _group_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Function.choices}


def _heat(mean: float | None) -> str:
    """CSS class of a heatmap cell: h1 (weak) .. h5 (strong), none without ratings."""
    if mean is None:
        return "hnone"
    return f"h{min(5, max(1, round(mean)))}"


def _heatmap(results_fields: list[Any], changes: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of the maturity heatmap: one per field, with the corporate and the operative cell."""
    catalogue = active_catalogue()
    lang = current_lang()
    by = {(s.field, s.perspective): s for s in results_fields}
    ch = {(c.field, c.perspective): c for c in (changes or [])}
    rows = []
    for f in catalogue.fields:
        cells = []
        for p in ("corporate", "operative"):
            s = by.get((f.key, p))
            cells.append(
                {"perspective": p, "score": s, "heat": _heat(s.mean if s else None), "change": ch.get((f.key, p))}
            )
        rows.append({"key": f.key, "name": f.name.get(lang), "cells": cells})
    return rows


def _tension_rows(tensions: list[Any]) -> list[dict[str, Any]]:
    catalogue = active_catalogue()
    lang = current_lang()
    labels = warning_labels()
    groups = _group_labels()
    rows = []
    for t in tensions:
        tf = catalogue.tension_field(t.key)
        rows.append(
            {
                "score": t,
                "number": tf.number,
                "left": tf.left.get(lang),
                "right": tf.right.get(lang),
                "left_dangers": tf.left_dangers.get(lang),
                "right_dangers": tf.right_dangers.get(lang),
                "warnings": [labels.get(w, w) for w in t.warnings],
                "extreme": any(w != "disagreement" for w in t.warnings),
                "by_group": [(groups.get(g, g), cur, tgt) for g, (cur, tgt) in sorted(t.by_group.items())],
            }
        )
    return rows


def _roadmap_summary() -> Any:
    try:
        from kampass.roadmap import facade as roadmap_facade
    except ImportError:
        return None
    fn = getattr(roadmap_facade, "roadmap_summary", None)
    return fn() if fn is not None else None


def _organisation_summary() -> list[tuple[str, float | None]]:
    """The organisation's programme signals with their labels (empty before that context exists)."""
    from kampass.organisation import facade as organisation_facade
    from kampass.programme.facade import signals_of

    labels = {
        "kams_appointed": _("Key account managers appointed"),
        "accounts_per_kam": _("Key accounts per key account manager"),
        "raci_conflicts": _("Open RACI conflicts"),
        "blocked_actions_share": _("Share of development actions blocked by the organisation"),
        "competence_gap": _("Mean competence gap"),
    }
    found = signals_of(organisation_facade)
    return [(str(label), found[key]) for key, label in labels.items() if key in found]


def _initiative_statuses() -> dict[str, str]:
    """Labels of the roadmap's initiative statuses (its facade hands over the keys)."""
    return {
        "planned": _("planned"),
        "active": _("active"),
        "paused": _("paused"),
        "done": _("done"),
        "abandoned": _("abandoned"),
    }


def _can(user: Any, perm: str, obj: Any = None) -> bool:
    return bool(user.has_perm(perm, obj))


# ---------------------------------------------------------------- dashboard


@login_required
def concept(request: HttpRequest) -> HttpResponse:
    """The running concept catalogue as a reference page: the fields, tension fields, logics of realisation
    and phases with what each means, in the user's language (each with an anchor the global search links to)."""
    catalogue = active_catalogue()
    lang = current_lang()
    context = {
        "fields": [(f.key, f.name.get(lang), f.corporate.get(lang), f.operative.get(lang)) for f in catalogue.fields],
        "tension_fields": [
            (t.key, t.number, t.left.get(lang), t.right.get(lang), t.left_dangers.get(lang), t.right_dangers.get(lang))
            for t in catalogue.tension_fields
        ],
        "logics": [
            (
                lo.key,
                lo.name.get(lang),
                lo.focus.get(lang),
                lo.means.get(lang),
                lo.benefits.get(lang),
                lo.dangers.get(lang),
            )
            for lo in catalogue.logics
        ],
        "phases": [
            (p.key, p.number, p.name.get(lang), p.description.get(lang), p.accents.get(lang)) for p in catalogue.phases
        ],
    }
    return TemplateResponse(request, "programme/concept.html", context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Phase, maturity heatmap, tension profile, active logics with guardrails, roadmap timeline."""
    catalogue = active_catalogue()
    lang = current_lang()
    latest = selectors.latest_closed_round()
    context: dict[str, Any] = {
        "latest": latest,
        "invitations": selectors.invitations_of(request.user),
        "can_manage": _can(request.user, "programme.manage_round"),
        "open_rounds": AssessmentRound.objects.filter(status=RoundStatus.OPEN).count(),
        "phases": [(p.key, p.name.get(lang), p.description.get(lang)) for p in catalogue.phases],
    }
    pa = selectors.programme_assessment(assessment_round=latest) if latest else None
    if pa is not None:
        # the round's figures only when it has the minimum of respondents (privacy), as on its results page
        shown = selectors.round_disclosure(pa.round).overall
        context.update(
            pa=pa,
            results_shown=shown,
            phase=catalogue.phase(pa.phase),
            phase_name=catalogue.phase(pa.phase).name.get(lang),
            phase_accents=catalogue.phase(pa.phase).accents.get(lang),
            heatmap=_heatmap(pa.fields) if shown else [],
            tension_spec=tension_chart(catalogue, pa.tensions, lang=lang, group_labels=_group_labels())
            if shown
            else None,
            warnings=[r for r in _tension_rows(pa.tensions) if r["warnings"]] if shown else [],
            top=[
                (r, catalogue.logic(r.logic).name.get(lang), timing_labels().get(r.timing, r.timing))
                for r in pa.recommendations[:3]
            ],
        )
    else:
        from kampass.programme.facade import current_phase

        confirmed = current_phase()
        if confirmed:
            context.update(phase=catalogue.phase(confirmed), phase_name=catalogue.phase(confirmed).name.get(lang))
    summary = _roadmap_summary()
    if summary is not None:
        logic_names = {lg.key: lg.name.get(lang) for lg in catalogue.logics}
        active = [i for i in summary.initiatives if i.is_open]
        metric_names = {lg.guardrail.key: lg.guardrail for lg in catalogue.logics}
        guardrails: dict[int, list[dict[str, Any]]] = {}
        for g in summary.guardrails:
            known = metric_names.get(g.key)
            guardrails.setdefault(g.initiative_id, []).append(
                {
                    "status": g,
                    "name": known.name.get(lang) if known else g.key,
                    "value": describe(g.reading, known.unit if known else ""),
                    "threshold": threshold_text(known) if known else g.threshold,
                }
            )
        context.update(
            roadmap=summary,
            active_logics=[
                {
                    "initiative": i,
                    "logic_name": logic_names.get(i.logic, i.logic),
                    "guardrails": guardrails.get(i.id, []),
                }
                for i in active
            ],
            roadmap_spec=roadmap_chart(summary.initiatives),
        )
    context["organisation"] = _organisation_summary()
    return TemplateResponse(request, "programme/dashboard.html", context)


# ---------------------------------------------------------------- rounds


def _round_columns() -> list[Column[Any]]:
    """The columns of the round list as a file (rows annotated by ``selectors.round_list``), in the active language."""
    return [
        Column(_("Title"), lambda r: r.title),
        Column(_("Starts"), lambda r: r.starts),
        Column(_("Status"), lambda r: r.get_status_display()),
        Column(_("Invited"), lambda r: r.invited),
        Column(_("Submitted"), lambda r: r.submitted),
        Column(_("Minimum"), lambda r: r.min_respondents),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponseBase:
    """All rounds (managers), else the closed ones and those the user is invited to; managers create rounds
    here (``?export=csv|xlsx``: the listed rounds as a file)."""
    can_manage = _can(request.user, "programme.manage_round")
    status = request.GET.get("status", "")
    status = status if status in RoundStatus.values else ""
    q = request.GET.get("q", "").strip()
    qs = selectors.visible_rounds(user=request.user, status=status, q=q)
    if request.method == "GET" and export_format(request) is not None:
        return export_response(request, stem="assessment-rounds", columns=_round_columns(), rows=qs)
    form = None
    if can_manage:
        form = RoundForm(request.POST or None)
        done = submit_form(
            request,
            form,
            lambda d: services.round_create(actor=request.user, **d),
            success=_("Assessment round created. Invite the respondents, then open it."),
            next_url=lambda r: reverse("programme-round", args=[r.pk]),
        )
        if done:
            return done
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "page": paginate(request, qs, 20),
        "form": form,
        "status": status,
        "q": q,
        "statuses": RoundStatus.choices,
        "can_manage": can_manage,
    }
    status_code = form_status(request, form) if form is not None else 200
    return render_page(request, "programme/round_list.html", context, fragment="programme/_round_table.html",
                       status=status_code)  # fmt: skip


def _round_context(request: HttpRequest, r: AssessmentRound, form: RespondentForm | None) -> dict[str, Any]:
    respondents = selectors.respondent_progress(r)
    can_manage = _can(request.user, "programme.manage_round")
    return {
        "round": r,
        # an invited user sees their own part of the round only: their questionnaire
        "respondents": respondents
        if can_manage
        else [row for row in respondents if row.respondent.user_id == request.user.pk],
        "invited": len(respondents),
        "submitted": sum(1 for row in respondents if row.respondent.submitted),
        "form": form,
        "can_manage": _can(request.user, "programme.manage_round"),
        "can_results": _can(request.user, "programme.view_results", r),
    }


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round: its respondents with their progress; managers invite people, open and close it."""
    r = get_object_or_404(AssessmentRound, pk=pk)
    can_manage = _can(request.user, "programme.manage_round")
    if not selectors.may_view_round(request.user, r):
        raise PermissionDenied
    form = RespondentForm(request.POST or None) if can_manage and r.status != RoundStatus.CLOSED else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        done = submit_form(
            request,
            form,
            lambda d: services.respondent_add(actor=request.user, assessment_round=r, **d),
            success=_("Respondent invited."),
            next_url=reverse("programme-round", args=[r.pk]),
        )
        if done:
            return done
    context = _round_context(request, r, form)
    return render_page(
        request, "programme/round_detail.html", context, status=form_status(request, form) if form else 200
    )


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Open, close or delete a round; refusals are shown as messages with their reason."""
    r = get_object_or_404(AssessmentRound, pk=pk)
    actions = {
        "open": (services.round_open, _("The round is open: respondents can answer now.")),
        "close": (services.round_close, _("The round is closed; its results count from now on.")),
        "delete": (services.round_delete, _("The draft round was deleted.")),
    }
    if action not in actions:
        raise Http404
    fn, success = actions[action]
    try:
        fn(actor=request.user, assessment_round=r)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        if not is_fragment_request(request):
            context = _round_context(request, r, None)
            return render_page(request, "programme/round_detail.html", context, status=422)
        return redirect_to(request, reverse("programme-round", args=[r.pk]))
    messages.success(request, success)
    if action == "delete":
        return redirect_to(request, reverse("programme-rounds"))
    return redirect_to(request, reverse("programme-round", args=[r.pk]))


@login_required
@require_POST
def respondent_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Remove an invitation or reopen a submitted questionnaire (managers)."""
    resp = get_object_or_404(Respondent.objects.select_related("round"), pk=pk)
    try:
        if action == "remove":
            services.respondent_remove(actor=request.user, respondent=resp)
            messages.success(request, _("Invitation withdrawn."))
        elif action == "reopen":
            services.respondent_reopen(actor=request.user, respondent=resp)
            messages.success(request, _("The questionnaire is a draft again."))
        else:
            raise Http404
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    return redirect_to(request, reverse("programme-round", args=[resp.round_id]))


# ---------------------------------------------------------------- questionnaire


class InvitationActor:
    """Whoever holds an external respondent's invitation link: may answer that questionnaire only."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None
    role = ""
    language = ""

    def __init__(self, respondent: Respondent) -> None:
        self.respondent_id = respondent.pk

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return perm == "programme.answer" and isinstance(obj, Respondent) and obj.pk == self.respondent_id


def _respondent(request: HttpRequest, pk: int | None, token: str | None) -> tuple[Respondent, Any, str]:
    """The respondent, the actor answering for them, and the base URL of their questionnaire."""
    if token is not None:
        resp = get_object_or_404(Respondent.objects.select_related("round", "user"), token=token, user__isnull=True)
        if resp.round.status != RoundStatus.OPEN:
            raise Http404
        return resp, InvitationActor(resp), reverse("programme-invitation", args=[token])
    if not request.user.is_authenticated:
        raise PermissionDenied
    resp = get_object_or_404(Respondent.objects.select_related("round", "user"), pk=pk)
    authorize(request.user, "programme.answer", resp)
    return resp, request.user, reverse("programme-questionnaire", args=[resp.pk])


def _questionnaire_context(resp: Respondent, base: str, actor: Any) -> dict[str, Any]:
    q = selectors.questionnaire(respondent=resp, lang=current_lang())
    return {
        "q": q,
        "respondent": resp,
        "round": resp.round,
        "base": base,
        "editable": selectors.questionnaire_editable(resp),
        "on_behalf": getattr(actor, "pk", None) is not None and resp.user_id != actor.pk,
        "ratings": [1, 2, 3, 4, 5],
        "positions": [-3, -2, -1, 0, 1, 2, 3],
        "via_token": isinstance(actor, InvitationActor),
    }


def questionnaire(request: HttpRequest, pk: int | None = None, token: str | None = None) -> HttpResponse:
    """The questionnaire: one card per statement, then the tension fields; answers autosave."""
    if token is None and not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    resp, actor, base = _respondent(request, pk, token)
    return TemplateResponse(request, "programme/questionnaire.html", _questionnaire_context(resp, base, actor))


def _parse_int(raw: str | None) -> int | str | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        return raw


@require_POST
def answer(request: HttpRequest, pk: int | None = None, token: str | None = None) -> HttpResponse:
    """Save one statement's answer (``rating`` 1..5, ``dk`` = don't know, empty = clear); HTMX gets the card."""
    resp, actor, base = _respondent(request, pk, token)
    key = request.POST.get("statement", "")
    raw = request.POST.get("rating", "")
    error = ""
    try:
        if raw == "":
            services.answer_clear(actor=actor, respondent=resp, statement=key)
        else:
            value = None if raw == "dk" else _parse_int(raw)
            services.answer_save(actor=actor, respondent=resp, statement=key, rating=value)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not is_fragment_request(request):
        if error:
            messages.error(request, error)
        return (
            redirect_to(request, f"{base}#s-{key}") if not error else _questionnaire_error(request, resp, base, actor)
        )
    ctx = _questionnaire_context(resp, base, actor)
    section = next((s for s in ctx["q"].sections for st in s.statements if st.key == key), None)
    if section is None:
        return HttpResponse(error or _("Unknown statement."), status=422)
    item = next(st for st in section.statements if st.key == key)
    ctx.update(section=section, s=item, error=error, oob=True)
    return TemplateResponse(request, "programme/_statement.html", ctx)


def _questionnaire_error(request: HttpRequest, resp: Respondent, base: str, actor: Any) -> HttpResponse:
    return TemplateResponse(
        request, "programme/questionnaire.html", _questionnaire_context(resp, base, actor), status=422
    )


@require_POST
def placement(request: HttpRequest, pk: int | None = None, token: str | None = None) -> HttpResponse:
    """Save the positions on one tension field (``current`` and ``target``, -3..+3; empty = not yet)."""
    resp, actor, base = _respondent(request, pk, token)
    key = request.POST.get("tension_field", "")
    error = ""
    try:
        services.placement_save(
            actor=actor,
            respondent=resp,
            tension_field=key,
            current=_parse_int(request.POST.get("current")),  # type: ignore[arg-type]
            target=_parse_int(request.POST.get("target")),  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not is_fragment_request(request):
        if error:
            messages.error(request, error)
            return _questionnaire_error(request, resp, base, actor)
        return redirect_to(request, f"{base}#t-{key}")
    ctx = _questionnaire_context(resp, base, actor)
    item = next((t for t in ctx["q"].tensions if t.key == key), None)
    if item is None:
        return HttpResponse(error or _("Unknown tension field."), status=422)
    ctx.update(t=item, error=error, oob=True)
    return TemplateResponse(request, "programme/_tension.html", ctx)


@require_POST
def submit(request: HttpRequest, pk: int | None = None, token: str | None = None) -> HttpResponse:
    """Hand the questionnaire in (open statements as "don't know" only when the respondent says so)."""
    resp, actor, base = _respondent(request, pk, token)
    try:
        services.respondent_submit(
            actor=actor, respondent=resp, unanswered_as_dont_know=request.POST.get("dont_know_rest") == "1"
        )
    except ValidationError as exc:
        ctx = _questionnaire_context(resp, base, actor)
        ctx["submit_errors"] = exc.messages
        return render_page(request, "programme/questionnaire.html", ctx, fragment="programme/_submit.html",
                           status=200 if is_fragment_request(request) else 422)  # fmt: skip
    messages.success(request, _("Thank you: your answers are submitted."))
    if token is not None:
        return redirect_to(request, base)
    return redirect_to(request, reverse("programme-dashboard"))


# ---------------------------------------------------------------- results


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Maturity heatmap with disagreement, tension profile with warnings, comparison with the previous round."""
    r = get_object_or_404(AssessmentRound, pk=pk)
    authorize(request.user, "programme.view_results", r)
    res = selectors.round_results(assessment_round=r)
    catalogue = active_catalogue()
    lang = current_lang()
    context = {
        "round": r,
        "res": res,
        "heatmap": _heatmap(res.fields, res.changes),
        "tensions": _tension_rows(res.tensions),
        "tension_spec": tension_chart(catalogue, res.tensions, lang=lang, group_labels=_group_labels()),
        "maturity_spec": maturity_chart(catalogue, {(s.field, s.perspective): s.mean for s in res.fields}, lang=lang),
        "can_manage": _can(request.user, "programme.manage_round"),
    }
    return TemplateResponse(request, "programme/results.html", context)


# ---------------------------------------------------------------- phase and recommendations


def _reason_rows(catalogue: Catalogue, reasons: Any, lang: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each reason's rule key (kept out of sight, in a data attribute), its text and its inputs in words:
    the signal's, field's or tension field's name and the value (shares in per cent), never the input's key."""
    return [
        (x.rule, x.text.get(lang), [input_text(catalogue, k, v, lang) for k, v in x.inputs.items()]) for x in reasons
    ]


@login_required
@require_http_methods(["GET", "POST"])
def recommendations(request: HttpRequest) -> HttpResponse:
    """The proposed phase (to confirm) and the recommended logics (to accept), with their reasons."""
    catalogue = active_catalogue()
    lang = current_lang()
    rid = request.GET.get("round") or request.POST.get("round")
    r = get_object_or_404(AssessmentRound, pk=rid) if rid and str(rid).isdigit() else selectors.latest_closed_round()
    if r is not None:
        authorize(request.user, "programme.view_results", r)
    pa = selectors.programme_assessment(assessment_round=r) if r and r.status == RoundStatus.CLOSED else None
    phases = [(p.key, p.name.get(lang)) for p in catalogue.phases]
    can_confirm = _can(request.user, "programme.confirm_phase")
    can_accept = _can(request.user, "programme.accept_recommendations")
    phase_form = PhaseForm(
        request.POST if request.POST.get("form") == "phase" else None,
        phases=phases,
        initial={"phase": pa.phase if pa else None},
    )
    logic_choices = [
        (rec.logic, catalogue.logic(rec.logic).name.get(lang)) for rec in (pa.recommendations if pa else [])
    ]
    accept_form = AcceptForm(
        request.POST if request.POST.get("form") == "accept" else None,
        logics=logic_choices,
        initial={"logics": [rec.logic for rec in (pa.recommendations if pa else []) if rec.timing == "now"]},
    )
    status = 200
    if request.method == "POST":
        if pa is None:
            raise Http404
        which = request.POST.get("form")
        if which == "phase":
            done = submit_form(
                request,
                phase_form,
                lambda d: services.phase_confirm(
                    actor=request.user, phase=d["phase"], note=d["note"], assessment_round=pa.round
                ),
                success=_("Phase confirmed."),
                next_url=f"{reverse('programme-recommendations')}?round={pa.round.pk}",
            )
            if done:
                return done
            status = form_status(request, phase_form)
        elif which == "accept":
            done = submit_form(
                request,
                accept_form,
                lambda d: services.recommendations_accept(
                    actor=request.user, assessment_round=pa.round, logics=d["logics"]
                ),
                success=lambda acceptance: _accepted_message(request, acceptance),
                next_url=_roadmap_url(),
            )
            if done:
                return done
            status = form_status(request, accept_form)
        else:
            raise Http404
    recs = []
    timings = timing_labels()
    if pa is not None:
        values = selectors.guardrail_values([rec.guardrail.key for rec in pa.recommendations], signals=pa.signals)
        for rec in pa.recommendations:
            logic = catalogue.logic(rec.logic)
            value = values[rec.guardrail.key].value
            recs.append(
                {
                    "rec": rec,
                    "name": logic.name.get(lang),
                    "focus": logic.focus.get(lang),
                    "means": logic.means.get(lang),
                    "timing": timings.get(rec.timing, rec.timing),
                    "combine": [catalogue.logic(k).name.get(lang) for k in rec.combine_with],
                    "after": [catalogue.logic(k).name.get(lang) for k in rec.after],
                    "reasons": _reason_rows(catalogue, rec.reasons, lang),
                    "benefits": rec.benefits.get(lang),
                    "dangers": rec.dangers.get(lang),
                    "guardrail": guardrail_text(rec.guardrail, lang),
                    "guardrail_value": describe(values[rec.guardrail.key], rec.guardrail.unit),
                    "guardrail_breached": rec.guardrail.breached(value),
                }
            )
    context = {
        "round": r,
        "pa": pa,
        "recs": recs,
        "proposal_name": catalogue.phase(pa.proposal.phase).name.get(lang) if pa else "",
        "phase_name": catalogue.phase(pa.phase).name.get(lang) if pa else "",
        "phase_reasons": _reason_rows(catalogue, pa.proposal.reasons, lang) if pa else [],
        "phase_names": dict(phases),
        "history": selectors.phase_history()[:20],
        "phase_form": phase_form,
        "accept_form": accept_form,
        "can_confirm": can_confirm,
        "can_accept": can_accept,
        "acceptances": pa.round.acceptances.select_related("accepted_by")[:10] if pa else [],
        "signals": [input_text(catalogue, k, v, lang) for k, v in pa.signals.items()] if pa else [],
        "closed_rounds": AssessmentRound.objects.filter(status=RoundStatus.CLOSED).order_by("-starts", "-pk"),
    }
    return render_page(request, "programme/recommendations.html", context, status=status)


def _accepted_message(request: HttpRequest, acceptance: Any) -> str:
    """What accepting did: initiatives created, and (as a warning) the logics skipped because an open
    initiative already pursues them."""
    catalogue = active_catalogue()
    lang = current_lang()
    statuses = _initiative_statuses()
    if acceptance.skipped:
        skipped = "; ".join(
            _("%(logic)s (%(status)s initiative “%(title)s”)")
            % {
                "logic": catalogue.logic(s["logic"]).name.get(lang),
                "status": statuses.get(s["status"], s["status"]),
                "title": s["title"],
            }
            for s in acceptance.skipped
        )
        messages.warning(
            request,
            _(
                "Not added, already on the roadmap: %(skipped)s. No second initiative was created; "
                "if you want one for the same logic, add it on the roadmap."
            )
            % {"skipped": skipped},
        )
    created = len(acceptance.initiative_ids)
    if not created:
        return _("No new initiative: every accepted logic is already on the roadmap.")
    return ngettext(
        "Accepted: %(count)d new initiative on the roadmap.",
        "Accepted: %(count)d new initiatives on the roadmap.",
        created,
    ) % {"count": created}


def _roadmap_url() -> str:
    from django.urls import NoReverseMatch

    for name in ("roadmap-overview", "roadmap", "roadmap-index", "roadmap-list"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("programme-dashboard")


# ---------------------------------------------------------------- report


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    """Ask for the PDF report (``lang``, optional ``round``): served from the report cache when its inputs
    have not changed, else rendered by the worker; over the per-user limit 429 with ``Retry-After``."""
    lang = request.POST.get("lang") or current_lang()
    r = None
    if rid := request.POST.get("round"):
        r = get_object_or_404(AssessmentRound, pk=rid if rid.isdigit() else 0)
    try:
        job = services.report_job_create(actor=request.user, lang=lang, assessment_round=r)
    except services.ReportRenderLimit as refusal:
        response = render_page(
            request, "programme/report_busy.html", {"refusal": refusal, "jobs": refusal.jobs}, status=429
        )
        response["Retry-After"] = str(refusal.retry_after)
        return response
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect_to(request, reverse("programme-dashboard"))
    return redirect_to(request, reverse("programme-report", args=[job.pk]))


def _job(request: HttpRequest, pk: Any) -> ReportJob:
    job = get_object_or_404(ReportJob.objects.select_related("round"), pk=pk)
    if job.created_by_id != request.user.pk and not _can(request.user, "programme.manage_round"):
        raise PermissionDenied
    return job


@login_required
def report_status(request: HttpRequest, pk: Any) -> HttpResponse:
    """A report job's status and progress (HTMX polls it, without JavaScript the page reloads itself
    until the PDF is ready) and the download link."""
    job = _job(request, pk)
    active = job.active
    available = job.status == JobStatus.DONE and selectors.report_job_available(job)
    return render_page(request, "programme/report_job.html", {"job": job, "active": active, "available": available},
                       fragment="programme/_report_job.html")  # fmt: skip


@login_required
def report_download(request: HttpRequest, pk: Any) -> HttpResponse:
    """The finished PDF of a report job (from the report cache)."""
    job = _job(request, pk)
    data = selectors.report_job_pdf(job)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"kampass-programme-report-{job.lang}.pdf")
    return response
