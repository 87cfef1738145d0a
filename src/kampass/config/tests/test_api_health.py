"""``GET /api/v1/health``: overall status for anyone, the checks for callers with credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kampass.common.models import WorkerHeartbeat
from kampass.common.tests.factories import queued_task


def beat(*, seconds_ago: float, worker_id: str = "w-1") -> WorkerHeartbeat:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(worker_id=worker_id, hostname="h", pid=1, started_at=seen, last_seen=seen)


@pytest.fixture
def stale_after_60s(settings):
    settings.KAMPASS_WORKER_STALE_SECONDS = 60


def test_health_is_ok_with_a_live_worker_and_shows_the_checks_to_a_user(api, viewer, stale_after_60s):
    # given: a worker seen 5 s ago and one task waiting
    beat(seconds_ago=5)
    queued_task()

    # when
    response = api(viewer, "get", "/health")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"] == {"ok": True, "error": None}
    assert checks["analytics"] == {"ok": True, "error": None}
    assert checks["worker"]["alive"] is True
    assert checks["worker"]["alive_workers"] == 1
    assert 5 <= checks["worker"]["last_seen_age_seconds"] < 60
    assert checks["worker"]["stale_after_seconds"] == 60
    assert checks["tasks"]["queued"] == 1
    assert 0 <= checks["tasks"]["oldest_queued_age_seconds"] < 60


def test_health_is_degraded_when_the_last_heartbeat_is_stale(api, viewer, stale_after_60s):
    # given
    beat(seconds_ago=61)

    # when
    response = api(viewer, "get", "/health")

    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["alive"] is False
    assert body["checks"]["worker"]["last_seen_age_seconds"] >= 61
    assert body["checks"]["tasks"] == {"queued": 0, "oldest_queued_age_seconds": None}


def test_health_is_degraded_when_no_worker_ever_ran(api, head):
    # when
    response = api(head, "get", "/health")

    # then
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["alive"] is False
    assert worker["last_seen"] is None
    assert worker["last_seen_age_seconds"] is None


@pytest.mark.parametrize(("seconds_ago", "status", "code"), [(5, "ok", 200), (120, "degraded", 503)])
def test_health_without_credentials_tells_only_the_status(api, db, stale_after_60s, seconds_ago, status, code):
    # given
    beat(seconds_ago=seconds_ago)

    # when
    response = api(None, "get", "/health")

    # then
    assert response.status_code == code
    assert response.json() == {"status": status, "checks": None}


def test_health_with_an_unknown_token_tells_only_the_status(client, db):
    # when
    response = client.get("/api/v1/health", headers={"Authorization": "Bearer kp_unknown"})

    # then
    assert response.json()["checks"] is None


def test_health_for_a_logged_in_session_shows_the_checks(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.get("/api/v1/health")

    # then
    assert response.json()["checks"]["database"]["ok"] is True


def test_health_reports_a_broken_analytics_store(api, viewer, settings):
    # given
    beat(seconds_ago=1)
    settings.KAMPASS_ANALYTICS_URL = "nosuchbackend://x"

    # when
    response = api(viewer, "get", "/health")

    # then
    assert response.status_code == 503
    analytics = response.json()["checks"]["analytics"]
    assert analytics["ok"] is False
    assert analytics["error"]
