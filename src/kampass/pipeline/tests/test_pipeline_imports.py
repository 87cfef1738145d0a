"""Stage-history uploads in the web UI and the API: a background job with progress whose outcome says what
was imported and what was derived; only those who may import opportunities may upload (UI and API)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampass.common.models import JobStatus
from kampass.pipeline.models import OpportunityStageChange, PipelineImport
from kampass.pipeline.services.imports import pipeline_import_run
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

HISTORY = b"""OpportunityId,StageName,CreatedDate,Amount,CloseDate,Probability
006A,Prospecting,2024-01-02T08:00:00.000+0000,1000,2024-06-30,10
006A,Proposal/Quote,2024-02-01T08:00:00.000+0000,1500,2024-06-30,75
006A,Closed Won,2024-03-01T08:00:00.000+0000,1500,2024-03-01,100
006X,Qualification,2024-01-05,100,2024-05-01,10
"""


@pytest.fixture
def won(group):
    return make_opportunity(account=group, name="A", source="salesforce", external_id="006A", stage_name="Closed Won")


def _upload(name: str = "OpportunityHistory.csv", content: bytes = HISTORY) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_head_uploads_a_stage_history_and_its_page_says_what_was_imported_and_derived(
    client, head, won, django_capture_on_commit_callbacks
):
    # given the head of KAM on the pipeline's import page
    client.force_login(head)
    page = client.get(reverse("pipeline-imports"))
    assert page.status_code == 200
    assert b'data-testid="history-form"' in page.content
    # when they upload a Salesforce OpportunityHistory export (queued; run here as the worker would)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("pipeline-imports"), {"file": _upload(), "mapping": "salesforce"})
    job = PipelineImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pipeline-import", args=[job.pk])
    assert len(queued) == 1
    assert job.status == JobStatus.QUEUED
    running = client.get(response.url)
    assert b"every 1s" in running.content  # the page polls while the job is queued or running
    seen: list[float] = []
    pipeline_import_run(str(job.pk), progress=lambda fraction, message: seen.append(fraction))
    # then the entries are recorded, progress was reported, the message says what was derived
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.progress == 1.0
    assert seen == sorted(seen)
    assert len(seen) >= 3
    assert OpportunityStageChange.objects.filter(opportunity=won, note__startswith="history import").count() == 3
    derived = OpportunityStageChange.objects.filter(opportunity=won, derived=True).count()
    assert derived > 0
    assert "3 stage entries" in job.message
    assert f"Derived (certain, without a date): {derived} entries" in job.message
    done = client.get(reverse("pipeline-import", args=[job.pk]))
    assert b"every 1s" not in done.content
    assert job.message.encode() in done.content
    # and the row it could not use is listed with row, column and value
    assert b"006X" in done.content
    assert b"OpportunityId" in done.content
    # and the uploaded file is gone once imported
    assert not Path(job.file_path).exists()


def test_the_outcome_is_in_the_uploaders_language(client, head, won):
    head.language = "de"
    head.save()
    client.force_login(head)
    client.post(reverse("pipeline-imports"), {"file": _upload(), "mapping": "salesforce"})
    job = pipeline_import_run(str(PipelineImport.objects.get().pk))
    assert "Abgeleitet" in job.message


@pytest.mark.parametrize("role", ["kam", "viewer", "controller"])
def test_who_may_not_import_opportunities_cannot_upload_a_stage_history(client, request, role, won):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("pipeline-imports")).status_code == 403
    response = client.post(reverse("pipeline-imports"), {"file": _upload(), "mapping": "salesforce"})
    assert response.status_code == 403
    assert not PipelineImport.objects.exists()


def test_a_file_that_is_no_csv_or_excel_is_refused_with_a_message(client, head):
    client.force_login(head)
    response = client.post(reverse("pipeline-imports"), {"file": _upload("history.pdf", b"%PDF"), "mapping": "generic"})
    assert response.status_code == 422
    assert "is not a CSV or Excel file" in response.content.decode()
    assert not PipelineImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, head, settings):
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 0.0001  # about 100 bytes
    client.force_login(head)
    response = client.post(reverse("pipeline-imports"), {"file": _upload(content=HISTORY * 5), "mapping": "salesforce"})
    assert response.status_code == 422
    assert "KAMPASS_IMPORT_MAX_FILE_MB" in response.content.decode()
    assert not PipelineImport.objects.exists()


def test_the_api_takes_a_multipart_upload_and_returns_the_job(api, head, won):
    # when
    created = api(head, "post", "/stage-history-imports", form={"file": _upload(), "mapping": "salesforce"})
    # then
    assert created.status_code == 202, created.content
    body = created.json()
    assert (body["kind"], body["status"], body["file"]) == ("stage_history", "queued", "OpportunityHistory.csv")
    pipeline_import_run(body["id"])
    polled = api(head, "get", f"/pipeline-imports/{body['id']}").json()
    assert polled["status"] == "done"
    assert (polled["result"]["entries"], polled["result"]["opportunities"]) == (3, 1)
    assert polled["result"]["derived_entries"] > 0
    assert polled["result"]["rejects"][0]["column"] == "OpportunityId"


def test_the_api_refuses_an_unknown_mapping(api, head):
    refused = api(head, "post", "/stage-history-imports", form={"file": _upload(), "mapping": "hubspot"})
    assert refused.status_code == 422
    assert not PipelineImport.objects.exists()


@pytest.mark.parametrize("role", ["kam", "viewer"])
def test_the_api_denies_uploads_and_jobs_to_those_who_may_not_import(api, request, role, head, won):
    user = request.getfixturevalue(role)
    denied = api(user, "post", "/stage-history-imports", form={"file": _upload(), "mapping": "salesforce"})
    assert denied.status_code == 403
    job = api(head, "post", "/stage-history-imports", form={"file": _upload(), "mapping": "salesforce"}).json()
    assert api(user, "get", f"/pipeline-imports/{job['id']}").status_code == 403
    assert PipelineImport.objects.count() == 1
