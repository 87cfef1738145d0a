"""The health score: the weights the head of KAM sets, the daily snapshots and the notices of drops."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.common.models import BackgroundRun


class HealthWeights(Versioned):
    """How much each component counts in the account health score (``weights``: component key ->
    whole number 0..10), as the head of KAM set it. One set is active; its changes are kept in the
    history, so an old score can be explained with the weights of its day (snapshots store them too)."""

    weights = models.JSONField(_("weights"), default=dict)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("health weights")
        verbose_name_plural = _("health weights")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="health_weights_one_active"
            )
        ]

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.weights.items()))


class HealthSnapshot(models.Model):
    """An account's health score on one day as it was computed then: ``score`` (0..100, null when no
    component had a value) and ``components`` (per component key, raw value, score, weight and
    contribution). Recorded once per account and day; the trend, the drop notices and the scorecard
    (the newest snapshot of each account) read them."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    day = models.DateField(_("day"))
    score = models.FloatField(_("health"), null=True, blank=True)
    components = models.JSONField(_("components"), default=list)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    #: when the score was last computed (a recomputation the same day replaces the snapshot and sets it)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")
        ordering = ["account_id", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="health_snapshot_one_per_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.score}"


class Notice(models.Model):
    """A message kampass leaves for one user (e.g. the account's health dropped by 14 points), shown
    on their start page until they mark it read. ``text`` is the English message id with its values
    in ``params`` (shown in the reader's language); ``link`` the page it refers to."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planning_notices", verbose_name=_("recipient")
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=30, default="health_drop")
    text = models.CharField(_("text"), max_length=300)
    params = models.JSONField(_("values"), default=dict)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.text}"


class HealthRun(BackgroundRun):
    """One computation of the health snapshots of every key account for ``day``, run as a background
    task: started by the head of KAM ("recompute now") or by the worker's daily schedule (which then also
    raises the review events). ``done`` of ``total`` accounts are stored so far (the progress bar)."""

    day = models.DateField(_("day"))
    trigger = models.CharField(_("started by"), max_length=20, default="manual")
    total = models.PositiveIntegerField(_("accounts"), default=0)
    done = models.PositiveIntegerField(_("accounts done"), default=0)
    notices = models.PositiveIntegerField(_("notices"), default=0)
    reviews_planned = models.PositiveIntegerField(_("reviews planned"), default=0)

    class Meta:
        verbose_name = _("health computation")
        verbose_name_plural = _("health computations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.day} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.status == "done" else 0)
