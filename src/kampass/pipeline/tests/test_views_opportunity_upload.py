"""Pipeline › Imports: uploading a CRM export of opportunities in the browser, with the choice to keep deals
without a matching account as unlinked opportunities (``--link keep``), run in the background."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory
from kampass.common.models import JobStatus
from kampass.pipeline.models import Opportunity, PipelineImport, UnlinkedOpportunity
from kampass.pipeline.services.imports import pipeline_import_run

pytestmark = pytest.mark.django_db

EXPORT = (
    b"Id,Name,AccountId,AccountName,Amount,StageName,CreatedDate,CloseDate\n"
    b"O1,Known deal,K1,Known AG,1000,Prospecting,2029-01-02,2029-06-30\n"
    b"O2,Retrofit,N1,Neu GmbH,2500,Prospecting,2029-01-03,2029-07-31\n"
)


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("deals.csv", EXPORT, content_type="text/csv")


def test_head_uploads_opportunities_keeping_deals_without_an_account(client, head, django_capture_on_commit_callbacks):
    # given head of KAM on the imports page, one of the file's two companies an account
    known = AccountFactory(name="Known AG", external_id="K1")
    client.force_login(head)
    page = client.get(reverse("pipeline-imports")).content.decode()
    assert 'data-testid="opportunity-form"' in page
    assert "keep deals without a matching account as unlinked opportunities" in page

    # when they upload the export choosing to keep deals without a matching account, accept the suggested
    # columns on the mapping step and start the import (run as the worker would)
    response = client.post(reverse("opportunity-import"), {"file": _upload(), "mapping": "generic", "link": "keep"})
    job = PipelineImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("opportunity-import-map", args=[job.pk])
    assert (job.kind, job.link, job.status) == ("opportunities", "keep", "draft")
    with django_capture_on_commit_callbacks(execute=False):
        response = _start(client, job)
    assert response.status_code == 302
    pipeline_import_run(str(job.pk))

    # then the known deal is imported, the other kept, and the outcome says so
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Opportunity.objects.get().account == known
    assert UnlinkedOpportunity.objects.get().company_name == "Neu GmbH"
    assert job.result["unlinked"] == 1
    assert "Deals without an account kept: 1" in job.message
    assert "Deals without an account kept: 1" in client.get(response.url).content.decode()


def _start(client, job: PipelineImport):
    """Start the draft upload with the columns its mapping step suggests and the options of the upload."""
    page = client.get(reverse("opportunity-import-map", args=[job.pk]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name not in ("strict", "dry_run")}
    return client.post(reverse("opportunity-import-map", args=[job.pk]), {**data, "action": "start"})


def test_without_keep_the_deal_is_rejected_as_before(client, head, django_capture_on_commit_callbacks):
    AccountFactory(name="Known AG", external_id="K1")
    client.force_login(head)
    client.post(reverse("opportunity-import"), {"file": _upload(), "mapping": "generic", "link": "external_id"})
    with django_capture_on_commit_callbacks(execute=False):
        _start(client, PipelineImport.objects.get())

    job = pipeline_import_run(str(PipelineImport.objects.get().pk))

    assert job.result["rejected"] == 1
    assert not UnlinkedOpportunity.objects.exists()


def test_an_unknown_link_mode_is_refused_on_the_form(client, head):
    client.force_login(head)

    response = client.post(reverse("opportunity-import"), {"file": _upload(), "mapping": "generic", "link": "guess"})

    assert response.status_code == 422
    assert not PipelineImport.objects.exists()


@pytest.mark.parametrize("role", ["kam", "viewer"])
def test_who_may_not_import_cannot_upload(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.post(reverse("opportunity-import"), {"file": _upload(), "mapping": "generic", "link": "keep"})

    assert response.status_code == 403
    assert not PipelineImport.objects.exists()


def test_the_api_takes_an_upload_with_keep(api, head):
    AccountFactory(name="Known AG", external_id="K1")

    response = api(head, "post", "/opportunity-imports", form={"file": _upload(), "mapping": "generic", "link": "keep"})

    assert response.status_code == 202
    job = pipeline_import_run(response.json()["id"])
    assert (job.kind, job.result["unlinked"]) == ("opportunities", 1)
    assert api(head, "get", f"/pipeline-imports/{job.pk}").json()["result"]["unlinked"] == 1


@pytest.mark.parametrize("role", ["kam", "viewer"])
def test_the_api_denies_the_upload_to_those_who_may_not_import(api, request, role):
    response = api(request.getfixturevalue(role), "post", "/opportunity-imports", form={"file": _upload()})

    assert response.status_code == 403
