"""Commercialisation: links from ERP customer numbers to accounts, and import jobs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.common.models import ProgressRun, UploadStatus


class CustomerLink(Versioned):
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


class OnOverlap(models.TextChoices):
    """What an import does with lines that an earlier import already wrote (see
    :mod:`kampass.core.analytics.ingest.overlap`)."""

    SKIP = "skip", _("Skip the lines imported before")
    REPLACE = "replace", _("Replace the earlier lines with those of this file")
    IMPORT = "import", _("Import them again (count them twice)")


class ImportJob(ProgressRun):
    """One import of a transactions file into the analytics store, run as a background task.
    Progress and outcome are stored here for the UI and the CLI."""

    #: ``draft`` while the upload's columns are being mapped (web uploads), then the states of background work
    status = models.CharField(_("status"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    file_path = models.CharField(max_length=500)
    original_name = models.CharField(_("file"), max_length=300)
    mapping = models.CharField(_("mapping"), max_length=200, default="online-retail")
    #: field -> the file's column, as chosen on the mapping step (over the mapping's columns; empty: the mapping's)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    strict = models.BooleanField(_("strict"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    link_mode = models.CharField(_("customers"), max_length=20, choices=LinkMode.choices, default=LinkMode.EXTERNAL_ID)
    date_order = models.CharField(_("date order"), max_length=3, choices=DateOrder.choices, default="", blank=True)
    date_order_used = models.CharField(
        _("dates read as"), max_length=3, choices=DateOrder.choices, default="", blank=True,
        help_text=_("The day/month order the dates were read in (empty: the file has no day/month dates)."),
    )  # fmt: skip
    on_overlap = models.CharField(
        _("lines imported before"), max_length=10, choices=OnOverlap.choices, default=OnOverlap.SKIP
    )
    overlap = models.JSONField(
        _("overlap"), default=dict, blank=True,
        help_text=_("How the file overlapped earlier imports: lines, of, mode, skipped, replaced, earlier imports."),
    )  # fmt: skip
    encoding = models.CharField(
        _("encoding"), max_length=40, default="", blank=True,
        help_text=_("The file's text encoding as given with the import (empty: recognised from its bytes)."),
    )  # fmt: skip
    lines = models.BigIntegerField(_("lines imported"), default=0)
    rejected = models.BigIntegerField(_("lines rejected"), default=0)
    already_imported = models.BooleanField(_("already imported"), default=False)
    batch_id = models.CharField(max_length=64, blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    customers = models.IntegerField(_("customers"), default=0)
    linked_customers = models.IntegerField(_("customers linked"), default=0)
    accounts_created = models.IntegerField(_("accounts created"), default=0)
    unmatched_customers = models.JSONField(_("unmatched customers"), default=list, blank=True)

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
    def overlap_summary(self) -> str:
        """The overlap with earlier imports in the reader's language ("" when there was none): "N of M lines
        were imported before, in import X on DATE", and what the import did about them."""
        o = self.overlap or {}
        if not o.get("lines"):
            return ""
        places = []
        for e in o.get("earlier", []):
            at = parse_datetime(e["imported_at"]) if e.get("imported_at") else None
            when = date_format(timezone.localtime(at), "SHORT_DATE_FORMAT") if at else "?"
            places.append(_("import %(file)s on %(date)s") % {"file": e["file_name"], "date": when})
        text = ngettext(
            "%(lines)s of %(of)s line was imported before, in %(imports)s.",
            "%(lines)s of %(of)s lines were imported before, in %(imports)s.",
            o["of"],
        ) % {"lines": o["lines"], "of": o["of"], "imports": ", ".join(places)}
        if o.get("mode") == OnOverlap.SKIP:
            outcome = str(_("They are skipped.") if self.dry_run else _("They were skipped."))
        elif o.get("mode") == OnOverlap.REPLACE:
            outcome = (
                _("%(n)s earlier lines would be replaced.") if self.dry_run else _("%(n)s earlier lines were replaced.")
            ) % {"n": o.get("replaced", 0)}
        else:
            outcome = str(_("They are imported again.") if self.dry_run else _("They were imported again."))
        return f"{text} {outcome}"
