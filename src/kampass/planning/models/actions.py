"""Actions of an account plan: who does what by when, and what it concerns."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.planning.models.plans import AccountPlan


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("action status", "Done")
    CANCELLED = "cancelled", _("Cancelled")


#: statuses of an action that still has to be done
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
OPEN_STATUSES_VALUES: tuple[str, ...] = ("open", "in_progress")


class LinkKind(models.TextChoices):
    OPPORTUNITY = "opportunity", _("Opportunity")
    CONTACT = "contact", _("Contact")
    RISK = "risk", _("Risk")


class PlanAction(Versioned):
    """A step of the plan's strategy that one member of the account team owns: what is to be done
    (``title``, ``notes``), by when (``due_date``) and how far it is (``status``; ``completed_at`` when
    done). ``links`` names what it concerns in kampass (``[{"kind": "opportunity"|"contact"|"risk",
    "id": n}]``), ``topics`` the improvement themes it serves (free text). Open actions are carried
    into the next version of the plan; an action of a superseded version is history."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan"))
    title = models.CharField(_("title"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("copied from")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        """Open and its due date has passed."""
        return self.is_open and self.due_date is not None and self.due_date < today
