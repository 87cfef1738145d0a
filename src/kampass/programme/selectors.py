"""Read operations of the programme context: rounds, questionnaires, results, phase, recommendations."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kampass.common.guardrails import GuardrailValue, guardrail_value
from kampass.common.models import JobStatus
from kampass.core import assessment as core_assessment
from kampass.core.assessment import FieldChange, FieldScore, TensionScore
from kampass.core.recommender import PhaseProposal, Recommendation, propose_phase, recommend
from kampass.programme.catalogue import active_catalogue
from kampass.programme.models import (
    Answer,
    AssessmentRound,
    Function,
    PhaseDecision,
    Placement,
    ReportJob,
    Respondent,
    RoundStatus,
)
from kampass.users.actors import Actor


def round_list(*, status: str = "", q: str = "") -> QuerySet[AssessmentRound]:
    """Rounds, newest first, with the number of invited and submitted respondents."""
    qs = AssessmentRound.objects.annotate(
        invited=Count("respondents", distinct=True),
        submitted=Count("respondents", filter=Q(respondents__submitted_at__isnull=False), distinct=True),
    ).order_by("-starts", "-pk")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def may_view_round(user: Actor, assessment_round: AssessmentRound) -> bool:
    """Whether ``user`` may see a round: managers every round, everybody else the closed rounds and
    the rounds they are invited to."""
    pk = getattr(user, "pk", None)
    return bool(
        user.has_perm("programme.manage_round")
        or assessment_round.status == RoundStatus.CLOSED
        or (pk is not None and assessment_round.respondents.filter(user_id=pk).exists())
    )


def visible_rounds(*, user: Actor, status: str = "", q: str = "") -> QuerySet[AssessmentRound]:
    """``round_list`` narrowed to the rounds ``user`` may see (``may_view_round``)."""
    qs = round_list(status=status, q=q)
    if user.has_perm("programme.manage_round"):
        return qs
    return qs.filter(Q(status=RoundStatus.CLOSED) | Q(respondents__user_id=getattr(user, "pk", None))).distinct()


def latest_closed_round() -> AssessmentRound | None:
    return AssessmentRound.objects.filter(status=RoundStatus.CLOSED).order_by("-closed_at", "-starts", "-pk").first()


def previous_closed_round(assessment_round: AssessmentRound) -> AssessmentRound | None:
    """The closed round before ``assessment_round`` (by start date), for comparison."""
    qs = AssessmentRound.objects.filter(status=RoundStatus.CLOSED).exclude(pk=assessment_round.pk)
    qs = qs.filter(
        Q(starts__lt=assessment_round.starts) | Q(starts=assessment_round.starts, pk__lt=assessment_round.pk)
    )
    return qs.order_by("-starts", "-pk").first()


def invitations_of(user: Actor) -> QuerySet[Respondent]:
    """The user's own invitations to open rounds (their questionnaires to answer)."""
    if user.pk is None:  # not a user account: no invitations (user_id=None would match the external respondents)
        return Respondent.objects.none()
    return (
        Respondent.objects.filter(user_id=user.pk, round__status=RoundStatus.OPEN)
        .select_related("round")
        .order_by("-round__starts")
    )


# ---------------------------------------------------------------- questionnaire


@dataclass(frozen=True)
class StatementItem:
    key: str
    number: int
    text: str
    anchors: dict[int, str]
    rating: int | None
    answered: bool


@dataclass(frozen=True)
class FieldSection:
    field: str
    perspective: str
    name: str
    perspective_label: str
    meaning: str
    statements: list[StatementItem]

    @property
    def answered(self) -> int:
        return sum(1 for s in self.statements if s.answered)

    @property
    def total(self) -> int:
        return len(self.statements)

    @property
    def anchor(self) -> str:
        return f"f-{self.field}-{self.perspective}"


@dataclass(frozen=True)
class TensionItem:
    key: str
    number: int
    left: str
    right: str
    left_dangers: str
    right_dangers: str
    current: int | None
    target: int | None

    @property
    def complete(self) -> bool:
        return self.current is not None and self.target is not None


