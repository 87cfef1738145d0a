"""Objectives of account plans and the dated values of manual KPIs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.core import kpis as core


class KpiUnit(models.TextChoices):
    MONEY = core.MONEY, _("Money")
    SHARE = core.SHARE, _("Share")
    COUNT = core.COUNT, _("Count")
    LEVEL = core.LEVEL, _("Level")


class Objective(Versioned):
    """What the plan wants to reach with the account by a date, measured by one KPI of the catalogue
    (:mod:`kampass.core.kpis`): from ``baseline`` (the value when the plan was written) to ``target``
    by ``due_on``. Computed KPIs are tracked automatically, manual ones by the account's recorded
    values. Each plan version has its own objectives; a new version starts with copies of the previous
    one's (``copied_from``). Money objectives carry their currency."""

    plan = models.ForeignKey(
        "planning.AccountPlan", on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=200)
    kpi_key = models.CharField(_("KPI"), max_length=40)
    unit = models.CharField(_("unit"), max_length=10, choices=KpiUnit.choices)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    start_on = models.DateField(_("from"))
    due_on = models.DateField(_("due"))
    position = models.PositiveIntegerField(_("position"), default=0)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("copied from")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("start_on")), name="objective_dates_order")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kpi(self) -> core.KpiDefinition | None:
        """The KPI's catalogue entry (``None`` for a key no longer in the catalogue)."""
        return core.KPI_BY_KEY.get(self.kpi_key)


class ManualKpiValue(models.Model):
    """A value of a manual KPI (e.g. customer satisfaction) of an account, as measured on a day and
    recorded by the key account manager: the actual values of objectives bound to that KPI."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    kpi_key = models.CharField(_("KPI"), max_length=40)
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("manual KPI value")
        verbose_name_plural = _("manual KPI values")
        ordering = ["account_id", "kpi_key", "-measured_on", "-pk"]
        indexes = [models.Index(fields=["account", "kpi_key", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kpi_key} {self.measured_on}: {self.value}"
