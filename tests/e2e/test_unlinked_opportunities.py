"""End to end: head of KAM uploads a CRM export with deals of a company that is no account yet on
Pipeline › Imports, keeping them (``--link keep``) instead of rejecting them, opens the list of opportunities
without an account from the pipeline navigation (its badge counts them), selects all on the page, creates the
account from the company name after the confirmation, and finds the deals as the new account's opportunities."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_head_keeps_deals_without_an_account_and_creates_the_account(
    live_server: Any, page: Any, login: Any, make_user: Any, tmp_path: Path
) -> None:
    from kampass.accounts.models import Account
    from kampass.pipeline.models import PipelineImport, UnlinkedOpportunity
    from kampass.pipeline.services.imports import pipeline_import_run

    make_user("head_e2e", "head")
    today = timezone.localdate()
    opened, close = today - dt.timedelta(days=20), today + dt.timedelta(days=60)
    export = tmp_path / "crm.csv"
    export.write_text(
        "Id,Name,AccountId,AccountName,AccountCountry,Amount,StageName,CreatedDate,CloseDate\n"
        f"E1,Press line,NM-7,Nordlicht Maschinenbau GmbH,DE,120000,Prospecting,{opened},{close}\n"
        f"E2,Spare parts,NM-7,Nordlicht Maschinenbau GmbH,DE,30000,Qualification,{opened},{close}\n",
        encoding="utf-8",
    )

    # ---- head of KAM uploads the export on Pipeline › Imports, keeping deals without a matching account
    base = live_server.url
    login(page, "head_e2e")
    page.goto(f"{base}/pipeline/imports/")
    form = page.locator("[data-testid=opportunity-form]")
    form.locator("input[type=file]").set_input_files(str(export))
    form.locator("select[name=mapping]").select_option("generic")
    form.locator("select[name=link]").select_option("keep")
    with page.expect_navigation():
        form.locator("[data-testid=opportunity-form-submit]").click()
    # ---- the mapping step suggests the columns and previews the rows as they will be stored; start it
    expect(page.locator("select[name=col_external_id]")).to_have_value("Id")
    expect(page.locator("[data-testid=preview-table]")).to_contain_text("Press line")
    expect(page.locator("[data-testid=preview-table]")).to_contain_text("no matching account: kept without an account")
    with page.expect_navigation():
        page.click("[data-testid=start-import]")
    job = PipelineImport.objects.get()
    assert (job.kind, job.link) == ("opportunities", "keep")
    pipeline_import_run(str(job.pk))  # as the background worker would
    page.reload()
    expect(page.locator("[data-testid=job-message]")).to_contain_text("Deals without an account kept: 2")
    assert UnlinkedOpportunity.objects.count() == 2

    # ---- the pipeline navigation shows them with a count, the list names the company
    page.goto(f"{base}/pipeline/")
    expect(page.locator("[data-testid=unlinked-count]")).to_have_text("2")
    page.click("[data-testid=nav-unlinked]")
    rows = page.locator("[data-testid=unlinked-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Nordlicht Maschinenbau GmbH")

    # ---- select all on the page, create the account from the company name after the confirmation
    page.check("[data-testid=unlinked-select-all]")
    expect(page.locator("input[name=items]:checked")).to_have_count(2)
    page.click("[data-testid=unlinked-convert]")
    expect(page.locator("[data-testid=convert-summary]")).to_contain_text("1 account will be created")
    expect(page.locator("[data-testid=convert-plan]")).to_contain_text("Nordlicht Maschinenbau GmbH")
    page.click("[data-testid=convert-confirm]")
    expect(page.locator(".messages")).to_contain_text("1 account created, 2 opportunities linked.")
    expect(page.locator("[data-testid=list-empty]")).to_be_visible()

    # ---- the new account has the deals
    account = Account.objects.get(external_id="NM-7")
    assert account.country == "DE"
    page.goto(f"{base}/accounts/{account.pk}/opportunities/")
    expect(page.locator("main")).to_contain_text("Press line")
    expect(page.locator("main")).to_contain_text("Spare parts")
