"""Idle sessions end: a session lasts ``KAMPASS_SESSION_IDLE_MINUTES`` (60) from its last request."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone


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
