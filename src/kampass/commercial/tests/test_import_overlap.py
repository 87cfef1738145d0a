"""Importing a file that overlaps an earlier import: reported, and skipped, replaced or imported again as the
user chose, on the command line, the imports page and the API."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from kampass.commercial.models import ImportJob, OnOverlap
from kampass.commercial.services import import_job_run
from kampass.commercial.tests.conftest import ONLINE_RETAIL_GOOD, write_online_retail_csv

EXTRA = "536369,21756,BATH BUILDING BLOCK WORD,3,2010-12-04 10:37:00,5.95,13047,United Kingdom"


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("import", "transactions", *args, "--json", "--link", "none", stdout=out)
    return json.loads(out.getvalue())


def total_lines() -> int:
    out = StringIO()
    call_command("analyze", "profitability", "--json", stdout=out)
    return int(json.loads(out.getvalue())["totals"]["lines"])


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """An extract (the first four lines) and the full file (all six and one more)."""
    extract = write_online_retail_csv(tmp_path / "extract.csv", ONLINE_RETAIL_GOOD[:4])
    full = write_online_retail_csv(tmp_path / "full.csv", [*ONLINE_RETAIL_GOOD, EXTRA])
    return extract, full


def test_cli_skips_the_overlap_by_default_and_says_so(admin_user, files):
    # given
    extract, full = files
    run(str(extract))
    # when
    out = StringIO()
    call_command("import", "transactions", str(full), "--quiet", "--link", "none", stdout=out)
    # then
    text = out.getvalue()
    assert "full.csv: imported 3 lines, 0 rejected." in text
    assert "4 of 7 lines were imported before, in import extract.csv on " in text
    assert "They were skipped." in text
    assert total_lines() == 7
    assert ImportJob.objects.get(original_name="full.csv").overlap["skipped"] == 4


def test_cli_replace_and_dry_run(admin_user, files):
    # given
    extract, full = files
    run(str(extract))
    # when
    dry = run(str(full), "--dry-run", "--on-overlap", "replace")
    done = run(str(full), "--on-overlap", "replace")
    # then
    assert (dry["lines"], dry["overlap"]["lines"], dry["overlap"]["replaced"], dry["committed"]) == (7, 4, 4, False)
    assert (done["lines"], done["overlap"]["mode"], done["overlap"]["replaced"]) == (7, "replace", 4)
    assert done["overlap"]["earlier"][0]["file_name"] == "extract.csv"
    assert total_lines() == 7


def test_cli_refuses_an_unknown_choice(admin_user, files):
    with pytest.raises(CommandError):
        call_command("import", "transactions", str(files[0]), "--on-overlap", "merge", stdout=StringIO())


def test_imports_page_offers_the_choice_and_shows_the_overlap_in_german(client, head, files, settings):
    # given
    extract, full = files
    run(str(extract))
    client.force_login(head)
    page = client.get(reverse("import-list")).content.decode()
    assert 'name="on_overlap"' in page
    assert 'value="replace"' in page
    # when
    upload = SimpleUploadedFile("full.csv", full.read_bytes(), content_type="text/csv")
    response = client.post(
        reverse("import-list"),
        {"file": upload, "mapping": "online-retail", "link_mode": "none", "on_overlap": OnOverlap.REPLACE},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get(original_name="full.csv")
    assert job.on_overlap == OnOverlap.REPLACE
    import_job_run(str(job.pk))
    # then
    with translation.override("de"), override_settings(LANGUAGE_CODE="de"):
        head.language = "de"
        head.save()
        detail = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "4 von 7 Zeilen wurden schon importiert, im Import extract.csv vom " in detail
    assert "4 frühere Zeilen wurden ersetzt." in detail
    assert total_lines() == 7


def test_api_takes_the_choice_and_reports_the_overlap(api, head, files):
    # given
    extract, full = files
    run(str(extract))
    # when
    with full.open("rb") as fh:
        response = api(head, "post", "/imports", form={"file": fh, "on_overlap": "import"})
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    import_job_run(job_id)
    body = api(head, "get", f"/imports/{job_id}").json()
    # then: imported again on the explicit choice, the overlap still reported
    assert (body["on_overlap"], body["lines"]) == ("import", 7)
    assert (body["overlap"]["lines"], body["overlap"]["of"], body["overlap"]["skipped"]) == (4, 7, 0)
    assert body["overlap"]["earlier"][0]["lines"] == 4
    assert total_lines() == 11


def test_api_refuses_an_unknown_choice(api, head, files):
    with files[0].open("rb") as fh:
        response = api(head, "post", "/imports", form={"file": fh, "on_overlap": "merge"})
    assert response.status_code == 422
    assert not ImportJob.objects.exists()
