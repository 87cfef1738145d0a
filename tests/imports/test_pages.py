"""The master-data import pages: upload, the mapping step with suggested columns and a preview, the dry
run and the import as background runs, the rejected rows as CSV, saved mappings, permissions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampass.accounts.models import Account
from kampass.common.imports.services import import_run_execute
from kampass.common.models import ImportMapping, ImportRun, UploadStatus

pytestmark = pytest.mark.django_db

FILE = (
    "Kundennummer;Firmenname;Muttergesellschaft;Land\n"
    "G1;Gamma Gruppe;;Deutschland\n"
    "G2;Gamma Austria;G1;Österreich\n"
    "G3;=cmd|calc;G1;Atlantis\n"
)


def upload(client, text=FILE, name="firmen.csv", kind="accounts", mapping="generic"):
    return client.post(
        reverse("data-imports"),
        {"kind": kind, "mapping": mapping, "file": SimpleUploadedFile(name, text.encode("utf-8"))},
    )


def test_upload_map_check_and_import(client, head, django_capture_on_commit_callbacks):
    client.force_login(head)

    # upload: a draft to be mapped
    response = upload(client)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("data-import-map", args=[run.pk])
    assert run.status == UploadStatus.DRAFT

    # the mapping step suggests the German headers and previews the rows
    page = client.get(reverse("data-import-map", args=[run.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="Firmenname" selected>' in html
    assert '<option value="Muttergesellschaft" selected>' in html
    assert "<h1>Accounts: firmen.csv</h1>" in html
    assert "Gamma Austria" in html
    assert "The file has 3 data rows." in html

    # the dry run: queued, run by the worker, stores nothing, says what it would do
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("data-import-map", args=[run.pk]),
            {"action": "dry_run", "col_external_id": "Kundennummer", "col_name": "Firmenname",
             "col_parent": "Muttergesellschaft", "col_country": "Land"},
        )  # fmt: skip
    assert response.status_code == 302
    import_run_execute(str(run.pk))
    run.refresh_from_db()
    assert (run.status, run.dry_run, run.outcome["created"], run.outcome["rejected"]) == ("done", True, 2, 1)
    assert not Account.objects.exists()
    detail = client.get(reverse("data-import", args=[run.pk])).content.decode()
    assert "<h1>Accounts: firmen.csv</h1>" in detail
    assert "would create 2" in detail
    assert "Atlantis" in detail

    # then the import itself from the same upload
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("data-import-map", args=[run.pk]),
            {"action": "import", "col_external_id": "Kundennummer", "col_name": "Firmenname",
             "col_parent": "Muttergesellschaft", "col_country": "Land"},
        )  # fmt: skip
    import_run_execute(str(run.pk))
    run.refresh_from_db()
    assert (run.dry_run, run.outcome["created"], run.outcome["committed"]) == (False, 2, True)
    assert Account.objects.get(external_id="G2").parent.external_id == "G1"

    # the rejects download neutralises formulas
    csv_text = client.get(reverse("data-import-rejects", args=[run.pk])).content.decode("utf-8-sig")
    assert "Atlantis" in csv_text
    assert csv_text.splitlines()[0] == "Row,Column,Value,Reason"

    # and a run that imported cannot be started again
    again = client.get(reverse("data-import-map", args=[run.pk]))
    assert again.status_code == 302
    assert again["Location"] == reverse("data-import", args=[run.pk])


def test_a_formula_in_a_rejected_value_is_neutralised_in_the_download(client, head):
    client.force_login(head)
    upload(client, text='Firmenname;Land\nEvil AG;=HYPERLINK("http://x.example")\n')
    run = ImportRun.objects.get()
    client.post(
        reverse("data-import-map", args=[run.pk]), {"action": "import", "col_name": "Firmenname", "col_country": "Land"}
    )
    import_run_execute(str(run.pk))

    csv_text = client.get(reverse("data-import-rejects", args=[run.pk])).content.decode("utf-8-sig")

    run.refresh_from_db()
    assert run.outcome["rejects"][0]["column"] == "Land"
    assert "'=HYPERLINK" in csv_text
    assert ",=HYPERLINK" not in csv_text
    assert ',"=HYPERLINK' not in csv_text


def test_a_required_field_without_column_is_refused_on_the_mapping_step(client, head):
    client.force_login(head)
    upload(client)
    run = ImportRun.objects.get()

    response = client.post(reverse("data-import-map", args=[run.pk]), {"action": "import", "col_name": ""})

    assert response.status_code == 422
    assert "Choose the column that holds this field." in response.content.decode()
    run.refresh_from_db()
    assert run.status == UploadStatus.DRAFT


def test_a_saved_mapping_is_offered_and_used_for_the_next_file(client, head):
    client.force_login(head)
    upload(client)
    run = ImportRun.objects.get()
    client.post(
        reverse("data-import-map", args=[run.pk]),
        {"action": "save", "mapping_name": "ERP", "col_name": "Muttergesellschaft", "col_external_id": "Kundennummer"},
    )
    assert ImportMapping.objects.get(kind="accounts", name="ERP").columns == {
        "name": ["Muttergesellschaft"], "external_id": ["Kundennummer"],
    }  # fmt: skip

    upload(client, mapping="ERP", name="next.csv")
    nxt = ImportRun.objects.get(original_name="next.csv")
    html = client.get(reverse("data-import-map", args=[nxt.pk])).content.decode()

    # the saved mapping names only its columns: the name comes from the other column now
    assert '<option value="Muttergesellschaft" selected>' in html
    assert '<option value="Land" selected>' not in html
    assert "ERP" in client.get(reverse("data-imports")).content.decode()


def test_unknown_mapping_and_wrong_file_are_refused_on_upload(client, head):
    client.force_login(head)

    response = upload(client, mapping="nope")
    bad = upload(client, name="notes.pdf")

    assert response.status_code == 422
    assert "is no mapping for accounts" in response.content.decode()
    assert bad.status_code == 422
    assert "is not a CSV or Excel file" in bad.content.decode()
    assert not ImportRun.objects.exists()


def test_kinds_follow_permissions_and_runs_are_private(client, kam, kam2, admin_user):
    client.force_login(kam)
    page = client.get(reverse("data-imports")).content.decode()
    assert "Accounts, Contacts" in page  # the kinds a KAM may import, by their labels
    assert 'value="accounts"' in page
    assert 'value="users"' not in page
    assert upload(client, kind="users", text="Username\nx\n").status_code == 422
    upload(client)
    run = ImportRun.objects.get()

    client.force_login(kam2)
    assert client.get(reverse("data-import", args=[run.pk])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("data-import", args=[run.pk])).status_code == 200


def test_a_viewer_has_no_import_page(client, viewer):
    client.force_login(viewer)

    assert client.get(reverse("data-imports")).status_code == 403
