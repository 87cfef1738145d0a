"""JSON API of the programme context: assessment rounds, respondents, answers, results, phase,
recommendations and the programme report.

The same permissions as the UI: administrators and the head of KAM manage rounds, confirm the
phase and accept recommendations; every invited user answers their own questionnaire; everybody
reads the results of closed rounds. ``GET /programme/report`` returns the document of
``kampass programme report --json``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from kampass.common.api import ERRORS, Id, InSchema, PageIn, model_field, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.i18n import ui_language as current_lang
from kampass.common.models import JobStatus
from kampass.common.permissions import authorize
from kampass.core.assessment import DEFAULT_MIN_GROUP_RESPONDENTS
from kampass.core.concept import LOGICS, PHASES
from kampass.programme import selectors, services
from kampass.programme.models import (
    DEFAULT_MIN_RESPONDENTS,
    Answer,
    AssessmentRound,
    Function,
    PhaseDecision,
    Placement,
    ReportJob,
    Respondent,
    RoundStatus,
)
from kampass.users.models import User

router = Router(tags=["programme"])


def _round(request: HttpRequest, round_id: Id) -> AssessmentRound:
    """A round the user may see: managers every round, others closed rounds and rounds they are invited to."""
    r = get_object_or_404(AssessmentRound, pk=round_id)
    if not selectors.may_view_round(_actor(request), r):
        raise PermissionDenied(_("You do not have permission to do this."))
    return r


def _respondent(request: HttpRequest, respondent_id: Id) -> Respondent:
    resp = get_object_or_404(Respondent.objects.select_related("round", "user"), pk=respondent_id)
    authorize(_actor(request), "programme.answer", resp)
    return resp


# ---------------------------------------------------------------- schemas


class RoundIn(InSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    starts: dt.date
    ends: dt.date | None = None
    min_respondents: int = model_field(
        AssessmentRound,
        "min_respondents",
        DEFAULT_MIN_RESPONDENTS,
        description="Submitted respondents needed to close.",
    )
    min_group_respondents: int = Field(
        DEFAULT_MIN_GROUP_RESPONDENTS,
        ge=1,
        le=500,
        description="Results of a respondent group (and of the round) are shown only from this many submitted "
        "questionnaires (privacy).",
    )


class RoundOut(Schema):
    id: int
    title: str
    description: str
    starts: dt.date
    ends: dt.date | None
    status: str = Field(json_schema_extra={"enum": [*RoundStatus.values]})
    min_respondents: int
    min_group_respondents: int
    catalogue_version: str
    invited: int
    submitted: int
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_invited(obj: AssessmentRound) -> int:
        return getattr(obj, "invited", None) or obj.respondents.count()

    @staticmethod
    def resolve_submitted(obj: AssessmentRound) -> int:
        found = getattr(obj, "submitted", None)
        return found if found is not None else obj.respondents.filter(submitted_at__isnull=False).count()


class RoundPageOut(Schema):
    items: list[RoundOut]
    count: int


class RoundFilterIn(InSchema):
    status: str = Field("", json_schema_extra={"enum": ["", *RoundStatus.values]})
    q: str = ""


class RespondentIn(InSchema):
    function: str = Field(
        "",
        json_schema_extra={"enum": ["", *Function.values]},
        description="Empty: a user's function follows their role (head, kam, controller); required for an "
        "external person and for other roles.",
    )
    user_id: Id | None = Field(None, description="A kampass user; else give the name of an external person.")
    name: str = ""
    email: str = ""


class RespondentOut(Schema):
    id: int
    round_id: Id
    user_id: Id | None
    name: str
    function: str
    submitted_at: dt.datetime | None
    answered: int
    placed: int

    @staticmethod
    def resolve_name(obj: Respondent) -> str:
        return obj.display_name

    @staticmethod
    def resolve_answered(obj: Respondent) -> int:
        return obj.answers.count()

    @staticmethod
    def resolve_placed(obj: Respondent) -> int:
        return obj.placements.filter(current__isnull=False, target__isnull=False).count()


class RespondentPageOut(Schema):
    items: list[RespondentOut]
    count: int


class AnswerIn(InSchema):
    rating: int | None = model_field(Answer, "rating", description="1..5, or null for “don't know”.")


class AnswerOut(Schema):
    statement: str
    rating: int | None
    dont_know: bool


class PlacementIn(InSchema):
    current: int | None = model_field(
        Placement, "current", None, description="-3 (left pole) .. +3 (right pole); null = not yet."
    )
    target: int | None = model_field(Placement, "target", None, description="-3 .. +3; null = not yet.")


class PlacementOut(Schema):
    tension_field: str
    current: int | None
    target: int | None


class QuestionnaireOut(Schema):
    respondent: RespondentOut
    answers: list[AnswerOut]
    placements: list[PlacementOut]
    missing_statements: list[str]
    missing_tension_fields: list[str]


class SubmitIn(InSchema):
    unanswered_as_dont_know: bool = Field(False, description="Record open statements as “don't know”.")


class FieldScoreOut(Schema):
    field: str
    perspective: str
    mean: float | None
    spread: float | None
    answers: int
    dont_know: int
    disagreement: bool
    delta: float | None = Field(None, description="Change of the mean since the previous closed round.")


class TensionScoreOut(Schema):
    key: str
    current: float | None
    target: float | None
    by_group: dict[str, list[float]]
    warnings: list[str]


class HiddenGroupOut(Schema):
    function: str
    submitted: int


class ResultsOut(Schema):
    round_id: Id
    invited: int
    submitted: int
    min_group_respondents: int = Field(..., description="Results of a group are shown from this many submitted.")
    shown: bool = Field(..., description="False while the round has fewer submitted than the minimum: no results.")
    hidden_groups: list[HiddenGroupOut] = Field(
        ..., description="Groups below the minimum: their positions are left out of ``by_group`` (privacy)."
    )
    previous_round_id: Id | None
    fields: list[FieldScoreOut]
    tension_fields: list[TensionScoreOut]


class PhaseIn(InSchema):
    phase: str = Field(json_schema_extra={"enum": [*PHASES]})
    note: str = ""
    round_id: Id | None = Field(None, description="Default: the latest closed round.")


class PhaseDecisionOut(Schema):
    id: int
    round_id: Id | None
    proposed_phase: str
    phase: str
    note: str
    decided_by_id: Id | None
    decided_at: dt.datetime


class PhaseOut(Schema):
    current_phase: str | None
    proposed_phase: str | None
    round_id: Id | None
    history: list[PhaseDecisionOut]


class ReasonOut(Schema):
    rule: str
    text: str
    inputs: dict[str, float | None]


class GuardrailOut(Schema):
    key: str
    name: str
    unit: str
    direction: str
    threshold: float
    value: float | None = Field(..., description="The one value of the metric every page shows.")
    source: str = Field(..., description="“live” (measured from the data now), “stored” (the latest stored "
                        "guardrail measurement) or empty (not measurable).")  # fmt: skip
    measured_at: dt.datetime | None
    stored_value: float | None = Field(..., description="The latest stored measurement, also next to a live value.")
    stored_at: dt.datetime | None
    warning: bool


class RecommendationOut(Schema):
    logic: str
    name: str
    rank: int
    timing: str
    combine_with: list[str]
    after: list[str]
    score: float
    reasons: list[ReasonOut]
    benefits: str
    dangers: str
    guardrail: GuardrailOut


class RecommendationsOut(Schema):
    round_id: Id
    phase: str
    proposed_phase: str
    items: list[RecommendationOut]
    count: int


class AcceptIn(InSchema):
    round_id: Id | None = Field(None, description="Default: the latest closed round.")
    logics: list[str] | None = Field(
        None,
        min_length=1,
        description="Logic keys to accept (recommended in the round); null = all recommended.",
        json_schema_extra={"items": {"enum": [*LOGICS]}},
    )


class SkippedOut(Schema):
    logic: str
    initiative_id: Id = Field(..., description="The open initiative that already pursues the logic.")
    title: str
    status: str
    round_id: Id | None


class AcceptOut(Schema):
    id: int
    round_id: Id
    logics: list[str]
    initiative_ids: list[Id] = Field(..., description="Initiatives created by this acceptance.")
    skipped: list[SkippedOut] = Field(
        ..., description="Accepted logics that got no new initiative: an open one is already on the roadmap."
    )


class ReportIn(InSchema):
    lang: str = Field("", json_schema_extra={"enum": ["", "en", "de"]}, description="Default: the user's language.")
    round_id: Id | None = Field(None, description="Default: the latest closed round.")


# ---------------------------------------------------------------- rounds


@router.get("/programme/rounds", response={200: RoundPageOut, **ERRORS})
def round_list(request: HttpRequest, filters: Query[RoundFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """Assessment rounds, newest first (managers: all; others: closed rounds and those they are invited to)."""
    status = filters.status if filters.status in RoundStatus.values else ""
    qs = selectors.visible_rounds(user=_actor(request), status=status, q=filters.q)
    return page_of(qs, page)


@router.post(
    "/programme/rounds",
    response={201: RoundOut, **ERRORS},
    openapi_extra=refused("the end date lies before the start date"),
)
def round_create(request: HttpRequest, payload: RoundIn) -> Status[Any]:
    """Prepare a round (draft); invite respondents, then open it."""
    r = services.round_create(actor=_actor(request), **payload.dict())
    return Status(201, r)


@router.get("/programme/rounds/{round_id}", response={200: RoundOut, **ERRORS})
def round_detail(request: HttpRequest, round_id: Id) -> AssessmentRound:
    return _round(request, round_id)


@router.post(
    "/programme/rounds/{round_id}/open",
    response={200: RoundOut, **ERRORS},
    openapi_extra=refused("the round is not a draft"),
)
def round_open(request: HttpRequest, round_id: Id) -> AssessmentRound:
    """Open a draft round for answers."""
    r = get_object_or_404(AssessmentRound, pk=round_id)
    return services.round_open(actor=_actor(request), assessment_round=r)


@router.post(
    "/programme/rounds/{round_id}/close",
    response={200: RoundOut, **ERRORS},
    openapi_extra=refused("the round is not open"),
)
def round_close(request: HttpRequest, round_id: Id) -> AssessmentRound:
    """Close an open round; 422 while fewer respondents than the minimum have submitted."""
    r = get_object_or_404(AssessmentRound, pk=round_id)
    return services.round_close(actor=_actor(request), assessment_round=r)


@router.get("/programme/rounds/{round_id}/respondents", response={200: RespondentPageOut, **ERRORS})
def respondent_list(request: HttpRequest, round_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    """Invited respondents with their progress (managers)."""
    authorize(_actor(request), "programme.manage_round")
    r = get_object_or_404(AssessmentRound, pk=round_id)
    qs = r.respondents.select_related("user").order_by("function", "name", "pk")
    return page_of(qs, page)


@router.post(
    "/programme/rounds/{round_id}/respondents",
    response={201: RespondentOut, **ERRORS},
    openapi_extra=refused("the round is closed", "the person is invited already"),
)
def respondent_add(request: HttpRequest, round_id: Id, payload: RespondentIn) -> Status[Any]:
    """Invite a user (``user_id``) or a named external person (``name``)."""
    r = get_object_or_404(AssessmentRound, pk=round_id)
    user = None
    if payload.user_id is not None:
        user = User.objects.filter(pk=payload.user_id, is_active=True).first()
        if user is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"user_id": _("There is no active user with id %(id)s.") % {"id": payload.user_id}})
    resp = services.respondent_add(
        actor=_actor(request),
        assessment_round=r,
        function=payload.function,
        user=user,
        name=payload.name,
        email=payload.email,
    )
    return Status(201, resp)


# ---------------------------------------------------------------- answering


def _questionnaire(resp: Respondent) -> dict[str, Any]:
    statements, tensions = services.missing_items(resp)
    return {
        "respondent": resp,
        "answers": [
            {"statement": a.statement, "rating": a.rating, "dont_know": a.rating is None}
            for a in resp.answers.order_by("statement")
        ],
        "placements": list(resp.placements.order_by("tension_field").values("tension_field", "current", "target")),
        "missing_statements": statements,
        "missing_tension_fields": tensions,
    }


@router.get("/programme/respondents/{respondent_id}", response={200: QuestionnaireOut, **ERRORS})
def questionnaire(request: HttpRequest, respondent_id: Id) -> dict[str, Any]:
    """A questionnaire's saved answers and what is still missing (the respondent, or a manager)."""
    return _questionnaire(_respondent(request, respondent_id))


