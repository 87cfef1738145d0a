"""Plan exports written by the task worker: asking for one (page, API), its progress, the download by the
user who asked for it only, a failure shown as such, and the daily removal of old exports."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common import schedule
from kampass.common.models import ScheduledRun
from kampass.planning import export_jobs
from kampass.planning.models import PlanExportJob
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _per_test_home(settings: Any, tmp_path: Path) -> None:
    settings.KAMPASS_HOME = tmp_path / "home"


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def plan(kam: Any) -> Any:
    account = AccountFactory(name="Kone Oyj", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return make_plan(account=account, status="active")


def _start(actor: Any, plan: Any, capture: Any, **kw: Any) -> PlanExportJob:
    with capture(execute=True):
        job = export_jobs.export_job_start(actor=actor, plan=plan, **{"fmt": "pdf", "lang": "en", **kw})
    job.refresh_from_db()
    return job


# ---- service


def test_the_worker_writes_the_one_pager_into_a_private_file(
    kam: Any, plan: Any, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(kam, plan, django_capture_on_commit_callbacks, lang="de", summary=True)

    assert (job.status, job.percent) == ("done", 100)
    assert job.filename == "account-plan-kone-oyj-2027-01-v1-summary-de.pdf"
    path = Path(job.file_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert job.size == path.stat().st_size
    pdf = pdfium.PdfDocument(path.read_bytes())
    assert len(pdf) == 1
    assert "Zusammenfassung" in pdf[0].get_textpage().get_text_range()


def test_a_second_request_while_one_is_queued_gets_the_queued_one(kam: Any, plan: Any) -> None:
    first = export_jobs.export_job_start(actor=kam, plan=plan, fmt="xlsx", lang="en")
    again = export_jobs.export_job_start(actor=kam, plan=plan, fmt="xlsx", lang="en")
    other = export_jobs.export_job_start(actor=kam, plan=plan, fmt="xlsx", lang="de")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert first.status == "queued"


def test_who_may_ask_and_who_may_download(
    kam: Any, kam2: Any, viewer: Any, plan: Any, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(PermissionDenied):
        export_jobs.export_job_start(actor=kam2, plan=plan, fmt="pdf", lang="en")
    job = _start(viewer, plan, django_capture_on_commit_callbacks, fmt="xlsx")

    found, data = export_jobs.export_job_file(viewer, job.pk)
    assert found.pk == job.pk
    assert load_workbook(io.BytesIO(data)).sheetnames[0] == "Overview"
    with pytest.raises(PermissionDenied):
        export_jobs.export_job_file(kam, job.pk)  # may read the plan, but did not ask for this file


def test_unknown_formats_and_languages_are_refused_by_name(kam: Any, plan: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        export_jobs.export_job_start(actor=kam, plan=plan, fmt="docx", lang="fr")
    assert set(exc.value.message_dict) == {"format", "lang"}
    assert not PlanExportJob.objects.exists()


def test_a_failing_export_is_marked_failed_with_its_cause(
    kam: Any, plan: Any, immediate_tasks: None, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    import kampass.planning.exports as exports

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(exports, "export_plan", broken)
    job = _start(kam, plan, django_capture_on_commit_callbacks)

    assert job.status == "failed"
    assert "fonts missing" in job.error
    with pytest.raises(FileNotFoundError):
        export_jobs.export_job_file(kam, job.pk)


def test_old_exports_and_their_files_are_removed_running_ones_kept(
    kam: Any, plan: Any, immediate_tasks: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.KAMPASS_EXPORT_KEEP_DAYS = 7
    old = _start(kam, plan, django_capture_on_commit_callbacks)
    recent = _start(kam, plan, django_capture_on_commit_callbacks, fmt="pptx")
    queued = PlanExportJob.objects.create(plan=plan, fmt="xlsx", lang="en", created_by=kam)
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    PlanExportJob.objects.filter(pk__in=[old.pk, queued.pk]).update(created_at=eight_days_ago)

    assert export_jobs.export_jobs_purge() == 1
    assert not Path(old.file_path).exists()
    assert Path(recent.file_path).exists()
    assert set(PlanExportJob.objects.values_list("pk", flat=True)) == {recent.pk, queued.pk}


def test_the_daily_schedule_enqueues_the_removal_once_a_day(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KAMPASS_DAILY_AT = "00:00"
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        first = schedule.enqueue_due(now)
        again = schedule.enqueue_due(now)

    assert "planning.export_purge" in first
    assert "planning.export_purge" not in again
    assert ScheduledRun.objects.filter(name="planning.export_purge").count() == 1


# ---- page


def test_the_page_asks_follows_the_progress_and_downloads(client: Any, kam: Any, plan: Any, settings: Any) -> None:
    client.force_login(kam)
    url = f"/plans/{plan.pk}/export/pptx/start/"

    queued = client.post(url, {"lang": "en"}, HTTP_HX_REQUEST="true")
    body = queued.content.decode()
    job = PlanExportJob.objects.get()
    assert queued.status_code == 200
    assert 'data-status="queued"' in body
    assert f'hx-get="/plans/exports/{job.pk}/"' in body  # polled while it waits
    assert client.get(f"/plans/exports/{job.pk}/file/").status_code == 404  # not written yet

    export_jobs.export_job_execute(str(job.pk))  # the worker
    polled = client.get(f"/plans/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in polled
    assert "hx-get" not in polled
    assert f'href="/plans/exports/{job.pk}/file/"' in polled
    download = client.get(f"/plans/exports/{job.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"].endswith("presentationml.presentation")
    assert 'filename="account-plan-kone-oyj-2027-01-v1-en.pptx"' in download["Content-Disposition"]
    assert download.content[:2] == b"PK"


def test_without_scripts_the_form_leads_to_the_exports_page(client: Any, kam: Any, kam2: Any, plan: Any) -> None:
    client.force_login(kam)
    response = client.post(f"/plans/{plan.pk}/export/pdf/start/", {"lang": "de", "summary": "1"})
    job = PlanExportJob.objects.get()

    assert response.status_code == 302
    assert response["Location"] == f"/plans/exports/{job.pk}/"
    assert (job.fmt, job.lang, job.summary) == ("pdf", "de", True)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Kone Oyj" in page.content.decode()
    client.force_login(kam2)
    assert client.get(response["Location"]).status_code == 403
    assert client.post(f"/plans/{plan.pk}/export/pdf/start/", {"lang": "de"}).status_code == 403
    assert client.post(f"/plans/{plan.pk}/export/docx/start/").status_code == 404


# ---- API


def test_the_api_asks_polls_and_downloads(api: Any, viewer: Any, kam: Any, plan: Any) -> None:
    started = api(viewer, "post", f"/plans/{plan.pk}/exports", {"format": "pdf", "lang": "de"})
    assert started.status_code == 202
    job_id = started.json()["id"]
    assert started.json()["status"] == "queued"
    assert started.json()["file_url"] is None
    assert api(viewer, "get", f"/plan-exports/{job_id}/file").status_code == 404

    export_jobs.export_job_execute(job_id)
    polled = api(viewer, "get", f"/plan-exports/{job_id}").json()
    assert (polled["status"], polled["percent"]) == ("done", 100)
    assert polled["file_url"] == f"/api/v1/plan-exports/{job_id}/file"
    pdf = api(viewer, "get", f"/plan-exports/{job_id}/file")
    assert pdf.status_code == 200
    assert len(pdfium.PdfDocument(pdf.content)) >= 2  # the full plan
    assert api(kam, "get", f"/plan-exports/{job_id}").status_code == 403
    assert api(viewer, "get", "/plan-exports/00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_worker_takes_an_export_before_a_backlog_of_background_scoring(
    kam: Any, plan: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from kampass.pipeline.tasks import score_opportunities

    for i in range(3):  # e.g. what a demo or an import leaves for the worker
        score_opportunities.enqueue([i])
    with django_capture_on_commit_callbacks(execute=True):
        job = export_jobs.export_job_start(actor=kam, plan=plan, fmt="pdf", lang="en")

    first = DBTaskResult.objects.ready().first()
    assert first is not None
    assert first.task_path == "kampass.planning.tasks.build_plan_export"
    assert first.args_kwargs["args"] == [str(job.pk)]
