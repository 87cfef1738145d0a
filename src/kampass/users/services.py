"""Write operations on users and tokens."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from kampass.users.models import ApiToken, Role, User, hash_token


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str = Role.VIEWER,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    validate: bool = True,
) -> User:
    """Create a user with a role; the password is checked by Django's validators unless ``validate`` is false."""
    if role not in Role.values:
        from django.core.exceptions import ValidationError

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
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a personal access token; returns the stored token and the raw secret (shown once)."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw))
    return token, raw


def token_authenticate(raw: str) -> User | None:
    """Return the active user owning ``raw`` or ``None``; records the last use."""
    try:
        token = ApiToken.objects.select_related("user").get(token_hash=hash_token(raw), revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        from django.core.exceptions import ValidationError

        raise ValidationError({"language": f"Unsupported language {language!r}."})
    user.language = language
    user.save(update_fields=["language"])
