"""The selection portfolio: the versioned criteria catalogue, the ratings of the rated criteria and
the selection rounds with their proposals and decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Dimension(models.TextChoices):
    ATTRACTIVENESS = "attractiveness", _("Customer attractiveness")
    POSITION = "position", _("Our position")


class CriterionKind(models.TextChoices):
    COMPUTED = "computed", _("Computed from the facts")
    RATED = "rated", _("Rated 1–5")


class Catalogue(models.Model):
    """One version of the selection criteria catalogue, published by the head of KAM. A catalogue is
    never changed once published: a change of criteria or weights publishes the next version, so each
    selection round keeps the catalogue it was scored with. The newest version is in force."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    threshold = models.DecimalField(
        _("quadrant threshold"),
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Scores at or above it count as high (0–100)."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criteria catalogue")
        verbose_name_plural = _("criteria catalogues")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class Criterion(models.Model):
    """A selection criterion of one catalogue version: its dimension, whether it is computed from the
    facts (its key names the scoring function) or rated 1–5 by people, and its weight."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=200)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)], default=1
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["catalogue", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "key"], name="screening_criterion_unique_key")]

    def __str__(self) -> str:
        return self.label


class Rating(models.Model):
    """A person's rating (1–5) of an account on a rated criterion (by key), with the justification.
    Ratings are never overwritten: the newest rating of an account and criterion counts, the older
    ones stay as its history (who rated what, when and why)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="selection_ratings", verbose_name=_("account")
    )
    criterion_key = models.SlugField(_("criterion"), max_length=50)
    value = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    justification = models.TextField(_("justification"))
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("rated by")
    )
    rated_at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["account", "criterion_key", "-rated_at", "-pk"]
        indexes = [models.Index(fields=["account", "criterion_key"])]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.criterion_key}: {self.value}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SelectionRound(models.Model):
    """A selection round for a period (e.g. “2026 H2”): the accounts scored with one catalogue version
    as of a day, a proposal for each (promote, demote, exit, keep) and the head of KAM's decisions.
    A round is closed when every proposal is decided."""

    period = models.CharField(_("period"), max_length=50, unique=True)
    as_of = models.DateField(_("facts as of"))
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("catalogue")
    )
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.period


class Move(models.TextChoices):
    PROMOTE = "promote", _("Promote")
    DEMOTE = "demote", _("Demote")
    EXIT = "exit", _("Exit")
    KEEP = "keep", _("Keep")


class Decision(models.Model):
    """One account in a selection round: its scores and quadrant, the proposed move and status, and
    the head of KAM's decision (the status it gets, with the reason). A decision that changes the
    status changes the account's KAM status and its history through the accounts context."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="decisions")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="selection_decisions", verbose_name=_("account")
    )
    attractiveness = models.DecimalField(_("attractiveness"), max_digits=6, decimal_places=2, null=True, blank=True)
    position = models.DecimalField(_("position"), max_digits=6, decimal_places=2, null=True, blank=True)
    quadrant = models.CharField(_("quadrant"), max_length=20, blank=True)
    revenue = models.DecimalField(
        _("revenue (12 months)"), max_digits=18, decimal_places=2, null=True, blank=True,
        help_text=_("Gross revenue of the last 12 months with invoice facts, in the round's currency."),
    )  # fmt: skip
    from_status = models.CharField(_("status before"), max_length=20)
    proposed_move = models.CharField(_("proposed move"), max_length=10, choices=Move.choices)
    proposed_status = models.CharField(_("proposed status"), max_length=20)
    decided_status = models.CharField(_("decided status"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("selection decision")
        verbose_name_plural = _("selection decisions")
        ordering = ["round", "account__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "account"], name="screening_decision_unique_account")]

    def __str__(self) -> str:
        return f"{self.round} / {self.account_id}"

    @property
    def decided(self) -> bool:
        return self.decided_at is not None