@dataclass(frozen=True)
class Questionnaire:
    respondent: Respondent
    sections: list[FieldSection]
    tensions: list[TensionItem]

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def placed(self) -> int:
        return sum(1 for t in self.tensions if t.complete)

    @property
    def complete(self) -> bool:
        return self.answered == self.total and self.placed == len(self.tensions)

    @property
    def percent(self) -> int:
        return completion_percent(answered=self.answered, placed=self.placed, total=self.total + len(self.tensions))


def completion_percent(*, answered: int, placed: int, total: int) -> int:
    """How much of a questionnaire is done, in whole percent: statements rated plus tension fields
    placed (now and as target) out of all statements and tension fields."""
    return round(100 * (answered + placed) / total) if total else 0


def questionnaire_editable(respondent: Respondent) -> bool:
    """Whether the answers of ``respondent`` may still change: the round is open and they have not submitted."""
    return respondent.round.status == RoundStatus.OPEN and respondent.submitted_at is None


@dataclass(frozen=True)
class RespondentProgress:
    """A respondent of a round, how much of the questionnaire they have done (percent) and
    whether their answers may still change."""

    respondent: Respondent
    percent: int
    editable: bool


def respondent_progress(assessment_round: AssessmentRound) -> list[RespondentProgress]:
    """The respondents of a round (by function and name) with how much of the questionnaire each has done."""
    catalogue = active_catalogue()
    total = len(catalogue.statements) + len(catalogue.tension_fields)
    respondents = assessment_round.respondents.select_related("user", "round").order_by("function", "name", "pk")
    return [
        RespondentProgress(
            resp,
            completion_percent(
                answered=resp.answers.count(),
                placed=resp.placements.filter(current__isnull=False, target__isnull=False).count(),
                total=total,
            ),
            questionnaire_editable(resp),
        )
        for resp in respondents
    ]


def report_job_available(job: ReportJob) -> bool:
    """Whether the PDF of a finished report job is still in the report cache (it is pruned in time)."""
    from kampass.programme import report_cache

    return bool(job.fingerprint) and report_cache.lookup(job.fingerprint) is not None


def report_job_pdf(job: ReportJob) -> bytes | None:
    """The PDF of a finished report job from the report cache; ``None`` if not done or pruned."""
    from kampass.programme import report_cache

    if job.status != JobStatus.DONE or not job.fingerprint:
        return None
    return report_cache.read(job.fingerprint)


def perspective_label(perspective: str) -> str:
    from django.utils.translation import gettext as _

    return str({"corporate": _("Corporate KAM"), "operative": _("Operative KAM")}.get(perspective, perspective))


def questionnaire(*, respondent: Respondent, lang: str) -> Questionnaire:
    """The statements grouped by field and perspective with the respondent's saved answers."""
    catalogue = active_catalogue()
    ratings = dict(respondent.answers.values_list("statement", "rating"))
    sections: list[FieldSection] = []
    number = 0
    for f in catalogue.fields:
        for perspective in ("corporate", "operative"):
            items = []
            for s in catalogue.statements_of(f.key, perspective):
                number += 1
                items.append(
                    StatementItem(
                        key=s.key,
                        number=number,
                        text=s.text.get(lang),
                        anchors={k: v.get(lang) for k, v in sorted(s.anchors.items())},
                        rating=ratings.get(s.key),
                        answered=s.key in ratings,
                    )
                )
            meaning = getattr(f, perspective).get(lang)
            sections.append(
                FieldSection(f.key, perspective, f.name.get(lang), perspective_label(perspective), meaning, items)
            )
    places = {p.tension_field: p for p in respondent.placements.all()}
    tensions = []
    for t in catalogue.tension_fields:
        p = places.get(t.key)
        tensions.append(
            TensionItem(
                t.key,
                t.number,
                t.left.get(lang),
                t.right.get(lang),
                t.left_dangers.get(lang),
                t.right_dangers.get(lang),
                p.current if p else None,
                p.target if p else None,
            )
        )
    return Questionnaire(respondent, sections, tensions)


# ---------------------------------------------------------------- results


