"""Customer projects (opportunities), their sales stages, qualification, buying-centre links,
risk register, and the win-probability models that harden the owners' numbers (Facts & Strategy)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.common.currencies import CURRENCIES
from kampass.common.models import BackgroundRun, ProgressRun, UploadStatus

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]

#: Probability that a risk occurs, by its likelihood rating 1..5: the midpoints of five
#: equal bands (1 = rare 0-20 % -> 0.1, 2 = unlikely -> 0.3, 3 = possible -> 0.5,
#: 4 = likely -> 0.7, 5 = almost certain 80-100 % -> 0.9).
LIKELIHOOD_PROBABILITY: dict[int, Decimal] = {
    1: Decimal("0.1"),
    2: Decimal("0.3"),
    3: Decimal("0.5"),
    4: Decimal("0.7"),
    5: Decimal("0.9"),
}


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class StageSet(models.Model):
    """A sales process: the ordered stages an opportunity of this kind passes through
    (e.g. the standard process, or a shorter one for repeat orders). One set is the default."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    late_probability = models.PositiveSmallIntegerField(
        _("late from probability (%)"),
        default=50,
        validators=PERCENT,
        help_text=_(
            "Open stages with at least this default probability count as late (qualification gaps are flagged)."
        ),
    )

    class Meta:
        verbose_name = _("sales process")
        verbose_name_plural = _("sales processes")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_stage_set"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One step of a sales process, with its place in the order, the default win probability
    an owner would quote at this step, and whether it is open, won or lost."""

    stage_set = models.ForeignKey(
        StageSet, on_delete=models.CASCADE, related_name="stages", verbose_name=_("sales process")
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"))
    probability = models.PositiveSmallIntegerField(_("default probability (%)"), validators=PERCENT)
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN)
    late = models.BooleanField(
        _("late stage"), default=False, help_text=_("Economic buyer and champion must be confirmed from here on.")
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["stage_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["stage_set", "name"], name="stage_unique_name"),
            models.UniqueConstraint(fields=["stage_set", "order"], name="stage_unique_order"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_max_100"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.kind == StageKind.OPEN

    @property
    def is_late(self) -> bool:
        """Open and late in the process: flagged explicitly or at/after the set's late probability."""
        return self.kind == StageKind.OPEN and (self.late or self.probability >= self.stage_set.late_probability)


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    OMITTED = "omitted", _("Omitted")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ModelVersion(models.Model):
    """A trained win-probability model: when it was trained, on how many closed opportunities,
    with which (as-of) features, how well it scored in cross-validation, and the fitted model
    itself. Every stored score names the version that produced it; one version is active."""

    version = models.CharField(_("version"), max_length=64, unique=True)
    trained_at = models.DateTimeField(_("trained"))
    training_rows = models.PositiveIntegerField(_("training rows"))
    base_rate = models.FloatField(_("base rate"), default=0.0)
    features = models.JSONField(_("features"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    reliability = models.JSONField(_("reliability bins"), default=dict, blank=True)
    holdout = models.JSONField(
        _("out-of-fold probabilities"),
        default=dict,
        blank=True,
        help_text=_("Cross-validated win probability of every training opportunity, by id."),
    )
    model = models.BinaryField(_("model"))
    active = models.BooleanField(_("active"), default=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return self.version


class Opportunity(Versioned):
    """A customer project the supplier wants to win at an account: what it is worth, when it
    should close, where it stands in the sales process, how likely the owner thinks it is to
    be won and how likely the trained model thinks it is (the hardened probability).

    Probabilities: ``owner_probability`` is the owner's estimate in whole percent (0-100);
    ``probability`` is the model's calibrated win probability as a fraction (0-1), stored with
    the ``model_version`` that produced it and ``scored_at``."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="opportunities", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    stage_set = models.ForeignKey(StageSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales process"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(
        _("owner name"), max_length=200, blank=True, help_text=_("The owner as named in an imported file.")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner_probability = models.PositiveSmallIntegerField(
        _("owner's probability (%)"), null=True, blank=True, validators=PERCENT
    )
    probability = models.FloatField(_("calibrated probability"), null=True, blank=True, editable=False)
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True, editable=False)
    forecast_category = models.CharField(
        _("forecast category"), max_length=20, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    competitors = models.JSONField(_("competitors"), default=list, blank=True)
    products = models.JSONField(_("products"), default=list, blank=True)
    lead_source = models.CharField(_("lead source"), max_length=100, blank=True)
    opportunity_type = models.CharField(_("type"), max_length=100, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN, db_index=True
    )
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    created_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "probability", "model_version", "scored_at"])

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="opportunity_unique_external_id",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="opportunity_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["account", "outcome"]),
            models.Index(fields=["expected_close_date"]),
            # a board column's first cards (by close date) without sorting the whole stage
            models.Index(fields=["stage", "expected_close_date", "id"], name="opportunity_stage_close"),
            # the opportunity list's default order (by name, any case): its pages without sorting every deal
            models.Index(Lower("name"), F("id"), name="opportunity_lower_name"),
            # the stamps of the kept pipeline figures read the last change and the newest score by index
            models.Index(fields=["updated_at"], name="opportunity_updated"),
            models.Index(fields=["scored_at"], name="opportunity_scored"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_display(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name

    @property
    def is_open(self) -> bool:
        return self.outcome == Outcome.OPEN


class OpportunityStageChange(models.Model):
    """One move of an opportunity from one stage to another, when and by whom: the complete
    stage history (the first entry, without ``from_stage``, records where it started).

    ``amount`` is the deal's value as it was at the move, where a stage-history file says so.
    A ``derived`` entry was not recorded but follows for certain from what was (a won deal passed
    every earlier open stage of its process); its date is unknown (``changed_at`` empty) and is
    never invented."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    changed_at = models.DateTimeField(_("when"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount then"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    derived = models.BooleanField(
        _("derived"), default=False, help_text=_("Not recorded, but certain from the recorded history; date unknown.")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.from_stage or '–'} -> {self.to_stage}"


class OpportunityContact(Versioned):
    """A contact of the customer who takes part in deciding this project, with the roles they
    play in it (the buying-centre vocabulary of the accounts context)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey(
        "accounts.Contact", on_delete=models.CASCADE, related_name="opportunity_roles", verbose_name=_("contact")
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buying-centre link")
        verbose_name_plural = _("buying-centre links")
        constraints = [models.UniqueConstraint(fields=["opportunity", "contact"], name="opportunity_contact_unique")]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.opportunity}"

    def role_labels(self) -> list[str]:
        from kampass.accounts.facade import buying_role_labels

        return buying_role_labels(self.roles)


class QualificationElement(models.TextChoices):
    """The eight MEDDPICC elements, in their usual order."""

    METRICS = "metrics", _("Metrics")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    DECISION_CRITERIA = "decision_criteria", _("Decision criteria")
    DECISION_PROCESS = "decision_process", _("Decision process")
    PAPER_PROCESS = "paper_process", _("Paper process")
    IDENTIFIED_PAIN = "identified_pain", _("Identified pain")
    CHAMPION = "champion", _("Champion")
    COMPETITION = "competition", _("Competition")


class QualificationStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    PARTIAL = "partial", _("Partly known")
    CONFIRMED = "confirmed", _("Confirmed")


#: Elements that must be confirmed once an opportunity reaches a late stage.
LATE_STAGE_ELEMENTS = (QualificationElement.ECONOMIC_BUYER, QualificationElement.CHAMPION)


class Qualification(Versioned):
    """How far one MEDDPICC element of an opportunity is known, and the evidence for it.
    Elements without a row count as missing."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="qualification")
    element = models.CharField(_("element"), max_length=30, choices=QualificationElement.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=QualificationStatus.choices, default=QualificationStatus.MISSING
    )
    evidence = models.TextField(_("evidence"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("qualification element")
        verbose_name_plural = _("qualification")
        constraints = [models.UniqueConstraint(fields=["opportunity", "element"], name="qualification_unique_element")]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.get_element_display()} {self.get_status_display()}"


class RiskCategory(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    COMMERCIAL = "commercial", _("Commercial")
    CONTRACTUAL = "contractual", _("Contractual / legal")
    DELIVERY = "delivery", _("Delivery")
    RELATIONSHIP = "relationship", _("Relationship")
    FINANCIAL = "financial", _("Financial")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Being mitigated")
    CLOSED = "closed", _("Closed")
    OCCURRED = "occurred", _("Occurred")


#: Risks whose cost is still expected (counted in the expected risk cost).
ACTIVE_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING)


class Risk(Versioned):
    """A risk of a customer project: what could go wrong, how likely (1-5) and how bad (1-5)
    it is, what it would cost, what is done about it, by whom and by when. The expected cost
    is the likelihood's probability (see ``LIKELIHOOD_PROBABILITY``) times the cost."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=ONE_TO_FIVE)
    cost = models.DecimalField(
        _("cost if it occurs"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-likelihood", "-impact", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"
            ),
            models.CheckConstraint(condition=models.Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        """Likelihood x impact (1-25), the position in the risk matrix."""
        return self.likelihood * self.impact

    @property
    def expected_cost(self) -> Decimal | None:
        """Probability of the likelihood rating x cost (None without a cost)."""
        if self.cost is None:
            return None
        return (LIKELIHOOD_PROBABILITY[self.likelihood] * self.cost).quantize(Decimal("0.01"))


class TrainingJob(ProgressRun):
    """One (re)training of the win-probability model, run as a background task: it trains on
    the closed opportunities, stores a new model version and scores all open opportunities.
    Progress and outcome are stored here for the UI and the CLI."""

    model_version = models.ForeignKey(
        ModelVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("model version"),
    )
    scored = models.PositiveIntegerField(_("opportunities scored"), default=0)

    class Meta:
        verbose_name = _("training job")
        verbose_name_plural = _("training jobs")
        ordering = ["-created_at"]


class BacktestRun(BackgroundRun):
    """One temporal backtest of the win model and its baselines on kampass's own opportunities, run as a
    background task: at each origin it trains on what was known then and scores what was open then
    (:mod:`kampass.core.forecasting.backtest`). Progress (origins done of all), the result (the
    document ``kampass forecast backtest --json`` prints, with the verdict model vs. best baseline) and,
    when the model was not better, the better scorer's probabilities for the open opportunities
    (``switch``) are stored here: the last finished run decides which scorer the forecast uses. With
    them ``band_calibration``: kampass's past errors of period totals at the horizon of a month and of a
    quarter, from which the live forecast's band is made (never computed in a web request)."""

    horizon = models.PositiveSmallIntegerField(_("horizon (days)"), default=90)
    origins_total = models.PositiveSmallIntegerField(_("origins"), default=0)
    origins_done = models.PositiveSmallIntegerField(_("origins done"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    switch = models.JSONField(
        _("better scorer's probabilities"),
        default=dict,
        blank=True,
        help_text=_("When the model was not better than the best baseline: that scorer and its probabilities."),
    )
    band_calibration = models.JSONField(
        _("forecast band calibration"),
        default=dict,
        blank=True,
        help_text=_(
            "kampass's past forecast errors per forecast period (month, quarter), from which the live "
            "forecast's band is made."
        ),
    )

    class Meta:
        verbose_name = _("backtest run")
        verbose_name_plural = _("backtest runs")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return round(100 * self.origins_done / self.origins_total) if self.origins_total else 0


class TargetPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class TargetScope(models.TextChoices):
    OWNER = "owner", _("Owner")
    TEAM = "team", _("Team")
    ACCOUNT = "account", _("Account subtree")


#: Periods per year of each kind: the range of ``Target.number``.
PERIODS_PER_YEAR = {TargetPeriod.MONTH: 12, TargetPeriod.QUARTER: 4, TargetPeriod.YEAR: 1}


class Target(Versioned):
    """A quota: the revenue the head of KAM expects from one owner (a user), one team (an org unit of
    the supplier: the owners whose account-team membership names it) or one account with everything
    below it, in one month, quarter or year. The forecast page sets what is won, committed, best
    case and pipeline against it. ``number`` is the month (1-12) or quarter (1-4) of ``year``; 1 for
    a year."""

    scope = models.CharField(_("for"), max_length=10, choices=TargetScope.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
        verbose_name=_("owner"),
    )
    org_unit = models.ForeignKey(
        "users.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    period = models.CharField(_("period"), max_length=10, choices=TargetPeriod.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.PositiveSmallIntegerField(
        _("month or quarter"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    amount = models.DecimalField(_("target"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "period", "number", "scope", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="target_amount_not_negative"),
            models.CheckConstraint(
                condition=(
                    models.Q(scope="owner", owner__isnull=False, org_unit__isnull=True, account__isnull=True)
                    | models.Q(scope="team", owner__isnull=True, org_unit__isnull=False, account__isnull=True)
                    | models.Q(scope="account", owner__isnull=True, org_unit__isnull=True, account__isnull=False)
                ),
                name="target_one_subject_per_scope",
            ),
            models.UniqueConstraint(
                fields=["owner", "period", "year", "number"],
                condition=models.Q(scope="owner"),
                name="target_unique_owner_period",
            ),
            models.UniqueConstraint(
                fields=["org_unit", "period", "year", "number"],
                condition=models.Q(scope="team"),
                name="target_unique_team_period",
            ),
            models.UniqueConstraint(
                fields=["account", "period", "year", "number"],
                condition=models.Q(scope="account"),
                name="target_unique_account_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.period_label}"

    @property
    def subject_label(self) -> str:
        subject = {"owner": self.owner, "team": self.org_unit, "account": self.account}.get(self.scope)
        return str(subject) if subject is not None else "–"

    @property
    def period_label(self) -> str:
        """``"2026"``, ``"2026-Q4"`` or ``"2026-12"`` (months and quarters as the forecast labels them)."""
        from kampass.core.periods import target_period_label

        return target_period_label(self.period, self.year, self.number)

    @property
    def start(self) -> Any:
        from kampass.core.periods import target_period_bounds

        return target_period_bounds(self.period, self.year, self.number)[0]

    @property
    def end(self) -> Any:
        from kampass.core.periods import target_period_bounds

        return target_period_bounds(self.period, self.year, self.number)[1]


class PipelineImportKind(models.TextChoices):
    STAGE_HISTORY = "stage_history", _("Stage history")
    TARGETS = "targets", _("Targets")
    OPPORTUNITIES = "opportunities", _("Opportunities")


class PipelineImport(ProgressRun):
    """One upload of a pipeline file, imported as a background task: a stage-history export (the dated
    stage entries of the opportunities already imported, e.g. Salesforce ``OpportunityHistory``) or a
    targets file (quotas per owner, team or account and period). The uploaded file waits in the private
    uploads directory until the import has run; the outcome (what was imported, what was derived, the
    rows refused with row, column, value and reason) is stored here for the page and the API."""

    kind = models.CharField(_("kind"), max_length=20, choices=PipelineImportKind.choices)
    #: an opportunity upload waits as a draft on its mapping step until the user starts it
    status = models.CharField(_("status"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    file_path = models.CharField(_("stored file"), max_length=500, blank=True)
    original_name = models.CharField(_("file"), max_length=255)
    mapping = models.CharField(_("column mapping"), max_length=50, blank=True)
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    link = models.CharField(_("account links"), max_length=20, blank=True)
    prefer = models.CharField(_("contradictions resolved by"), max_length=10, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    strict = models.BooleanField(_("strict"), default=False)
    result = models.JSONField(_("result"), default=dict, blank=True)
    #: field -> the file's column, as chosen on the mapping step (over the mapping's columns)
    columns = models.JSONField(_("columns"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pipeline import")
        verbose_name_plural = _("pipeline imports")
        ordering = ["-created_at"]


class UnlinkedOpportunity(models.Model):
    """An opportunity awaiting an account: an imported deal whose company is not (yet) an account of
    kampass (a lead-like state with the company's name), kept instead of rejected by ``kampass import
    opportunities --link keep``. It holds what the file's row had; linking it to an account (or creating
    the account from the company) turns it into a real :class:`Opportunity` and deletes this record.

    It has no account, so it is in no forecast, board, account view or figure until it is linked; it is
    shown on its own list ("Opportunities without an account")."""

    company_name = models.CharField(_("company"), max_length=200)
    company_external_id = models.CharField(_("company's external id"), max_length=100, blank=True)
    company_industry = models.CharField(_("industry"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    parent_company = models.CharField(
        _("parent company"), max_length=200, blank=True, help_text=_("The parent's external id or name in the file.")
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage")
    )
    stage_name = models.CharField(_("stage name"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    forecast_category = models.CharField(
        _("forecast category"), max_length=20, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    owner_probability = models.PositiveSmallIntegerField(
        _("owner's probability (%)"), null=True, blank=True, validators=PERCENT
    )
    created_on = models.DateField(_("opened on"))
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(_("owner name"), max_length=200, blank=True)
    lead_source = models.CharField(_("lead source"), max_length=100, blank=True)
    opportunity_type = models.CharField(_("type"), max_length=100, blank=True)
    import_file = models.CharField(_("imported from"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("opportunity without an account")
        verbose_name_plural = _("opportunities without an account")
        ordering = ["company_name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="unlinked_opportunity_unique_external_id",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="unlinked_opportunity_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company_name})"

    @property
    def owner_display(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name

    @property
    def company_key(self) -> str:
        """The company as one account: its external id, else its normalised name (duplicates are one account)."""
        from kampass.pipeline.selectors.unlinked import normalise_company

        return (
            f"id:{self.company_external_id}"
            if self.company_external_id
            else f"name:{normalise_company(self.company_name)}"
        )
