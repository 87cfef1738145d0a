"""Formula injection: texts imported from a file that a spreadsheet would run (``=HYPERLINK(...)``, ``+cmd``,
``@SUM(1)``, ``-1+2``) reach the profitability workbook and the rejects CSV as plain text, never as formulas;
negative amounts stay numbers."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path

import openpyxl
from django.core.management import call_command
from django.urls import reverse

from kampass.accounts.services import account_create
from kampass.commercial.models import CustomerLink, ImportJob
from kampass.commercial.tests.conftest import write_online_retail_csv

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)", "-1+2"]


def test_profitability_workbook_writes_imported_formulas_as_text(client, head, admin_user, tmp_path: Path):
    # given an account (a name a spreadsheet would run) and imported lines with hostile texts
    account = account_create(actor=admin_user, name="=cmd|' /C calc'!A0")
    CustomerLink.objects.create(customer_id="17850", account=account)
    rows = [
        f'536365,85123A,"{HOSTILE[0].replace(chr(34), chr(34) * 2)}",6,2010-12-01 08:26:00,2.55,17850,United Kingdom',
        "536366,+cmd,HAND WARMER,2,2010-12-01 08:28:00,1.85,17850,United Kingdom",
        "@SUM(1),22633,HAND WARMER,1,2010-12-01 08:29:00,1.85,17850,United Kingdom",
        "C536379,22633,-1+2,-3,2010-12-02 09:41:00,1.85,17850,United Kingdom",
    ]
    path = write_online_retail_csv(tmp_path / "hostile.csv", rows)
    call_command("import", "transactions", str(path), "--quiet", "--link", "none", stdout=StringIO())
    client.force_login(head)
    # when
    response = client.get(reverse("account-profitability-xlsx", args=[account.pk]))
    # then
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no formula anywhere
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'" + h for h in HOSTILE} <= texts
    assert wb["P&L"]["A1"].value == "Profitability of =cmd|' /C calc'!A0"  # text, not at the start of the cell
    assert not any(t.startswith(("=", "+", "@")) or (t.startswith("-") and t != "-") for t in texts)
    lines = {r[0]: r for r in wb["Lines"].iter_rows(min_row=2, values_only=True)}
    assert lines["C536379"][4] == "'-1+2"
    assert lines["C536379"][5] == -3
    assert lines["C536379"][7] == -5.55  # negative numbers stay numbers


def test_rejects_download_neutralises_formulas(client, head, admin_user, tmp_path: Path):
    # given an import with rejected lines holding hostile raw values
    rows = [
        "536365,85123A,HEART,=1+1,2010-12-01 08:26:00,2.55,17850,United Kingdom",
        "536366,85123A,HEART,6,2010-12-01 08:26:00,@SUM(1),17850,United Kingdom",
        "536367,85123A,HEART,6,2010-12-01 08:26:00,-1.123456,17850,United Kingdom",
    ]
    path = write_online_retail_csv(tmp_path / "hostile.csv", rows)
    call_command("import", "transactions", str(path), "--quiet", "--link", "none", stdout=StringIO())
    job = ImportJob.objects.get()
    client.force_login(head)
    # when
    response = client.get(reverse("import-rejects", args=[job.pk]))
    # then
    body = b"".join(response.streaming_content).decode()
    values = [r["value"] for r in csv.DictReader(io.StringIO(body))]
    assert values == ["'=1+1", "'@SUM(1)", "-1.123456"]
