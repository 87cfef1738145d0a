"""Imports pages: upload form, job list with progress, outcome, rejects download, linking customers.

The import pipeline itself is not run here: ``import_job_create`` queues it with
``transaction.on_commit``, which does not fire inside the test transaction.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampass.accounts.models import Account
from kampass.accounts.services import account_create
from kampass.commercial.models import CustomerLink, ImportJob, LinkMode
from kampass.common.models import JobStatus

CSV = b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" + (
    b"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
)


def make_job(user, **fields):
    values = {"file_path": "/nonexistent/x.csv", "original_name": "sales.csv", "created_by": user} | fields
    return ImportJob.objects.create(**values)


def test_import_page_renders_form_and_jobs(client, head):
    make_job(head, status=JobStatus.DONE, progress=1.0, lines=1234)
    client.force_login(head)
    response = client.get(reverse("import-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="import-form"' in body
    assert 'enctype="multipart/form-data"' in body
    assert 'name="mapping"' in body
    assert 'value="generic"' in body
    assert 'data-testid="job-table"' in body
    assert "sales.csv" in body
    assert "1,234" in body
    assert reverse("import-list") in body  # the Imports link in the navigation


def test_upload_without_file_is_refused_with_a_field_error(client, head):
    client.force_login(head)
    response = client.post(reverse("import-list"), {"mapping": "online-retail", "link_mode": LinkMode.EXTERNAL_ID})
    assert response.status_code == 422
    assert "file" in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_with_unknown_mapping_is_refused(client, head):
    client.force_login(head)
    upload = SimpleUploadedFile("sales.csv", CSV, content_type="text/csv")
    response = client.post(
        reverse("import-list"), {"file": upload, "mapping": "sap-r3", "link_mode": LinkMode.EXTERNAL_ID}
    )
    assert response.status_code == 422
    assert "mapping" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_upload_of_a_wrong_file_type_is_refused(client, head):
    client.force_login(head)
    upload = SimpleUploadedFile("sales.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(reverse("import-list"), {"file": upload, "mapping": "generic", "link_mode": "none"})
    assert response.status_code == 422
    assert "file" in response.context["form"].errors


def test_invalid_htmx_upload_returns_the_form_fragment(client, head):
    client.force_login(head)
    response = client.post(reverse("import-list"), {"mapping": "generic"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="import-form"' in body
    assert "field-error" in body


def test_valid_upload_is_kept_for_its_mapping_step_and_queued_from_there(
    client, head, django_capture_on_commit_callbacks
):
    client.force_login(head)
    upload = SimpleUploadedFile("sales.csv", CSV, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("import-list"),
            {"file": upload, "mapping": "online-retail", "strict": "on", "link_mode": LinkMode.CREATE},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import-map", args=[job.pk])
    assert (job.original_name, job.mapping, job.strict, job.dry_run, job.link_mode) == (
        "sales.csv", "online-retail", True, False, LinkMode.CREATE,
    )  # fmt: skip
    assert job.status == "draft"
    assert job.created_by == head
    with open(job.file_path, "rb") as fh:
        assert fh.read() == CSV
    assert not callbacks  # nothing runs before the columns are confirmed
    columns = {
        "col_invoice_no": "InvoiceNo", "col_invoice_date": "InvoiceDate", "col_quantity": "Quantity",
        "col_unit_price": "UnitPrice", "col_customer_id": "CustomerID", "strict": "on",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("import-map", args=[job.pk]), {**columns, "action": "start"})
    assert response.status_code == 302
    assert response["Location"] == reverse("import-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.columns == {
        "invoice_no": "InvoiceNo", "invoice_date": "InvoiceDate", "customer_id": "CustomerID",
        "quantity": "Quantity", "unit_price": "UnitPrice",
    }  # fmt: skip
    assert len(callbacks) == 1  # the task is enqueued only when the transaction commits


def test_controller_and_kam_may_not_import(client, controller, kam):
    for user in (controller, kam):
        client.force_login(user)
        assert client.get(reverse("import-list")).status_code == 403
        upload = SimpleUploadedFile("sales.csv", CSV, content_type="text/csv")
        assert client.post(reverse("import-list"), {"file": upload, "mapping": "generic"}).status_code == 403
        body = client.get(reverse("portfolio")).content.decode()
        assert reverse("import-list") not in body
    assert not ImportJob.objects.exists()


def test_job_row_fragment_polls_while_running(client, admin_user):
    job = make_job(admin_user, status=JobStatus.RUNNING, progress=0.42, message="Reading lines")
    client.force_login(admin_user)
    response = client.get(reverse("import-row", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert "<html" not in body
    assert '<progress max="100" value="42"' in body
    assert 'hx-trigger="every 1s"' in body
    assert reverse("import-row", args=[job.pk]) in body


def test_job_row_stops_polling_when_done(client, admin_user):
    job = make_job(admin_user, status=JobStatus.DONE, progress=1.0, lines=10)
    client.force_login(admin_user)
    body = client.get(reverse("import-row", args=[job.pk])).content.decode()
    assert '<progress max="100" value="100"' in body
    assert "hx-trigger" not in body


def test_import_detail_shows_the_outcome(client, head):
    job = make_job(
        head, status=JobStatus.DONE, progress=1.0, lines=5321, rejected=3, customers=4, linked_customers=2,
        unmatched_customers=["17850", "13047"],
    )  # fmt: skip
    client.force_login(head)
    response = client.get(reverse("import-detail", args=[job.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "5,321" in body
    assert 'data-testid="unmatched-table"' in body
    assert "17850" in body
    assert 'hx-trigger="every 1s"' not in body  # done: no polling
    assert reverse("account-lookup") in body  # the account picker of each unmatched customer


def test_import_detail_polls_while_queued(client, head):
    job = make_job(head)
    client.force_login(head)
    body = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "<progress" in body
    fragment = client.get(reverse("import-detail", args=[job.pk]), headers={"HX-Request": "true", "HX-Target": "job"})
    assert "<html" not in fragment.content.decode()
    assert 'id="job"' in fragment.content.decode()


def test_rejects_download_404_without_rejects(client, head):
    job = make_job(head, status=JobStatus.DONE)
    client.force_login(head)
    assert client.get(reverse("import-rejects", args=[job.pk])).status_code == 404
    gone = make_job(head, status=JobStatus.DONE, rejects_path="/nonexistent/rejects.csv")
    assert client.get(reverse("import-rejects", args=[gone.pk])).status_code == 404


def test_rejects_download(client, head, tmp_path):
    rejects = tmp_path / "r.rejects.csv"
    rejects.write_text("row,column,value,reason\n7,Quantity,abc,not a number\n")
    job = make_job(head, status=JobStatus.DONE, rejected=1, rejects_path=str(rejects))
    client.force_login(head)
    response = client.get(reverse("import-rejects", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "sales-rejects.csv" in response["Content-Disposition"]
    assert b"not a number" in b"".join(response.streaming_content)


def test_linking_an_unmatched_customer_creates_a_link(client, head, admin_user):
    account = account_create(actor=admin_user, name="Heart Supplies Ltd")
    job = make_job(head, status=JobStatus.DONE, unmatched_customers=["17850", "13047"])
    client.force_login(head)
    response = client.post(
        reverse("import-link-customer", args=[job.pk]), {"customer_id": "17850", "account": account.pk, "index": 1}
    )
    assert response.status_code == 302
    link = CustomerLink.objects.get(customer_id="17850")
    assert link.account == account
    body = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "linked to Heart Supplies Ltd" in body


def test_linking_without_an_account_shows_the_error_in_the_row(client, head):
    job = make_job(head, status=JobStatus.DONE, unmatched_customers=["17850"])
    client.force_login(head)
    response = client.post(
        reverse("import-link-customer", args=[job.pk]), {"customer_id": "17850", "account": "", "index": 1},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert "field-error" in body
    assert not CustomerLink.objects.exists()


def test_linking_a_customer_not_in_the_import_is_refused(client, head, admin_user):
    account = account_create(actor=admin_user, name="Heart Supplies Ltd")
    job = make_job(head, status=JobStatus.DONE, unmatched_customers=["17850"])
    client.force_login(head)
    response = client.post(reverse("import-link-customer", args=[job.pk]), {"customer_id": "99", "account": account.pk})
    assert response.status_code == 404
    assert not CustomerLink.objects.exists()


def test_create_accounts_for_all_unmatched_customers(client, head):
    job = make_job(head, status=JobStatus.DONE, unmatched_customers=["17850", "13047"])
    client.force_login(head)
    response = client.post(reverse("import-create-accounts", args=[job.pk]))
    assert response.status_code == 302
    assert set(CustomerLink.objects.values_list("customer_id", flat=True)) == {"17850", "13047"}
    assert Account.objects.filter(external_id__in=["17850", "13047"]).count() == 2


def test_controller_may_not_open_import_details(client, controller, head):
    job = make_job(head, status=JobStatus.DONE, unmatched_customers=["17850"])
    client.force_login(controller)
    assert client.get(reverse("import-detail", args=[job.pk])).status_code == 403
    assert client.get(reverse("import-row", args=[job.pk])).status_code == 403
    assert client.post(reverse("import-create-accounts", args=[job.pk])).status_code == 403
    assert not CustomerLink.objects.exists()


def test_import_detail_names_the_mapping_by_its_title_in_the_readers_language(client, head):
    # given: a job that read its file with the built-in mapping "online-retail"
    job = make_job(head, status=JobStatus.DONE, progress=1.0, mapping="online-retail")
    head.language = "de"
    head.save()
    client.force_login(head)

    # when
    body = client.get(reverse("import-detail", args=[job.pk])).content.decode()

    # then: its title, not its file name
    assert "Online Retail" in body
    assert "online-retail" not in body


def _box(body: str) -> str:
    """The "How imports work" box of the imports page."""
    start = body.index("How imports work") if "How imports work" in body else body.index("So funktionieren Importe")
    return body[start : body.index("</section>", start)]


def test_the_import_page_states_the_limits_retention_and_overlap_choice_as_set_up(client, head, settings):
    # given limits and a retention time set by the administrator (a limit set to 0 is switched off)
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 50
    settings.KAMPASS_IMPORT_MAX_ROWS = 2_500_000
    settings.KAMPASS_IMPORT_MAX_COLUMNS = 0
    settings.KAMPASS_IMPORT_MAX_CELL_CHARS = 1000
    settings.KAMPASS_IMPORT_XLSX_MAX_UNCOMPRESSED_MB = 512
    settings.KAMPASS_IMPORT_XLSX_MAX_RATIO = 80
    settings.KAMPASS_IMPORT_TIME_LIMIT_SECONDS = 1800
    settings.KAMPASS_UPLOAD_RETENTION_HOURS = 24
    client.force_login(head)
    # when
    box = _box(client.get(reverse("import-list")).content.decode())
    # then the box names them as set
    assert "at most 50.0\xa0MB per file (KAMPASS_IMPORT_MAX_FILE_MB)" in box
    assert "at most 2,500,000 rows (KAMPASS_IMPORT_MAX_ROWS)" in box
    assert "KAMPASS_IMPORT_MAX_COLUMNS" not in box
    assert "at most 1,000 characters per cell" in box
    assert "unpacks to at most 512.0\xa0MB" in box
    assert "compressed at most 80 times" in box
    assert "stops after 1,800 seconds" in box
    assert "kept for 24 hours after its import, then deleted (KAMPASS_UPLOAD_RETENTION_HOURS)" in box
    for label in ("Skip the lines imported before", "Replace the earlier lines with those of this file"):
        assert label in box
    # and in German, with uploads deleted at once
    settings.KAMPASS_UPLOAD_RETENTION_HOURS = 0
    head.language = "de"
    head.save()
    box = _box(client.get(reverse("import-list")).content.decode())
    assert "höchstens 50,0\xa0MB je Datei (KAMPASS_IMPORT_MAX_FILE_MB)" in box
    assert "höchstens 2.500.000 Zeilen" in box
    assert "nach 1.800 Sekunden" in box
    assert "Die hochgeladene Datei wird gelöscht, sobald ihr Import beendet ist" in box
