"""The Solutions field of the KAM programme: the solution library (value propositions and solutions,
where they are used at key accounts) and the co-creation / innovation initiatives run with key accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.common.currencies import CURRENCIES


class SolutionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Solution(Versioned):
    """A value proposition or solution the supplier offers key accounts: the customer problem it
    solves, the value it promises, the segments it is meant for, what it is made of and the
    evidence that it works. Used at key accounts (``SolutionUse``); a solution used at two or more
    key accounts is reused rather than reinvented (the Selected Key Accounts guardrail). A retired
    solution is no longer offered but keeps its history and uses. Texts are stored as entered."""

    name = models.CharField(_("name"), max_length=200)
    problem = models.TextField(_("problem solved"), blank=True)
    value_proposition = models.TextField(_("value proposition"), blank=True)
    segments = models.CharField(
        _("target segments"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. “Machinery, Food retail”."),
    )
    components = models.TextField(_("components"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SolutionStatus.choices, default=SolutionStatus.ACTIVE, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def segment_list(self) -> list[str]:
        """The target segments, one entry each."""
        return [s.strip() for s in self.segments.split(",") if s.strip()]


class SolutionUse(models.Model):
    """A solution used at an account: for an opportunity there, in an account plan (``plan_id``, the
    id of a plan of the planning context, which links through the facade) or simply in the
    relationship. A use marked ``reference`` makes the account a reference for the solution.
    Who linked it and when is kept in the history."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="uses", verbose_name=_("solution"))
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="solution_uses", verbose_name=_("account")
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solution_uses",
        verbose_name=_("opportunity"),
    )
    plan_id = models.PositiveIntegerField(_("account plan"), null=True, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reference = models.BooleanField(_("reference account"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("solution use")
        verbose_name_plural = _("solution uses")
        ordering = ["solution", "account", "pk"]

    def __str__(self) -> str:
        return f"{self.solution} @ {self.account}"


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    PILOT = "pilot", _("Pilot")
    SCALING = "scaling", _("Scaling")
    INTEGRATED = "integrated", _("Integrated into the standard offering")
    STOPPED = "stopped", _("Stopped")


class Initiative(Versioned):
    """A co-creation or innovation initiative run with one or more key accounts alongside the daily
    business: a new solution, service or business model developed with the customer. It moves from
    idea through pilot and scaling to being integrated into the standard offering (or is stopped).
    Its effort (hours and cost) is weighed against the revenue it realises (won linked opportunities
    and invoice revenue of its product groups at its accounts since its start): the Innovation
    guardrail. It may produce a solution of the library."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.IDEA, db_index=True)
    stage_since = models.DateField(_("in this stage since"))
    accounts = models.ManyToManyField(
        "accounts.Account", related_name="co_creation_initiatives", verbose_name=_("key accounts")
    )
    effort_hours = models.DecimalField(
        _("effort (hours)"), max_digits=10, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    effort_cost = models.DecimalField(
        _("effort (cost)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    starts = models.DateField(_("start"))
    ends = models.DateField(_("end"), null=True, blank=True)
    opportunities = models.ManyToManyField(
        "pipeline.Opportunity", blank=True, related_name="co_creation_initiatives", verbose_name=_("opportunities")
    )
    product_groups = models.JSONField(_("invoice product groups"), default=list, blank=True)
    solution = models.ForeignKey(
        Solution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        verbose_name=_("solution produced"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("co-creation initiative")
        verbose_name_plural = _("co-creation initiatives")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="solutions_initiative_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(effort_hours__gte=0), name="solutions_initiative_hours_positive"),
            models.CheckConstraint(condition=models.Q(effort_cost__gte=0), name="solutions_initiative_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """An initiative moved from one stage to another on a day (the first entry has no ``from_stage``):
    the initiative's path from idea to the standard offering, with who moved it."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("initiative")
    )
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["initiative", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.from_stage or '–'} → {self.to_stage} ({self.on})"
