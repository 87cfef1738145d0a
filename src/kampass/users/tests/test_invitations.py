"""Administering users without the Django admin: the invitation (a one-time link to set the password,
made with Django's password-reset tokens), deactivation (no login, no API token), role changes and
the manager hierarchy."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kampass.users.models import Role, User
from kampass.users.services import (
    invitation_accept,
    invitation_link,
    invited_user,
    token_authenticate,
    token_create,
    user_create,
    user_create_invited,
    user_invite,
    user_update,
)

BASE = "https://kam.example.com"
NEW_PASSWORD = "Blue-Harbour-Lantern-7"
PASSWORD = "pw-for-tests-1"  # the root conftest's make_user password


def _parts(link: str) -> tuple[str, str]:
    """The uidb64 and token of an invitation link."""
    *_, uidb64, token, _empty = urlsplit(link).path.split("/")
    return uidb64, token


@pytest.fixture
def invited(admin_user) -> User:
    return user_create(
        actor=admin_user, username="nina", password=None, email="nina@example.com", first_name="Nina", role=Role.KAM
    )


def test_an_invited_user_has_no_usable_password(invited):
    assert not invited.has_usable_password()
    assert invited.is_active


def test_the_invitation_mail_carries_the_link_to_the_set_password_page(admin_user, invited):
    # when
    link = user_invite(actor=admin_user, user=invited, base_url=BASE + "/")

    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.com"]
    assert link in message.body
    assert "nina" in message.body
    assert link.startswith(BASE + "/organisation/invitation/")
    uidb64, token = _parts(link)
    assert urlsplit(link).path == reverse("invitation-accept", args=[uidb64, token])
    assert invited_user(uidb64, token) == invited


def test_the_mail_speaks_the_users_language(admin_user, invited):
    invited.language = "de"
    invited.save()

    user_invite(actor=admin_user, user=invited, base_url=BASE)

    assert mail.outbox[0].subject == "Ihre Einladung zu kampass"
    assert "Passwort" in mail.outbox[0].body


def test_the_link_sets_the_password_once(admin_user, invited):
    # given
    uidb64, token = _parts(user_invite(actor=admin_user, user=invited, base_url=BASE))

    # when
    user = invitation_accept(uidb64=uidb64, token=token, password=NEW_PASSWORD)

    # then
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert invited_user(uidb64, token) is None
    with pytest.raises(ValidationError) as exc:
        invitation_accept(uidb64=uidb64, token=token, password="Another-Long-Secret-9")
    assert "token" in exc.value.message_dict
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused(admin_user, invited, settings, monkeypatch):
    # given
    uidb64, token = _parts(invitation_link(user=invited, base_url=BASE))
    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)

    # when
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    # then
    assert invited_user(uidb64, token) is None
    with pytest.raises(ValidationError):
        invitation_accept(uidb64=uidb64, token=token, password=NEW_PASSWORD)
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_link_still_valid_just_before_it_expires(admin_user, invited, settings, monkeypatch):
    uidb64, token = _parts(invitation_link(user=invited, base_url=BASE))
    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    assert invited_user(uidb64, token) == invited


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [("bm9wZQ", "abc-123"), ("!!", "x"), ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "x"), ("", "")],
)
def test_an_invalid_link_is_refused(invited, uidb64, token):
    assert invited_user(uidb64, token) is None


def test_a_wrong_token_for_a_real_user_is_refused(invited, kam):
    uidb64, _token = _parts(invitation_link(user=invited, base_url=BASE))
    _other_uid, other_token = _parts(invitation_link(user=kam, base_url=BASE))

    assert invited_user(uidb64, other_token) is None


def test_a_deactivated_users_link_is_refused(admin_user, invited):
    uidb64, token = _parts(invitation_link(user=invited, base_url=BASE))

    user_update(actor=admin_user, user=invited, is_active=False)

    assert invited_user(uidb64, token) is None


def test_the_password_validators_apply(admin_user, invited):
    uidb64, token = _parts(invitation_link(user=invited, base_url=BASE))

    with pytest.raises(ValidationError) as exc:
        invitation_accept(uidb64=uidb64, token=token, password="short")

    assert "at least 12 characters" in " ".join(exc.value.messages)
    invited.refresh_from_db()
    assert not invited.has_usable_password()
    assert invited_user(uidb64, token) == invited  # the link still works


def test_invitations_are_refused_without_an_e_mail_address_for_a_user_with_a_password_or_deactivated(
    admin_user, kam, invited
):
    no_mail = user_create(actor=admin_user, username="nomail", password=None)
    with pytest.raises(ValidationError) as exc:
        user_invite(actor=admin_user, user=no_mail, base_url=BASE)
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        user_invite(actor=admin_user, user=kam, base_url=BASE)
    assert "set a password already" in exc.value.messages[0]
    user_update(actor=admin_user, user=invited, is_active=False)
    with pytest.raises(ValidationError) as exc:
        user_invite(actor=admin_user, user=invited, base_url=BASE)
    assert "deactivated" in exc.value.messages[0]
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["head", "kam", "controller", "viewer"])
def test_only_administrators_invite(request, role, invited):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        user_invite(actor=actor, user=invited, base_url=BASE)
    with pytest.raises(PermissionDenied):
        user_create_invited(actor=actor, base_url=BASE, username="x", email="x@example.com")
    assert mail.outbox == []
    assert not User.objects.filter(username="x").exists()


def test_create_invited_needs_an_e_mail_address(admin_user):
    with pytest.raises(ValidationError) as exc:
        user_create_invited(actor=admin_user, base_url=BASE, username="x", email=" ")
    assert "email" in exc.value.message_dict
    assert not User.objects.filter(username="x").exists()


def test_create_invited_stores_nothing_when_the_mail_cannot_be_sent(admin_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there

    with pytest.raises(OSError):
        user_create_invited(actor=admin_user, base_url=BASE, username="x", email="x@example.com")

    assert not User.objects.filter(username="x").exists()


# ---------------------------------------------------------------- deactivation, roles, managers


def test_a_deactivated_user_can_no_longer_log_in_nor_use_their_api_token(client, admin_user, kam):
    # given
    _token, raw = token_create(user=kam)
    assert token_authenticate(raw) == kam
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200

    # when
    user_update(actor=admin_user, user=kam, is_active=False)

    # then
    assert token_authenticate(raw) is None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    response = client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})
    assert response.status_code == 200  # the login form again, no redirect
    assert "_auth_user_id" not in client.session


def test_an_active_user_logs_in(client, kam):
    response = client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(kam.pk)


def test_a_deactivated_users_session_ends(client, admin_user, kam):
    client.force_login(kam)
    assert client.get(reverse("dashboard")).status_code == 200

    user_update(actor=admin_user, user=kam, is_active=False)

    assert client.get(reverse("dashboard")).status_code == 302


def test_the_role_decides_the_admin_flags(admin_user, kam):
    user_update(actor=admin_user, user=kam, role=Role.ADMIN)
    kam.refresh_from_db()
    assert (kam.is_staff, kam.is_superuser) == (True, True)

    user_update(actor=admin_user, user=kam, role=Role.CONTROLLER)
    kam.refresh_from_db()
    assert (kam.is_staff, kam.is_superuser, kam.role) == (False, False, Role.CONTROLLER)


def test_an_administrator_cannot_demote_or_deactivate_themselves(admin_user):
    with pytest.raises(ValidationError):
        user_update(actor=admin_user, user=admin_user, role=Role.KAM)
    with pytest.raises(ValidationError):
        user_update(actor=admin_user, user=admin_user, is_active=False)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert admin_user.is_active


def test_a_manager_cycle_is_refused(admin_user, head, kam, kam2):
    user_update(actor=admin_user, user=kam, manager=head)
    user_update(actor=admin_user, user=kam2, manager=kam)

    with pytest.raises(ValidationError) as exc:
        user_update(actor=admin_user, user=head, manager=kam2)

    assert "cycle" in exc.value.message_dict["manager"][0]
    head.refresh_from_db()
    assert head.manager is None
    with pytest.raises(ValidationError):
        user_update(actor=admin_user, user=head, manager=head)
