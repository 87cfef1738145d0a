"""``kampass token``: create, list and revoke personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kampass.users.models import ApiToken
from kampass.users.services import token_authenticate, token_create, token_revoke


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_token_create_prints_only_a_working_token(kam):
    # when
    out = run("create", kam.username, "--name", "ci")

    # then
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert token_authenticate(lines[0]) == kam
    assert ApiToken.objects.get(user=kam).name == "ci"


def test_token_create_shows_the_expiry_on_stderr_and_takes_a_lifetime(kam):
    # given
    out, err = StringIO(), StringIO()

    # when
    call_command("token", "create", kam.username, "--days", "30", stdout=out, stderr=err)

    # then: stdout stays the token alone; stderr names the expiry, 30 days from now
    token = ApiToken.objects.get(user=kam)
    assert token.expires_at is not None
    assert abs(token.expires_at - timezone.now() - timedelta(days=30)) < timedelta(minutes=1)
    assert token_authenticate(out.getvalue().strip()) == kam
    assert f"expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}" in err.getvalue()


def test_token_create_refuses_a_lifetime_out_of_range(kam):
    # when / then
    with pytest.raises(CommandError, match="between 1 and 3650 days"):
        run("create", kam.username, "--days", "0")
    assert not ApiToken.objects.exists()


def test_token_list_shows_expiry_last_use_and_expired_tokens(kam):
    # given
    used, raw = token_create(user=kam, name="used")
    token_authenticate(raw)
    expired, _ = token_create(user=kam, name="old")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    used.refresh_from_db()
    expired.refresh_from_db()

    # when
    rows = {line.split("\t")[0]: line.split("\t") for line in run("list").strip().splitlines()}

    # then
    assert rows[used.prefix][4:] == [
        "active",
        f"expires {timezone.localtime(used.expires_at):%Y-%m-%d %H:%M}",
        f"last used {timezone.localtime(used.last_used_at):%Y-%m-%d %H:%M}",
    ]
    assert rows[expired.prefix][4] == "expired"
    assert rows[expired.prefix][6] == "last used -"


def test_token_create_for_an_unknown_user_fails_naming_the_user(db):
    # when / then
    with pytest.raises(CommandError, match="'nobody'"):
        run("create", "nobody")
    assert not ApiToken.objects.exists()


def test_token_list_shows_prefix_owner_name_date_and_state(kam, kam2):
    # given
    active, _ = token_create(user=kam, name="laptop")
    revoked, _ = token_create(user=kam2, name="old")
    token_revoke(token=revoked)

    # when
    everything = run("list")
    only_kam = run("list", kam.username)

    # then
    rows = {line.split("\t")[0]: line.split("\t") for line in everything.strip().splitlines()}
    assert rows[active.prefix][1:3] == [kam.username, "laptop"]
    assert rows[active.prefix][4] == "active"
    assert rows[revoked.prefix][4] == "revoked"
    assert rows[active.prefix][3] == f"{active.created_at:%Y-%m-%d}"
    assert [line.split("\t")[0] for line in only_kam.strip().splitlines()] == [active.prefix]


def test_token_revoke_by_prefix_stops_the_token(kam):
    # given
    token, raw = token_create(user=kam)

    # when
    out = run("revoke", token.prefix)

    # then
    assert out.strip() == "Revoked 1 token(s)."
    assert token_authenticate(raw) is None


def test_token_revoke_of_an_unknown_or_revoked_prefix_fails(kam):
    # given
    token, _ = token_create(user=kam)
    token_revoke(token=token)

    # when / then
    with pytest.raises(CommandError, match="No active token"):
        run("revoke", token.prefix)
    with pytest.raises(CommandError, match="No active token"):
        run("revoke", "kp_nothing")
