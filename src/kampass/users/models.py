"""Users of kampass, their roles, the supplier's org units and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may do in kampass (see ``kampass.accounts.rules``)."""

    ADMIN = "admin", _("Administrator")
    HEAD = "head", _("Head of KAM")
    KAM = "kam", _("Key account manager")
    CONTROLLER = "controller", _("Controller")
    VIEWER = "viewer", _("Viewer")


class KampassUserManager(UserManager["User"]):
    """Django's user manager, except that a superuser's password must pass the password validators:
    ``createsuperuser`` checks them neither with ``--noinput`` (``DJANGO_SUPERUSER_PASSWORD``) nor when
    its "Bypass password validation" question is answered with yes."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        if password is not None:
            validate_password(password, self.model(username=username, email=email or "", **extra_fields))
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


#: the columns :func:`user_name` needs, for reading users' names without a user object each
USER_NAME_FIELDS = ("first_name", "last_name", "username")


def user_name(first_name: str, last_name: str, username: str) -> str:
    """How a user is named to others: the full name, else the username (also ``str(user)``).

    >>> user_name("Anna", "Keller", "anna"), user_name("", "", "anna")
    ('Anna Keller', 'anna')
    """
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    """A person who works with kampass: a head of KAM, a key account manager, a
    controller or an executive reading along. The role decides what they may
    read and edit; the language is the one the UI speaks to them; the view currency is the one their
    consolidated totals are shown in (empty: the installation's reporting currency). The org unit and
    the manager place them in the supplier's own organisation; the external id is their id in the
    system they were imported from (e.g. a Salesforce user id)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    view_currency = models.CharField(_("view currency"), max_length=3, blank=True, default="")
    notification_digest = models.BooleanField(
        _("notification digest"),
        default=True,
        help_text=_("E-mail me my unread notifications of the last day once a day."),
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="", db_index=True)
    org_unit = models.ForeignKey(
        "OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name=_("org unit")
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("manager")
    )

    objects: ClassVar[KampassUserManager] = KampassUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return user_name(self.first_name, self.last_name, self.username)

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class OrgUnit(models.Model):
    """A unit of the supplier's own organisation (a country company, business
    unit or sales region). International key accounts have one lead unit that
    coordinates the others."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=30, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def hash_token(raw: str) -> str:
    """Hash a raw API token for storage and look-up (tokens are random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal access token for the JSON API. Only its hash is stored; the
    raw token is shown once, when it is created. A token is refused once it is
    revoked or has expired (every token gets an expiry when it is created)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    #: the token is refused from this moment on (set at creation: ``KAMPASS_API_TOKEN_DAYS`` or a chosen lifetime)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    #: updated when the token authenticates a request, at most once a minute
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def state(self, now: datetime | None = None) -> str:
        """``revoked``, ``expired`` or ``active`` (at ``now``, default: the current time)."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    @staticmethod
    def generate() -> str:
        return "kp_" + secrets.token_urlsafe(32)
