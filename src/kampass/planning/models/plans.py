"""Account plans: templates, plans with versions and life cycle, sections, SWOT, relationship (the comments on
plans and their sections are ``common.Comment`` rows of the kind ``"plan"``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.core import planning as core


class PlanStatus(models.TextChoices):
    DRAFT = core.DRAFT, _("Draft")
    IN_REVIEW = core.IN_REVIEW, _("In review")
    APPROVED = core.APPROVED, _("Approved")
    ACTIVE = core.ACTIVE, _("Active")
    SUPERSEDED = core.SUPERSEDED, _("Superseded")


class RelationshipStage(models.TextChoices):
    EXPLORATORY = "exploratory", _("Exploratory")
    BASIC = "basic", _("Basic")
    COOPERATIVE = "cooperative", _("Cooperative")
    INTERDEPENDENT = "interdependent", _("Interdependent")
    INTEGRATED = "integrated", _("Integrated")
    DISINTEGRATING = "disintegrating", _("Disintegrating")


class PlanTemplate(Versioned):
    """The structure a head of KAM gives account plans: which sections, which fields in each (with
    German and English labels), which must be filled before a plan goes to review, in which order.
    ``sections`` is the list stored by :func:`kampass.core.planning.sections_to_json`. A plan records
    the template version it was written against; the default template follows the St. Gallen
    operative fields."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_default = models.BooleanField(_("default for new plans"), default=False)
    sections = models.JSONField(_("sections"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def specs(self) -> tuple[core.SectionSpec, ...]:
        """The template's sections as core specs."""
        return core.sections_from_json(self.sections)


class AccountPlan(Versioned):
    """The plan of one key account for one planning period, in one version. A group's plan covers
    the accounts below it; a subsidiary may have its own. ``number`` counts the versions of the plan
    for that account and period (1, 2, ...); a new version starts from the one in ``based_on``.
    Draft and in-review versions are edited; an approved version (signed off by the head of KAM or
    the account's executive sponsor) is immutable, becomes active and is superseded by the next
    active version. ``as_of`` is the plan date: kampass's facts in the plan are taken as of it."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="plans", verbose_name=_("account")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    number = models.PositiveIntegerField(_("plan version"), default=1)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("based on")
    )
    template = models.ForeignKey(
        PlanTemplate, on_delete=models.PROTECT, related_name="plans", verbose_name=_("template")
    )
    template_version = models.PositiveIntegerField(_("template version"), default=1)
    #: the template's sections as they were at ``template_version`` (a plan keeps the structure it was
    #: written against; an open version may adopt a newer template, see ``services.plan_adopt_template``)
    template_sections = models.JSONField(_("template sections"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    as_of = models.DateField(_("plan date"))
    relationship_now = models.CharField(
        _("relationship stage now"), max_length=20, choices=RelationshipStage.choices, blank=True
    )
    relationship_target = models.CharField(
        _("relationship stage targeted"), max_length=20, choices=RelationshipStage.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approval_comment = models.TextField(_("sign-off comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["-period_start", "account_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period_start", "number"], name="plan_unique_version"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="plan_period_order"
            ),
        ]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"{self.account} {self.period_start:%Y-%m}-{self.period_end:%Y-%m} v{self.number}"

    @property
    def editable(self) -> bool:
        """Whether its content may still change (draft or in review)."""
        return core.is_editable(self.status)

    def specs(self) -> tuple[core.SectionSpec, ...]:
        """The sections this plan version follows: its own copy of the template's sections (those of
        ``template_version``), not the template's current ones, so that a changed template never changes
        an approved plan. A row made outside the services without a copy follows the current template."""
        if self.template_sections:
            return core.sections_from_json(self.template_sections)
        return self.template.specs()

    @property
    def template_changed(self) -> bool:
        """Whether the template's current sections differ from the ones this version follows."""
        return bool(self.template_sections) and self.template.sections != self.template_sections


class PlanSection(Versioned):
    """The text of one section of a plan version: ``content`` maps the template's field keys to
    what the key account manager wrote. Each section has its own version, so two people editing
    different sections do not collide, and two editing the same one never lose an update."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("plan"))
    key = models.CharField(_("section"), max_length=50)
    content = models.JSONField(_("content"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        ordering = ["plan_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="plan_section_unique_key")]

    def __str__(self) -> str:
        return f"{self.plan} / {self.key}"


class SwotKind(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    WEAKNESS = "weakness", _("Weakness")
    OPPORTUNITY = "opportunity", _("Opportunity (SWOT)")
    THREAT = "threat", _("Threat")


class EvidenceKind(models.TextChoices):
    NONE = "", _("No evidence")
    OPPORTUNITY = "opportunity", _("Opportunity")
    RISK = "risk", _("Risk")
    CONTACT = "contact", _("Contact")
    FIGURE = "figure", _("Figure")


class SwotItem(Versioned):
    """One strength, weakness, opportunity or threat of the plan, optionally citing its evidence: an
    opportunity, a risk or a contact of kampass (by id) or a figure (as text)."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="swot_items", verbose_name=_("plan"))
    kind = models.CharField(_("kind"), max_length=12, choices=SwotKind.choices)
    text = models.CharField(_("text"), max_length=500)
    evidence_kind = models.CharField(_("evidence"), max_length=12, choices=EvidenceKind.choices, blank=True)
    evidence_id = models.PositiveIntegerField(_("evidence id"), null=True, blank=True)
    evidence_note = models.CharField(_("evidence note"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SWOT item")
        verbose_name_plural = _("SWOT items")
        ordering = ["plan_id", "kind", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


class RelationshipStageEntry(models.Model):
    """A dated assessment of an account's relationship stage (and the stage aimed for): the history
    that plans and the scorecard show. Written whenever a plan's relationship stage changes."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    plan = models.ForeignKey(
        AccountPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("plan")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=RelationshipStage.choices)
    target = models.CharField(_("stage targeted"), max_length=20, choices=RelationshipStage.choices, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("relationship stage")
        verbose_name_plural = _("relationship stages")
        ordering = ["account_id", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.stage} ({self.recorded_at:%Y-%m-%d})"

    def rank(self) -> Any:
        """The stage's position on the ladder (1..5, ``None`` when disintegrating)."""
        return core.relationship_rank(self.stage)
