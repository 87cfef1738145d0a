"""Targets from a CSV file (``kampass import targets``, the targets page's upload, the API): owner by
username or e-mail, team, account by id or name, periods as year / quarter / month, US and European
amounts; refusals name row, column and value and write nothing; re-importing updates, never doubles."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kampass.common.models import JobStatus
from kampass.pipeline.models import PipelineImport, Target
from kampass.pipeline.services.imports import pipeline_import_run
from kampass.pipeline.target_import import import_targets
from kampass.pipeline.tests.factories import admin_actor
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(kam, kam2, group):
    kam.email = "kam@example.com"
    kam.save()
    return kam, kam2, OrgUnit.objects.create(name="DACH Sales", code="DACH"), group


def _csv(tmp_path: Path, text: str, name: str = "targets.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _targets() -> list[tuple[str, str, str, Decimal, str, str]]:
    return sorted(
        (t.scope, t.subject_label, t.period_label, t.amount, t.currency, t.note)
        for t in Target.objects.select_related("owner", "org_unit", "account")
    )


def test_a_clean_file_sets_targets_for_owners_teams_and_accounts(people, tmp_path):
    kam, kam2, _team, group = people
    text = (
        "owner,team,account,period,amount,currency,category\n"
        'kam_t,,,2027-Q1,"1,250,000.00",EUR,commit\n'
        "KAM2@EXAMPLE.COM,,,2027-01,5000,CHF,\n"
        ",DACH Sales,,2027,2000000,,Best case\n"
        f",,{group.pk},Q2 2027,750000.50,USD,\n"
    )
    kam2.email = "kam2@example.com"
    kam2.save()
    # when
    result = import_targets(actor=admin_actor(), path=_csv(tmp_path, text))
    # then
    assert result.committed
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert _targets() == sorted(
        [
            ("owner", str(kam), "2027-Q1", Decimal("1250000.00"), "EUR", "Category: Commit"),
            ("owner", str(kam2), "2027-01", Decimal("5000.00"), "CHF", ""),
            ("team", "DACH Sales", "2027", Decimal("2000000.00"), "EUR", "Category: Best case"),
            ("account", str(group), "2027-Q2", Decimal("750000.50"), "USD", ""),
        ]
    )


def test_messy_headers_and_european_numbers_with_semicolons(people, tmp_path):
    kam, _kam2, _team, group = people
    text = (
        "Owner_Email;Account_Name;PERIOD;Amount;Currency_Code\n"
        "kam@example.com;;2027Q3;1.250.000,00;eur\n"
        f";{group.name.upper()};11/2027;1 500,5;EUR\n"
    )
    result = import_targets(actor=admin_actor(), path=_csv(tmp_path, text))
    assert result.committed, result.rejects
    assert _targets() == sorted(
        [
            ("owner", str(kam), "2027-Q3", Decimal("1250000.00"), "EUR", ""),
            ("account", str(group), "2027-11", Decimal("1500.50"), "EUR", ""),
        ]
    )


def test_importing_again_updates_by_natural_key_and_doubles_nothing(people, tmp_path):
    first = _csv(tmp_path, "owner,period,amount,currency\nkam_t,2027-Q1,1000,EUR\nkam_t,2027-Q2,2000,EUR\n")
    import_targets(actor=admin_actor(), path=first)
    # when the same file comes again, then with a changed amount
    again = import_targets(actor=admin_actor(), path=first)
    changed = import_targets(
        actor=admin_actor(), path=_csv(tmp_path, "owner,period,amount,currency\nkam_t,2027-Q1,1500,EUR\n", "b.csv")
    )
    # then
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (changed.created, changed.updated) == (0, 1)
    assert Target.objects.count() == 2
    assert Target.objects.get(number=1).amount == Decimal("1500")


def test_bad_rows_are_named_by_row_column_and_value_and_nothing_is_written(people, tmp_path):
    text = (
        "owner,team,period,amount,currency,category\n"
        "kam_t,,2027-Q1,1000,EUR,\n"  # fine, but the file is refused as a whole
        "nobody,,2027-Q1,1000,EUR,\n"
        "kam_t,,2027-13,1000,EUR,\n"
        'kam_t,,2027-Q2,"1,500",EUR,\n'
        "kam_t,,2027-Q3,-5,EUR,\n"
        "kam_t,,2027-Q4,10,XXX,\n"
        "kam_t,DACH Sales,2028,10,EUR,\n"
        "kam_t,,2028-01,10,EUR,maybe\n"
        "kam_t,,2027-q1,20,EUR,\n"
    )
    result = import_targets(actor=admin_actor(), path=_csv(tmp_path, text))
    assert not result.committed
    assert not Target.objects.exists()
    assert [(r.row, r.column, r.value) for r in result.rejects] == [
        (3, "owner", "nobody"),
        (4, "period", "2027-13"),
        (5, "amount", "1,500"),
        (6, "amount", "-5"),
        (7, "currency", "XXX"),
        (8, "owner, team", "kam_t / DACH Sales"),
        (9, "category", "maybe"),
        (10, "period", "2027-q1"),
    ]
    assert "ambiguous" in result.rejects[2].reason
    assert "first in row 2" in result.rejects[-1].reason


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    from kampass.pipeline.importing import OpportunityImportError

    with pytest.raises(OpportunityImportError, match=re.escape("no column for owner | team | account, amount")):
        import_targets(actor=admin_actor(), path=_csv(tmp_path, "who,period\nkam_t,2027\n"))


def test_the_command_imports_and_reports(people, tmp_path):
    path = _csv(tmp_path, "owner,period,amount\nkam_t,2027,100\n")
    out = StringIO()
    call_command("import", "targets", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    out = StringIO()
    call_command("import", "targets", str(path), stdout=out)
    assert "1 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import", "targets", str(_csv(tmp_path, "owner,period,amount\nx,2027,1\n", "b.csv")), stdout=out)


def test_the_targets_page_offers_the_upload_and_runs_it_in_the_background(client, head, people):
    client.force_login(head)
    page = client.get(reverse("target-list"))
    assert b'data-testid="target-import-form"' in page.content
    upload = SimpleUploadedFile("q.csv", b"owner,period,amount\nkam_t,2027-Q1,100\n", content_type="text/csv")
    response = client.post(reverse("target-import"), {"file": upload})
    job = PipelineImport.objects.get()
    assert response.url == reverse("pipeline-import", args=[job.pk])
    pipeline_import_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.message == "1 rows read: 1 targets created, 0 updated, 0 unchanged."
    assert Target.objects.count() == 1


def test_kam_and_viewer_may_not_import_targets(client, api, kam, viewer, people):
    for user in (kam, viewer):
        client.force_login(user)
        assert b"target-import-form" not in client.get(reverse("target-list")).content
        upload = SimpleUploadedFile("q.csv", b"owner,period,amount\nkam_t,2027,1\n", content_type="text/csv")
        assert client.post(reverse("target-import"), {"file": upload}).status_code == 403
        upload = SimpleUploadedFile("q.csv", b"owner,period,amount\nkam_t,2027,1\n", content_type="text/csv")
        assert api(user, "post", "/targets/imports", form={"file": upload}).status_code == 403
    assert not PipelineImport.objects.exists()


def test_the_api_imports_targets(api, head, people):
    upload = SimpleUploadedFile("q.csv", b"owner,period,amount\nkam_t,2027,1\nghost,2027,1\n", content_type="text/csv")
    created = api(head, "post", "/targets/imports", form={"file": upload})
    assert created.status_code == 202, created.content
    pipeline_import_run(created.json()["id"])
    body = api(head, "get", f"/pipeline-imports/{created.json()['id']}").json()
    assert body["kind"] == "targets"
    assert body["result"]["rejects"] == [
        {"file": "q.csv", "row": 3, "column": "owner", "value": "ghost",
         "reason": "no active user with this username or e-mail address"}
    ]  # fmt: skip
    assert not Target.objects.exists()
