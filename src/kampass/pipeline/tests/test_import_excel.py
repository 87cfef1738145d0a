"""Opportunities, their stage history and targets come from an Excel workbook as well as from CSV: the pipeline's
imports read a file the way every import of kampass does (the common table reader), so the same rows give the
same stored values whichever format the export was saved in; Excel's own dates and numbers are read as such."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.history_import import import_opportunity_history
from kampass.pipeline.importing import OpportunityImportError, import_opportunities, preview_opportunities
from kampass.pipeline.models import Opportunity, OpportunityStageChange, PipelineImport, Target
from kampass.pipeline.target_import import import_targets
from kampass.pipeline.tests.factories import admin_actor

pytestmark = pytest.mark.django_db

HEADER = ["Id", "OpportunityName", "AccountId", "Amount", "CloseDate", "StageName", "IsClosed", "IsWon",
          "Probability", "CreatedDate"]  # fmt: skip
ROWS: list[list[Any]] = [
    ["O1", "Retrofit", "A1", 1250.5, dt.date(2030, 1, 31), "Negotiation", False, False, 90, dt.date(2029, 1, 2)],
    ["O2", "Service", "A1", 300, dt.date(2029, 6, 30), "Closed Won", True, True, 100, dt.date(2029, 1, 3)],
    ["O3", "Spares", "A1", 80, dt.date(2029, 5, 1), "Closed Lost", True, False, 0, dt.date(2029, 1, 4)],
]


def _workbook(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    path.write_text("\n".join(",".join(map(text, r)) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _stored() -> list[tuple[Any, ...]]:
    return sorted(
        (o.external_id, o.name, o.account.external_id, o.amount, o.expected_close_date, o.stage.name, o.outcome,
         o.owner_probability, o.created_on)
        for o in Opportunity.objects.select_related("stage", "account")
    )  # fmt: skip


def test_an_excel_export_is_stored_as_the_same_rows_saved_as_csv(tmp_path: Path) -> None:
    # given an account and the same three deals once as a workbook (Excel dates and numbers) and once as CSV
    AccountFactory(name="Acme", external_id="A1")
    book = _workbook(tmp_path / "Opportunity.xlsx", HEADER, ROWS)
    text = _csv(tmp_path / "Opportunity.csv", HEADER, ROWS)
    # when the workbook is imported
    result = import_opportunities(actor=admin_actor(), path=book)
    # then every row is stored with its values as the sheet holds them (a closed deal keeps no owner probability)
    assert (result.rows, result.created, result.rejected_rows, result.committed) == (3, 3, 0, True)
    stored = _stored()
    assert stored == [
        ("O1", "Retrofit", "A1", Decimal("1250.50"), dt.date(2030, 1, 31), "Negotiation/Review", "open", 90,
         dt.date(2029, 1, 2)),
        ("O2", "Service", "A1", Decimal("300.00"), dt.date(2029, 6, 30), "Closed Won", "won", None,
         dt.date(2029, 1, 3)),
        ("O3", "Spares", "A1", Decimal("80.00"), dt.date(2029, 5, 1), "Closed Lost", "lost", None,
         dt.date(2029, 1, 4)),
    ]  # fmt: skip
    # and the CSV of the same rows finds nothing to change: both formats are read alike
    again = import_opportunities(actor=admin_actor(), path=text)
    assert (again.created, again.updated, again.unchanged, again.rejected_rows) == (0, 0, 3, 0)
    assert _stored() == stored


def test_the_preview_reads_a_workbook_and_a_bad_cell_is_rejected_with_its_sheet_row(tmp_path: Path) -> None:
    AccountFactory(name="Acme", external_id="A1")
    rows = [*ROWS, ["O4", "Broken", "A1", "12x", dt.date(2030, 1, 31), "Negotiation", False, False, 50,
                    dt.date(2029, 1, 5)]]  # fmt: skip
    book = _workbook(tmp_path / "Opportunity.xlsx", HEADER, rows)
    preview = preview_opportunities(actor=admin_actor(), path=book, mapping="salesforce")
    assert preview.header == tuple(HEADER)
    assert preview.total_rows == 4
    first = preview.rows[0]
    assert first.values is not None
    assert first.values["amount"].startswith("1250.5")
    # the rejected cell is named by the sheet's row (the header is row 1)
    result = import_opportunities(actor=admin_actor(), path=book, dry_run=True)
    assert [(r.row, r.column, r.value) for r in result.rejects] == [(5, "Amount", "12x")]
    assert not Opportunity.objects.exists()


def test_a_workbook_over_the_column_limit_is_refused_before_it_is_read(tmp_path: Path, settings: Any) -> None:
    settings.KAMPASS_IMPORT_MAX_COLUMNS = 5
    book = _workbook(tmp_path / "Opportunity.xlsx", HEADER, ROWS)
    with pytest.raises(OpportunityImportError, match="column"):
        import_opportunities(actor=admin_actor(), path=book)


def test_a_stage_history_workbook_becomes_dated_stage_entries(tmp_path: Path) -> None:
    AccountFactory(name="Acme", external_id="A1")
    import_opportunities(actor=admin_actor(), path=_workbook(tmp_path / "Opportunity.xlsx", HEADER, ROWS))
    history = _workbook(
        tmp_path / "OpportunityHistory.xlsx",
        ["OpportunityId", "StageName", "CreatedDate", "Amount", "CloseDate", "Probability"],
        [
            ["O2", "Prospecting", dt.datetime(2029, 1, 3, 9, 0), 200, dt.date(2029, 6, 30), 10],
            ["O2", "Negotiation", dt.datetime(2029, 3, 1, 9, 0), 300, dt.date(2029, 6, 30), 90],
            ["O9", "Prospecting", dt.datetime(2029, 1, 3, 9, 0), 10, dt.date(2029, 6, 30), 10],
        ],
    )
    result = import_opportunity_history(actor=admin_actor(), path=history, mapping="salesforce")
    assert result.committed
    won = Opportunity.objects.get(external_id="O2")
    entries = OpportunityStageChange.objects.filter(opportunity=won, note__startswith="history import")
    assert sorted((c.to_stage.name, c.changed_at.date(), c.amount) for c in entries if c.changed_at) == [
        ("Negotiation/Review", dt.date(2029, 3, 1), Decimal("300")),
        ("Prospecting", dt.date(2029, 1, 3), Decimal("200")),
    ]
    # the unknown deal is rejected by its sheet row
    assert [(r.row, r.column, r.value) for r in result.rejects] == [(4, "OpportunityId", "O9")]


def test_a_targets_workbook_sets_the_targets_and_the_command_reads_it(tmp_path: Path, kam: Any) -> None:
    book = _workbook(
        tmp_path / "targets.xlsx",
        ["Owner", "Period", "Amount", "Currency"],
        [[kam.username, "2027-Q1", 250000, "EUR"], [kam.username, 2027, 1000000.5, "EUR"]],
    )
    result = import_targets(actor=admin_actor(), path=book, dry_run=True)
    assert (result.rows, len(result.rejects), result.committed) == (2, 0, False)
    out = StringIO()
    call_command("import", "targets", str(book), "--json", stdout=out)
    outcome = json.loads(out.getvalue())
    assert outcome["rejected"] == 0
    assert sorted((t.period_label, t.amount) for t in Target.objects.all()) == [
        ("2027", Decimal("1000000.50")),
        ("2027-Q1", Decimal("250000.00")),
    ]


def test_the_upload_pages_take_a_workbook(client: Any, head: Any, tmp_path: Path) -> None:
    client.force_login(head)
    book = _workbook(tmp_path / "Opportunity.xlsx", HEADER, ROWS)
    upload = SimpleUploadedFile("Opportunity.xlsx", book.read_bytes())
    response = client.post(
        reverse("opportunity-import"), {"file": upload, "mapping": "salesforce", "link": "external_id"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = PipelineImport.objects.get()
    assert job.original_name == "Opportunity.xlsx"
    assert Path(job.file_path).suffix == ".xlsx"
    # the mapping step reads the workbook's columns
    page = client.get(response["Location"]).content.decode()
    assert "OpportunityName" in page
