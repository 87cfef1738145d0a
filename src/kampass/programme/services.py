"""Write operations of the programme context.

Every function is one transaction, takes keyword arguments only, checks the actor's permission
itself (so the UI, the API and the CLI enforce the same rules) and validates before it writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kampass.common.models import ACTIVE_STATUSES, JobStatus
from kampass.common.permissions import authorize
from kampass.core.assessment import DEFAULT_MIN_GROUP_RESPONDENTS
from kampass.core.concept import PHASES, TENSION_MAX, TENSION_MIN
from kampass.programme.catalogue import active_catalogue
from kampass.programme.models import (
    DEFAULT_MIN_RESPONDENTS,
    FUNCTION_OF_ROLE,
    Answer,
    AssessmentRound,
    Function,
    PhaseDecision,
    Placement,
    RecommendationAcceptance,
    ReportJob,
    Respondent,
    RoundStatus,
)
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user
from kampass.users.models import User


def _lock(assessment_round: AssessmentRound) -> AssessmentRound:
    return AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)


# ---------------------------------------------------------------- rounds


@transaction.atomic
def round_create(
    *,
    actor: Actor,
    title: str,
    starts: dt.date,
    ends: dt.date | None = None,
    min_respondents: int = DEFAULT_MIN_RESPONDENTS,
    min_group_respondents: int = DEFAULT_MIN_GROUP_RESPONDENTS,
    description: str = "",
) -> AssessmentRound:
    """Prepare a new assessment round (status draft) on the current catalogue version."""
    authorize(actor, "programme.manage_round")
    r = AssessmentRound(
        title=title.strip(),
        description=description,
        starts=starts,
        ends=ends,
        min_respondents=min_respondents,
        min_group_respondents=min_group_respondents,
        catalogue_version=active_catalogue().version,
        created_by=actor if _is_user(actor) else None,
    )
    r.full_clean()
    r.save()
    return r


@transaction.atomic
def round_update(*, actor: Actor, assessment_round: AssessmentRound, **changes: Any) -> AssessmentRound:
    """Change title, description, dates or the minimum of respondents (to close, per group) of a round
    not yet closed."""
    authorize(actor, "programme.manage_round")
    r = _lock(assessment_round)
    if r.status == RoundStatus.CLOSED:
        raise ValidationError(_("A closed round cannot be changed."))
    allowed = {"title", "description", "starts", "ends", "min_respondents", "min_group_respondents"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for key, value in changes.items():
        setattr(r, key, value.strip() if key == "title" else value)
    r.full_clean()
    r.save()
    return r


@transaction.atomic
def round_open(*, actor: Actor, assessment_round: AssessmentRound) -> AssessmentRound:
    """Open a draft round for answers (it needs at least one invited respondent)."""
    authorize(actor, "programme.manage_round")
    r = _lock(assessment_round)
    if r.status != RoundStatus.DRAFT:
        raise ValidationError(_("Only a draft round can be opened; this one is %(status)s.") % _status(r))
    if not r.respondents.exists():
        raise ValidationError(_("Invite at least one respondent before opening the round."))
    r.status = RoundStatus.OPEN
    r.save(update_fields=["status"])
    return r


def _status(r: AssessmentRound) -> dict[str, str]:
    return {"status": str(r.get_status_display()).lower()}


@transaction.atomic
def round_close(*, actor: Actor, assessment_round: AssessmentRound) -> AssessmentRound:
    """Close an open round; refused while fewer respondents than ``min_respondents`` have submitted.

    Drafts of respondents who never submitted stay stored but do not count in the results.
    """
    authorize(actor, "programme.manage_round")
    r = _lock(assessment_round)
    if r.status != RoundStatus.OPEN:
        raise ValidationError(_("Only an open round can be closed; this one is %(status)s.") % _status(r))
    invited = r.respondents.count()
    submitted = r.respondents.filter(submitted_at__isnull=False).count()
    if submitted < r.min_respondents:
        raise ValidationError(
            ngettext(
                "The round cannot be closed: %(submitted)d of %(invited)d invited respondents has submitted, "
                "but at least %(minimum)d are needed.",
                "The round cannot be closed: %(submitted)d of %(invited)d invited respondents have submitted, "
                "but at least %(minimum)d are needed.",
                submitted,
            )
            % {"submitted": submitted, "invited": invited, "minimum": r.min_respondents},
            code="too_few_respondents",
        )
    r.status = RoundStatus.CLOSED
    r.closed_at = timezone.now()
    r.save(update_fields=["status", "closed_at"])
    return r


@transaction.atomic
def round_delete(*, actor: Actor, assessment_round: AssessmentRound) -> None:
    """Delete a draft round (with its invitations); open and closed rounds are kept."""
    authorize(actor, "programme.manage_round")
    r = _lock(assessment_round)
    if r.status != RoundStatus.DRAFT:
        raise ValidationError(_("Only a draft round can be deleted."))
    r.delete()


# ---------------------------------------------------------------- respondents


@transaction.atomic
def respondent_add(
    *,
    actor: Actor,
    assessment_round: AssessmentRound,
    function: str = "",
    user: User | None = None,
    name: str = "",
    email: str = "",
) -> Respondent:
    """Invite a kampass user or a named external person to a round that is not closed.

    Without ``function`` a user answers from the function of their role (``FUNCTION_OF_ROLE``: head of
    KAM, key account manager, controlling); for an external person or a user whose role gives none the
    function must be chosen."""
    authorize(actor, "programme.manage_round")
    r = _lock(assessment_round)
    if r.status == RoundStatus.CLOSED:
        raise ValidationError(_("Nobody can be invited to a closed round."))
    name = name.strip()
    if user is None and not name:
        raise ValidationError({"name": _("Choose a user or enter the name of an external respondent.")})
    if user is not None and r.respondents.filter(user=user).exists():
        raise ValidationError({"user": _("%(user)s is already invited to this round.") % {"user": user}})
    if not function and user is not None:
        function = FUNCTION_OF_ROLE.get(getattr(user, "role", ""), "")
    if not function:
        raise ValidationError(
            {
                "function": _("Choose the function %(who)s answers from.")
                % {"who": str(user) if user is not None else (name or _("the respondent"))}
            }
        )
    if function not in Function.values:
        raise ValidationError({"function": _("Unknown function “%(value)s”.") % {"value": function}})
    respondent = Respondent(round=r, user=user, name=name, email=email.strip(), function=function)
    respondent.token = Respondent.new_token()
    respondent.full_clean()
    respondent.save()
    return respondent


@transaction.atomic
def respondent_remove(*, actor: Actor, respondent: Respondent) -> None:
    """Withdraw an invitation (with its draft answers); not possible once the round is closed."""
    authorize(actor, "programme.manage_round")
    r = _lock(respondent.round)
    if r.status == RoundStatus.CLOSED:
        raise ValidationError(_("Respondents of a closed round cannot be removed."))
    respondent.delete()


def _editable(actor: Actor, respondent: Respondent) -> Respondent:
    from kampass.programme.selectors import questionnaire_editable

    authorize(actor, "programme.answer", respondent)
    resp = Respondent.objects.select_for_update().select_related("round").get(pk=respondent.pk)
    if not questionnaire_editable(resp):
        if resp.round.status != RoundStatus.OPEN:
            raise ValidationError(_("The round is not open for answers."))
        raise ValidationError(_("This questionnaire has been submitted; its answers can no longer be changed."))
    return resp


@transaction.atomic
def answer_save(*, actor: Actor, respondent: Respondent, statement: str, rating: int | None) -> Answer:
    """Save (or change) the draft answer to one statement: a rating 1..5, or ``None`` for "don't know"."""
    resp = _editable(actor, respondent)
    catalogue = active_catalogue()
    try:
        catalogue.statement(statement)
    except KeyError:
        raise ValidationError({"statement": _("Unknown statement “%(key)s”.") % {"key": statement}}) from None
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
        raise ValidationError(
            {
                "rating": _("A rating must be a whole number from 1 to 5 (or “don't know”), not “%(value)s”.")
                % {"value": rating}
            }
        )
    answer, _created = Answer.objects.update_or_create(
        respondent=resp, statement=statement, defaults={"rating": rating}
    )
    return answer


@transaction.atomic
def answer_clear(*, actor: Actor, respondent: Respondent, statement: str) -> None:
    """Remove the draft answer to one statement (it counts as unanswered again)."""
    resp = _editable(actor, respondent)
    Answer.objects.filter(respondent=resp, statement=statement).delete()


def _check_position(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not TENSION_MIN <= value <= TENSION_MAX:
        raise ValidationError(
            {
                name: _("A position must be a whole number from %(low)d to %(high)d, not “%(value)s”.")
                % {"low": TENSION_MIN, "high": TENSION_MAX, "value": value}
            }
        )


@transaction.atomic
def placement_save(
    *, actor: Actor, respondent: Respondent, tension_field: str, current: int | None, target: int | None
) -> Placement:
    """Save the draft placement on one tension field (-3 left pole .. +3 right pole), now and as target.

    Either position may be ``None`` while the questionnaire is a draft.
    """
    resp = _editable(actor, respondent)
    try:
        active_catalogue().tension_field(tension_field)
    except KeyError:
        raise ValidationError(
            {"tension_field": _("Unknown tension field “%(key)s”.") % {"key": tension_field}}
        ) from None
    _check_position("current", current)
    _check_position("target", target)
    placement, _created = Placement.objects.update_or_create(
        respondent=resp, tension_field=tension_field, defaults={"current": current, "target": target}
    )
    return placement


def missing_items(respondent: Respondent) -> tuple[list[str], list[str]]:
    """Statements without an answer and tension fields without both positions, in catalogue order."""
    catalogue = active_catalogue()
    answered = set(respondent.answers.values_list("statement", flat=True))
    placed = set(
        respondent.placements.filter(current__isnull=False, target__isnull=False).values_list(
            "tension_field", flat=True
        )
    )
    statements = [s.key for s in catalogue.statements if s.key not in answered]
    tensions = [t.key for t in catalogue.tension_fields if t.key not in placed]
    return statements, tensions


@transaction.atomic
def respondent_submit(*, actor: Actor, respondent: Respondent, unanswered_as_dont_know: bool = False) -> Respondent:
    """Hand in a questionnaire.

    Every tension field needs both positions. Every statement needs an answer; with
    ``unanswered_as_dont_know`` the statements still open are recorded as "don't know" (the
    respondent says so explicitly), otherwise they are refused with their number.
    """
    resp = _editable(actor, respondent)
    statements, tensions = missing_items(resp)
    errors: dict[str, list[str]] = {}
    if tensions:
        errors["placements"] = [
            ngettext(
                "%(count)d tension field still needs a position now and a target.",
                "%(count)d tension fields still need a position now and a target.",
                len(tensions),
            )
            % {"count": len(tensions)}
        ]
    if statements and not unanswered_as_dont_know:
        errors["answers"] = [
            ngettext(
                "%(count)d statement is not answered yet. Answer it, or submit with the open statements "
                "recorded as “don't know”.",
                "%(count)d statements are not answered yet. Answer them, or submit with the open statements "
                "recorded as “don't know”.",
                len(statements),
            )
            % {"count": len(statements)}
        ]
    if errors:
        raise ValidationError(errors, code="incomplete")
    Answer.objects.bulk_create([Answer(respondent=resp, statement=key, rating=None) for key in statements])
    resp.submitted_at = timezone.now()
    resp.save(update_fields=["submitted_at"])
    return resp


@transaction.atomic
def respondent_reopen(*, actor: Actor, respondent: Respondent) -> Respondent:
    """Turn a submitted questionnaire of an open round back into a draft (administrator, head of KAM)."""
    authorize(actor, "programme.manage_round")
    resp = Respondent.objects.select_for_update().select_related("round").get(pk=respondent.pk)
    if resp.round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is not open for answers."))
    resp.submitted_at = None
    resp.save(update_fields=["submitted_at"])
    return resp


# ---------------------------------------------------------------- phase and recommendations


@transaction.atomic
def phase_confirm(
    *, actor: Actor, phase: str, note: str = "", assessment_round: AssessmentRound | None = None
) -> PhaseDecision:
    """Confirm the programme's phase. Choosing a phase other than the proposed one needs a note."""
    authorize(actor, "programme.confirm_phase")
    from kampass.programme.selectors import programme_assessment

    if phase not in PHASES:
        raise ValidationError({"phase": _("Unknown phase “%(value)s”.") % {"value": phase}})
    if assessment_round is not None and assessment_round.status != RoundStatus.CLOSED:
        raise ValidationError(_("The phase can be confirmed only on a closed round."))
    assessment = programme_assessment(assessment_round=assessment_round)
    proposed = assessment.proposal.phase if assessment and assessment.proposal else ""
    note = note.strip()
    if proposed and phase != proposed and not note:
        raise ValidationError(
            {
                "note": _("Say why you choose “%(phase)s” instead of the proposed “%(proposed)s”.")
                % {"phase": phase, "proposed": proposed}
            }
        )
    reasons = [
        {"rule": r.rule, "text": {"en": r.text.en, "de": r.text.de}, "inputs": dict(r.inputs)}
        for r in (assessment.proposal.reasons if assessment and assessment.proposal else ())
    ]
    decision = PhaseDecision(
        round=assessment.round if assessment else assessment_round,
        proposed_phase=proposed,
        phase=phase,
        note=note,
        reasons=reasons,
        decided_by=actor if _is_user(actor) else None,
    )
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def recommendations_accept(
    *, actor: Actor, assessment_round: AssessmentRound, logics: Sequence[str] | None = None
) -> RecommendationAcceptance:
    """Accept all recommended logics of a closed round, or a selection, and turn them into roadmap
    initiatives through the roadmap's facade.

    A logic that already has an open initiative on the roadmap (planned, active or paused, from any
    round or planned by hand) gets no second one: it is listed in ``skipped`` with the initiative
    that pursues it, and the caller tells the user. ``initiative_ids`` holds the initiatives created
    by this acceptance; accepting the same logics again creates none (idempotent)."""
    authorize(actor, "programme.accept_recommendations")
    from kampass.programme.selectors import programme_assessment
    from kampass.roadmap import facade as roadmap_facade

    if assessment_round.status != RoundStatus.CLOSED:
        raise ValidationError(_("Recommendations can be accepted only from a closed round."))
    assessment = programme_assessment(assessment_round=assessment_round)
    if assessment is None:
        raise ValidationError(_("This round has no answers to recommend from."))
    recs = {r.logic: r for r in assessment.recommendations}
    chosen = list(recs) if logics is None else list(dict.fromkeys(logics))
    unknown = [key for key in chosen if key not in recs]
    if unknown:
        raise ValidationError({"logics": _("Not recommended in this round: %(keys)s.") % {"keys": ", ".join(unknown)}})
    if not chosen:
        raise ValidationError({"logics": _("Choose at least one logic to accept.")})
    lang = (getattr(actor, "language", "") or "en") if _is_user(actor) else "en"
    catalogue = active_catalogue()
    proposals = [
        roadmap_facade.InitiativeProposal(
            logic=key,
            rank=recs[key].rank,
            title=catalogue.logic(key).name.get(lang),
            guardrail_key=recs[key].guardrail.key,
            guardrail_threshold=recs[key].guardrail.threshold,
            guardrail_direction=recs[key].guardrail.direction,
            timing=recs[key].timing,
        )
        for key in sorted(chosen, key=lambda k: recs[k].rank)
    ]
    outcome = roadmap_facade.initiatives_from_recommendations(
        actor=actor, round_id=assessment_round.pk, proposals=proposals
    )
    acceptance = RecommendationAcceptance(
        round=assessment_round,
        phase=assessment.phase,
        logics=[p.logic for p in proposals],
        recommendations=[
            {"logic": r.logic, "rank": r.rank, "timing": r.timing, "score": r.score} for r in assessment.recommendations
        ],
        initiative_ids=list(outcome.created),
        skipped=[
            {
                "logic": s.logic,
                "initiative_id": s.initiative_id,
                "title": s.title,
                "status": s.status,
                "round_id": s.round_id,
            }
            for s in outcome.skipped
        ],
        accepted_by=actor if _is_user(actor) else None,
    )
    acceptance.save()
    return acceptance


