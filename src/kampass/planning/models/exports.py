"""Plan exports built in the background: the page asks for a file, the worker writes it, the page follows
its progress and offers the download."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kampass.planning.models.health import HealthRunStatus
from kampass.planning.models.plans import AccountPlan


class PlanExportJob(models.Model):
    """One export of a plan version (PDF, PPTX or XLSX, in German or English) asked for by a user and
    built by the task worker. The file waits in the private ``exports`` directory of the data directory
    until it is downloaded by the user who asked for it; jobs and files older than
    ``KAMPASS_EXPORT_KEEP_DAYS`` are removed by the daily schedule."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    fmt = models.CharField(_("format"), max_length=8)
    lang = models.CharField(_("language"), max_length=2, default="en")
    summary = models.BooleanField(_("one-page summary"), default=False)
    #: the same four states as the health computations: queued, running, done, failed
    status = models.CharField(
        _("status"), max_length=20, choices=HealthRunStatus.choices, default=HealthRunStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    file_path = models.CharField(_("stored file"), max_length=500, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("media type"), max_length=120, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan export")
        verbose_name_plural = _("plan exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.fmt} {self.lang} {self.status}"

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def active(self) -> bool:
        return self.status in (HealthRunStatus.QUEUED, HealthRunStatus.RUNNING)
