"""Login throttling (django-axes): after ``AXES_FAILURE_LIMIT`` failed logins the pair of
username and IP address is locked out, and so is the account itself when the failures come from
several addresses; in the UI login and the admin login alike, with a translated lockout page; and
the API offers no password login that could bypass the lockout."""

from __future__ import annotations

import base64

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kampass.users.services import token_create

PASSWORD = "pw-for-tests-1"  # the root conftest's make_user password
LOCKED = 429


def fail_logins(client: Client, username: str, times: int, url: str | None = None) -> list[int]:
    url = url or reverse("login")
    return [client.post(url, {"username": username, "password": "wrong-password"}).status_code for _ in range(times)]


def test_the_failure_limit_comes_from_the_settings():
    # then: the environment's KAMPASS_LOGIN_FAILURE_LIMIT or 10, locking the username/IP pair and the username
    assert settings.AXES_ENABLED
    assert settings.AXES_FAILURE_LIMIT >= 1
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "username"]


def test_below_the_limit_the_right_password_still_logs_in(client, kam):
    # given
    statuses = fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT - 1)

    # when
    response = client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})

    # then
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 302
    assert response["Location"] == reverse("start")


def test_at_the_limit_the_user_is_locked_out_even_with_the_right_password(client, kam):
    # given: the configured number of failed logins from this address
    statuses = fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT)

    # when
    response = client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})

    # then: the last failure already answers with the lockout, and the lockout is honoured
    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == LOCKED
    assert response.status_code == LOCKED
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302
    # the attempt with the right password while locked out counts as one more failure
    assert AccessAttempt.objects.get(username=kam.username).failures_since_start == settings.AXES_FAILURE_LIMIT + 1


def test_the_lockout_holds_that_account_only(client, kam, kam2):
    # given
    fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT)

    # when
    other_user = Client().post(reverse("login"), {"username": kam2.username, "password": PASSWORD})
    other_address = Client(REMOTE_ADDR="10.0.0.7").post(
        reverse("login"), {"username": kam.username, "password": PASSWORD}
    )

    # then: another user logs in from the same address; the locked account stays locked from elsewhere
    assert other_user.status_code == 302
    assert other_address.status_code == LOCKED


def test_failures_for_one_account_from_many_addresses_lock_the_account(kam, kam2):
    # given: an attacker spreads the guesses for one account over as many addresses as the limit
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        Client(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250 + 1}")
        .post(reverse("login"), {"username": kam.username, "password": "wrong-password"})
        .status_code
        for i in range(limit)
    ]

    # when: the owner tries the right password from yet another address
    owner = Client(REMOTE_ADDR="192.0.2.10")
    response = owner.post(reverse("login"), {"username": kam.username, "password": PASSWORD})
    other_user = owner.post(reverse("login"), {"username": kam2.username, "password": PASSWORD})

    # then: no single address reached the limit, yet the account is locked; other accounts are not
    assert statuses[:-1] == [200] * (limit - 1)
    assert statuses[-1] == LOCKED
    assert response.status_code == LOCKED
    assert other_user.status_code == 302


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Login locked", "This account is locked after", "Try again in 15 minutes"]),
        ("de", ["Anmeldung gesperrt", "Dieses Benutzerkonto ist nach", "Versuchen Sie es in 15 Minuten erneut"]),
    ],
)
def test_the_lockout_page_speaks_the_visitors_language(kam, language, expected):
    # given: a visitor whose browser asks for the language
    client = Client(headers={"Accept-Language": language})
    fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT - 1)

    # when
    response = client.post(reverse("login"), {"username": kam.username, "password": "wrong-password"})

    # then: the site's page, not a bare text, in that language
    assert response.status_code == LOCKED
    assert "registration/lockout.html" in [t.name for t in response.templates]
    text = response.content.decode()
    for phrase in expected:
        assert phrase in text
    assert f'lang="{language}"' in text


def test_a_successful_login_resets_the_failures(client, kam):
    # given: failures short of the limit, then a success
    fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT - 1)
    client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})
    client.logout()

    # when: as many failures again, still short of the limit
    statuses = fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})

    # then
    assert LOCKED not in statuses
    assert response.status_code == 302


def test_a_lower_configured_limit_is_honoured(client, kam, settings):
    # given
    settings.AXES_FAILURE_LIMIT = 3

    # when
    statuses = fail_logins(client, kam.username, 3)
    response = client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})

    # then
    assert statuses == [200, 200, LOCKED]
    assert response.status_code == LOCKED


def test_the_admin_login_is_throttled_too(client, kam):
    # given
    kam.is_staff = True
    kam.save(update_fields=["is_staff"])
    admin_login = reverse("admin:login")

    # when
    statuses = fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT, url=admin_login)
    response = client.post(admin_login, {"username": kam.username, "password": PASSWORD})

    # then
    assert statuses[-1] == LOCKED
    assert response.status_code == LOCKED
    assert "_auth_user_id" not in client.session


def test_a_locked_out_browser_gets_no_session_for_the_api(client, kam):
    # given: locked out, then trying the right password
    fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT)
    client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})

    # when: the API is called with whatever session the browser holds
    response = client.get("/api/v1/accounts")

    # then
    assert response.status_code == 401


def test_the_api_accepts_no_password_so_it_cannot_be_used_to_guess_one(client, kam):
    # given: the right password sent as HTTP Basic credentials
    basic = base64.b64encode(f"{kam.username}:{PASSWORD}".encode()).decode()

    # when
    response = client.get("/api/v1/accounts", headers={"Authorization": f"Basic {basic}"})

    # then: refused like no credentials at all, and not counted as a login attempt
    assert response.status_code == 401
    assert not AccessAttempt.objects.exists()


def test_a_password_lockout_leaves_the_users_api_tokens_working(client, kam):
    # given: a personal access token (not a password, so not guessable by the attempts axes counts)
    _, raw = token_create(user=kam)
    fail_logins(client, kam.username, settings.AXES_FAILURE_LIMIT)

    # when
    response = Client().get("/api/v1/accounts", headers={"Authorization": f"Bearer {raw}"})

    # then
    assert response.status_code == 200