# ---------------------------------------------------------------- report rendering


class ReportRenderLimit(ValidationError):
    """Refusal of a report render: the user has ``KAMPASS_REPORT_RENDERS_PER_USER`` renders queued or
    running already (``jobs``), with other inputs; ``retry_after`` estimates the seconds until one ends."""

    code_name = "report_render_limit"

    def __init__(self, jobs: Sequence[ReportJob], retry_after: int) -> None:
        super().__init__(
            ngettext(
                "You have %(n)s report being rendered already; wait until it is ready (about %(s)s s) and ask again.",
                "You have %(n)s reports being rendered already; wait until one is ready (about %(s)s s) and ask again.",
                len(jobs),
            )
            % {"n": len(jobs), "s": retry_after},
            code=self.code_name,
        )
        self.jobs = list(jobs)
        self.retry_after = retry_after


#: Seconds a render is expected to take before any was timed on this installation.
DEFAULT_RENDER_SECONDS = 10.0


def report_job_create(
    *, actor: Actor, lang: str, assessment_round: AssessmentRound | None = None, enqueue: bool = True
) -> ReportJob:
    """Ask for the programme report as PDF (readers of the round's results); rendering runs in the worker.

    A user has at most ``KAMPASS_REPORT_RENDERS_PER_USER`` report jobs queued or running: a request for
    the round and language of one of them joins it (that job is returned); a request for another report
    takes a free slot or, all of them taken, raises ``ReportRenderLimit`` and does nothing more. A new
    job then reads the report's inputs (queries, no rendering) and fingerprints them: when the report
    cache has the PDF of that fingerprint the job is done at once (``cached``), else the render is queued.
    """
    from kampass.programme import report_cache
    from kampass.programme.report import report_inputs, report_inputs_stamp
    from kampass.programme.selectors import latest_closed_round

    r = assessment_round or latest_closed_round()
    if r is None:
        raise ValidationError(_("There is no closed assessment round to report on."))
    if r.status != RoundStatus.CLOSED:
        raise ValidationError(_("Only a closed round has a report."))
    authorize(actor, "programme.view_results", r)
    if lang not in ("en", "de"):
        raise ValidationError({"lang": _("Unknown language “%(value)s”.") % {"value": lang}})
    user = actor if _is_user(actor) else None
    with transaction.atomic():
        _expire_lost_renders()
        if user is None:  # the system (CLI): no per-user limit
            job = ReportJob.objects.create(round=r, lang=lang)
        else:
            job, created = _claim_render_slot(user=user, assessment_round=r, lang=lang)
            if not created:
                return job
    # the job holds the slot while the inputs are read (outside a transaction: no write lock is held
    # meanwhile): the same user's concurrent requests join it or are refused instead of reading them too.
    # Unchanged inputs whose PDF is cached are known by their cheap stamp, without reading them.
    try:
        stamp = report_inputs_stamp(lang=lang, assessment_round=r)
        fingerprint = report_cache.recall(stamp) if stamp is not None else None
        if fingerprint is None:
            fingerprint = report_inputs(lang=lang, assessment_round=r).fingerprint
            if stamp is not None and report_cache.lookup(fingerprint) is not None:
                _remember_unless_changed(stamp, fingerprint, lang=lang, assessment_round=r)
    except Exception as exc:
        job.mark(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    if report_cache.lookup(fingerprint) is not None:
        job.mark(JobStatus.DONE, fingerprint=fingerprint, cached=True, progress=1.0, seconds=0.0)
    else:
        ReportJob.objects.filter(pk=job.pk).update(fingerprint=fingerprint)
        if enqueue:
            from kampass.programme.tasks import render_report

            job_id = str(job.pk)
            transaction.on_commit(lambda: render_report.enqueue(job_id))
    job.refresh_from_db()
    return job


def _claim_render_slot(*, user: User, assessment_round: AssessmentRound, lang: str) -> tuple[ReportJob, bool]:
    """The user's queued or running job of this report (joined, ``False``), else a new job in a free
    slot (``True``).

    Each slot is held by at most one queued or running job of a user (a unique constraint): two
    concurrent requests cannot both take the last one, the second gets ``IntegrityError`` and tries
    the next slot.
    """
    from django.conf import settings

    active = list(ReportJob.objects.filter(created_by=user, status__in=ACTIVE_STATUSES).order_by("created_at"))
    for job in active:
        if job.lang == lang and job.round_id == assessment_round.pk:
            return job, False
    taken = {job.slot for job in active}
    for slot in range(max(1, settings.KAMPASS_REPORT_RENDERS_PER_USER)):
        if slot in taken:
            continue
        try:
            with transaction.atomic():
                job = ReportJob.objects.create(round=assessment_round, lang=lang, created_by=user, slot=slot)
        except IntegrityError:  # a concurrent request took this slot
            continue
        return job, True
    active = list(ReportJob.objects.filter(created_by=user, status__in=ACTIVE_STATUSES))
    raise ReportRenderLimit(active, _retry_after(active))


def _retry_after(active: Sequence[ReportJob]) -> int:
    """Seconds until the first of ``active`` is likely done: 1 while one is still reading its inputs
    (in its request: it may be served from the cache), else the mean of the last renders' times less
    the time it has been waiting (at least 1 s)."""
    if any(not job.fingerprint for job in active):
        return 1
    recent = [
        float(seconds or 0.0)
        for seconds in ReportJob.objects.filter(status=JobStatus.DONE, cached=False, seconds__isnull=False)
        .order_by("-finished_at")
        .values_list("seconds", flat=True)[:5]
    ]
    expected = sum(recent) / len(recent) if recent else DEFAULT_RENDER_SECONDS
    if not active:
        return 1
    waited = min((timezone.now() - job.created_at).total_seconds() for job in active)
    return max(1, round(expected - waited))


def _expire_lost_renders() -> None:
    """Mark renders queued or running longer than ``KAMPASS_REPORT_RENDER_TIMEOUT`` as failed (their
    worker was lost): they free their slots."""
    from django.conf import settings

    limit = timezone.now() - dt.timedelta(seconds=settings.KAMPASS_REPORT_RENDER_TIMEOUT)
    ReportJob.objects.filter(status__in=ACTIVE_STATUSES, created_at__lt=limit).update(
        status=JobStatus.FAILED,
        error=_("Not rendered within %(s)s s; ask again.") % {"s": round(settings.KAMPASS_REPORT_RENDER_TIMEOUT)},
        finished_at=timezone.now(),
    )


def _remember_unless_changed(
    stamp: str, fingerprint: str, *, lang: str, assessment_round: AssessmentRound | None
) -> None:
    """Map ``stamp`` (taken before the inputs were read) to the inputs' ``fingerprint`` in the report
    cache, unless the data changed while they were read (the stamp taken again differs)."""
    from kampass.programme import report_cache
    from kampass.programme.report import report_inputs_stamp

    if report_inputs_stamp(lang=lang, assessment_round=assessment_round) == stamp:
        report_cache.remember(stamp, fingerprint)


def report_job_run(job_id: str) -> ReportJob:
    """Render a queued report job (the worker's task); failures are stored on the job with their message.

    The inputs are read again (they may have changed since the request): when the cache holds the PDF
    of their fingerprint (a render of the same inputs finished meanwhile) nothing is rendered; else
    the PDF is rendered from exactly these inputs and kept in the cache under their fingerprint.
    """
    import time

    from kampass.programme import report_cache
    from kampass.programme.report import report_inputs, report_inputs_stamp, report_pdf

    job = ReportJob.objects.select_related("round").get(pk=job_id)
    if not job.active:
        return job
    job.mark(JobStatus.RUNNING, progress=0.05)
    start = time.monotonic()

    def progress(share: float) -> None:
        job.report(round(share, 2))

    try:
        stamp = report_inputs_stamp(lang=job.lang, assessment_round=job.round)  # before the inputs are read
        inputs = report_inputs(lang=job.lang, assessment_round=job.round)
        fingerprint = inputs.fingerprint
        cached = report_cache.lookup(fingerprint) is not None
        if not cached:
            progress(0.1)
            report_cache.store(fingerprint, report_pdf(inputs=inputs, progress=progress))
        if stamp is not None:
            _remember_unless_changed(stamp, fingerprint, lang=job.lang, assessment_round=job.round)
    except Exception as exc:  # the job records why it failed; the worker goes on
        job.mark(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    else:
        job.mark(
            JobStatus.DONE,
            fingerprint=fingerprint,
            cached=cached,
            progress=1.0,
            seconds=round(time.monotonic() - start, 2),
        )
    job.refresh_from_db()
    return job
