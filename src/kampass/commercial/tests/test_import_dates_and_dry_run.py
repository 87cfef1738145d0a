"""The transactions import through the CLI, the API and the imports page: the day/month order of the
date column decided from the whole column or asked (``--date-order``, the form's and the API's date
order), and a dry run that says what it would import and link (issue 10, items 1 and 3)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial.models import CustomerLink, ImportJob
from kampass.commercial.services import import_job_create, import_job_run
from kampass.commercial.tests.conftest import ONLINE_RETAIL_HEADER, online_retail_sample, write_online_retail_csv
from kampass.common.models import JobStatus

pytestmark = pytest.mark.django_db


def lines_with_dates(*dates: str) -> list[str]:
    return [f"5363{i:02d},85123A,HEART,1,{d},2.00,1{i:04d},United Kingdom" for i, d in enumerate(dates)]


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("import", "transactions", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_refuses_an_undecidable_column_with_a_question_and_takes_the_answer(admin_user, tmp_path):
    # given: US dates that all fit both orders (the online-retail mapping has only month-first slash dates)
    path = write_online_retail_csv(tmp_path / "us.csv", lines_with_dates("12/1/2010 8:26", "3/4/2011 10:00"))
    # when / then: refused, naming file and column, nothing stored
    with pytest.raises(CommandError) as refused:
        run(str(path), "--mapping", "generic")
    assert str(refused.value) == (
        "us.csv, column InvoiceDate: is it day/month or month/day? every value fits both day/month and month/day "
        "(e.g. 12/1/2010 8:26, 3/4/2011 10:00). Say which with the date order of the import (--date-order dmy or "
        "--date-order mdy on the command line) or date_order: in the mapping."
    )
    assert ImportJob.objects.get().status == JobStatus.FAILED
    # when: answered
    outcome = run(str(path), "--mapping", "generic", "--date-order", "mdy")
    # then
    assert (outcome["lines"], outcome["rejected"], outcome["date_order"], outcome["committed"]) == (2, 0, "mdy", True)


def test_the_cli_reads_a_column_decided_after_the_first_500_lines(admin_user, tmp_path):
    # given: 600 lines of 03/04/2011, then 12/25/2011: month first (the generic mapping tries %d/%m first)
    path = write_online_retail_csv(tmp_path / "late.csv", lines_with_dates(*(["03/04/2011"] * 600), "12/25/2011 10:00"))
    outcome = run(str(path), "--mapping", "generic")
    assert (outcome["lines"], outcome["rejected"], outcome["date_order"]) == (601, 0, "mdy")
    out = StringIO()
    call_command("analyze", "profitability", "--json", stdout=out)
    assert json.loads(out.getvalue())["totals"]["lines"] == 601


def test_the_dry_run_says_what_it_would_import_and_link(admin_user, tmp_path):
    # given: the sample (6 good lines, 1 bad; customers 17850 and 13047) and an account for 17850
    AccountFactory(external_id="17850")
    path = online_retail_sample(tmp_path / "online_retail.csv")
    # when
    out = StringIO()
    call_command("import", "transactions", str(path), "--dry-run", "--link", "create", stdout=out)
    # then: the lines it would import, the rejected row, the customers it would link and the account it
    # would create, and nothing written
    assert out.getvalue().splitlines()[:2] == [
        "online_retail.csv: would import 6 lines, 1 would be rejected.",
        "Rejected lines (file, row, column, value, reason): " + str(Path(ImportJob.objects.get().rejects_path)),
    ]
    assert "It would link 2 of 2 customers to accounts, 1 of them to new accounts." in out.getvalue()
    assert (Account.objects.count(), CustomerLink.objects.count()) == (1, 0)
    # and the real run does what the dry run said
    outcome = run(str(path), "--link", "create")
    assert (outcome["lines"], outcome["rejected"], outcome["customers_linked"], outcome["accounts_created"]) == (
        6, 1, 2, 1,
    )  # fmt: skip


def test_the_dry_run_without_creating_reports_the_unmatched_customers(admin_user, tmp_path):
    AccountFactory(external_id="17850")
    path = online_retail_sample(tmp_path / "online_retail.csv")
    outcome = run(str(path), "--dry-run")
    assert (outcome["lines"], outcome["customers_linked"], outcome["unmatched_customers"]) == (6, 1, 1)
    assert not CustomerLink.objects.exists()


def test_the_api_takes_the_date_order(api, head, tmp_path, django_capture_on_commit_callbacks):
    # given
    path = write_online_retail_csv(tmp_path / "eu.csv", lines_with_dates("03/04/2011", "05/06/2011"))
    # when
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=False):
        response = api(head, "post", "/imports", form={"file": fh, "mapping": "generic", "date_order": "dmy"})
    # then
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert job.date_order == "dmy"
    import_job_run(str(job.pk))
    done = api(head, "get", f"/imports/{job.pk}").json()
    assert (done["status"], done["lines"], done["date_order_used"]) == ("done", 2, "dmy")


def test_the_api_refuses_an_unknown_date_order(api, head, tmp_path):
    path = write_online_retail_csv(tmp_path / "eu.csv", lines_with_dates("03/04/2011"))
    with path.open("rb") as fh:
        response = api(head, "post", "/imports", form={"file": fh, "date_order": "ymd"})
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


def test_the_imports_page_offers_the_date_order_and_asks_in_german(client, head, tmp_path):
    # given: a German head of KAM uploads a file whose dates fit both orders
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("import-list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'name="date_order"' in body
    data = (ONLINE_RETAIL_HEADER + "\n" + "\n".join(lines_with_dates("03/04/2011", "05/06/2011")) + "\n").encode()
    upload = SimpleUploadedFile("umsatz.csv", data, content_type="text/csv")
    response = client.post(reverse("import-list"), {"file": upload, "mapping": "generic", "link_mode": "none"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    # when: the worker runs it
    with translation.override("en"), pytest.raises(Exception, match="InvoiceDate"):
        import_job_run(str(job.pk))
    # then: the job asks the question in the uploader's language, and the page shows it
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("umsatz.csv, Spalte InvoiceDate: Tag/Monat oder Monat/Tag?")
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Spalte InvoiceDate" in page
    # and the answer in the form imports the file
    upload = SimpleUploadedFile("umsatz.csv", data, content_type="text/csv")
    client.post(
        reverse("import-list"), {"file": upload, "mapping": "generic", "link_mode": "none", "date_order": "dmy"}
    )
    answered = ImportJob.objects.exclude(pk=job.pk).get()
    assert import_job_run(str(answered.pk)).lines == 2


def test_the_service_refuses_an_unknown_date_order(admin_user, tmp_path):
    from django.core.exceptions import ValidationError

    path = online_retail_sample(tmp_path / "online_retail.csv")
    with pytest.raises(ValidationError) as refused:
        import_job_create(actor=admin_user, source=path, original_name="x.csv", date_order="ymd", enqueue=False)
    assert "date_order" in refused.value.message_dict
