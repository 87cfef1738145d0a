"""Account reviews: regular check-ins, the annual strategic review and reviews raised by events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned


class ReviewKind(models.TextChoices):
    CHECK_IN = "check_in", _("Check-in")
    STRATEGIC = "strategic", _("Annual strategic review")
    EVENT = "event", _("Event-triggered review")


class ReviewTrigger(models.TextChoices):
    NONE = "", _("Planned")
    CADENCE = "cadence", _("Review cadence")
    LARGE_LOSS = "large_loss", _("Large loss")
    LEAKAGE_BREACH = "leakage_breach", _("Leakage guardrail breached")
    RELATIONSHIP_DROP = "relationship_drop", _("Relationship stage dropped")
    HEALTH_DROP = "health_drop", _("Health dropped")


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ReviewCadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class AccountReview(Versioned):
    """A review of a key account with the customer or inside the account team. Continuous reviews are
    the regular check-ins (objective progress, actions, decisions); discontinuous ones are the annual
    strategic review and reviews an event raised (a large loss, a breached leakage guardrail, a drop of
    the relationship stage or of the health score; ``event_key`` names the event so it raises one
    review only). A review is planned for ``due_on``; when it is held, ``snapshot`` freezes every
    objective's baseline, target and actual and the account's KPIs, and the review no longer changes."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    plan = models.ForeignKey(
        "planning.AccountPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        verbose_name=_("plan"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReviewKind.choices, default=ReviewKind.CHECK_IN)
    trigger = models.CharField(_("trigger"), max_length=20, choices=ReviewTrigger.choices, blank=True)
    event_key = models.CharField(_("event"), max_length=100, blank=True)
    event_note = models.CharField(_("what happened"), max_length=300, blank=True)
    due_on = models.DateField(_("due"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED)
    participants = models.TextField(_("participants"), blank=True)
    objective_notes = models.TextField(_("objective progress"), blank=True)
    action_notes = models.TextField(_("actions"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("held by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("account review")
        verbose_name_plural = _("account reviews")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "event_key"], condition=~models.Q(event_key=""), name="review_event_once"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} {self.due_on}"


class AccountReviewCadence(models.Model):
    """How often an account's regular check-in is due (without a row: the setting
    ``KAMPASS_REVIEW_CADENCE``, quarterly by default)."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    cadence = models.CharField(_("review cadence"), max_length=12, choices=ReviewCadence.choices)

    class Meta:
        verbose_name = _("review cadence")
        verbose_name_plural = _("review cadences")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.cadence}"