@router.put(
    "/programme/respondents/{respondent_id}/answers/{statement}",
    response={200: AnswerOut, **ERRORS},
    openapi_extra=refused("the round is not open for answers"),
)
def answer_save(request: HttpRequest, respondent_id: Id, statement: str, payload: AnswerIn) -> dict[str, Any]:
    """Save a draft answer: ``rating`` 1..5, or null for “don't know”."""
    resp = get_object_or_404(Respondent, pk=respondent_id)
    a = services.answer_save(actor=_actor(request), respondent=resp, statement=statement, rating=payload.rating)
    return {"statement": a.statement, "rating": a.rating, "dont_know": a.rating is None}


@router.delete(
    "/programme/respondents/{respondent_id}/answers/{statement}",
    response={204: None, **ERRORS},
    openapi_extra=refused("the round is not open for answers"),
)
def answer_clear(request: HttpRequest, respondent_id: Id, statement: str) -> Status[Any]:
    resp = get_object_or_404(Respondent, pk=respondent_id)
    services.answer_clear(actor=_actor(request), respondent=resp, statement=statement)
    return Status(204, None)


@router.put(
    "/programme/respondents/{respondent_id}/placements/{key}",
    response={200: PlacementOut, **ERRORS},
    openapi_extra=refused("the round is not open for answers"),
)
def placement_save(request: HttpRequest, respondent_id: Id, key: str, payload: PlacementIn) -> Any:
    """Save a draft placement on a tension field (now and target, -3..+3)."""
    resp = get_object_or_404(Respondent, pk=respondent_id)
    return services.placement_save(
        actor=_actor(request), respondent=resp, tension_field=key, current=payload.current, target=payload.target
    )


