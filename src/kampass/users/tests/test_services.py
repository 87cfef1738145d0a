"""Write operations on users and API tokens: creation, token life cycle, language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kampass.users.models import ApiToken, Role, User, hash_token
from kampass.users.services import token_authenticate, token_create, token_revoke, user_create, user_set_language

STRONG = "Str0ng-Passw0rd!"


def test_user_create_stores_the_role_and_a_hashed_password(db):
    # when
    user = user_create(username="anna", password=STRONG, role=Role.KAM, email="anna@example.com", language="de")

    # then
    stored = User.objects.get(username="anna")
    assert (stored.role, stored.email, stored.language) == (Role.KAM, "anna@example.com", "de")
    assert stored.password != STRONG
    assert stored.check_password(STRONG)
    assert not stored.is_staff
    assert not stored.is_superuser
    assert user.pk == stored.pk


def test_user_create_makes_an_admin_staff_and_superuser(db):
    # when
    user = user_create(username="root", password=STRONG, role=Role.ADMIN)

    # then
    assert user.is_staff
    assert user.is_superuser
    assert user.is_admin_role


def test_user_create_refuses_an_unknown_role(db):
    # when
    with pytest.raises(ValidationError) as exc:
        user_create(username="x", password=STRONG, role="wizard")

    # then
    assert "role" in exc.value.message_dict
    assert "wizard" in exc.value.message_dict["role"][0]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("123", "too short"),
        ("Tr0ub4dor&3", "at least 12 characters"),  # 11 characters: Django's default minimum is 8
        ("anna.meier.anna", "too similar"),
        ("qwertyuiop123", "too common"),
        ("123498765432", "entirely numeric"),
    ],
)
def test_user_create_refuses_a_weak_password(db, password, reason):
    # when
    with pytest.raises(ValidationError) as exc:
        user_create(username="anna.meier", email="anna.meier@example.com", password=password)

    # then
    assert reason in " ".join(exc.value.messages)
    assert not User.objects.filter(username="anna.meier").exists()


def test_user_create_accepts_twelve_characters(db):
    # when
    user = user_create(username="anna", password="Tr0ub4dor&3x")

    # then
    assert user.check_password("Tr0ub4dor&3x")


def test_user_create_without_validation_accepts_any_password(db):
    # when
    user = user_create(username="demo", password="demo", validate=False)

    # then
    assert user.check_password("demo")


def test_user_create_refuses_a_duplicate_username(db):
    # given
    user_create(username="anna", password=STRONG)

    # when / then
    with pytest.raises(ValidationError) as exc:
        user_create(username="anna", password=STRONG)
    assert "username" in exc.value.message_dict
    assert User.objects.filter(username="anna").count() == 1


def test_token_create_stores_only_the_hash_and_the_prefix(kam):
    # when
    token, raw = token_create(user=kam, name="laptop")

    # then
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("kp_")
    assert stored.prefix == raw[:10]
    assert stored.token_hash == hash_token(raw)
    assert raw not in {stored.prefix, stored.token_hash, stored.name}
    assert (stored.user, stored.name, stored.revoked_at, stored.last_used_at) == (kam, "laptop", None, None)


def test_token_create_gives_the_configured_lifetime(kam, settings):
    # given
    settings.KAMPASS_API_TOKEN_DAYS = 7
    before = timezone.now()

    # when
    token, _ = token_create(user=kam)

    # then
    assert token.expires_at is not None
    assert before + timedelta(days=7) <= token.expires_at <= timezone.now() + timedelta(days=7)
    assert ApiToken.objects.get(pk=token.pk).expires_at == token.expires_at


def test_token_create_defaults_to_ninety_days_and_takes_a_chosen_lifetime(kam):
    # when
    default, _ = token_create(user=kam)
    short, _ = token_create(user=kam, days=1)

    # then
    assert default.expires_at is not None
    assert short.expires_at is not None
    assert abs(default.expires_at - default.created_at - timedelta(days=90)) < timedelta(seconds=5)
    assert abs(short.expires_at - short.created_at - timedelta(days=1)) < timedelta(seconds=5)


@pytest.mark.parametrize("days", [0, -3, 3651])
def test_token_create_refuses_a_lifetime_out_of_range(kam, days):
    # when
    with pytest.raises(ValidationError) as exc:
        token_create(user=kam, days=days)

    # then
    assert "days" in exc.value.message_dict
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused_and_its_use_not_recorded(kam):
    # given: a token that expired a second ago
    token, raw = token_create(user=kam)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    # when
    user = token_authenticate(raw)

    # then
    assert user is None
    token.refresh_from_db()
    assert token.last_used_at is None
    assert token.state() == "expired"


def test_a_token_works_until_it_expires(kam):
    # given
    token, raw = token_create(user=kam)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(minutes=1))

    # when / then
    assert token_authenticate(raw) == kam


def test_token_authenticate_returns_the_owner_and_records_the_use(kam):
    # given
    token, raw = token_create(user=kam)

    # when
    user = token_authenticate(raw)

    # then
    assert user == kam
    token.refresh_from_db()
    assert token.last_used_at is not None
    used = token.last_used_at
    assert timezone.now() - used < timedelta(minutes=5)


def test_token_authenticate_records_the_use_at_most_once_a_minute(kam):
    # given: a token used 30 seconds ago
    token, raw = token_create(user=kam)
    recent = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    # when
    token_authenticate(raw)

    # then: unchanged
    token.refresh_from_db()
    assert token.last_used_at == recent


def test_token_authenticate_updates_a_use_older_than_a_minute(kam):
    # given
    token, raw = token_create(user=kam)
    old = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)

    # when
    token_authenticate(raw)

    # then
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > old


def test_token_authenticate_refuses_unknown_revoked_and_inactive(kam, kam2):
    # given
    unknown = "kp_" + "x" * 43
    revoked, revoked_raw = token_create(user=kam)
    token_revoke(token=revoked)
    _, inactive_raw = token_create(user=kam2)
    User.objects.filter(pk=kam2.pk).update(is_active=False)

    # when / then
    assert token_authenticate(unknown) is None
    assert token_authenticate(revoked_raw) is None
    assert token_authenticate(inactive_raw) is None


def test_token_revoke_sets_the_time_and_leaves_other_tokens(kam):
    # given
    first, _ = token_create(user=kam)
    second, second_raw = token_create(user=kam)

    # when
    token_revoke(token=first)

    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert token_authenticate(second_raw) == kam


def test_user_set_language_stores_a_supported_language(kam):
    # when
    user_set_language(user=kam, language="de")

    # then
    kam.refresh_from_db()
    assert kam.language == "de"


def test_user_set_language_refuses_an_unsupported_language(kam):
    # when
    with pytest.raises(ValidationError) as exc:
        user_set_language(user=kam, language="fr")

    # then
    assert "language" in exc.value.message_dict
    kam.refresh_from_db()
    assert kam.language == ""
