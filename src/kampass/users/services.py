"""Write operations on users and tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from kampass.users.models import ApiToken, OrgUnit, Role, User, hash_token


@transaction.atomic
def user_create(
    *,
    actor: Any = None,
    username: str,
    password: str | None,
    role: str = Role.VIEWER,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    validate: bool = True,
    **fields: Any,
) -> User:
    """Create a user with a role; the password is checked by Django's validators unless ``validate`` is
    false. ``password=None`` creates the user without a usable password (they set one through an
    invitation). ``fields``: ``external_id``, ``org_unit``, ``manager``, ``is_active``. ``actor``, when
    given, must be allowed to manage users."""
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if actor is not None:  # the command line's createuser passes none: it is the operator
        authorize(actor, "users.manage_users")
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        language=language,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        **fields,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    return user


def authorize(actor: Any, perm: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` has ``perm`` (the users package sits below ``common``)."""
    if actor is None or not actor.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


#: what :func:`user_update` may change besides the names, e-mail address and role
USER_FIELDS = frozenset({"external_id", "org_unit", "manager", "is_active"})


def _check_manager(user: User, manager: User | None) -> None:
    seen, current = {user.pk}, manager
    while current is not None:
        if current.pk in seen:
            raise ValidationError(
                {
                    "manager": _("%(manager)s reports to %(user)s already; that would make a cycle.")
                    % {"manager": manager, "user": user}
                }
            )
        seen.add(current.pk)
        current = current.manager


@transaction.atomic
def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    """Change a user's names, e-mail address, role, org unit, manager, external id or active flag
    (administrators only). The role decides the admin flags; an administrator cannot take their own
    administrator role or deactivate themselves."""
    authorize(actor, "users.manage_users")
    allowed = USER_FIELDS | {"first_name", "last_name", "email", "role", "username"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role “%(role)s”; choose one of %(roles)s.")
                % {"role": changes["role"], "roles": ", ".join(Role.values)}
            }
        )
    if getattr(actor, "pk", None) == user.pk and (
        changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("is_active", True) is False
    ):
        raise ValidationError({"role": _("You cannot take your own administrator role or deactivate yourself.")})
    for key, value in changes.items():
        setattr(user, key, value)
    if "role" in changes:
        user.is_staff = user.is_superuser = changes["role"] == Role.ADMIN
    if "manager" in changes:
        _check_manager(user, changes["manager"])
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def org_unit_save(
    *,
    actor: Any,
    unit: OrgUnit | None = None,
    name: str,
    code: str = "",
    country: str = "",
    parent: OrgUnit | None = None,
) -> OrgUnit:
    """Create an org unit (``unit`` None) or change one (administrators only); a parent inside the
    unit's own subtree is refused."""
    authorize(actor, "users.manage_users")
    unit = unit or OrgUnit()
    current = parent
    while current is not None and unit.pk is not None:
        if current.pk == unit.pk:
            raise ValidationError(
                {"parent": _("“%(parent)s” lies below this unit; that would make a cycle.") % {"parent": parent}}
            )
        current = current.parent
    unit.name, unit.code, unit.country, unit.parent = name.strip(), code.strip(), country, parent
    unit.full_clean()
    unit.save()
    return unit


def invitation_link(*, user: User, base_url: str) -> str:
    """The one-time link with which ``user`` sets their password: ``base_url`` (the address users reach
    kampass at) and the path of the set-password page with Django's password-reset token. The token is
    valid for ``PASSWORD_RESET_TIMEOUT`` seconds and only until the password is set (it is made from the
    stored password hash) or the user logs in."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("invitation-accept", args=[uidb64, token])


def user_invite(*, actor: Any, user: User, base_url: str) -> str:
    """E-mail ``user`` an invitation with the one-time link to set their password (administrators only);
    returns the link. Refused for a user who has set a password already, is deactivated or has no e-mail
    address."""
    authorize(actor, "users.manage_users")
    if user.has_usable_password():
        raise ValidationError({"user": _("%(user)s has set a password already.") % {"user": user}})
    if not user.is_active:
        raise ValidationError({"user": _("%(user)s is deactivated; activate them first.") % {"user": user}})
    if not user.email:
        raise ValidationError(
            {"email": _("%(user)s has no e-mail address to send the invitation to.") % {"user": user}}
        )
    link = invitation_link(user=user, base_url=base_url)
    context = {
        "user": user,
        "actor": actor,
        "link": link,
        "days": max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400)),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Your invitation to kampass")
        body = render_to_string("users/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return link


@transaction.atomic
def user_create_invited(*, actor: Any, base_url: str, **fields: Any) -> User:
    """Create a user without a password (see :func:`user_create`; an e-mail address is required) and e-mail
    them the invitation to set one (administrators only); nothing is stored when the mail cannot be sent."""
    authorize(actor, "users.manage_users")
    if not str(fields.get("email", "")).strip():
        raise ValidationError({"email": _("Enter the e-mail address the invitation goes to.")})
    user = user_create(actor=actor, password=None, **fields)
    user_invite(actor=actor, user=user, base_url=base_url)
    return user


def invited_user(uidb64: str, token: str) -> User | None:
    """The active user a set-password link names if its token is valid (not used, not expired), else ``None``."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
    except (TypeError, ValueError):
        return None
    if not pk.isdigit() or int(pk) > 2**63 - 1:  # beyond any stored id (PostgreSQL would raise)
        return None
    user = User.objects.filter(pk=int(pk)).first()
    if user is None:
        return None
    if not user.is_active or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def invitation_accept(*, uidb64: str, token: str, password: str) -> User:
    """Set the password of the user an invitation link names (checked by the password validators); the link
    is used up by it. An invalid, used or expired link is refused."""
    user = invited_user(uidb64, token)
    if user is None:
        raise ValidationError(
            {"token": _("This invitation link is invalid, used or expired; ask an administrator for a new one.")}
        )
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


