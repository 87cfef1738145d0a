"""``POST /api/v1/model/backtest`` and ``GET /api/v1/model/backtests/{id}``: the backtest on kampass's own
opportunities through the API, one at a time, head of KAM and admin only."""

from __future__ import annotations

import pytest

from kampass.common.models import JobStatus
from kampass.pipeline.models import BacktestRun

pytestmark = pytest.mark.django_db


def test_head_queues_a_backtest_once_and_reads_its_progress(api, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(head, "post", "/model/backtest")
    assert response.status_code == 202
    assert len(callbacks) == 1
    run_id = response.json()["id"]
    again = api(head, "post", "/model/backtest")
    assert again.status_code == 409
    assert again.json()["code"] == "backtest_running"
    BacktestRun.objects.filter(pk=run_id).update(status=JobStatus.RUNNING, origins_total=12, origins_done=4)
    body = api(head, "get", f"/model/backtests/{run_id}").json()
    assert (body["status"], body["origins_done"], body["origins_total"]) == ("running", 4, 12)


def test_kam_and_viewer_may_not_start_one(api, kam, viewer):
    for user in (kam, viewer):
        assert api(user, "post", "/model/backtest").status_code == 403
    assert not BacktestRun.objects.exists()
