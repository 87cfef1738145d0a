"""The mapping step of a transactions upload (issue 15): columns suggested from the mapping and the usual
English and German names, a preview of the first lines as they will be stored, saved mappings, start and
discard."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampass.commercial.models import ImportJob
from kampass.commercial.services import import_job_create, import_job_run
from kampass.commercial.services_mapping import (
    import_job_preview,
    import_job_start,
    invoice_mapping_save,
    saved_mappings,
)
from kampass.common.analytics import analytics_store
from kampass.common.models import ImportMapping, JobStatus
from kampass.core.analytics.schema import INVOICE_LINES

#: an ERP export with German headers, semicolons, decimal commas and dotted dates; row 4 has a bad quantity
GERMAN = (
    b"Belegnummer;Buchungsdatum;Kundennummer;Artikelnummer;Bezeichnung;Menge;Einzelpreis;Land\n"
    b"R-1001;13.03.2024;K-7;A-1;Schraube M8;100;0,25;DE\n"
    b"R-1001;13.03.2024;K-7;A-2;Mutter M8;40;0,10;DE\n"
    b"R-1002;14.03.2024;K-9;A-1;Schraube M8;zwei;0,25;AT\n"
    b"R-1003;15.03.2024;K-9;A-3;Unterlegscheibe;1.500;0,02;AT\n"
)
EXPECTED_COLUMNS = {
    "invoice_no": "Belegnummer", "invoice_date": "Buchungsdatum", "customer_id": "Kundennummer",
    "stock_code": "Artikelnummer", "description": "Bezeichnung", "quantity": "Menge", "unit_price": "Einzelpreis",
    "country": "Land",
}  # fmt: skip


def upload(client, data: bytes = GERMAN, name: str = "erp.csv", mapping: str = "generic") -> ImportJob:
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    response = client.post(reverse("import-list"), {"file": file, "mapping": mapping, "link_mode": "none"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("created_at")
    assert response["Location"] == reverse("import-map", args=[job.pk])
    return job


def choices(columns: dict[str, str]) -> dict[str, str]:
    return {f"col_{field}": column for field, column in columns.items()}


def test_the_mapping_step_suggests_german_columns_and_shows_the_lines_as_stored(client, head):
    client.force_login(head)
    job = upload(client)
    response = client.get(reverse("import-map", args=[job.pk]))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.columns == EXPECTED_COLUMNS
    assert not preview.missing
    # every line of the file is counted, the bad one among them
    assert (preview.rows, preview.rejected, preview.date_order) == (4, 1, "")
    assert [line.row for line in preview.lines] == [2, 3, 4, 5]
    first, bad, last = preview.lines[0], preview.lines[2], preview.lines[3]
    # stored values, computed independently from the file: 100 x 0.25, 1,500 (thousands point) x 0.02
    assert first.values["invoice_no"] == "R-1001"
    assert first.values["invoice_date"].date().isoformat() == "2024-03-13"
    assert first.values["amount"] == Decimal("25")
    assert last.values["quantity"] == Decimal("1500")
    assert last.values["amount"] == Decimal("30")
    assert first.values["currency"] == "EUR"
    assert first.reasons == ()
    assert bad.reasons == ("not a number",)
    body = response.content.decode()
    assert 'data-testid="preview-table"' in body
    assert "Schraube M8" in body
    assert "The file has 4 lines." in body
    assert "1 of them would be rejected." in body
    # each field's select has the suggested column chosen
    assert '<option value="Buchungsdatum" selected>' in body


def test_the_mapping_step_speaks_german(client, head):
    head.language = "de"
    head.save()
    client.force_login(head)
    job = upload(client)
    body = client.get(reverse("import-map", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Vorschau" in body
    assert "Rechnungsnummer" in body
    assert "13.03.2024" in body  # the date as stored, in the German format
    assert "Die Datei hat 4 Zeilen." in body
    assert "keine Zahl" in body  # the rejected line's reason in the reader's language
    assert "<td>0,25</td>" in body
    assert "<td>1.500</td>" in body


def test_a_required_field_without_a_column_is_asked_for_and_start_is_refused(client, head):
    client.force_login(head)
    data = b"No;Day;Qty;Something\nR-1;2024-03-13;2;1.5\n"
    job = upload(client, data)
    page = client.get(reverse("import-map", args=[job.pk]))
    assert [f.name for f in page.context["preview"].missing] == ["invoice_no", "invoice_date", "unit_price"]
    response = client.post(
        reverse("import-map", args=[job.pk]),
        {**choices({"invoice_no": "No", "invoice_date": "Day", "quantity": "Qty"}), "action": "start"},
    )
    assert response.status_code == 422
    assert "col_unit_price" in response.context["form"].errors
    job.refresh_from_db()
    assert job.status == "draft"
    # choosing the column by hand makes it importable
    chosen = {"invoice_no": "No", "invoice_date": "Day", "quantity": "Qty", "unit_price": "Something"}
    response = client.post(reverse("import-map", args=[job.pk]), {**choices(chosen), "action": "start"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.columns) == (JobStatus.QUEUED, chosen)
    assert import_job_run(str(job.pk)).lines == 1


def stored_lines() -> list[dict]:
    with analytics_store() as store:
        return store.table(INVOICE_LINES).select("invoice_no", "stock_code", "amount").to_pyarrow().to_pylist()


def test_the_chosen_columns_are_what_the_import_stores(client, head):
    client.force_login(head)
    job = upload(client)
    client.post(reverse("import-map", args=[job.pk]), {**choices(EXPECTED_COLUMNS), "action": "start"})
    done = import_job_run(str(job.pk))
    assert (done.lines, done.rejected) == (3, 1)
    stored = stored_lines()
    # independent: the good lines of GERMAN, quantity x price
    assert sorted((r["invoice_no"], r["stock_code"], r["amount"]) for r in stored) == [
        ("R-1001", "A-1", Decimal("25.0000")),
        ("R-1001", "A-2", Decimal("4.0000")),
        ("R-1003", "A-3", Decimal("30.0000")),
    ]


def test_ambiguous_dates_are_asked_for_on_the_page_and_answered_there(client, head):
    client.force_login(head)
    data = b"InvoiceNo,InvoiceDate,Quantity,UnitPrice\nA,03/04/2011,1,2\nB,05/06/2011,1,2\n"
    job = upload(client, data)
    page = client.get(reverse("import-map", args=[job.pk]))
    assert "day/month or month/day" in page.context["preview"].error
    assert 'data-testid="preview-error"' in page.content.decode()
    columns = choices({"invoice_no": "InvoiceNo", "invoice_date": "InvoiceDate", "quantity": "Quantity",
                       "unit_price": "UnitPrice"})  # fmt: skip
    refused = client.post(reverse("import-map", args=[job.pk]), {**columns, "action": "start"})
    assert refused.status_code == 422  # starting would only stop on the question: it is asked here
    assert "day/month or month/day" in str(refused.context["form"].errors["date_order"])
    job.refresh_from_db()
    assert job.status == "draft"
    answered = client.post(reverse("import-map", args=[job.pk]), {**columns, "date_order": "mdy"})
    preview = answered.context["preview"]
    assert (preview.error, preview.date_order) == ("", "mdy")
    assert preview.lines[0].values["invoice_date"].date().isoformat() == "2011-03-04"
    assert "Dates are read as month/day/year." in answered.content.decode()


def test_columns_saved_as_a_mapping_are_offered_and_used_for_the_next_upload(client, head):
    client.force_login(head)
    job = upload(client)
    chosen = {**EXPECTED_COLUMNS, "country": ""}
    response = client.post(
        reverse("import-map", args=[job.pk]), {**choices(chosen), "mapping_name": "Our ERP", "action": "save"}
    )
    assert response.status_code == 200
    saved = saved_mappings()["Our ERP"]
    assert saved["base"] == "generic"
    assert saved["columns"] == {k: v for k, v in EXPECTED_COLUMNS.items() if k != "country"}
    form = client.get(reverse("import-list")).content.decode()
    assert '<option value="Our ERP">Our ERP</option>' in form
    # the next upload starts from the saved columns (the country is not read, as saved)
    again = upload(client, GERMAN.replace(b"R-100", b"R-200"), name="erp-2.csv", mapping="Our ERP")
    assert again.mapping == "generic"
    preview = client.get(reverse("import-map", args=[again.pk])).context["preview"]
    assert preview.columns == saved["columns"]
    assert preview.lines[0].values["country"] is None


def test_a_built_in_name_cannot_be_taken_and_a_name_is_needed(head, tmp_path):
    with pytest.raises(ValidationError) as taken:
        invoice_mapping_save(actor=head, name="generic", columns=EXPECTED_COLUMNS)
    assert "mapping_name" in taken.value.message_dict
    with pytest.raises(ValidationError) as unnamed:
        invoice_mapping_save(actor=head, name="  ", columns=EXPECTED_COLUMNS)
    assert "mapping_name" in unnamed.value.message_dict
    with pytest.raises(ValidationError) as incomplete:
        invoice_mapping_save(actor=head, name="x", columns={"invoice_no": "Belegnummer"})
    assert "columns" in incomplete.value.message_dict
    assert not ImportMapping.objects.exists()


def test_discarding_the_upload_deletes_job_and_file(client, head):
    client.force_login(head)
    job = upload(client)
    path = Path(job.file_path)
    assert path.is_file()
    response = client.post(reverse("import-map", args=[job.pk]), {**choices(EXPECTED_COLUMNS), "action": "discard"})
    assert response.status_code == 302
    assert response["Location"] == reverse("import-list")
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not path.exists()


def test_a_started_job_has_no_mapping_step_any_more(client, head):
    client.force_login(head)
    job = upload(client)
    client.post(reverse("import-map", args=[job.pk]), {**choices(EXPECTED_COLUMNS), "action": "start"})
    assert client.get(reverse("import-map", args=[job.pk]))["Location"] == reverse("import-detail", args=[job.pk])
    with pytest.raises(ValidationError):
        import_job_start(actor=head, job=job, columns=EXPECTED_COLUMNS)


def test_a_column_the_file_does_not_have_is_refused(head, tmp_path):
    path = tmp_path / "erp.csv"
    path.write_bytes(GERMAN)
    job = import_job_create(actor=head, source=path, original_name="erp.csv", mapping="generic", draft=True)
    with pytest.raises(ValidationError) as refused:
        import_job_preview(actor=head, job=job, columns={**EXPECTED_COLUMNS, "unit_price": "Preis"})
    assert "Preis" in str(refused.value)


def test_a_key_account_manager_may_not_map_an_upload(client, head, kam, tmp_path):
    path = tmp_path / "erp.csv"
    path.write_bytes(GERMAN)
    job = import_job_create(actor=head, source=path, original_name="erp.csv", mapping="generic", draft=True)
    client.force_login(kam)
    assert client.get(reverse("import-map", args=[job.pk])).status_code == 403
    assert client.post(reverse("import-map", args=[job.pk]), {"action": "discard"}).status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_the_command_line_imports_with_a_mapping_saved_on_the_page(head, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    invoice_mapping_save(actor=head, name="Our ERP", columns=EXPECTED_COLUMNS)
    path = tmp_path / "erp.csv"
    path.write_bytes(GERMAN)
    out = StringIO()
    call_command("import", "transactions", str(path), "--mapping", "Our ERP", "--json", stdout=out)
    outcome = json.loads(out.getvalue())
    assert (outcome["lines"], outcome["rejected"]) == (3, 1)
    job = ImportJob.objects.get()
    assert (job.mapping, job.columns) == ("generic", EXPECTED_COLUMNS)
