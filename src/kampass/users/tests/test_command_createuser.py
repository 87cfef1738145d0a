"""``kampass createuser``: create a user with a role from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kampass.users.models import Role, User

STRONG = "Str0ng-Passw0rd!"


def test_createuser_creates_the_user_with_role_and_names(db):
    # given
    out = StringIO()

    # when
    call_command(
        "createuser",
        "anna",
        "--role",
        "head",
        "--email",
        "anna@example.com",
        "--first-name",
        "Anna",
        "--last-name",
        "Meier",
        "--language",
        "de",
        "--password",
        STRONG,
        stdout=out,
    )

    # then
    user = User.objects.get(username="anna")
    assert (user.role, user.email, user.first_name, user.last_name, user.language) == (
        Role.HEAD,
        "anna@example.com",
        "Anna",
        "Meier",
        "de",
    )
    assert user.check_password(STRONG)
    assert out.getvalue().strip() == "Created user anna (Head of KAM)."


def test_createuser_defaults_to_a_viewer(db):
    # when
    call_command("createuser", "vera", "--password", STRONG, stdout=StringIO())

    # then
    assert User.objects.get(username="vera").role == Role.VIEWER


def test_createuser_asks_for_the_password_when_it_is_not_given(db, monkeypatch):
    # given
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return STRONG

    monkeypatch.setattr("getpass.getpass", getpass)

    # when
    call_command("createuser", "quiet", stdout=StringIO())

    # then
    assert prompts == ["Password: "]
    assert User.objects.get(username="quiet").check_password(STRONG)


def test_createuser_turns_a_weak_password_into_a_command_error(db):
    # when
    with pytest.raises(CommandError) as exc:
        call_command("createuser", "bob", "--password", "123", stdout=StringIO())

    # then
    assert "password" in str(exc.value).lower()
    assert not User.objects.filter(username="bob").exists()


def test_createuser_rejects_an_unknown_role_before_touching_the_database(db):
    # when / then: argparse's choices refuse it
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("createuser", "bob", "--role", "wizard", "--password", STRONG)
    assert not User.objects.filter(username="bob").exists()


def test_createuser_refuses_eleven_characters(db):
    # when: long enough for Django's default minimum of 8, not for kampass's 12
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("createuser", "bob", "--password", "Tr0ub4dor&3", stdout=StringIO())

    # then
    assert not User.objects.filter(username="bob").exists()


# ---------------------------------------------------------------- Django's createsuperuser


def test_createsuperuser_without_input_refuses_a_weak_password_from_the_environment(db, monkeypatch):
    # given: Django's command does not validate DJANGO_SUPERUSER_PASSWORD with --noinput
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Tr0ub4dor&3")

    # when
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("createsuperuser", "--noinput", "--username", "root", "--email", "", stdout=StringIO())

    # then
    assert not User.objects.filter(username="root").exists()


def test_createsuperuser_refuses_a_weak_password_even_when_told_to_bypass_validation(db, monkeypatch):
    # given: Django asks "Bypass password validation and create user anyway? [y/N]" and the answer is y
    from django.contrib.auth.management.commands import createsuperuser

    answers = iter(["root", "", "y"])  # username, e-mail, bypass
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="": "123")
    terminal = type("Terminal", (), {"isatty": lambda self: True})()

    # when
    with pytest.raises(CommandError, match="too short"):
        call_command("createsuperuser", stdin=terminal, stdout=StringIO(), stderr=StringIO())

    # then
    assert not User.objects.filter(username="root").exists()


def test_createsuperuser_creates_an_administrator_with_a_strong_password(db, monkeypatch):
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)

    # when
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "", stdout=StringIO())

    # then
    user = User.objects.get(username="root")
    assert (user.is_superuser, user.is_staff, user.role) == (True, True, Role.ADMIN)
    assert user.check_password(STRONG)
