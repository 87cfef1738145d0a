"""Structure and people of the KAM programme: the KAM process and its function
diagram (RACI), the workload settings, the competence model, the competence
profiles of the key account managers and their development actions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class BilingualCatalogueEntry(Versioned):
    """An entry of an editable catalogue with its name in English and German.

    The UI shows the name in the user's language (German falls back to English
    when no German name is given)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_de = models.CharField(_("name (German)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name_en"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the current language."""
        if (get_language() or "en").startswith("de") and self.name_de:
            return self.name_de
        return self.name_en

    @property
    def description(self) -> str:
        if (get_language() or "en").startswith("de") and self.description_de:
            return self.description_de
        return self.description_en


class ProcessActivity(BilingualCatalogueEntry):
    """An activity of the KAM process (e.g. account analysis, account plan,
    offer and pricing approval, account review). The function diagram says
    which role is responsible, accountable, consulted or informed for it."""

    history = HistoricalRecords()

    class Meta(BilingualCatalogueEntry.Meta):
        verbose_name = _("KAM process activity")
        verbose_name_plural = _("KAM process activities")


class FunctionRole(BilingualCatalogueEntry):
    """A role (column) of the function diagram: the head of KAM, the key account
    manager, the account team, sales management, product management, service,
    controlling, the executive sponsor..."""

    history = HistoricalRecords()

    class Meta(BilingualCatalogueEntry.Meta):
        verbose_name = _("function role")
        verbose_name_plural = _("function roles")


class RaciCode(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    ACCOUNTABLE_RESPONSIBLE = "AR", _("Accountable and responsible")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class RaciAssignment(Versioned):
    """One filled cell of the function diagram: the part a role plays in a KAM
    process activity (R does the work, A answers for it and decides, C is
    consulted before, I is informed after). An empty cell has no row."""

    activity = models.ForeignKey(
        ProcessActivity, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("activity")
    )
    role = models.ForeignKey(FunctionRole, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("role"))
    code = models.CharField(_("RACI"), max_length=2, choices=RaciCode.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        constraints = [models.UniqueConstraint(fields=["activity", "role"], name="raci_unique_cell")]

    def __str__(self) -> str:
        return f"{self.activity} / {self.role}: {self.code}"


class StructureSettings(Versioned):
    """Settings of the structure analysis (one row): how many accounts a key
    account manager can look after before the workload table flags them."""

    max_accounts_per_kam = models.PositiveSmallIntegerField(
        _("maximum accounts per key account manager"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("Key account managers looking after more accounts than this are flagged."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("structure settings")
        verbose_name_plural = _("structure settings")

    def __str__(self) -> str:
        return str(_("Structure settings"))


class Competence(BilingualCatalogueEntry):
    """A competence of the KAM competence model (e.g. customer and business
    understanding, value selling, negotiation, leading the account team),
    rated from 1 (basic) to 5 (excellent)."""

    history = HistoricalRecords()

    class Meta(BilingualCatalogueEntry.Meta):
        verbose_name = _("competence")
        verbose_name_plural = _("competences")


class ProfileRole(models.TextChoices):
    """The user roles that have a competence profile (and role-wide targets)."""

    KAM = "kam", _("Key account manager")
    HEAD = "head", _("Head of KAM")


class CompetenceTarget(Versioned):
    """The level (1-5) a competence should reach: for every user of a role
    (``role`` set) or for one person (``user`` set, overriding the role's
    target)."""

    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="targets", verbose_name=_("competence")
    )
    role = models.CharField(_("role"), max_length=20, choices=ProfileRole.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="competence_targets",
        verbose_name=_("person"),
    )
    level = models.PositiveSmallIntegerField(_("target level"), validators=LEVEL_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competence target")
        verbose_name_plural = _("competence targets")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=True) & ~models.Q(role=""))
                | (models.Q(user__isnull=False) & models.Q(role="")),
                name="competence_target_role_xor_user",
            ),
            models.UniqueConstraint(
                fields=["competence", "role"], condition=models.Q(user__isnull=True), name="competence_target_per_role"
            ),
            models.UniqueConstraint(
                fields=["competence", "user"],
                condition=models.Q(user__isnull=False),
                name="competence_target_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="competence_target_level_range"
            ),
        ]

    def __str__(self) -> str:
        who = self.user or self.get_role_display()
        return f"{self.competence} – {who}: {self.level}"


class CompetenceRating(Versioned):
    """Where a person stands on one competence: ``level`` is the rating agreed
    by the head of KAM (1-5; what the gap is computed from), ``self_level`` the
    person's own proposal."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competence_ratings", verbose_name=_("person")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("competence")
    )
    level = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True, validators=LEVEL_VALIDATORS)
    self_level = models.PositiveSmallIntegerField(
        _("self-assessment"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("competence rating")
        verbose_name_plural = _("competence ratings")
        constraints = [
            models.UniqueConstraint(fields=["user", "competence"], name="competence_rating_unique"),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                name="competence_rating_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(self_level__isnull=True) | models.Q(self_level__gte=1, self_level__lte=5),
                name="competence_rating_self_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.competence}: {self.level or '–'}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class BlockedCause(models.TextChoices):
    """Why the organisation keeps a key account manager from acting."""

    STRUCTURE = "structure", _("Structure")
    PROCESS = "process", _("Process")
    RESOURCES = "resources", _("Resources")
    MANAGEMENT = "management", _("Management")


class DevelopmentAction(Versioned):
    """A step in the development of a key account manager (a training, a
    coaching, a project to lead...), usually aimed at one competence. The key
    account manager may mark it as blocked by the organisation, with the cause:
    trained people blocked by structure, processes, resources or management
    are the danger signal of the People logic."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="development_actions",
        verbose_name=_("key account manager"),
    )
    title = models.CharField(_("title"), max_length=200)
    competence = models.ForeignKey(
        Competence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name=_("competence"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_development_actions",
        verbose_name=_("owner"),
    )
    blocked = models.BooleanField(_("blocked by the organisation"), default=False, db_index=True)
    blocked_cause = models.CharField(_("cause"), max_length=20, choices=BlockedCause.choices, blank=True)
    blocked_note = models.TextField(_("what blocks it"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("development action")
        verbose_name_plural = _("development actions")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(blocked=False, blocked_cause="")
                | (models.Q(blocked=True) & ~models.Q(blocked_cause="")),
                name="development_action_blocked_has_cause",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
