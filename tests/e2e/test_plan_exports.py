"""End to end: a key account manager asks for the plan as a PDF, follows its progress while the worker
writes it and downloads it with the keyboard; a changed template is adopted from the plan page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _plan(make_user: Any) -> Any:
    from kampass.accounts.services import account_create
    from kampass.accounts.tests.factories import TeamMemberFactory
    from kampass.planning.services import plan_create

    head = make_user("hanna_head", "head")
    kam = make_user("karl_kam", "kam")
    account = account_create(actor=head, name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return head, plan_create(
        actor=kam, account_id=account.pk, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31)
    )


def test_the_pdf_is_written_in_the_background_and_downloaded(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from kampass.planning.export_jobs import export_job_execute
    from kampass.planning.models import PlanExportJob

    _head, plan = _plan(make_user)
    login(page, "karl_kam")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")

    # when the KAM asks for the full plan, the page shows the queued export and keeps polling it
    page.get_by_test_id("export-pdf").click()
    job_box = page.get_by_test_id("export-job")
    expect(job_box).to_have_attribute("data-status", "queued")
    job = PlanExportJob.objects.get()
    assert (job.fmt, job.summary) == ("pdf", False)

    # then, once the worker has written it, the download appears focused and Enter downloads it
    export_job_execute(str(job.pk))
    download_link = page.get_by_test_id("export-download")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(download_link).to_contain_text("account-plan-schindler-group-2027-01-v1-en.pdf")
    with page.expect_download() as info:
        download_link.focus()
        page.keyboard.press("Enter")
    data = Path(info.value.path()).read_bytes()
    assert len(pdfium.PdfDocument(data)) >= 2


def test_an_open_plan_adopts_the_changed_template(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    from kampass.planning.services import default_template, template_save

    head, plan = _plan(make_user)
    template = default_template()
    new = {"key": "sustainability", "label_en": "Sustainability", "label_de": "Nachhaltigkeit"}
    new["fields"] = [{"key": "goals", "label_en": "Goals", "label_de": "Ziele"}]
    sections = [*template.sections, new]
    template_save(actor=head, name=template.name, sections=sections, is_default=True, template=template, version=1)
    login(page, "karl_kam")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")

    expect(page.get_by_test_id("template-changed")).to_be_visible()
    expect(page.locator("#section-sustainability")).to_have_count(0)
    page.get_by_test_id("adopt-template").click()

    expect(page.locator("#section-sustainability")).to_be_visible()
    expect(page.get_by_test_id("template-changed")).to_have_count(0)
    expect(page.locator(".messages, [role=status]").first).to_contain_text("version 2")
