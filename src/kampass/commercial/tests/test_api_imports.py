"""The import endpoints: upload a transactions file (queued as a background task), follow the job."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from kampass.commercial.models import ImportJob
from kampass.commercial.services import import_job_run
from kampass.commercial.tests.conftest import ONLINE_RETAIL_GOOD, money, online_retail_pocket, online_retail_sample
from kampass.common.models import JobStatus

Api = Callable[..., Any]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return online_retail_sample(tmp_path / "online_retail.csv")


@pytest.fixture
def ingest() -> None:
    """Skip until the import pipeline (``kampass.core.analytics.ingest``) is there."""
    pytest.importorskip("kampass.core.analytics.ingest")


def upload(api: Api, user, path: Path, **options: str) -> Any:
    with path.open("rb") as fh:
        return api(user, "post", "/imports", form={"file": fh, **options})


# ---------------------------------------------------------------- denials


@pytest.mark.parametrize("role", ["controller", "viewer", "kam"])
def test_only_head_and_admin_import(api: Api, request, sample: Path, role: str):
    # when
    response = upload(api, request.getfixturevalue(role), sample)
    # then
    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)
    assert not ImportJob.objects.exists()


def test_upload_without_credentials_is_401(api: Api, sample: Path, db):
    # when
    response = upload(api, None, sample)
    # then
    assert response.status_code == 401
    assert not ImportJob.objects.exists()


# ---------------------------------------------------------------- upload


def test_upload_queues_an_import_job(
    api: Api, head, sample: Path, ingest, django_capture_on_commit_callbacks: Callable[..., Any]
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, head, sample, strict="true", dry_run="false", link_mode="create")
    # then
    assert response.status_code == 202
    doc = response.json()
    job = ImportJob.objects.get()
    assert doc["id"] == str(job.pk)
    assert doc | {"id": None, "created_at": None} == {
        "id": None, "file": "online_retail.csv", "mapping": "online-retail", "strict": True, "dry_run": False,
        "link_mode": "create", "date_order": "", "date_order_used": "", "accounts_created": 0, "status": "queued",
        "progress": 0.0, "message": "", "lines": 0, "rejected": 0,
        "already_imported": False, "on_overlap": "skip", "overlap": None, "customers": 0, "linked": 0,
        "unmatched": 0, "error": "",
        "created_by_id": head.pk, "created_at": None, "finished_at": None,
    }  # fmt: skip
    assert Path(job.file_path).read_bytes() == sample.read_bytes()
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("run_import")
    assert task.args_kwargs["args"] == [str(job.pk)]


def test_finished_job_reports_counts_and_the_figures_follow(api: Api, admin_user, head, sample: Path, ingest):
    # given
    job_id = upload(api, admin_user, sample, link_mode="create").json()["id"]
    # when: the worker runs the task
    import_job_run(job_id)
    doc = api(head, "get", f"/imports/{job_id}").json()
    # then
    assert doc["status"] == JobStatus.DONE
    assert doc["progress"] == 1.0
    assert (doc["lines"], doc["rejected"], doc["already_imported"]) == (len(ONLINE_RETAIL_GOOD), 1, False)
    assert (doc["customers"], doc["linked"], doc["unmatched"]) == (2, 2, 0)
    assert doc["finished_at"] is not None
    totals = api(head, "get", "/profitability").json()["totals"]
    assert totals["lines"] == len(ONLINE_RETAIL_GOOD)
    assert totals["pocket_revenue"] == money(online_retail_pocket(ONLINE_RETAIL_GOOD))


def test_second_upload_of_the_same_file_is_already_imported(api: Api, head, sample: Path, ingest):
    # given
    import_job_run(upload(api, head, sample).json()["id"])
    # when
    second = upload(api, head, sample).json()["id"]
    import_job_run(second)
    # then
    doc = api(head, "get", f"/imports/{second}").json()
    assert (doc["already_imported"], doc["lines"]) == (True, 0)
    assert api(head, "get", "/profitability").json()["totals"]["lines"] == len(ONLINE_RETAIL_GOOD)


@pytest.mark.parametrize(("field", "value"), [("mapping", "no-such-mapping"), ("link_mode", "telepathy")])
def test_bad_option_is_422_and_nothing_queued(api: Api, head, sample: Path, ingest, field: str, value: str):
    # when
    response = upload(api, head, sample, **{field: value})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == [field]
    assert not ImportJob.objects.exists()


def test_upload_without_file_is_422(api: Api, head):
    # when
    response = api(head, "post", "/imports", form={"mapping": "online-retail"})
    # then
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


# ---------------------------------------------------------------- jobs


@pytest.fixture
def jobs(head) -> list[ImportJob]:
    done = ImportJob.objects.create(
        file_path="/nowhere/a.csv", original_name="2010.csv", status=JobStatus.DONE, progress=1.0, lines=120,
        rejected=3, customers=9, linked_customers=7, unmatched_customers=["17", "18"], created_by=head,
    )  # fmt: skip
    running = ImportJob.objects.create(
        file_path="/nowhere/b.csv", original_name="2011.csv", status=JobStatus.RUNNING, progress=0.4,
        message="validating", created_by=head,
    )  # fmt: skip
    return [running, done]


@pytest.mark.parametrize("role", ["head", "admin_user", "controller", "viewer"])
def test_import_jobs_newest_first(api: Api, request, jobs: list[ImportJob], role: str):
    # when
    doc = api(request.getfixturevalue(role), "get", "/imports").json()
    # then
    assert doc["count"] == 2
    assert [i["file"] for i in doc["items"]] == ["2011.csv", "2010.csv"]
    running, done = doc["items"]
    assert (running["status"], running["progress"], running["message"]) == ("running", 0.4, "validating")
    assert (done["lines"], done["rejected"], done["customers"], done["linked"], done["unmatched"]) == (
        120, 3, 9, 7, 2
    )  # fmt: skip


def test_import_job_detail(api: Api, controller, jobs: list[ImportJob]):
    # when
    doc = api(controller, "get", f"/imports/{jobs[1].pk}").json()
    # then
    assert (doc["id"], doc["status"], doc["unmatched"]) == (str(jobs[1].pk), "done", 2)


def test_kam_cannot_read_import_jobs(api: Api, kam, jobs: list[ImportJob]):
    # when
    listing = api(kam, "get", "/imports")
    detail = api(kam, "get", f"/imports/{jobs[0].pk}")
    # then
    assert (listing.status_code, detail.status_code) == (403, 403)


def test_unknown_import_job_is_404(api: Api, head, jobs: list[ImportJob]):
    # when
    unknown = api(head, "get", f"/imports/{uuid.uuid4()}")
    malformed = api(head, "get", "/imports/not-a-uuid")
    # then
    assert unknown.status_code == 404
    assert malformed.status_code == 422
