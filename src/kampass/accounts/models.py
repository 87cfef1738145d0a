"""Key accounts, their hierarchy, contacts, buying centres and account teams (operative KAM)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from kampass.common.concurrency import Versioned
from kampass.common.currencies import CURRENCIES


class KamStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CANDIDATE = "candidate", _("Candidate")
    KEY_ACCOUNT = "key_account", _("Key account")
    STRATEGIC = "strategic", _("Strategic account")
    DEMOTED = "demoted", _("Demoted")


class Account(Versioned):
    """A customer organisation the supplier manages: a group, a company, a
    division or country organisation, or a site. Accounts form a tree of any
    depth; large customers such as conglomerates are markets of their own, so
    figures and lists roll up from the sites to the group.

    ``path`` is the materialised path of ancestor ids (``"12/45/78/"`` for
    account 78 under 45 under 12); it makes subtree look-ups a prefix query and
    is maintained only by the services."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent account"),
    )
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    kam_status = models.CharField(
        _("KAM status"), max_length=20, choices=KamStatus.choices, default=KamStatus.PROSPECT, db_index=True
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True, db_index=True)
    lead_unit = models.ForeignKey(
        "users.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_accounts",
        verbose_name=_("lead unit"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["path", "depth", "updated_at"])

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "parent", name="account_unique_name_per_parent"),
            models.UniqueConstraint(
                Lower("name"), condition=models.Q(parent__isnull=True), name="account_unique_top_level_name"
            ),
        ]
        indexes = [
            models.Index(fields=["industry"]),
            models.Index(fields=["country"]),
            # the account list's order: a late page skips along it without computing the skipped rows' columns
            # (page 214 of 5,000 accounts: 10 ms -> 0.2 ms)
            models.Index(Lower("name"), models.F("id"), name="account_lower_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent of this account."""
        return [int(p) for p in self.path.split("/") if p][:-1]


class AccountStatusChange(models.Model):
    """A dated change of an account's KAM status (e.g. candidate -> key
    account) with the reason for it: the selection history of the account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=KamStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=KamStatus.choices)
    reason = models.TextField(_("reason"))
    effective_date = models.DateField(_("effective date"))
    changed_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_date", "-changed_at"]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_status or '–'} -> {self.to_status} ({self.effective_date})"


class Contact(Versioned):
    """A person on the customer side. One person can hold positions at several
    accounts (e.g. a group purchasing director who also sits on a subsidiary's
    board)."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        # the contact list's order (by name, any case): its pages without sorting every contact
        indexes = [models.Index(Lower("last_name"), Lower("first_name"), models.F("id"), name="contact_lower_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Position(Versioned):
    """The job a contact holds at one account, and whom they report to there."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="positions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    reports_to = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
        verbose_name=_("reports to"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [models.UniqueConstraint(fields=["contact", "account"], name="position_unique_contact_account")]

    def __str__(self) -> str:
        return f"{self.contact} – {self.title} @ {self.account}"


class BuyingRole(models.TextChoices):
    INITIATOR = "initiator", _("Initiator")
    USER = "user", pgettext_lazy("buying-centre role", "User")
    INFLUENCER = "influencer", _("Influencer")
    BUYER = "buyer", _("Buyer")
    DECIDER = "decider", _("Decider")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    APPROVER = "approver", _("Approver")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    TECHNICAL_BUYER = "technical_buyer", _("Technical buyer")
    USER_BUYER = "user_buyer", _("User buyer")
    COACH = "coach", _("Coach / champion")
    BLOCKER = "blocker", _("Blocker")


class PoliticalStatus(models.TextChoices):
    OUTSIDE = "outside", _("Outside")
    POLITICAL_STRUCTURE = "political_structure", _("Political structure")
    INNER_CIRCLE = "inner_circle", _("Inner circle")


# the attitude with its sign and its word: never told by colour alone (WCAG 1.4.1)
ATTITUDE_CHOICES = [
    (-2, _("−2 hostile")),
    (-1, _("−1 sceptical")),
    (0, _("0 neutral")),
    (1, _("+1 positive")),
    (2, _("+2 supporter")),
]


def attitude_text(attitude: int) -> str:
    """``+2 supporter``, ``−1 sceptical``: the attitude as sign, number and word in the active language."""
    return str(dict(ATTITUDE_CHOICES).get(attitude, attitude))


class BuyingCentreMember(Versioned):
    """A contact's part in the buying centre of an account: the roles they play
    in buying decisions (a contact can hold several), how much influence they
    have (0-10), how they feel about the supplier (-2 hostile .. +2 supportive)
    and where they stand politically."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="buying_centre")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="buying_centre_memberships")
    roles = models.JSONField(_("roles"), default=list, blank=True)
    # the change history shows the roles by their labels (kampass.users.history.display_value)
    HISTORY_LABELS: ClassVar[dict[str, Callable[[Any], list[str]]]] = {"roles": lambda roles: buying_role_labels(roles)}
    influence = models.PositiveSmallIntegerField(
        _("influence"), default=5, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    attitude = models.SmallIntegerField(
        _("attitude"), default=0, validators=[MinValueValidator(-2), MaxValueValidator(2)]
    )
    political_status = models.CharField(
        _("political status"), max_length=30, choices=PoliticalStatus.choices, default=PoliticalStatus.OUTSIDE
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buying centre member")
        verbose_name_plural = _("buying centre members")
        ordering = ["-influence"]
        constraints = [
            models.UniqueConstraint(fields=["account", "contact"], name="buying_centre_unique_contact"),
            models.CheckConstraint(condition=models.Q(influence__lte=10), name="buying_centre_influence_max_10"),
            models.CheckConstraint(
                condition=models.Q(attitude__gte=-2, attitude__lte=2), name="buying_centre_attitude_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.account}"

    def role_labels(self) -> list[str]:
        return buying_role_labels(self.roles)

    @property
    def attitude_text(self) -> str:
        """The attitude as sign, number and word (``+2 supporter``)."""
        return attitude_text(self.attitude)


def buying_role_labels(roles: list[str]) -> list[str]:
    """The labels of buying-centre role keys, in the active language (unknown keys as they are)."""
    labels = dict(BuyingRole.choices)
    return [str(labels.get(r, r)) for r in roles]


class TeamRole(models.TextChoices):
    KAM = "kam", _("Key account manager")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service")
    TECHNICAL = "technical", _("Technical")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Other")


class TeamMember(Versioned):
    """A user of the supplier working on an account in a role. Membership of
    an account's team (or of an ancestor's) is what lets a key account manager
    edit the account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_teams")
    role = models.CharField(_("team role"), max_length=30, choices=TeamRole.choices, default=TeamRole.KAM)
    org_unit = models.ForeignKey(
        "users.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("org unit")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="team_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class RelationshipLevel(models.IntegerChoices):
    VENDOR = 1, _("Vendor")
    CREDIBLE_SOURCE = 2, _("Credible source")
    PROBLEM_SOLVER = 3, _("Problem solver")
    TRUSTED_ADVISOR = 4, _("Trusted advisor")


class Coverage(Versioned):
    """Which team member covers which contact of the account, with the
    relationship level reached now and the level the team aims for."""

    team_member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="coverage")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="coverage")
    level_now = models.PositiveSmallIntegerField(
        _("level now"), choices=RelationshipLevel.choices, default=RelationshipLevel.VENDOR
    )
    level_target = models.PositiveSmallIntegerField(
        _("target level"), choices=RelationshipLevel.choices, default=RelationshipLevel.PROBLEM_SOLVER
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverage")
        constraints = [models.UniqueConstraint(fields=["team_member", "contact"], name="coverage_unique")]

    def __str__(self) -> str:
        return f"{self.team_member.user} -> {self.contact}"
