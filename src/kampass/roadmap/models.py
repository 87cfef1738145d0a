"""The roadmap of a KAM programme: initiatives per logic of realisation with their
guardrail metric tracked over time, and the catalogue of improvement topics.

The logic keys (``facts_strategy``, ``commercialisation`` ...), the field keys
(``screening`` ... ``scorecard``) and the default guardrails come from the concept
catalogue in :mod:`kampass.core.concept`; the models store the keys only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned

if TYPE_CHECKING:
    from kampass.roadmap.selectors import Reading


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


OPEN_INITIATIVE_STATUSES = (InitiativeStatus.PLANNED, InitiativeStatus.ACTIVE, InitiativeStatus.PAUSED)


class Direction(models.TextChoices):
    MAX = "max", _("Warn above the threshold")
    MIN = "min", _("Warn below the threshold")


class Initiative(Versioned):
    """One step of the programme's roadmap: pursuing a logic of realisation (e.g.
    Facts & Strategy, Commercialisation) from a start to an end date, led by an
    owner, with the key accounts it involves.

    Every logic has a typical danger (analysis paralysis, tools not used, hidden
    profit leakage ...). The initiative watches it through a guardrail: a metric
    (``guardrail_key``, one of the programme's signals), a threshold and a
    direction (``max``: a value above the threshold is a warning; ``min``: a
    value below it). The metric is measured over time (:class:`GuardrailMeasurement`).
    ``round_id`` names the assessment round whose accepted recommendation created
    the initiative (empty for initiatives planned by hand)."""

    logic = models.CharField(_("logic"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_initiatives",
        verbose_name=_("owner"),
    )
    starts = models.DateField(_("start"), null=True, blank=True)
    ends = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InitiativeStatus.choices, default=InitiativeStatus.PLANNED, db_index=True
    )
    accounts = models.ManyToManyField(
        "accounts.Account", blank=True, related_name="roadmap_initiatives", verbose_name=_("key accounts")
    )
    round_id = models.PositiveIntegerField(_("assessment round"), null=True, blank=True)
    timing = models.CharField(_("timing"), max_length=10, blank=True)
    guardrail_key = models.CharField(_("guardrail metric"), max_length=60)
    guardrail_unit = models.CharField(_("unit"), max_length=10, default="share")
    guardrail_threshold = models.FloatField(_("threshold"))
    guardrail_direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.MAX
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    if TYPE_CHECKING:
        # set by the selectors (initiative_list, reading_attached): the latest guardrail reading
        reading: Reading

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["starts", "logic", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round_id", "logic"],
                condition=Q(round_id__isnull=False),
                name="roadmap_one_initiative_per_round_and_logic",
            ),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(starts__isnull=True) | Q(ends__gt=models.F("starts")),
                name="roadmap_initiative_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        """The title in the user's language: a title that is just the logic's name (as accepted
        recommendations and the demo give it) shows the logic's name in the active language."""
        from kampass.roadmap.catalogue import catalogue, lang

        for logic in catalogue().logics:
            if logic.key == self.logic and self.title in (logic.name.en, logic.name.de):
                return str(logic.name.get(lang()))
        return self.title


class GuardrailMeasurement(models.Model):
    """One reading of an initiative's guardrail metric at a point in time, with
    the threshold and direction that applied then and whether it was a warning
    (the value lay beyond the threshold)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("initiative")
    )
    key = models.CharField(_("metric"), max_length=60)
    value = models.FloatField(_("value"))
    threshold = models.FloatField(_("threshold"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    warning = models.BooleanField(_("warning"), default=False)
    measured_at = models.DateTimeField(_("measured"), db_index=True)
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("guardrail measurement")
        verbose_name_plural = _("guardrail measurements")
        ordering = ["initiative", "measured_at", "pk"]
        indexes = [models.Index(fields=["initiative", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.measured_at:%Y-%m-%d})"


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class Quadrant(models.TextChoices):
    """Where a topic lies in the impact x effort matrix (impact and effort 1-5;
    3 and more counts as high)."""

    QUICK_WIN = "quick_win", _("Quick win")
    MAJOR_PROJECT = "major_project", _("Major project")
    FILL_IN = "fill_in", _("Fill-in")
    THANKLESS = "thankless", _("Thankless task")


HIGH = 3
"""Impact or effort of at least this counts as high in the matrix."""


def quadrant_of(impact: int, effort: int) -> Quadrant:
    """The matrix quadrant of a topic with this impact and effort.

    >>> [str(quadrant_of(i, e)) for i, e in [(5, 1), (4, 4), (2, 2), (1, 5), (3, 2)]]
    ['quick_win', 'major_project', 'fill_in', 'thankless', 'quick_win']
    """
    if impact >= HIGH:
        return Quadrant.MAJOR_PROJECT if effort >= HIGH else Quadrant.QUICK_WIN
    return Quadrant.THANKLESS if effort >= HIGH else Quadrant.FILL_IN


class Topic(Versioned):
    """An improvement topic of the KAM programme in one of the six fields (e.g.
    market intelligence in Screening, cross-selling in Solutions), rated by its
    impact and the effort it takes (1-5 each) so that the programme pursues a
    few well-chosen topics at a time instead of a patchwork.

    Topics are seeded from the concept catalogue (``template_key``) or added by
    hand. A topic can be a joint initiative with a key account (``account`` and
    the customer's ``partner_contact``)."""

    template_key = models.CharField(_("catalogue entry"), max_length=80, blank=True)
    field = models.CharField(_("field"), max_length=20, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    impact = models.PositiveSmallIntegerField(
        _("impact"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    effort = models.PositiveSmallIntegerField(
        _("effort"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TopicStatus.choices, default=TopicStatus.PROPOSED, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_topics",
        verbose_name=_("owner"),
    )
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_topics",
        verbose_name=_("joint initiative with"),
    )
    partner_contact = models.CharField(_("partner contact"), max_length=200, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["field", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template_key"], condition=~Q(template_key=""), name="roadmap_topic_unique_template"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="roadmap_topic_impact_1_5"),
            models.CheckConstraint(condition=Q(effort__gte=1, effort__lte=5), name="roadmap_topic_effort_1_5"),
        ]

    def __str__(self) -> str:
        return self.title

    def _template(self) -> Any:
        if not self.template_key:
            return None
        from kampass.roadmap.catalogue import topic_template

        return topic_template(self.template_key)

    @property
    def label(self) -> str:
        """The title in the user's language: a catalogue topic whose title was not changed shows the
        catalogue's name in the active language; any other title as it was written."""
        template = self._template()
        if template is not None and self.title in (template.name.en, template.name.de):
            from kampass.roadmap.catalogue import lang

            return str(template.name.get(lang()))
        return self.title

    @property
    def description_text(self) -> str:
        """The description in the user's language (see :attr:`label`)."""
        template = self._template()
        if template is not None and self.description in (template.description.en, template.description.de):
            from kampass.roadmap.catalogue import lang

            return str(template.description.get(lang()))
        return self.description

    @property
    def quadrant(self) -> Quadrant:
        return quadrant_of(self.impact, self.effort)

    @property
    def is_joint(self) -> bool:
        return self.account_id is not None


class RoadmapSettings(Versioned):
    """Settings of the roadmap kept in the database (one row): how many
    improvement topics may be active at the same time."""

    topic_limit = models.PositiveSmallIntegerField(
        _("limit on active topics"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("roadmap settings")
        verbose_name_plural = _("roadmap settings")

    def __str__(self) -> str:
        return f"topic limit {self.topic_limit}"
