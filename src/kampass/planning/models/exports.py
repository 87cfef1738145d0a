"""Plan exports built in the background: the page asks for a file, the worker writes it, the page follows
its progress and offers the download."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kampass.common.models import ProgressRun
from kampass.planning.models.plans import AccountPlan


class PlanExportJob(ProgressRun):
    """One export of a plan version (PDF, PPTX or XLSX, in German or English) asked for by a user and
    built by the task worker. The file waits in the private ``exports`` directory of the data directory
    until it is downloaded by the user who asked for it; jobs and files older than
    ``KAMPASS_EXPORT_KEEP_DAYS`` are removed by the daily schedule."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    fmt = models.CharField(_("format"), max_length=8)
    lang = models.CharField(_("language"), max_length=2, default="en")
    summary = models.BooleanField(_("one-page summary"), default=False)
    file_path = models.CharField(_("stored file"), max_length=500, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("media type"), max_length=120, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    #: the file is the user's: it goes with them (the base class's ``created_by`` would keep it, unowned)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("plan export")
        verbose_name_plural = _("plan exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.fmt} {self.lang} {self.status}"
