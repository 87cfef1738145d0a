"""Plan exports read back: the PDF's text and a rendered page, the slides' texts, the workbook's
cells, in English and German, with the position figures from invoice lines and opportunities."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.utils import translation
from openpyxl import load_workbook
from pptx import Presentation

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning.exports import EXPORT_PARTS, ExportPart, export_plan, plan_export
from kampass.planning.exports.figures import figure_rows
from kampass.planning.models import AccountPlan, PlanSection, SwotItem
from kampass.planning.services import plan_relationship_set
from kampass.planning.tests.factories import head_actor, make_plan

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2027, 1, 15)


@pytest.fixture(autouse=True)
def _per_test_store(settings: Any, tmp_path: Any) -> None:
    settings.KAMPASS_HOME = tmp_path / "home"
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"


@pytest.fixture
def plan(kam: Any) -> Any:
    """An approved plan of Schindler Group (kam on its team) with SWOT items, a relationship stage,
    revenue of a subsidiary and of the group, and opportunities open, won and lost."""
    group = AccountFactory(name="Schindler Group", kam_status="key_account", currency="GBP")
    site = AccountFactory(name="Schindler Ebikon", parent=group, currency="GBP")
    TeamMemberFactory(account=group, user=kam)
    CustomerLink.objects.bulk_create([CustomerLink(customer_id="G1", account=group),
                                      CustomerLink(customer_id="S1", account=site)])  # fmt: skip
    insert_lines(
        [
            line("1", "G1", "10", "1000", date=dt.date(2026, 3, 2)),  # 10,000 in the last 12 months
            line("2", "S1", "5", "500", date=dt.date(2026, 11, 20)),  # 2,500 of the subsidiary
            line("3", "G1", "2", "1000", date=dt.date(2025, 6, 1)),  # 2,000 in the 12 months before
            line("4", "G1", "1", "9999", date=dt.date(2027, 2, 1)),  # after the plan date: not counted
        ]
    )
    make_opportunity(account=group, name="Drives", amount="40000", currency="GBP")
    make_opportunity(account=site, name="Service", amount="12000", currency="GBP")
    won = make_opportunity(account=group, name="Won deal", stage_name="Closed Won", currency="GBP")
    lost = make_opportunity(account=group, name="Lost deal", stage_name="Closed Lost", currency="GBP")
    Opportunity.objects.filter(pk__in=[won.pk, lost.pk]).update(created_on=dt.date(2026, 1, 1))
    Opportunity.objects.filter(pk=won.pk).update(closed_on=dt.date(2026, 9, 1))
    Opportunity.objects.filter(pk=lost.pk).update(closed_on=dt.date(2026, 10, 1))
    Opportunity.objects.filter(name__in=["Drives", "Service"]).update(created_on=dt.date(2026, 12, 1))
    draft = make_plan(account=group, as_of=AS_OF)
    head = head_actor()
    SwotItem.objects.create(plan=draft, kind="strength", text="Installed base of 400 drives")
    SwotItem.objects.create(plan=draft, kind="threat", text="Kone bids low", evidence_note="lost tender 2026")
    plan_relationship_set(actor=head, plan=draft, now="cooperative", target="interdependent")
    from kampass.planning.services import plan_transition

    plan_transition(actor=head, plan=draft, target="in_review")
    approved = plan_transition(actor=head, plan=draft, target="approved", comment="Good to go")
    approved.refresh_from_db()
    return approved


def _pdf_text(data: bytes) -> tuple[str, Any]:
    pdf = pdfium.PdfDocument(data)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    return text, pdf


def test_position_counts_the_subtree_as_of_the_plan_date(plan: Any) -> None:
    export = plan_export(plan, lang="en")
    p = export.position
    assert (p.revenue_12m.amount, p.revenue_prior_12m.amount, p.currency) == (Decimal(12500), Decimal(2000), "GBP")
    assert len(p.revenue_by_month) == 24
    assert p.revenue_by_month[-1][0] == dt.date(2027, 1, 1)
    assert dict(p.revenue_by_month)[dt.date(2026, 3, 1)] == Decimal(10000)
    assert (p.pipeline_total.amount, p.pipeline_count) == (Decimal(52000), 2)
    assert (p.won, p.lost, p.win_rate) == (1, 1, 0.5)


def test_without_recent_invoices_the_figures_name_the_latest(plan: Any) -> None:
    AccountPlan.objects.filter(pk=plan.pk).update(as_of=dt.date(2030, 6, 30))
    plan.refresh_from_db()
    export = plan_export(plan, lang="en")
    assert export.position.revenue_12m.amount == 0
    assert export.position.last_invoice_day == dt.date(2027, 2, 1)
    with translation.override("en"):
        assert figure_rows(export)[0][2] == "no invoices in 24 months; the latest on 1 Feb 2027"
    with translation.override("de"):
        assert (
            figure_rows(plan_export(plan, lang="de"))[0][2]
            == "keine Rechnungen in 24 Monaten; die letzte am 01.02.2027"
        )


def test_full_pdf_has_the_sections_figures_and_sign_off_in_english(plan: Any) -> None:
    f = export_plan(plan, fmt="pdf", lang="en")
    assert f.data.startswith(b"%PDF")
    assert f.filename == "account-plan-schindler-group-2027-01-v1-en.pdf"
    text, _pdf = _pdf_text(f.data)
    for expected in ("Schindler Group", "Situation", "Strategies and actions", "Solutions and co-creation",
                     "Installed base of 400 drives", "Cooperative", "Interdependent", "£12,500", "£52,000",
                     "50%", "Good to go", "Elevators and escalators, 60 countries"):  # fmt: skip
        assert expected in text, expected


def test_summary_pdf_is_one_page_in_german_and_not_blank(plan: Any) -> None:
    f = export_plan(plan, fmt="pdf", lang="de", summary=True)
    assert f.filename.endswith("-summary-de.pdf")
    text, pdf = _pdf_text(f.data)
    assert len(pdf) == 1
    for expected in ("Schindler Group", "Zusammenfassung", "Umsatz", "12.500", "Stärken", "Bedrohungen",
                     "Kooperativ", "Geschäft und Märkte des Kunden", "Werttreiber"):  # fmt: skip
        assert expected in text, expected
    assert "Strengths" not in text
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(1 for v in image.getdata() if v < 200)
    assert dark > 0.01 * image.width * image.height  # text and charts, not a blank page


def test_slides_show_title_position_swot_and_charts(plan: Any) -> None:
    f = export_plan(plan, fmt="pptx", lang="en")
    prs = Presentation(io.BytesIO(f.data))
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]
    assert "Account plan Schindler Group" in texts[0]
    assert "Good to go" in texts[0]
    assert "Situation and our position" in texts[1]
    assert "£52,000" in texts[1]
    assert "50%" in texts[1]
    assert "SWOT" in texts[2]
    assert "Installed base of 400 drives" in texts[2]
    assert "Kone bids low (lost tender 2026)" in texts[2]
    pictures = [s for s in prs.slides[-1].shapes if s.shape_type == 13]
    assert len(pictures) == 2  # revenue and pipeline charts


def test_slides_in_german(plan: Any) -> None:
    prs = Presentation(io.BytesIO(export_plan(plan, fmt="pptx", lang="de").data))
    text = "\n".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "Account-Plan Schindler Group" in text
    assert "Ausgangslage und unsere Position" in text
    assert "52.000" in text
    assert "Stärken" in text


def test_workbook_has_figures_as_numbers_and_a_sheet_per_section(plan: Any) -> None:
    f = export_plan(plan, fmt="xlsx", lang="de")
    wb = load_workbook(io.BytesIO(f.data))
    assert wb.sheetnames[:4] == ["Überblick", "Ausgangslage", "SWOT", "Beziehung"]
    overview = {row[0].value: row[1] for row in wb["Überblick"].iter_rows(min_row=2) if row[0].value}
    revenue = overview["Umsatz, letzte 12 Monate"]
    assert revenue.value == 12500
    assert "GBP" in revenue.number_format
    assert overview["Gewinnquote, letzte 12 Monate"].value == 0.5
    assert overview["Gewinnquote, letzte 12 Monate"].number_format == "0%"
    situation = {r[0].value: r[1].value for r in wb["Ausgangslage"].iter_rows(min_row=2)}
    assert situation["Geschäft und Märkte des Kunden"] == "Elevators and escalators, 60 countries"
    months = list(wb["Umsatz pro Monat"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 24
    assert sum(m[1] for m in months) == 14500


def test_registered_parts_appear_in_every_format(plan: Any) -> None:
    def objectives(p: Any, lang: str) -> ExportPart:
        return ExportPart("objectives", "Objectives (KPIs)", ("KPI", "Target", "Due"),
                          (("Win rate", Decimal("0.6"), dt.date(2027, 12, 31)),), ("", "0%", ""))  # fmt: skip

    EXPORT_PARTS.append(objectives)
    try:
        pdf_text, _pdf = _pdf_text(export_plan(plan, fmt="pdf", lang="en", summary=True).data)
        prs = Presentation(io.BytesIO(export_plan(plan, fmt="pptx", lang="en").data))
        wb = load_workbook(io.BytesIO(export_plan(plan, fmt="xlsx", lang="en").data))
    finally:
        EXPORT_PARTS.remove(objectives)
    assert "Objectives (KPIs)" in pdf_text
    assert "Win rate" in pdf_text
    slide_titles = [slide.shapes.title.text for slide in prs.slides if slide.shapes.title is not None]
    assert "Objectives (KPIs)" in slide_titles
    cell = wb["Objectives (KPIs)"]["B2"]
    assert (cell.value, cell.number_format) == (0.6, "0%")


def test_the_one_pager_stays_one_page_when_everything_is_long(plan: Any) -> None:
    long = " ".join(["Lorem ipsum dolor sit amet, consectetur adipiscing elit."] * 40)
    _wallet_estimate(plan, window_days=187)  # a second row of figures and its note

    for section in PlanSection.objects.filter(plan=plan):
        section.content = dict.fromkeys(("business", "strategy", "value_drivers", "ambition", "summary"), long)
        section.save()
    for kind in ("strength", "weakness", "opportunity", "threat"):
        for i in range(8):
            SwotItem.objects.create(plan=plan, kind=kind, text=f"{kind} {i} " + long[:400])

    def part(key: str) -> Any:
        return lambda p, lang: ExportPart(
            key, key.title(), ("A", "B", "C"), tuple((long[:200], i, long[:90]) for i in range(12))
        )

    EXPORT_PARTS.extend([part("objectives"), part("actions")])
    try:
        data = export_plan(plan, fmt="pdf", lang="de", summary=True).data
    finally:
        del EXPORT_PARTS[-2:]
    text, pdf = _pdf_text(data)
    assert len(pdf) == 1
    assert "weitere" in text  # shortened until it fits: fewer SWOT items and rows, the rest counted
    assert "Objectives" in text
    assert "Actions" in text
    assert "Realistisches Kundenpotenzial" in " ".join(text.split())


def _wallet_estimate(plan: Any, *, window_days: int = 365) -> None:
    """A wallet estimate of the plan's account before the plan date (the screening context's model, reached
    without importing it): 10,000 GBP revenue of the group, wallet 40,000 (30,000 – 80,000)."""
    from django.apps import apps
    from django.utils import timezone

    apps.get_model("screening", "WalletEstimate").objects.create(
        account_id=plan.account_id, as_of=AS_OF - dt.timedelta(days=5), q=Decimal("0.80"), currency="GBP",
        revenue=Decimal("6000"), wallet=Decimal("20000"), wallet_low=Decimal("15000"), wallet_high=Decimal("50000"),
        subtree_revenue=Decimal("10000"), subtree_wallet=Decimal("40000"), subtree_wallet_low=Decimal("30000"),
        subtree_wallet_high=Decimal("80000"), subtree_floored=True, window_days=window_days,
        peers=40, model_version="wallet-knn-1", computed_at=timezone.now(),
    )  # fmt: skip


def test_every_format_carries_the_wallet_share_and_potential_of_the_situation(plan: Any) -> None:
    # given a wallet estimate of the group on or before the plan date (annualised, floored)
    _wallet_estimate(plan, window_days=187)
    # when / then: the PDF shows wallet, share (10,000 / 40,000) and potential (30,000) with bands and the note
    text, _pdf = _pdf_text(export_plan(plan, fmt="pdf", lang="en").data)
    for expected in ("Realistic wallet (incl. subsidiaries)", "£40,000", "(£30,000 – £80,000)", "Share of wallet",
                     "25%", "Potential", "£30,000", "the 80% quantile", "last 187 days annualised",
                     "its wallet is set to our revenue"):  # fmt: skip
        assert expected in text.replace("\r\n", " ").replace("\n", " "), expected
    # and the slides, in German
    prs = Presentation(io.BytesIO(export_plan(plan, fmt="pptx", lang="de").data))
    situation = "\n".join(s.text_frame.text for s in prs.slides[1].shapes if s.has_text_frame)
    for expected in ("Realistisches Kundenpotenzial (inkl. Tochtergesellschaften)", "40.000", "25\u00a0%",
                     "Potenzial", "30.000", "auf ein Jahr hochgerechnet"):  # fmt: skip
        assert expected in situation, expected
    # and the workbook, as numbers in the wallet's currency
    wb = load_workbook(io.BytesIO(export_plan(plan, fmt="xlsx", lang="en").data))
    overview = {row[0].value: row[1] for row in wb["Overview"].iter_rows(min_row=2) if row[0].value}
    assert overview["Realistic wallet (incl. subsidiaries)"].value == 40000
    assert "GBP" in overview["Realistic wallet (incl. subsidiaries)"].number_format
    assert overview["Share of wallet"].value == 0.25
    assert overview["Potential"].value == 30000
    assert "80%" in overview["Wallet estimate"].value


def test_without_a_wallet_estimate_the_exports_leave_the_wallet_out(plan: Any) -> None:
    text, _pdf = _pdf_text(export_plan(plan, fmt="pdf", lang="en").data)
    assert "Realistic wallet" not in text
    wb = load_workbook(io.BytesIO(export_plan(plan, fmt="xlsx", lang="en").data))
    assert "Share of wallet" not in [row[0].value for row in wb["Overview"].iter_rows()]
