"""Pipeline › Imports: the mapping step of an opportunity upload (columns suggested from English and German
names, a preview of the first rows as they will be stored, saved named mappings used again by the upload form,
the API and the command line)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory
from kampass.common.models import ImportMapping
from kampass.pipeline.models import Opportunity, PipelineImport
from kampass.pipeline.services.imports import pipeline_import_run

pytestmark = pytest.mark.django_db

#: snake_case and German column names, US dates (12/31 decides month/day), an id column no mapping knows
GERMAN = (
    "Deal Ref,deal_name,Kundennummer,Firma,Betrag,Währung,Verkaufsphase,Erstellt am,Abschlussdatum\n"
    'R-1,Retrofit Halle 3,K1,Known AG,"1.234,50",EUR,Angebot,01/15/2029,06/30/2029\n'
    "R-2,Wartung,K9,Unbekannt GmbH,800,EUR,Verhandlung,02/01/2029,12/31/2029\n"
).encode()


def _upload(content: bytes = GERMAN, name: str = "deals.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _map_url(job: PipelineImport) -> str:
    return reverse("opportunity-import-map", args=[job.pk])


def _draft(client, mapping: str = "generic", link: str = "external_id") -> PipelineImport:
    response = client.post(reverse("opportunity-import"), {"file": _upload(), "mapping": mapping, "link": link})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PipelineImport.objects.get()


def _form_data(response, **changes) -> dict[str, str]:
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name not in ("strict", "dry_run")}
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


@pytest.mark.parametrize("mapping", ["generic", "salesforce"])
def test_the_mapping_step_suggests_columns_of_a_snake_case_and_german_file(client, head, mapping):
    # salesforce knows none of these names: the English and German names of every field are suggested too
    client.force_login(head)
    job = _draft(client, mapping=mapping)

    response = client.get(_map_url(job))

    form = response.context["form"]
    suggested = {name.removeprefix("col_"): form[name].value() for name in form.fields if name.startswith("col_")}
    assert {k: v for k, v in suggested.items() if v} == {
        "name": "deal_name", "account_id": "Kundennummer", "account_name": "Firma", "amount": "Betrag",
        "currency": "Währung", "stage": "Verkaufsphase", "created_date": "Erstellt am", "close_date": "Abschlussdatum",
    }  # fmt: skip
    page = response.content.decode()
    assert 'for="id_col_external_id"' in page  # every select has its label
    assert "Opportunity id" in page
    assert "— not in the file —" in page
    # the required id has no column yet: the preview says which field is missing
    assert "Choose a column for the required field(s): Opportunity id" in page
    assert not response.context["preview"].rows


def test_common_variants_of_account_owner_and_stage_names_are_recognised(head):
    # an export kampass has never seen: snake_case ids and owner e-mails, the English stage name "Proposal"
    from kampass.pipeline.importing import load_mapping, suggest_columns

    header = ["deal_id", "Opportunity Name", "account_external_id", "Amount", "Stage", "owner_email"]
    suggested = suggest_columns(header, load_mapping("salesforce"))
    generic = load_mapping("generic")

    assert suggested["account_id"] == "account_external_id"
    assert suggested["owner"] == "owner_email"
    assert generic.stages["Proposal"] == "Proposal/Price Quote"


def test_the_preview_shows_the_rows_as_they_will_be_stored(client, head):
    AccountFactory(name="Known AG", external_id="K1")
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))

    response = client.post(_map_url(job), _form_data(page, col_external_id="Deal Ref", action="preview"))

    assert response.status_code == 200
    rows = response.context["preview"].rows
    first, second = rows[0].values, rows[1].values
    # US dates: 12/31/2029 decides the whole column as month/day
    assert (first["created_on"], first["close_date"]) == ("2029-01-15", "2029-06-30")
    assert second["close_date"] == "2029-12-31"
    assert first["amount"] == "1234.50 EUR"
    assert (first["stage"], second["stage"]) == ("Proposal/Price Quote", "Negotiation/Review")
    assert first["account"] == "Known AG"
    assert second["account"] == "no matching account"
    assert response.context["preview"].date_orders == {"Abschlussdatum": "mdy", "Erstellt am": "mdy"}
    assert "month/day/year" in response.content.decode()
    assert not Opportunity.objects.exists()  # the preview writes nothing


def test_a_row_problem_is_shown_in_the_preview(client, head):
    client.force_login(head)
    response = client.post(reverse("opportunity-import"), {
        "file": _upload(GERMAN.replace(b"Verhandlung", b"Irgendwas")), "mapping": "generic", "link": "name",
    })  # fmt: skip
    job = PipelineImport.objects.get()
    page = client.get(response.url)

    response = client.post(_map_url(job), _form_data(page, col_external_id="Deal Ref", action="preview"))

    second = response.context["preview"].rows[1]
    assert second.values is None
    assert any("unknown stage" in p and "Irgendwas" in p for p in second.problems)
    assert "rejected: not imported" in response.content.decode()


def test_the_import_stores_the_values_of_the_columns_chosen_by_hand(client, head, django_capture_on_commit_callbacks):
    AccountFactory(name="Known AG", external_id="K1")
    client.force_login(head)
    job = _draft(client, link="external_id")
    page = client.get(_map_url(job))

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(_map_url(job), _form_data(page, col_external_id="Deal Ref", action="start"))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.columns["external_id"]) == ("queued", "Deal Ref")
    job = pipeline_import_run(str(job.pk))
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    deal = Opportunity.objects.get()
    assert (deal.external_id, deal.name) == ("R-1", "Retrofit Halle 3")
    assert (deal.amount, deal.currency) == (Decimal("1234.50"), "EUR")
    assert (deal.created_on, deal.expected_close_date) == (dt.date(2029, 1, 15), dt.date(2029, 6, 30))
    assert deal.source == "import"  # the upload's mapping still names the source


def test_after_a_dry_run_of_the_mapping_step_the_rows_are_imported_without_a_new_upload(
    client, head, django_capture_on_commit_callbacks
):
    # given: a dry run started from the mapping step, run by the worker
    AccountFactory(name="Known AG", external_id="K1")
    client.force_login(head)
    job = _draft(client, link="external_id")
    page = client.get(_map_url(job))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(_map_url(job), {**_form_data(page, col_external_id="Deal Ref", action="start"), "dry_run": "on"})
    dry = pipeline_import_run(str(PipelineImport.objects.get().pk))
    assert (dry.dry_run, dry.result["created"], Opportunity.objects.count()) == (True, 1, 0)
    assert Path(dry.file_path).is_file()  # kept for the import that follows
    detail = client.get(reverse("pipeline-import", args=[dry.pk])).content.decode()
    assert 'data-testid="import-now"' in detail

    # when: the user imports these rows now
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("opportunity-import-now", args=[dry.pk]))

    # then: a new import of the same file, columns and options stores the deal; the dry run stays as it was
    real = PipelineImport.objects.exclude(pk=dry.pk).get()
    assert response["Location"] == reverse("pipeline-import", args=[real.pk])
    assert (real.dry_run, real.columns, real.link, real.status) == (False, dry.columns, "external_id", "queued")
    real = pipeline_import_run(str(real.pk))
    assert (real.result["created"], real.result["rejected"]) == (1, 1)
    assert Opportunity.objects.get().external_id == "R-1"
    assert not Path(real.file_path).exists()  # deleted after the import, as every upload
    dry.refresh_from_db()
    assert dry.file_path == ""
    assert 'data-testid="import-now"' not in client.get(reverse("pipeline-import", args=[dry.pk])).content.decode()
    again = client.post(reverse("opportunity-import-now", args=[dry.pk]))
    assert again.status_code == 302
    assert PipelineImport.objects.count() == 2  # nothing queued twice


def test_a_required_field_left_unmapped_is_named_and_nothing_is_queued(client, head):
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))

    response = client.post(_map_url(job), _form_data(page, col_amount="", action="start"))

    assert response.status_code == 422
    text = response.content.decode()
    assert "Choose a column for the required field(s) external_id, amount." in text
    assert response.context["form"].errors["col_external_id"] == ["Choose the column that holds this field."]
    job.refresh_from_db()
    assert job.status == "draft"


def test_a_saved_mapping_is_offered_on_the_upload_form_and_suggests_its_columns(client, head):
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))

    response = client.post(
        _map_url(job), _form_data(page, col_external_id="Deal Ref", mapping_name="Altes CRM", action="save")
    )

    assert response.status_code == 200
    saved = ImportMapping.objects.get(kind="opportunities", name="Altes CRM")
    assert saved.columns["external_id"] == ["Deal Ref"]
    assert saved.columns["_base"] == ["generic"]
    upload_page = client.get(reverse("pipeline-imports")).content.decode()
    assert '<option value="Altes CRM">Altes CRM</option>' in upload_page

    PipelineImport.objects.all().delete()
    job = _draft(client, mapping="Altes CRM")
    form = client.get(_map_url(job)).context["form"]
    assert (form["col_external_id"].value(), form["col_amount"].value()) == ("Deal Ref", "Betrag")


def test_a_mapping_needs_a_name_other_than_a_built_in_one(client, head):
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))

    response = client.post(
        _map_url(job), _form_data(page, col_external_id="Deal Ref", mapping_name="generic", action="save")
    )

    assert response.status_code == 422
    assert "“generic” is a built-in mapping; choose another name." in response.content.decode()
    assert not ImportMapping.objects.exists()


def _save_mapping(head) -> None:
    from kampass.pipeline.services.imports import opportunity_mapping_save

    opportunity_mapping_save(
        actor=head, name="Altes CRM", base="generic",
        columns={"external_id": "Deal Ref", "name": "deal_name", "account_id": "Kundennummer", "amount": "Betrag",
                 "stage": "Verkaufsphase", "created_date": "Erstellt am", "close_date": "Abschlussdatum"},
    )  # fmt: skip


def test_the_api_takes_a_saved_mapping_by_name(api, head):
    AccountFactory(name="Known AG", external_id="K1")
    _save_mapping(head)

    response = api(head, "post", "/opportunity-imports", form={"file": _upload(), "mapping": "Altes CRM"})

    assert response.status_code == 202
    job = pipeline_import_run(response.json()["id"])
    assert job.result["created"] == 1
    assert Opportunity.objects.get().external_id == "R-1"


def test_the_api_names_an_unknown_mapping(api, head):
    response = api(head, "post", "/opportunity-imports", form={"file": _upload(), "mapping": "Neues CRM"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Unknown mapping “Neues CRM”; choose one of salesforce, generic."
    assert not PipelineImport.objects.exists()


def test_the_command_line_takes_a_saved_mapping_by_name(head, tmp_path):
    AccountFactory(name="Known AG", external_id="K1")
    _save_mapping(head)
    path = tmp_path / "deals.csv"
    path.write_bytes(GERMAN)

    call_command("import", "opportunities", str(path), "--mapping", "Altes CRM", "--json", stdout=io.StringIO())

    deal = Opportunity.objects.get()
    assert (deal.external_id, deal.amount, deal.source) == ("R-1", Decimal("1234.50"), "import")


def test_the_command_line_names_an_unknown_mapping(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(GERMAN)

    with pytest.raises(CommandError, match="Neues CRM: no such mapping file and no built-in or saved mapping"):
        call_command("import", "opportunities", str(path), "--mapping", "Neues CRM", stdout=io.StringIO())


@pytest.mark.parametrize("role", ["kam", "viewer"])
def test_who_may_not_import_cannot_map_an_upload(client, head, request, role):
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))
    client.force_login(request.getfixturevalue(role))

    assert client.get(_map_url(job)).status_code == 403
    response = client.post(_map_url(job), _form_data(page, col_external_id="Deal Ref", action="start"))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == "draft"


def test_a_started_import_is_not_mapped_again(client, head, django_capture_on_commit_callbacks):
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(_map_url(job), _form_data(page, col_external_id="Deal Ref", action="start"))

    response = client.get(_map_url(job))

    assert response.status_code == 302
    assert response.url == reverse("pipeline-import", args=[job.pk])


def test_the_mapping_step_speaks_german(client, head):
    head.language = "de"
    head.save()
    client.force_login(head)
    job = _draft(client)

    page = client.get(_map_url(job), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Vorschau: die ersten Zeilen, wie sie gespeichert werden" in page
    assert "— nicht in der Datei —" in page
    assert "Wählen Sie eine Spalte für das/die Pflichtfeld(er): Opportunity-ID" in page


def test_a_draft_upload_can_be_discarded(client, head):
    client.force_login(head)
    job = _draft(client)
    page = client.get(_map_url(job))
    path = job.file_path

    response = client.post(_map_url(job), _form_data(page, action="discard"))

    assert response.status_code == 302
    assert not PipelineImport.objects.exists()
    assert not Path(path).exists()


def test_an_undecidable_date_column_asks_for_the_date_order_and_the_answer_reads_it(client, head):
    client.force_login(head)
    ambiguous = (  # every date fits both orders
        GERMAN.replace(b"01/15/2029", b"01/02/2029").replace(b"06/30/2029", b"06/05/2029")
        .replace(b"12/31/2029", b"03/04/2029")
    )  # fmt: skip
    client.post(reverse("opportunity-import"), {"file": _upload(ambiguous), "mapping": "generic", "link": "name"})
    job = PipelineImport.objects.get()
    page = client.get(_map_url(job))
    data = _form_data(page, col_external_id="Deal Ref", action="preview")

    asked = client.post(_map_url(job), data)
    answered = client.post(_map_url(job), {**data, "date_order": "dmy"})

    assert "is it day/month or month/day?" in asked.context["preview"].error
    assert "choose the date order under Import" in asked.content.decode()
    assert answered.context["preview"].rows[1].values["close_date"] == "2029-04-03"


def _another_draft(client) -> PipelineImport:
    before = set(PipelineImport.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("opportunity-import"), {"file": _upload(), "mapping": "generic", "link": "external_id"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PipelineImport.objects.exclude(pk__in=before).get()


def test_the_daily_schedule_removes_uploads_nobody_came_back_to(
    client, head, settings, django_capture_on_commit_callbacks
):
    # given: an old draft left on the mapping step, an old dry run keeping its file, and a draft of today
    from django.utils import timezone

    from kampass.common.schedule import DAILY_JOBS
    from kampass.pipeline.services.imports import pipeline_uploads_purge

    settings.KAMPASS_IMPORT_DRAFT_KEEP_DAYS = 7
    AccountFactory(name="Known AG", external_id="K1")
    client.force_login(head)
    old_draft = _another_draft(client)
    dry = _another_draft(client)
    page = client.get(_map_url(dry))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(_map_url(dry), {**_form_data(page, col_external_id="Deal Ref", action="start"), "dry_run": "on"})
    dry = pipeline_import_run(str(dry.pk))
    assert Path(dry.file_path).is_file()
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    PipelineImport.objects.filter(pk__in=[old_draft.pk, dry.pk]).update(created_at=eight_days_ago)
    fresh = _another_draft(client)
    files = {job.pk: Path(job.file_path) for job in (old_draft, dry, fresh)}

    # when: the worker's daily job runs
    removed = pipeline_uploads_purge()

    # then: the old draft is gone with its file; the dry run keeps its outcome but not the file; today's stays
    assert removed == {"drafts": 1, "dry_run_files": 1}
    assert not PipelineImport.objects.filter(pk=old_draft.pk).exists()
    assert not files[old_draft.pk].exists()
    dry.refresh_from_db()
    assert (dry.file_path, dry.result["created"]) == ("", 1)
    assert not files[dry.pk].exists()
    assert 'data-testid="import-now"' not in client.get(reverse("pipeline-import", args=[dry.pk])).content.decode()
    assert files[fresh.pk].is_file()
    assert client.get(_map_url(fresh)).status_code == 200
    assert pipeline_uploads_purge() == {"drafts": 0, "dry_run_files": 0}
    assert "pipeline.uploads_purge" in DAILY_JOBS
