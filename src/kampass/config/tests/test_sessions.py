"""Idle sessions end: a session lasts ``KAMPASS_SESSION_IDLE_MINUTES`` (60) from its last request, to the
granularity of ``KAMPASS_SESSION_RENEW_SECONDS`` (60): quick requests (htmx polls) do not write the session."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kampass.common.sessions import RENEWED_KEY


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_every_request_renews_the_session_for_the_idle_time(client, kam, settings):
    # given a logged-in user whose session would end in a minute
    client.force_login(kam)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )

    # when they open a page
    response = client.get("/")

    # then the session lasts the idle time from now on, in the database and in the browser's cookie
    assert response.status_code == 200
    remaining = _session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=59) < remaining <= dt.timedelta(minutes=60)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600


def test_a_session_idle_for_longer_is_over(client, kam):
    # given a session whose idle time has run out
    client.force_login(kam)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    # when the user comes back
    response = client.get("/")

    # then they must log in again
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def test_quick_requests_write_the_session_once(client, kam, settings):
    # given a logged-in user
    client.force_login(kam)

    # when they make two quick requests (a page and an htmx poll, say)
    with CaptureQueriesContext(connection) as first:
        response_first = client.get("/")
    expiry_after_first = _session(client).expire_date
    with CaptureQueriesContext(connection) as second:
        response_second = client.get("/", headers={"HX-Request": "true"})

    # then the first renews the session (row and cookie), the second writes nothing and sets no cookie
    assert (response_first.status_code, response_second.status_code) == (200, 200)
    assert len(_session_writes(first.captured_queries)) == 1
    assert _session_writes(second.captured_queries) == []
    assert settings.SESSION_COOKIE_NAME in response_first.cookies
    assert settings.SESSION_COOKIE_NAME not in response_second.cookies
    assert _session(client).expire_date == expiry_after_first


def test_a_request_renews_the_session_once_the_renewal_interval_has_passed(client, kam, settings):
    # given a session renewed a little longer ago than the renewal interval, ending in a minute
    client.force_login(kam)
    client.get("/")
    key = client.session.session_key
    store = SessionStore(session_key=key)
    store[RENEWED_KEY] -= settings.KAMPASS_SESSION_RENEW_SECONDS + 1
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))

    # when the user makes a request
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    # then the session lasts the idle time from now on again
    assert response.status_code == 200
    assert len(_session_writes(queries.captured_queries)) == 1
    remaining = _session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=59) < remaining <= dt.timedelta(minutes=60)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600


def test_a_session_renewed_moments_ago_still_ends_when_idle(client, kam):
    # given a session the middleware just renewed (so the next request does not write it) ...
    client.force_login(kam)
    assert client.get("/").status_code == 200
    # ... whose idle time has then run out
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    # when the user comes back
    response = client.get("/")

    # then they must log in again, and no session is made for the stale cookie
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_an_anonymous_api_request_makes_no_session(client, db):
    # when an anonymous client calls the API (no cookie)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/accounts")

    # then no session is written
    assert _session_writes(queries.captured_queries) == []
