"""End to end: a head of KAM uploads an ERP export of invoice lines with German headers, maps and previews its
columns on the mapping step (in German), saves them as a mapping and imports; the next upload starts from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EXPORT = (
    "Beleg;Buchungsdatum;Debitor;Artikel;Text;Anzahl;VK netto;Land\n"
    "R-1001;13.03.2024;K-7;A-1;Schraube M8;100;0,25;DE\n"
    "R-1002;14.03.2024;K-9;A-1;Schraube M8;zwei;0,25;AT\n"
)


def test_head_maps_previews_saves_and_imports_an_erp_export(
    live_server: Any, page: Any, login: Any, make_user: Any, tmp_path: Path
) -> None:
    from kampass.commercial.models import ImportJob
    from kampass.commercial.services import import_job_run

    make_user("head_e2e", "head", language="de")
    export = tmp_path / "erp.csv"
    export.write_text(EXPORT, encoding="utf-8")
    base = live_server.url
    login(page, "head_e2e")

    # ---- upload on Importe: the next page is the mapping step, with the columns it could suggest
    page.goto(f"{base}/imports/")
    form = page.locator("[data-testid=import-form]")
    form.locator("input[type=file]").set_input_files(str(export))
    form.locator("select[name=mapping]").select_option("generic")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Rechnungspositionen importieren: erp.csv")
    expect(page.locator("select[name=col_invoice_date]")).to_have_value("Buchungsdatum")
    expect(page.locator("select[name=col_customer_id]")).to_have_value("Debitor")
    # "VK netto" is no name kampass knows: the unit price is asked for
    expect(page.locator("[data-testid=preview]")).to_contain_text(
        "Wählen Sie eine Spalte für das/die Pflichtfeld(er): Stückpreis"
    )

    # ---- choose the price column, preview: the lines as they will be stored, the bad one with its reason
    page.select_option("select[name=col_unit_price]", "VK netto")
    with page.expect_navigation():
        page.click("[data-testid=update-preview]")
    table = page.locator("[data-testid=preview-table]")
    expect(table.locator("[data-testid=preview-row]")).to_have_count(2)
    expect(table.locator("[data-testid=preview-row]").first).to_contain_text("13.03.2024")
    expect(table.locator("[data-testid=preview-row]").first).to_contain_text("25")
    expect(table.locator("[data-testid=preview-row]").nth(1)).to_contain_text("keine Zahl")
    expect(page.locator("[data-testid=preview-summary]")).to_contain_text("Die Datei hat 2 Zeilen. 1 davon würde")

    # ---- save the columns under a name, then start the import
    page.fill("input[name=mapping_name]", "Unser ERP")
    with page.expect_navigation():
        page.click("[data-testid=save-mapping]")
    expect(page.locator(".messages")).to_contain_text("Zuordnung „Unser ERP“ gespeichert.")
    with page.expect_navigation():
        page.click("[data-testid=start-import]")
    job = ImportJob.objects.get()
    assert job.columns["unit_price"] == "VK netto"
    done = import_job_run(str(job.pk))  # as the background worker would
    assert (done.lines, done.rejected) == (1, 1)
    page.reload()
    expect(page.locator("main")).to_contain_text("Spalten beim Hochladen gewählt")

    # ---- the next export of the same system: the saved mapping is offered and its columns are chosen
    page.goto(f"{base}/imports/")
    form = page.locator("[data-testid=import-form]")
    form.locator("input[type=file]").set_input_files(str(export))
    form.locator("select[name=mapping]").select_option("Unser ERP")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("select[name=col_unit_price]")).to_have_value("VK netto")
    expect(page.locator("[data-testid=preview-table] [data-testid=preview-row]")).to_have_count(2)

    # ---- discarding the upload removes it from the list
    with page.expect_navigation():
        page.click("[data-testid=discard-upload]")
    expect(page.locator(".messages")).to_contain_text("verworfen")
    assert ImportJob.objects.count() == 1
