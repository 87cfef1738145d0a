"""Models of the shared plumbing: the background worker's sign of life, what every piece of background
work keeps, exchange rates, imports of master data and notifications."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A background task worker process that is (or was) running: imports, model training and
    reports only make progress while one is alive.

    Each worker process writes its row every few seconds (``last_seen``); a row whose
    ``last_seen`` is older than ``KAMPASS_WORKER_STALE_SECONDS`` belongs to a worker that died or
    hangs. The health endpoint and the UI's warning read these rows.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class JobStatus(models.TextChoices):
    """The states of every piece of background work."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


#: the states of background work that is still to finish (the pages poll it; one at a time where that matters)
ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class UploadStatus(models.TextChoices):
    """The states of an uploaded file's import: a draft while its columns are being mapped, then those of
    every piece of background work."""

    DRAFT = "draft", _("Mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundRun(models.Model):
    """What every piece of background work keeps (imports, model training, backtests, reports, plan exports,
    health computations): its id, status, message and error, who started it, when it was created and
    finished. Subclasses add their progress and outcome (and may narrow or widen ``status``'s choices).

    The task moves a run on with :meth:`mark`: one UPDATE of the fields it names, so the page that
    follows the run reads them at once, and fields the task did not touch are not written back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    message = models.CharField(_("message"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        """Waiting for the worker or running."""
        return self.status in ACTIVE_STATUSES

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def mark(self, status: str, **fields: Any) -> None:
        """Store ``status`` and ``fields`` on this run (and on this object); a finished run also gets its
        ``finished_at`` (now, unless given). A ``message`` is cut to the 500 characters it may have."""
        if status in (JobStatus.DONE, JobStatus.FAILED):
            fields.setdefault("finished_at", timezone.now())
        if "message" in fields:
            fields["message"] = str(fields["message"])[:500]
        type(self)._default_manager.filter(pk=self.pk).update(status=status, **fields)
        self.status = status
        for name, value in fields.items():
            setattr(self, name, value)


class ProgressRun(BackgroundRun):
    """A piece of background work that says how far it is: ``progress`` from 0 to 1."""

    progress = models.FloatField(_("progress"), default=0.0)

    class Meta(BackgroundRun.Meta):
        abstract = True

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    def report(self, fraction: float, message: str | None = None) -> None:
        """Store how far the work is (``fraction`` kept within 0 and 1) and, when given, what it does now."""
        fields: dict[str, Any] = {"progress": max(0.0, min(fraction, 1.0))}
        if message is not None:
            fields["message"] = message[:500]
        type(self)._default_manager.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)


class ExchangeRate(models.Model):
    """An exchange rate an administrator loaded from a rate file (``kampass rates load``): on ``day``,
    one euro bought ``per_euro`` units of ``currency``, according to ``source`` (e.g. the group
    treasury's month-end rates).

    Conversions prefer a loaded rate for the day (or the nearest earlier day within a week) over the
    ECB reference rates shipped with kampass (:mod:`kampass.common.fx`); every converted total names
    the source of its rates. A rate file given against another base currency is stored per euro
    (``base`` and ``base_rate`` keep what the file said). There is one loaded rate per currency and day:
    loading a file again replaces its rates, it does not add to them.
    """

    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3)
    per_euro = models.DecimalField(_("units per euro"), max_digits=24, decimal_places=10)
    base = models.CharField(_("base currency in the file"), max_length=3, default="EUR")
    base_rate = models.DecimalField(_("rate in the file"), max_digits=24, decimal_places=10)
    source = models.CharField(_("source"), max_length=100)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ("currency", "day")
        constraints = [
            models.UniqueConstraint(fields=("currency", "day"), name="exchange_rate_one_per_currency_day"),
            models.CheckConstraint(condition=models.Q(per_euro__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day} 1 EUR = {self.per_euro} {self.currency} ({self.source})"


class ScheduledRun(models.Model):
    """One run of a daily job of the worker's schedule (:mod:`kampass.common.schedule`), e.g. the health
    snapshots: the job ``name`` was enqueued for ``day``. One row per job and day, so however many
    workers run, a daily job is enqueued once a day."""

    name = models.CharField(_("job"), max_length=100)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued"), auto_now_add=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-day", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"


class ImportMapping(models.Model):
    """A column mapping saved under a name for one kind of import (``accounts``, ``users`` ...), so that
    the next export of the same system is imported without mapping it again."""

    kind = models.CharField(_("kind"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    #: field -> [columns]: the first column the file has wins
    columns = models.JSONField(_("columns"), default=dict)
    suggest = models.BooleanField(_("suggest the other columns"), default=True)
    created_by = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="import_mapping_unique_name")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class ImportRun(ProgressRun):
    """One upload of a master-data file (accounts, contacts, users, org units, account teams): uploaded,
    mapped (the columns per field, previewed), then imported or checked (dry run) as a background task.
    The file waits in the private uploads directory until the import has run; the outcome (created,
    updated, unchanged, the rejected rows with every reason) is kept here for the page and the API."""

    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(_("status"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.DRAFT)
    file_path = models.CharField(_("stored file"), max_length=500, blank=True)
    original_name = models.CharField(_("file"), max_length=255)
    mapping = models.CharField(_("column mapping"), max_length=100, default="generic")
    #: field -> column as the user chose them on the mapping step (empty: the mapping's own)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    strict = models.BooleanField(_("strict"), default=False)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"


class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("Assignment")
    MENTION = "mention", _("Mention")
    APPROVAL = "approval", _("Approval")
    GUARDRAIL = "guardrail", _("Guardrail")


class Notification(models.Model):
    """Something a user should know about: they were assigned something, mentioned, asked to approve, or
    a guardrail was breached. The text is stored as its English message id (``message``) with its
    parameters (``params``) and translated when it is shown, so each reader sees it in their language."""

    recipient = models.ForeignKey(
        "users.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.message}"


class Comment(models.Model):
    """A remark on an object of some context (an account, an opportunity, a plan section), with the
    ``@username`` mentions it holds.

    The target is an explicit ``(target_kind, target_id)`` pair rather than a ContentType: the kinds are
    the names the contexts register in :mod:`kampass.common.comments` (with who may see and comment on
    them), they are stable in URLs and the API, and a plan section (a key within a plan) is not a model
    row of its own. ``account_id`` is the account the target belongs to, so an account's timeline and
    the permission check of a whole account's comments are one query."""

    target_kind = models.CharField(_("target kind"), max_length=30)
    target_id = models.PositiveBigIntegerField(_("target id"))
    target_key = models.CharField(_("target key"), max_length=50, blank=True)
    account_id = models.PositiveBigIntegerField(_("account"), db_index=True)
    author = models.ForeignKey(
        "users.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("comment"), max_length=4000)
    mentions = models.ManyToManyField("users.User", blank=True, related_name="+", verbose_name=_("mentioned"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_kind", "target_id", "target_key"])]

    def __str__(self) -> str:
        return f"{self.target_kind}#{self.target_id}{self.target_key and '/' + self.target_key}: {self.body[:40]}"
