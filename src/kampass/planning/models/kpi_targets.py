"""The targets of the KPI catalogue that the head of KAM sets, for all key accounts or for one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned


class KpiTarget(Versioned):
    """What counts as green and amber for one KPI of the catalogue (:mod:`kampass.core.kpis`): a value
    at least as good as ``green`` is green, at least as good as ``amber`` amber, worse is red;
    ``higher_is_better`` gives the direction. Without ``account`` the target holds for every key
    account (and the roll-ups per KAM and team); with one it replaces that for this account (a group:
    its whole subtree). Shares are fractions (0.25 for 25 %), money targets carry their currency."""

    kpi_key = models.CharField(_("KPI"), max_length=40)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    green = models.DecimalField(_("green from"), max_digits=20, decimal_places=4)
    amber = models.DecimalField(_("amber from"), max_digits=20, decimal_places=4)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
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
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["kpi_key", "account_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi_key"], condition=models.Q(account__isnull=True), name="kpi_target_one_general"
            ),
            models.UniqueConstraint(
                fields=["kpi_key", "account"],
                condition=models.Q(account__isnull=False),
                name="kpi_target_one_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_key} ({self.account_id or '*'}): {self.green}/{self.amber}"
