"""The KAM programme: assessment rounds after the St. Gallen concept, their answers, the confirmed
phase and the recommendations the head of KAM accepted."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.models import ProgressRun
from kampass.core.assessment import DEFAULT_MIN_GROUP_RESPONDENTS

DEFAULT_MIN_RESPONDENTS = 5
TENSION_MIN, TENSION_MAX = -3, 3


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Function(models.TextChoices):
    """The function a respondent answers from; results are grouped by it."""

    HEAD = "head", _("Head of KAM")
    KAM = "kam", _("Key account manager")
    MANAGEMENT = "management", _("Management")
    SALES = "sales", _("Sales")
    CONTROLLING = "controlling", _("Controlling")
    OTHER = "other", _("Other")


FUNCTION_OF_ROLE: dict[str, str] = {"head": Function.HEAD, "kam": Function.KAM, "controller": Function.CONTROLLING}
"""The function an invited kampass user answers from by default, by their role; other roles (and
external respondents) have none: whoever invites them chooses."""


class AssessmentRound(models.Model):
    """One assessment of the company's KAM programme: invited people rate the statements of the six
    fields from both perspectives and place the company on the nine tension fields, now and as target.

    A round is prepared as a draft, opened for answers and closed once enough respondents have
    submitted (``min_respondents``). Results of a respondent group are shown only from
    ``min_group_respondents`` submitted questionnaires in it (privacy). Only closed rounds count
    for the phase, the recommendations and the programme report. ``catalogue_version`` records
    which version of the concept catalogue the statements came from."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    min_respondents = models.PositiveSmallIntegerField(
        _("minimum respondents"),
        default=DEFAULT_MIN_RESPONDENTS,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("The round can be closed only when at least this many respondents have submitted."),
    )
    min_group_respondents = models.PositiveSmallIntegerField(
        _("minimum respondents per group"),
        default=DEFAULT_MIN_GROUP_RESPONDENTS,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_(
            "Results (interim and final) of a respondent group are shown only from this many submitted "
            "questionnaires in the group, and the results of the round only from this many in all (privacy)."
        ),
    )
    catalogue_version = models.CharField(_("catalogue version"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-starts", "-pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.ends and self.starts and self.ends < self.starts:
            raise ValidationError({"ends": _("The end date must not be before the start date.")})


class Respondent(models.Model):
    """A person invited to answer a round: a kampass user (who answers their own questionnaire) or a
    named external person (whose answers the head of KAM enters, or who answers through the
    invitation link). ``submitted_at`` is set when the questionnaire is handed in; until then
    the answers are a draft."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_invitations",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        ordering = ["function", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"], condition=models.Q(user__isnull=False), name="respondent_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.token:
            self.token = self.new_token()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        if self.user_id and not self.name:
            return str(self.user)
        return self.name or "–"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)


class Answer(models.Model):
    """A respondent's rating of one statement of the catalogue: 1..5, or "don't know" (no rating)."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    statement = models.CharField(_("statement"), max_length=100)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["respondent", "statement"]
        constraints = [
            models.UniqueConstraint(fields=["respondent", "statement"], name="answer_unique_statement"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="answer_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent}: {self.statement} = {self.rating if self.rating is not None else '?'}"


class Placement(models.Model):
    """Where a respondent places the company on one tension field: now and as target, each from
    -3 (the left pole) to +3 (the right pole). Either may be missing while the answers are a draft."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="placements")
    tension_field = models.CharField(_("tension field"), max_length=100)
    current = models.SmallIntegerField(
        _("now"), null=True, blank=True, validators=[MinValueValidator(TENSION_MIN), MaxValueValidator(TENSION_MAX)]
    )
    target = models.SmallIntegerField(
        _("target"), null=True, blank=True, validators=[MinValueValidator(TENSION_MIN), MaxValueValidator(TENSION_MAX)]
    )
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["respondent", "tension_field"]
        constraints = [
            models.UniqueConstraint(fields=["respondent", "tension_field"], name="placement_unique_field"),
            models.CheckConstraint(
                condition=(models.Q(current__isnull=True) | models.Q(current__gte=-3, current__lte=3))
                & (models.Q(target__isnull=True) | models.Q(target__gte=-3, target__lte=3)),
                name="placement_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent}: {self.tension_field} {self.current} -> {self.target}"


class PhaseDecision(models.Model):
    """The phase of the KAM programme (install, build, professionalise, focus) as confirmed by the
    head of KAM: the proposal of the recommender with its reasons at that moment, and the phase
    chosen (with a note when it differs from the proposal). The latest decision is the current phase."""

    round = models.ForeignKey(
        AssessmentRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="phase_decisions",
        verbose_name=_("assessment round"),
    )
    proposed_phase = models.CharField(_("proposed phase"), max_length=30, blank=True)
    phase = models.CharField(_("phase"), max_length=30)
    note = models.TextField(_("note"), blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    decided_at = models.DateTimeField(_("confirmed"), auto_now_add=True)

    class Meta:
        verbose_name = _("phase decision")
        verbose_name_plural = _("phase decisions")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phase} ({self.decided_at:%Y-%m-%d})" if self.decided_at else self.phase

    @property
    def overridden(self) -> bool:
        return bool(self.proposed_phase) and self.proposed_phase != self.phase


class RecommendationAcceptance(models.Model):
    """The head of KAM accepted recommended logics of a round; the roadmap holds the initiatives
    created from them (``initiative_ids``). ``skipped`` lists the accepted logics that got no new
    initiative because an open one already pursued them (logic, initiative id, title, status, round).
    ``recommendations`` keeps what was recommended then."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="acceptances")
    phase = models.CharField(_("phase"), max_length=30)
    logics = models.JSONField(_("accepted logics"), default=list)
    recommendations = models.JSONField(_("recommendations"), default=list, blank=True)
    initiative_ids = models.JSONField(_("initiatives"), default=list, blank=True)
    skipped = models.JSONField(
        _("already on the roadmap"),
        default=list,
        blank=True,
        help_text=_("Accepted logics that got no new initiative because an open one already pursues them."),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("accepted recommendation")
        verbose_name_plural = _("accepted recommendations")
        ordering = ["-accepted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round}: {', '.join(self.logics)}"


class ReportJob(ProgressRun):
    """One request of the programme report as PDF, rendered as a background task (rendering takes
    seconds). The PDF itself is kept in the report cache of the data directory under ``fingerprint``,
    the digest of everything it was rendered from: a request whose inputs have not changed is served
    from there at once (``cached``). While a job is queued or running it holds one of its requester's
    render ``slot``s (``KAMPASS_REPORT_RENDERS_PER_USER``)."""

    round = models.ForeignKey(
        AssessmentRound, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("round")
    )
    lang = models.CharField(_("language"), max_length=5, default="en")
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, db_index=True)
    cached = models.BooleanField(_("from the cache"), default=False)
    slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        constraints = [
            # a user's queued or running jobs each hold a different slot: the per-user limit holds
            # under concurrent requests too (the database refuses a second job in the same slot)
            models.UniqueConstraint(
                fields=["created_by", "slot"],
                condition=models.Q(status__in=["queued", "running"]),
                name="programme_reportjob_one_render_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lang} report ({self.get_status_display()})"