@router.post(
    "/programme/respondents/{respondent_id}/submit",
    response={200: QuestionnaireOut, **ERRORS},
    openapi_extra=refused("the round is not open for answers"),
)
def submit(request: HttpRequest, respondent_id: Id, payload: SubmitIn) -> dict[str, Any]:
    """Hand the questionnaire in; 422 naming what is missing."""
    resp = get_object_or_404(Respondent, pk=respondent_id)
    resp = services.respondent_submit(
        actor=_actor(request), respondent=resp, unanswered_as_dont_know=payload.unanswered_as_dont_know
    )
    return _questionnaire(resp)


# ---------------------------------------------------------------- results, phase, recommendations


@router.get("/programme/rounds/{round_id}/results", response={200: ResultsOut, **ERRORS})
def results(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    """Maturity per field and perspective and the tension profile (closed rounds: everybody)."""
    r = get_object_or_404(AssessmentRound, pk=round_id)
    authorize(_actor(request), "programme.view_results", r)
    res = selectors.round_results(assessment_round=r)
    return {
        "round_id": r.pk,
        "invited": res.invited,
        "submitted": res.submitted,
        "min_group_respondents": res.minimum,
        "shown": res.shown,
        "hidden_groups": [{"function": key, "submitted": n} for key, _label, n in res.hidden_groups],
        "previous_round_id": res.previous.pk if res.previous else None,
        "fields": [
            {
                "field": s.field,
                "perspective": s.perspective,
                "mean": s.mean,
                "spread": s.spread,
                "answers": s.answers,
                "dont_know": s.dont_know,
                "disagreement": s.disagreement,
                "delta": (c.delta if (c := res.change(s.field, s.perspective)) else None),
            }
            for s in res.fields
        ],
        "tension_fields": [
            {
                "key": t.key,
                "current": t.current,
                "target": t.target,
                "by_group": {g: [c, tg] for g, (c, tg) in t.by_group.items()},
                "warnings": list(t.warnings),
            }
            for t in res.tensions
        ],
    }


#: the 404 of the results, phase and recommendations when no round has been closed yet
NO_CLOSED_ROUND = gettext_lazy(
    "No assessment round has been closed yet: create one (POST /api/v1/programme/rounds), open it, "
    "let the invited users answer, and close it; its results and recommendations then appear here."
)


def _closed_round(request: HttpRequest, round_id: Id | None) -> AssessmentRound:
    if round_id is None:
        r = selectors.latest_closed_round()
        if r is None:
            raise HttpError(404, str(NO_CLOSED_ROUND))
    else:
        r = get_object_or_404(AssessmentRound, pk=round_id, status=RoundStatus.CLOSED)
    authorize(_actor(request), "programme.view_results", r)
    return r


@router.get("/programme/phase", response={200: PhaseOut, **ERRORS})
def phase(request: HttpRequest) -> dict[str, Any]:
    """The confirmed phase, the proposal from the latest closed round, and the history of confirmations."""
    from kampass.programme.facade import current_phase

    pa = selectors.programme_assessment()
    return {
        "current_phase": current_phase(),
        "proposed_phase": pa.proposal.phase if pa else None,
        "round_id": pa.round.pk if pa else None,
        "history": list(selectors.phase_history()[:50]),
    }


@router.post(
    "/programme/phase",
    response={201: PhaseDecisionOut, **ERRORS},
    openapi_extra=refused("a phase other than the proposed one without a note", "the round is not closed"),
)
def phase_confirm(request: HttpRequest, payload: PhaseIn) -> Status[Any]:
    """Confirm the phase (a note is required when it differs from the proposal)."""
    authorize(_actor(request), "programme.confirm_phase")
    r = _closed_round(request, payload.round_id)
    decision: PhaseDecision = services.phase_confirm(
        actor=_actor(request), phase=payload.phase, note=payload.note, assessment_round=r
    )
    return Status(201, decision)


def _reason(x: Any, lang: str) -> dict[str, Any]:
    return {"rule": x.rule, "text": x.text.get(lang), "inputs": dict(x.inputs)}


@router.get("/programme/recommendations", response={200: RecommendationsOut, **ERRORS})
def recommendations(request: HttpRequest, round_id: Id | None = None) -> dict[str, Any]:
    """The ranked logics with timing, combination, order, reasons and inputs, benefits, dangers, guardrail.

    Without ``round_id``: those of the latest closed round. When no round has been closed yet the
    answer is a 404 whose ``detail`` says so and how to run a round (create, open, answer, close).
    """
    from kampass.programme.catalogue import active_catalogue

    r = _closed_round(request, round_id)
    pa = selectors.programme_assessment(assessment_round=r)
    assert pa is not None
    lang = current_lang()
    catalogue = active_catalogue()
    values = selectors.guardrail_values([rec.guardrail.key for rec in pa.recommendations], signals=pa.signals)
    items = [
        {
            "logic": rec.logic,
            "name": catalogue.logic(rec.logic).name.get(lang),
            "rank": rec.rank,
            "timing": rec.timing,
            "combine_with": list(rec.combine_with),
            "after": list(rec.after),
            "score": rec.score,
            "reasons": [_reason(x, lang) for x in rec.reasons],
            "benefits": rec.benefits.get(lang),
            "dangers": rec.dangers.get(lang),
            "guardrail": {
                "key": rec.guardrail.key,
                "name": rec.guardrail.name.get(lang),
                "unit": rec.guardrail.unit,
                "direction": rec.guardrail.direction,
                "threshold": rec.guardrail.threshold,
                "value": (gv := values[rec.guardrail.key]).value,
                "source": gv.source,
                "measured_at": gv.measured_at,
                "stored_value": gv.stored.value if gv.stored else None,
                "stored_at": gv.stored.measured_at if gv.stored else None,
                "warning": rec.guardrail.breached(gv.value),
            },
        }
        for rec in pa.recommendations
    ]
    return {"round_id": r.pk, "phase": pa.phase, "proposed_phase": pa.proposal.phase, "items": items,
            "count": len(items)}  # fmt: skip


@router.post(
    "/programme/recommendations/accept",
    response={201: AcceptOut, **ERRORS},
    openapi_extra=refused("a logic that is not recommended in the round"),
)
def recommendations_accept(request: HttpRequest, payload: AcceptIn) -> Status[Any]:
    """Accept all recommended logics or a selection: the roadmap gets one initiative per logic not yet
    pursued; logics that already have an open initiative (planned, active, paused) are listed in
    ``skipped`` and get none (create a second one explicitly with ``POST /roadmap/initiatives``)."""
    authorize(_actor(request), "programme.accept_recommendations")
    r = _closed_round(request, payload.round_id)
    acceptance = services.recommendations_accept(actor=_actor(request), assessment_round=r, logics=payload.logics)
    return Status(
        201,
        {
            "id": acceptance.pk,
            "round_id": r.pk,
            "logics": acceptance.logics,
            "initiative_ids": acceptance.initiative_ids,
            "skipped": acceptance.skipped,
        },
    )


# ---------------------------------------------------------------- report


def _report_args(request: HttpRequest, params: ReportIn) -> tuple[str, AssessmentRound | None]:
    lang = params.lang or current_lang()
    r = _closed_round(request, params.round_id) if params.round_id is not None else None
    if r is None and (latest := selectors.latest_closed_round()) is not None:
        authorize(_actor(request), "programme.view_results", latest)
    return ("de" if lang.startswith("de") else "en"), r


@router.get("/programme/report", response={200: dict[str, Any], **ERRORS})
def report(request: HttpRequest, params: Query[ReportIn]) -> dict[str, Any]:
    """The programme report (as ``kampass programme report --json``): phase, fields, tension fields,
    recommendations, with texts in ``lang``."""
    from kampass.programme.report import report_document

    lang, r = _report_args(request, params)
    return report_document(lang=lang, assessment_round=r)


class ReportJobOut(Schema):
    id: uuid.UUID
    round_id: int | None
    lang: str
    status: str = Field(..., description="queued, running, done or failed.")
    progress: float = Field(..., description="Share of the rendering done (0..1).")
    cached: bool = Field(..., description="Served from the report cache: the inputs had not changed.")
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    seconds: float | None
    url: str = Field(..., description="This job (poll it until ``status`` is done or failed).")
    download_url: str | None = Field(..., description="The PDF, once done (and while the report cache keeps it).")


class ReportBusyOut(Schema):
    detail: str
    code: str = Field(..., description="``report_render_limit``")
    retry_after: int = Field(..., description="Seconds until a render is likely done (also the Retry-After header).")
    job_ids: list[uuid.UUID] = Field(..., description="The user's renders queued or running.")


def _job_out(job: ReportJob) -> dict[str, Any]:
    done = job.status == JobStatus.DONE and selectors.report_job_available(job)
    return {
        "id": job.pk,
        "round_id": job.round_id,
        "lang": job.lang,
        "status": job.status,
        "progress": job.progress,
        "cached": job.cached,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "seconds": job.seconds,
        "url": reverse("api:programme_report_job", kwargs={"job_id": job.pk}),
        "download_url": reverse("api:programme_report_job_pdf", kwargs={"job_id": job.pk}) if done else None,
    }


def _pdf_response(data: bytes, lang: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"kampass-programme-report-{lang}.pdf")
    return response


@router.get(
    "/programme/report.pdf",
    response={200: None, 202: ReportJobOut, 429: ReportBusyOut, **ERRORS},
    openapi_extra={
        "responses": {
            "200": {"description": "The PDF (its inputs have not changed since it was rendered).",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
            "202": {"description": "Rendering in the background: poll ``url`` (the Location header), then "
                    "fetch ``download_url``; asking again joins the same render."},
            "429": {"description": "The user's renders in progress reach KAMPASS_REPORT_RENDERS_PER_USER; "
                    "try again after Retry-After seconds."},
        }
    },
)  # fmt: skip
def report_pdf(request: HttpRequest, params: Query[ReportIn]) -> HttpResponse | Status[Any]:
    """The programme report as PDF: at once (200, ``application/pdf``) when the report cache holds it
    for unchanged inputs, else rendered by the worker (202 with the job to poll); 429 with Retry-After
    over the per-user limit of renders in progress."""
    lang, r = _report_args(request, params)
    try:
        job = services.report_job_create(actor=_actor(request), lang=lang, assessment_round=r)
    except services.ReportRenderLimit as refusal:
        response = JsonResponse(
            {
                "detail": " ".join(refusal.messages),
                "code": refusal.code_name,
                "retry_after": refusal.retry_after,
                "job_ids": [str(job.pk) for job in refusal.jobs],
            },
            status=429,
        )
        response["Retry-After"] = str(refusal.retry_after)
        return response
    if job.status == JobStatus.DONE and (data := selectors.report_job_pdf(job)) is not None:
        return _pdf_response(data, lang)
    out = _job_out(job)
    response = JsonResponse(ReportJobOut(**out).model_dump(mode="json"), status=202)
    response["Location"] = out["url"]
    return response


def _report_job(request: HttpRequest, job_id: uuid.UUID) -> ReportJob:
    """A report job of the caller (managers of rounds: anyone's)."""
    job = get_object_or_404(ReportJob.objects.select_related("round"), pk=job_id)
    user = _actor(request)
    if job.created_by_id != user.pk and not user.has_perm("programme.manage_round"):
        raise PermissionDenied(_("You do not have permission to do this."))
    return job


@router.get("/programme/report-jobs/{job_id}", response={200: ReportJobOut, **ERRORS}, url_name="programme_report_job")
def report_job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    """Status and progress of a PDF report render; ``download_url`` once the PDF is ready."""
    return _job_out(_report_job(request, job_id))


@router.get(
    "/programme/report-jobs/{job_id}/pdf",
    response={200: None, **ERRORS},
    url_name="programme_report_job_pdf",
    openapi_extra={
        "responses": {
            "200": {"description": "The PDF.",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        }
    },
)  # fmt: skip
def report_job_pdf(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The PDF of a finished render (404 while it renders, after a failure or once the cache let it go)."""
    job = _report_job(request, job_id)
    data = selectors.report_job_pdf(job)
    if data is None:
        raise HttpError(404, _("The PDF is not ready or no longer kept; ask for the report again."))
    return _pdf_response(data, job.lang)
