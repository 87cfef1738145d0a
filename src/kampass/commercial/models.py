"""Commercialisation: links from ERP customer numbers to accounts, and import jobs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CustomerLink(models.Model):
    """Which account a customer number of the source system (ERP, shop) belongs to.

    Invoice lines keep the customer number; this link decides under which account
    (and so which subtree) their revenue and leakage count."""

    customer_id = models.CharField(_("customer number"), max_length=100, unique=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="customer_links", verbose_name=_("account")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        ordering = ["customer_id"]

    def __str__(self) -> str:
        return f"{self.customer_id} -> {self.account}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LinkMode(models.TextChoices):
    EXTERNAL_ID = "external_id", _("Link customers to accounts with the same external id")
    CREATE = "create", _("Create missing accounts and link them")
    NONE = "none", _("Do not link (report unmatched customers only)")


# the built-in column mappings of a transactions import (kampass.core.analytics.mappings) by their title;
# the import form offers them, the job pages name them (a mapping file of one's own is shown by its name)
MAPPING_TITLES = {
    "online-retail": _("Online Retail"),
    "generic": _("Generic"),
}


class DateOrder(models.TextChoices):
    """The day/month order of slash dates such as 03/04/2011, when the file's values cannot decide it."""

    DECIDE = "", _("Decide from the file (ask when it cannot be told)")
    DMY = "dmy", _("Day/month/year (31/12/2011)")
    MDY = "mdy", _("Month/day/year (12/31/2011)")


class ImportJob(models.Model):
    """One import of a transactions file into the analytics store, run as a background task.
    Progress and outcome are stored here for the UI and the CLI."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_path = models.CharField(max_length=500)
    original_name = models.CharField(_("file"), max_length=300)
    mapping = models.CharField(_("mapping"), max_length=200, default="online-retail")
    strict = models.BooleanField(_("strict"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    link_mode = models.CharField(_("customers"), max_length=20, choices=LinkMode.choices, default=LinkMode.EXTERNAL_ID)
    date_order = models.CharField(_("date order"), max_length=3, choices=DateOrder.choices, default="", blank=True)
    date_order_used = models.CharField(
        _("dates read as"), max_length=3, choices=DateOrder.choices, default="", blank=True,
        help_text=_("The day/month order the dates were read in (empty: the file has no day/month dates)."),
    )  # fmt: skip
    encoding = models.CharField(
        _("encoding"), max_length=40, default="", blank=True,
        help_text=_("The file's text encoding as given with the import (empty: recognised from its bytes)."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    lines = models.BigIntegerField(_("lines imported"), default=0)
    rejected = models.BigIntegerField(_("lines rejected"), default=0)
    already_imported = models.BooleanField(_("already imported"), default=False)
    batch_id = models.CharField(max_length=64, blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    customers = models.IntegerField(_("customers"), default=0)
    linked_customers = models.IntegerField(_("customers linked"), default=0)
    accounts_created = models.IntegerField(_("accounts created"), default=0)
    unmatched_customers = models.JSONField(_("unmatched customers"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def mapping_title(self) -> str:
        """The column mapping by its title in the reader's language (``online-retail`` → "Online Retail")."""
        return str(MAPPING_TITLES.get(self.mapping, self.mapping))

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
