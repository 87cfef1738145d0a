"""The warning while work is queued and no background worker is alive (``{% worker_warning %}``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from kampass.common.models import WorkerHeartbeat
from kampass.common.tests.factories import queued_task

WARNING = 'data-testid="worker-warning"'


def beat(*, seconds_ago: float) -> datetime:
    """A worker last seen ``seconds_ago``; when that was."""
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id="w-1", hostname="h", pid=1, started_at=seen, last_seen=seen)
    return seen


@pytest.fixture(autouse=True)
def stale_after_60s(settings):
    settings.KAMPASS_WORKER_STALE_SECONDS = 60


@pytest.mark.parametrize("url", ["/pipeline/model/", "/imports/", "/"])
def test_warning_when_work_is_queued_and_the_last_worker_was_seen_too_long_ago(client, head, url):
    # given
    last_seen = beat(seconds_ago=600)
    queued_task()
    client.force_login(head)

    # when
    page = client.get(url).content.decode()

    # then: with the time the worker was last seen (as stored: the clock may pass a minute meanwhile), and the
    # commands that start one
    seen = timezone.localtime(last_seen).strftime("%H:%M")
    assert WARNING in page
    assert f"No background worker has been running since {seen}; queued work will not start." in page
    assert "<code>kampass worker</code>" in page
    assert "<code>kampass serve</code>" in page
    assert page.count(WARNING) == 1


def test_warning_in_german_when_no_worker_ever_ran(client, head):
    # given
    head.language = "de"
    head.save()
    queued_task()
    client.force_login(head)

    # when
    page = client.get("/pipeline/model/").content.decode()

    # then
    assert "Es läuft kein Hintergrund-Worker; wartende Arbeit startet nicht." in page
    assert "1 Aufgabe wartet." in page


@pytest.mark.parametrize(("seconds_ago", "queued"), [(5, True), (600, False)])
def test_no_warning_while_a_worker_is_alive_or_nothing_is_queued(client, head, seconds_ago, queued):
    # given
    beat(seconds_ago=seconds_ago)
    if queued:
        queued_task()
    client.force_login(head)

    # when
    page = client.get("/pipeline/model/").content.decode()

    # then
    assert WARNING not in page


def test_key_account_managers_see_the_warning_on_task_pages_only(client, kam):
    # given
    queued_task()
    client.force_login(kam)

    # when
    dashboard = client.get("/").content.decode()
    model = client.get("/pipeline/model/").content.decode()

    # then
    assert WARNING not in dashboard
    assert WARNING in model
