"""Plan exports through the page, the API and the CLI: who may download them (``planning.view_plan``
on the plan's account), what comes back, and the CLI's choice of plan and its errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pptx import Presentation

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.services import plan_new_version
from kampass.planning.tests.factories import head_actor, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _per_test_home(settings: Any, tmp_path: Path) -> None:
    settings.KAMPASS_HOME = tmp_path / "home"


@pytest.fixture
def account(kam: Any) -> Any:
    account = AccountFactory(name="Kone Oyj", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def plan(account: Any) -> Any:
    return make_plan(account=account, status="active")


def _url(plan: Any, fmt: str) -> str:
    return f"/plans/{plan.pk}/export/{fmt}/"


# ---- page downloads


def test_kam_on_the_team_downloads_the_one_pager(client: Any, kam: Any, plan: Any) -> None:
    client.force_login(kam)
    r = client.get(_url(plan, "pdf"), {"summary": "1", "lang": "de"})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert 'filename="account-plan-kone-oyj-2027-01-v1-summary-de.pdf"' in r["Content-Disposition"]
    pdf = pdfium.PdfDocument(r.content)
    assert len(pdf) == 1
    assert "Zusammenfassung" in pdf[0].get_textpage().get_text_range()


def test_readers_download_but_another_team_and_strangers_do_not(client: Any, viewer: Any, kam2: Any, plan: Any) -> None:
    client.force_login(viewer)
    r = client.get(_url(plan, "xlsx"))
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content)).sheetnames[0] == "Overview"
    client.force_login(kam2)
    assert client.get(_url(plan, "pdf")).status_code == 403
    client.logout()
    r = client.get(_url(plan, "pdf"))
    assert r.status_code == 302
    assert "/login/" in r["Location"]


def test_unknown_format_or_plan_is_not_found(client: Any, head: Any, plan: Any) -> None:
    client.force_login(head)
    assert client.get(_url(plan, "docx")).status_code == 404
    assert client.get(f"/plans/{plan.pk + 999}/export/pdf/").status_code == 404


def test_the_buttons_ask_for_the_exports(plan: Any) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("de"):
        html = render_to_string("planning/export_buttons.html", {"plan": plan})
    assert html.count(f'hx-post="/plans/{plan.pk}/export/pdf/start/"') == 3  # one-pager, full plan, in English
    assert f'action="/plans/{plan.pk}/export/pptx/start/"' in html
    assert '<input type="hidden" name="lang" value="de">' in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert "Onepager (PDF)" in html
    assert "Arbeitsmappe (XLSX)" in html


# ---- API


def test_api_exports_slides_for_readers(api: Any, viewer: Any, plan: Any) -> None:
    r = api(viewer, "get", f"/plans/{plan.pk}/export?format=pptx&lang=en")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    prs = Presentation(io.BytesIO(r.content))
    assert prs.slides[0].shapes.title.text == "Account plan Kone Oyj"


def test_api_refuses_another_team_anonymous_and_unknown_formats(api: Any, kam2: Any, head: Any, plan: Any) -> None:
    assert api(kam2, "get", f"/plans/{plan.pk}/export?format=pdf").status_code == 403
    assert api(None, "get", f"/plans/{plan.pk}/export?format=pdf").status_code == 401
    assert api(head, "get", f"/plans/{plan.pk}/export?format=docx").status_code == 422
    assert api(head, "get", f"/plans/{plan.pk + 999}/export?format=pdf").status_code == 404


# ---- CLI


def test_cli_writes_a_valid_pdf_and_pptx(plan: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("plan", "export", str(plan.account_id), "--pdf", str(tmp_path / "p.pdf"), stdout=out)
    call_command("plan", "export", str(plan.account_id), "--pptx", str(tmp_path / "p.pptx"), "--lang", "de")
    assert "Wrote" in out.getvalue()
    pdf = pdfium.PdfDocument(str(tmp_path / "p.pdf"))
    assert "Kone Oyj" in pdf[0].get_textpage().get_text_range()
    prs = Presentation(str(tmp_path / "p.pptx"))
    assert prs.slides[0].shapes.title.text == "Account-Plan Kone Oyj"


def test_cli_takes_the_plan_in_force_over_a_newer_draft(plan: Any, tmp_path: Path) -> None:
    newer = plan_new_version(actor=head_actor(), plan=plan)
    call_command("plan", "export", str(plan.account_id), "--xlsx", str(tmp_path / "a.xlsx"))
    overview = load_workbook(tmp_path / "a.xlsx")["Overview"]
    values = {row[0]: row[1] for row in overview.iter_rows(min_row=2, values_only=True)}
    assert values["Version"] == 1
    assert values["Status"] == "Active"
    call_command("plan", "export", str(plan.account_id), "--xlsx", str(tmp_path / "b.xlsx"), "--plan-id", str(newer.pk))
    values = {r[0]: r[1] for r in load_workbook(tmp_path / "b.xlsx")["Overview"].iter_rows(min_row=2, values_only=True)}
    assert values["Version"] == 2
    assert values["Status"] == "Draft"


def test_cli_without_a_signed_off_plan_takes_the_newest_version(account: Any, tmp_path: Path) -> None:
    make_plan(account=account)  # a draft only
    call_command("plan", "export", str(account.pk), "--xlsx", str(tmp_path / "d.xlsx"))
    values = {r[0]: r[1] for r in load_workbook(tmp_path / "d.xlsx")["Overview"].iter_rows(min_row=2, values_only=True)}
    assert values["Status"] == "Draft"


def test_cli_errors_are_clear(account: Any, plan: Any, tmp_path: Path) -> None:
    bare = AccountFactory(name="No Plan AG")
    with pytest.raises(CommandError, match=r"Account \d+ \(No Plan AG\) has no plan\."):
        call_command("plan", "export", str(bare.pk), "--pdf", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match=r"No account with id 999999\."):
        call_command("plan", "export", "999999", "--pdf", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match=r"has no plan with id"):
        call_command("plan", "export", str(bare.pk), "--pdf", str(tmp_path / "x.pdf"), "--plan-id", str(plan.pk))
    with pytest.raises(CommandError, match=r"does not exist"):
        call_command("plan", "export", str(account.pk), "--pdf", str(tmp_path / "nowhere" / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_names_with_quotes_umlauts_and_markup_are_written_as_they_are(tmp_path: Path) -> None:
    name = 'Zürich "Lifts" & Co </style><b>'
    plan = make_plan(account=AccountFactory(name=name, kam_status="key_account"))
    call_command("plan", "export", str(plan.account_id), "--pdf", str(tmp_path / "h.pdf"), "--summary")
    text = pdfium.PdfDocument(str(tmp_path / "h.pdf"))[0].get_textpage().get_text_range()
    assert text.count(name) == 2  # the title and the footer of the one page
    call_command("plan", "export", str(plan.account_id), "--pptx", str(tmp_path / "h.pptx"))
    assert Presentation(str(tmp_path / "h.pptx")).slides[0].shapes.title.text == f"Account plan {name}"
    call_command("plan", "export", str(plan.account_id), "--xlsx", str(tmp_path / "h.xlsx"))
    assert load_workbook(tmp_path / "h.xlsx")["Overview"]["B2"].value == name
