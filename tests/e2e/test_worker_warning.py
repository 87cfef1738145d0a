"""End to end: the warning while work is queued and no background worker is alive, in English and German."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_head_sees_the_stalled_worker_warning_until_a_worker_is_alive(
    live_server: Any, page: Any, make_user: Any, login: Any, settings: Any
) -> None:
    # given: a retraining queued, the last worker seen ten minutes ago
    from django.utils import timezone

    from kampass.common.models import WorkerHeartbeat
    from kampass.common.tests.factories import queued_task

    settings.KAMPASS_WORKER_STALE_SECONDS = 60
    make_user("head_e2e", "head")
    seen = timezone.now() - timedelta(minutes=10)
    beat = WorkerHeartbeat.objects.create(worker_id="w-e2e", hostname="h", pid=1, started_at=seen, last_seen=seen)
    queued_task()
    login(page, "head_e2e")

    # when / then: the model report warns, with the time and the commands
    page.goto(f"{live_server.url}/pipeline/model/")
    warning = page.locator("[data-testid=worker-warning]")
    expect(warning).to_contain_text(f"No background worker has been running since {timezone.localtime(seen):%H:%M}")
    expect(warning).to_contain_text("kampass worker")

    # and in German
    page.click("[data-testid=lang-de]")
    expect(warning).to_contain_text("läuft kein Hintergrund-Worker; wartende Arbeit startet nicht.")

    # when a worker beats again, the warning is gone
    beat.last_seen = timezone.now()
    beat.save()
    page.reload()
    expect(page.locator("h1")).to_be_visible()
    expect(warning).to_have_count(0)
