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
