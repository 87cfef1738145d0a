"""The selection portfolio: the versioned criteria catalogue, the ratings of the rated criteria and
the selection rounds with their proposals and decisions."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
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


#: the labels of the default catalogue's criteria (``services_selection.default_criteria``): a criterion
#: that still has its default label (in English or German) is shown in the reader's language
DEFAULT_LABELS = {
    "purchase_volume": _("Purchase volume"),
    "growth": _("Growth"),
    "profitability": _("Profitability"),
    "reference_value": _("Reference value"),
    "cooperation_potential": _("Cooperation potential"),
    "price_enforceability": _("Price enforceability"),
    "creditworthiness": _("Creditworthiness"),
    "strategic_fit": _("Strategic fit"),
    "share_of_wallet": _("Share of wallet"),
    "relationship_level": _("Relationship stage"),
    "buying_centre_coverage": _("Buying-centre coverage"),
    "win_rate": _("Win rate"),
    "satisfaction": _("Satisfaction"),
    "proximity": _("Proximity"),
}

#: how each computed criterion scores its fact (``kampass.core.screening.portfolio.SCORING``), in words
SCORING_TEXTS = {
    "purchase_volume": _("gross revenue of the last 12 months, log scale: 1,000 = 0, 1,000,000 = 100"),
    "growth": _("revenue of the last 12 months against the 12 before: -30 % = 0, +30 % = 100"),
    "profitability": _("contribution / gross revenue of 12 months: 0 % = 0, 50 % = 100"),
    "win_rate": _("won / (won + lost) opportunities closed in 24 months: 0-100 %"),
    "buying_centre_coverage": _("decision makers covered at the aimed level / decision makers: 0-100 %"),
    "share_of_wallet": _(
        "revenue of 12 months / realistic wallet (the q quantile of comparable accounts' spend): 0-100 %"
    ),
    "relationship_level": _("relationship stage, exploratory (1) = 0 .. integrated (5) = 100"),
}


@lru_cache(maxsize=64)
def _default_texts(key: str) -> frozenset[str]:
    label = DEFAULT_LABELS[key]
    texts = set()
    for lang in ("en", "de"):
        with translation.override(lang):
            texts.add(str(label))
    return frozenset(texts)


def scoring_text(key: str, fallback: str = "") -> str:
    """How the computed criterion ``key`` scores its fact, in the active language."""
    text = SCORING_TEXTS.get(key)
    return str(text) if text is not None else fallback


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
        return self.shown_label

    @property
    def shown_label(self) -> str:
        """The label in the reader's language while it is a default criterion's default label (in English
        or German); a label the head of KAM wrote is shown as written."""
        if self.key in DEFAULT_LABELS and self.label.strip() in _default_texts(self.key):
            return str(DEFAULT_LABELS[self.key])
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