#: the longest lifetime a token may be given, in days (ten years)
TOKEN_MAX_DAYS = 3650
#: a token's last use is written at most this often (every API request would write otherwise)
TOKEN_LAST_USED_INTERVAL = timedelta(minutes=1)


def token_default_days() -> int:
    """The lifetime of a new token when none is chosen: ``KAMPASS_API_TOKEN_DAYS`` (90 days)."""
    return int(getattr(settings, "KAMPASS_API_TOKEN_DAYS", 90))


@transaction.atomic
def token_create(*, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Create a personal access token valid for ``days`` (default ``KAMPASS_API_TOKEN_DAYS``);
    returns the stored token and the raw secret (shown once)."""
    days = token_default_days() if days is None else days
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token's lifetime must be between 1 and %(max)d days.") % {"max": TOKEN_MAX_DAYS}}
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, raw


def token_authenticate(raw: str) -> User | None:
    """Return the active user owning ``raw`` or ``None`` (unknown, revoked or expired token, inactive
    user); records the last use, at most once a minute."""
    now = timezone.now()
    try:
        token = ApiToken.objects.select_related("user").get(token_hash=hash_token(raw))
    except ApiToken.DoesNotExist:
        return None
    if token.state(now) != "active" or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": f"Unsupported language {language!r}."})
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def user_set_view_currency(*, user: User, currency: str) -> None:
    """The currency ``user``'s consolidated totals are shown in ("" = the installation's reporting
    currency). Which codes are allowed is the caller's check (the rate sources know them)."""
    currency = currency.strip().upper()
    if currency and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        raise ValidationError({"view_currency": f"Not a currency code: {currency!r}."})
    user.view_currency = currency
    user.save(update_fields=["view_currency"])


@transaction.atomic
def user_update_settings(
    *,
    user: User,
    language: str | None = None,
    view_currency: str | None = None,
    currencies: list[str],
    reporting_currency: str,
    notification_digest: bool | None = None,
) -> User:
    """A user's own settings (``None``: unchanged): the language the UI speaks to them ("" = what the
    browser asks for) and the currency of their consolidated totals ("" = the installation's
    ``reporting_currency``). ``currencies`` are the view currencies kampass offers (the rate sources know
    them; the caller asks :mod:`kampass.common.fx`); another code is refused on its field. Choosing the
    reporting currency stores "" (the totals follow the installation's currency if it changes), as the
    header's selector does."""
    errors: dict[str, str] = {}
    if language is not None and language != "" and language not in dict(settings.LANGUAGES):
        errors["language"] = _("“%(value)s” is not a language of kampass; choose one of: %(allowed)s.") % {
            "value": language,
            "allowed": ", ".join(code for code, _name in settings.LANGUAGES),
        }
    if view_currency is not None:
        view_currency = view_currency.strip().upper()
        if view_currency and view_currency not in currencies:
            msg = _("“%(value)s” is not a currency kampass can convert into; choose one of: %(allowed)s.")
            errors["view_currency"] = msg % {
                "value": view_currency,
                "allowed": ", ".join(currencies),
            }
    if errors:
        raise ValidationError(errors)
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if view_currency is not None:
        user.view_currency = "" if view_currency == reporting_currency.upper() else view_currency
        fields.append("view_currency")
    if notification_digest is not None:
        user.notification_digest = bool(notification_digest)
        fields.append("notification_digest")
    if fields:
        user.save(update_fields=fields)
    return user