def round_answers(assessment_round: AssessmentRound) -> list[core_assessment.Answer]:
    """The answers of the round's submitted respondents, as the core scores them."""
    rows = Answer.objects.filter(
        respondent__round=assessment_round, respondent__submitted_at__isnull=False
    ).values_list("respondent_id", "respondent__function", "statement", "rating")
    return [core_assessment.Answer(str(rid), fn, st, rating) for rid, fn, st, rating in rows]


def round_placements(assessment_round: AssessmentRound) -> list[core_assessment.Placement]:
    """The complete placements of the round's submitted respondents."""
    rows = Placement.objects.filter(
        respondent__round=assessment_round,
        respondent__submitted_at__isnull=False,
        current__isnull=False,
        target__isnull=False,
    ).values_list("respondent_id", "respondent__function", "tension_field", "current", "target")
    return [
        core_assessment.Placement(str(rid), fn, key, cur, tgt)
        for rid, fn, key, cur, tgt in rows
        if cur is not None and tgt is not None  # as filtered above
    ]


@dataclass(frozen=True)
class RoundResults:
    round: AssessmentRound
    fields: list[FieldScore]
    tensions: list[TensionScore]
    previous: AssessmentRound | None
    changes: list[FieldChange]
    invited: int
    submitted: int
    groups: list[tuple[str, str, int]]  # function key, label, submitted respondents (groups shown)
    minimum: int = 1  # submitted questionnaires a group (and the round) needs before its results are shown
    shown: bool = True  # the round has enough submitted questionnaires for any result to be shown
    hidden_groups: list[tuple[str, str, int]] = dataclasses.field(default_factory=list)  # below the minimum

    def score(self, field: str, perspective: str) -> FieldScore | None:
        return next((s for s in self.fields if s.field == field and s.perspective == perspective), None)

    def change(self, field: str, perspective: str) -> FieldChange | None:
        return next((c for c in self.changes if c.field == field and c.perspective == perspective), None)


def submitted_per_group(assessment_round: AssessmentRound) -> dict[str, int]:
    """Submitted questionnaires of the round per respondent group (function)."""
    return dict(
        assessment_round.respondents.filter(submitted_at__isnull=False)
        .values("function")
        .annotate(n=Count("id"))
        .values_list("function", "n")
    )


def round_disclosure(assessment_round: AssessmentRound) -> core_assessment.Disclosure:
    """What may be shown of the round's results (interim or final): the round as a whole and the groups
    with at least ``min_group_respondents`` submitted questionnaires (privacy)."""
    return core_assessment.disclosure(submitted_per_group(assessment_round), assessment_round.min_group_respondents)


def round_results(*, assessment_round: AssessmentRound) -> RoundResults:
    """Maturity per field and perspective, the tension profile, and the change since the previous closed round.

    Only what the round's minimum of respondents per group allows (``round_disclosure``): nothing while
    the round has fewer submitted questionnaires than the minimum, and no positions of a group below it.
    """
    catalogue = active_catalogue()
    counts = submitted_per_group(assessment_round)
    disclosed = core_assessment.disclosure(counts, assessment_round.min_group_respondents)
    labels = {value: str(label) for value, label in Function.choices}
    groups = [(value, labels[value], counts[value]) for value in Function.values if value in disclosed.groups]
    hidden = [(value, labels.get(value, value), n) for value, n in disclosed.hidden]
    fields: list[FieldScore] = []
    tensions: list[TensionScore] = []
    changes: list[FieldChange] = []
    previous = previous_closed_round(assessment_round)
    if disclosed.overall:
        fields = core_assessment.score_fields(catalogue, round_answers(assessment_round))
        tensions = core_assessment.withhold_groups(
            core_assessment.tension_profile(catalogue, round_placements(assessment_round)), disclosed.groups
        )
        if previous is not None:
            before = core_assessment.score_fields(catalogue, round_answers(previous))
            changes = core_assessment.compare_rounds(before, fields)
    return RoundResults(
        round=assessment_round,
        fields=fields,
        tensions=tensions,
        previous=previous,
        changes=changes,
        invited=assessment_round.respondents.count(),
        submitted=sum(counts.values()),
        groups=groups,
        minimum=assessment_round.min_group_respondents,
        shown=disclosed.overall,
        hidden_groups=hidden,
    )


# ---------------------------------------------------------------- phase and recommendations


@dataclass(frozen=True)
class ProgrammeAssessment:
    """What the recommender makes of a closed round and the facts: the phase and the ranked logics."""

    round: AssessmentRound
    fields: list[FieldScore]
    tensions: list[TensionScore]
    signals: dict[str, float | None]
    proposal: PhaseProposal
    decision: PhaseDecision | None
    phase: str  # the confirmed phase, else the proposed one
    recommendations: list[Recommendation]


def phase_decision_for(assessment_round: AssessmentRound | None) -> PhaseDecision | None:
    """The latest phase confirmation made on ``assessment_round`` (else the latest one at all)."""
    qs = PhaseDecision.objects.select_related("decided_by")
    if assessment_round is not None:
        found = qs.filter(round=assessment_round).order_by("-decided_at", "-pk").first()
        if found is not None:
            return found
    return qs.order_by("-decided_at", "-pk").first() if assessment_round is None else None


def phase_history() -> QuerySet[PhaseDecision]:
    return PhaseDecision.objects.select_related("decided_by", "round").order_by("-decided_at", "-pk")


def programme_assessment(
    *, assessment_round: AssessmentRound | None = None, signals: dict[str, float | None] | None = None
) -> ProgrammeAssessment | None:
    """Phase proposal and recommendations for ``assessment_round`` (default: the latest closed round).

    ``None`` when there is no closed round. ``signals`` default to ``facade.current_signals()``.
    """
    from kampass.programme.facade import current_signals

    r = assessment_round or latest_closed_round()
    if r is None:
        return None
    catalogue = active_catalogue()
    fields = core_assessment.score_fields(catalogue, round_answers(r))
    # the positions of a group below the round's minimum of respondents are not shown anywhere (privacy)
    tensions = core_assessment.withhold_groups(
        core_assessment.tension_profile(catalogue, round_placements(r)), round_disclosure(r).groups
    )
    sig = dict(current_signals() if signals is None else signals)
    proposal = propose_phase(catalogue, fields, sig)
    decision = phase_decision_for(r)
    phase = decision.phase if decision is not None else proposal.phase
    recs = recommend(catalogue, fields, tensions, sig, phase)
    return ProgrammeAssessment(r, fields, tensions, sig, proposal, decision, phase, recs)


# ---------------------------------------------------------------- guardrail values


def guardrail_values(
    keys: Iterable[str] | None = None, *, signals: Mapping[str, float | None] | None = None
) -> dict[str, GuardrailValue]:
    """The one value of each guardrail metric that every page shows (dashboard, roadmap,
    recommendations, portfolio): measured live from the data now (the programme's signals, e.g. the
    leakage share from the commercial facade), else the latest measurement stored on the roadmap;
    with its source, its time and the stored reading next to the live one.

    ``keys`` defaults to every guardrail metric of the catalogue; ``signals`` to
    ``facade.current_signals()`` (a page that has them already passes them in).
    """
    from kampass.programme.facade import current_signals
    from kampass.roadmap import facade as roadmap_facade

    wanted = list(dict.fromkeys(keys if keys is not None else (lg.guardrail.key for lg in active_catalogue().logics)))
    live = dict((current_signals() if keys is None else current_signals(wanted)) if signals is None else signals)
    stored = roadmap_facade.latest_guardrail_readings()
    titles = dict(
        AssessmentRound.objects.filter(pk__in={s.round_id for s in stored.values() if s.round_id}).values_list(
            "pk", "title"
        )
    )
    now = timezone.now()
    out = {}
    for key in wanted:
        s = stored.get(key)
        if s is not None and s.round_id in titles:
            s = dataclasses.replace(s, round_title=titles[s.round_id])
        out[key] = guardrail_value(key, live=live.get(key), stored=s, now=now)
    return out
