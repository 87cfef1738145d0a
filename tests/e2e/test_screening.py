"""End to end: the screening pages. The head of KAM publishes the criteria catalogue, reads the portfolio,
decides a selection round (one decision with the keyboard) and downloads its exports; the account's KAM rates
a criterion, enters their own potential estimate, marks a whitespace cell "not relevant" and turns a
recommendation into an opportunity; a controller reads the portfolio without any control to decide or
publish; and the portfolio speaks German."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rate_both_dimensions(head: Any, *accounts_and_ratings: tuple[Any, int, int]) -> None:
    """Ratings of strategic fit (attractiveness) and satisfaction (position): the accounts get both scores."""
    from kampass.screening import services_selection as services

    for account, fit, satisfaction in accounts_and_ratings:
        services.rating_create(
            actor=head, account_id=account.pk, criterion_key="strategic_fit", value=fit, justification="fit"
        )
        services.rating_create(
            actor=head, account_id=account.pk, criterion_key="satisfaction", value=satisfaction, justification="sat"
        )


def test_the_head_publishes_criteria_reads_the_portfolio_decides_a_round_and_exports_it(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.models import Account
    from kampass.screening.models.selection import Catalogue, Decision, SelectionRound

    # given: two top-level accounts and the head of KAM
    head = make_user("head_e2e", "head")
    alpha = Account.objects.create(name="Alpha Pumps", kam_status="candidate")
    beta = Account.objects.create(name="Beta Valves", kam_status="key_account")
    base = live_server.url
    login(page, "head_e2e")

    # when: the head goes from the programme page to screening and publishes the (default) catalogue
    page.goto(f"{base}/programme/")
    page.get_by_test_id("screening-link").click()
    expect(page).to_have_url(re.compile(r"/screening/$"))
    page.get_by_test_id("link-portfolio").click()
    expect(page.get_by_test_id("no-catalogue")).to_be_visible()
    page.get_by_role("link", name="Publish the default catalogue").click()
    page.get_by_label("What changes and why").fill("First catalogue")
    page.get_by_label("Quadrant threshold").fill("50")
    page.get_by_role("button", name="Publish version").click()
    # then: the catalogue is in force and listed with its criteria
    expect(page.get_by_test_id("criterion-strategic_fit")).to_contain_text("Strategic fit")
    expect(page.get_by_test_id("criterion-purchase_volume")).to_contain_text("Purchase volume")
    assert Catalogue.objects.get().number == 1

    # when: both accounts have ratings in both dimensions and the head opens the portfolio
    _rate_both_dimensions(head, (alpha, 5, 4), (beta, 2, 1))
    page.goto(f"{base}/screening/portfolio/")
    # then: chart, the four quadrants with their moves and each account's rank stability
    expect(page.get_by_test_id("portfolio-chart")).to_be_visible()
    expect(page.get_by_test_id("quadrants")).to_contain_text("Invest and expand")
    expect(page.get_by_test_id("quadrants")).to_contain_text("Hold efficiently")
    expect(page.get_by_test_id(f"stability-{alpha.pk}")).to_contain_text(re.compile(r"\d+–\d+ · (stable|unstable)"))
    expect(page.get_by_test_id(f"stability-{beta.pk}")).not_to_be_empty()

    # when: the head opens a selection round
    page.get_by_role("link", name="Selection rounds").first.click()
    page.get_by_label("Period").fill("2026 H2")
    page.get_by_role("button", name="Open round").click()
    # then: the round page lists both accounts with a decision form each
    expect(page.get_by_role("heading", name="Selection round 2026 H2")).to_be_visible()
    alpha_row = page.get_by_test_id(f"decision-{alpha.pk}")
    beta_row = page.get_by_test_id(f"decision-{beta.pk}")
    expect(alpha_row.get_by_test_id(f"decide-{alpha.pk}")).to_be_visible()

    # when: Alpha is promoted with a reason, by mouse
    alpha_row.locator("select").select_option("key_account")
    alpha_row.get_by_placeholder("Reason").fill("Top attractiveness, strong position")
    alpha_row.get_by_test_id(f"decide-{alpha.pk}").click()
    # then: the decision is shown with its reason, and the account's KAM status has changed
    expect(page.get_by_test_id(f"decision-{alpha.pk}")).to_contain_text("Top attractiveness, strong position")
    alpha.refresh_from_db()
    assert alpha.kam_status == "key_account"

    # when: Beta is decided with the keyboard only (select by keys, type the reason, Enter submits)
    beta_row.locator("select").focus()
    page.keyboard.type("Demoted")  # type-ahead in the closed native select
    expect(beta_row.locator("select")).to_have_value("demoted")
    page.keyboard.press("Tab")
    expect(beta_row.get_by_placeholder("Reason")).to_be_focused()
    page.keyboard.type("Low on both axes")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: Beta is decided and demoted
    expect(page.get_by_test_id(f"decision-{beta.pk}")).to_contain_text("Low on both axes")
    assert Decision.objects.get(account=beta).decided_status == "demoted"

    # and: the account page shows the new KAM status
    page.goto(f"{base}/accounts/{alpha.pk}/")
    expect(page.get_by_test_id("account-name")).to_contain_text("Key account")
    page.go_back()

    # when: the head closes the round
    page.get_by_test_id("close-round").click()
    # then: the round is closed and its exports download as XLSX and PDF
    expect(page.get_by_test_id("close-round")).to_have_count(0)
    assert SelectionRound.objects.get().status == "closed"
    with page.expect_download() as downloading:
        page.get_by_test_id("export-xlsx-de").click()
    download = downloading.value
    assert download.suggested_filename.endswith("-de.xlsx")
    cells = [
        str(v)
        for ws in load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
    ]
    assert "Low on both axes" in cells
    assert "Alpha Pumps" in cells
    xlsx_href = page.get_by_test_id("export-xlsx-de").get_attribute("href")
    pdf_href = page.get_by_test_id("export-pdf-en").get_attribute("href")
    assert xlsx_href
    assert pdf_href
    xlsx = page.request.get(f"{base}{xlsx_href}")
    pdf = page.request.get(f"{base}{pdf_href}")
    assert (xlsx.status, xlsx.headers["content-type"]) == (200, XLSX)
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout
        text = " ".join(out.decode().split())  # table cells wrap
        assert "Top attractiveness, strong position" in text
        assert "Selection round 2026 H2" in text


def test_the_kam_rates_estimates_potential_marks_whitespace_and_creates_an_opportunity(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.models import TeamMember
    from kampass.pipeline.models import Opportunity
    from kampass.screening.models.selection import Rating
    from kampass.screening.models.wallet import PotentialEstimate
    from kampass.screening.models.whitespace import NotRelevantMark, WhitespaceOpportunity
    from kampass.screening.tests.factories_selection import small_catalogue
    from kampass.screening.tests.factories_whitespace import purchase_world

    # given: a published catalogue and Acme (with purchases) whose KAM logs in
    head = make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam")
    small_catalogue(actor=head)
    world = purchase_world()
    acme = world.acme
    TeamMember.objects.create(account=acme, user=kam, role="kam")
    base = live_server.url
    login(page, "kam_e2e")

    # when: the KAM goes from the account page to the account's scores and rates strategic fit
    page.goto(f"{base}/accounts/{acme.pk}/")
    page.get_by_test_id("selection-panel").get_by_role("link", name="Scores and ratings").click()
    form = page.get_by_test_id("rating-form")
    form.get_by_label("Criterion").select_option("strategic_fit")
    form.get_by_label("Rating").select_option("4")
    form.get_by_label("Justification").fill("Core segment of our growth plan")
    form.get_by_role("button", name="Save rating").click()
    # then: the rating is in the history with its justification, and it counts in the score
    expect(page.get_by_test_id("ratings")).to_contain_text("Core segment of our growth plan")
    expect(page.get_by_test_id("contribution-strategic_fit")).to_contain_text("75.0")
    rating = Rating.objects.get()
    assert (rating.value, rating.rated_by_id) == (4, kam.pk)

    # when: the KAM enters an own potential estimate with a reason from the account page
    page.goto(f"{base}/accounts/{acme.pk}/")
    page.get_by_test_id("estimate-potential").click()
    page.get_by_label("Estimated yearly wallet").fill("250000")
    page.get_by_label("Reason").fill("New plant opens in spring")
    page.get_by_role("button", name="Record estimate").click()
    # then: back on the account page, the potential section lists the estimate with its reason
    expect(page).to_have_url(re.compile(rf"/accounts/{acme.pk}/$"))
    expect(page.get_by_test_id("account-potential-panel")).to_contain_text("New plant opens in spring")
    assert PotentialEstimate.objects.get().estimated_by_id == kam.pk

    # when: the KAM opens the whitespace page and marks a cell "not relevant" with a reason
    page.get_by_test_id("open-whitespace").click()
    expect(page.get_by_test_id("ws-matrix")).to_be_visible()
    page.get_by_label("Product group", exact=True).fill("20001")
    page.locator("form:has([data-testid=ws-mark])").get_by_label("Reason").fill("We do not make these")
    page.get_by_test_id("ws-mark").click()
    # then: the mark is listed and the matrix shows the cell as not relevant
    expect(page.get_by_test_id("ws-marks")).to_contain_text("We do not make these")
    expect(page.get_by_test_id("ws-matrix").locator("td[title^='20001']").first).to_have_text("not relevant")
    assert NotRelevantMark.objects.get().product_group == "20001"

    # when: the KAM turns the first recommendation (10004) into an opportunity with one click
    page.get_by_test_id("ws-convert-10004").click()
    # then: the opportunity exists, marked as coming from whitespace, and its page is shown
    created = WhitespaceOpportunity.objects.get()
    expect(page).to_have_url(re.compile(rf"/{created.opportunity_id}/"))
    assert Opportunity.objects.get(pk=created.opportunity_id).source == "whitespace"
    assert created.product_group == "10004"


def test_a_controller_reads_the_portfolio_and_rounds_without_decide_or_publish_controls(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.models import Account
    from kampass.screening import services_selection as services
    from kampass.screening.tests.factories_selection import default_catalogue

    # given: a catalogue, two rated accounts and an open round
    head = make_user("head_e2e", "head")
    make_user("controller_e2e", "controller")
    default_catalogue(actor=head)
    alpha = Account.objects.create(name="Alpha Pumps", kam_status="candidate")
    beta = Account.objects.create(name="Beta Valves", kam_status="key_account")
    _rate_both_dimensions(head, (alpha, 5, 4), (beta, 2, 1))
    opened = services.round_open(actor=head, period="2026 H2")
    base = live_server.url
    login(page, "controller_e2e")

    # when: the controller reads the portfolio
    page.goto(f"{base}/screening/portfolio/")
    # then: the portfolio with its chart and accounts, but no control to configure or open rounds
    expect(page.get_by_test_id("portfolio-chart")).to_be_visible()
    expect(page.get_by_test_id(f"account-{alpha.pk}")).to_contain_text("Alpha Pumps")
    expect(page.get_by_role("link", name="Configure criteria")).to_have_count(0)

    # when: the controller reads the open round and the catalogue
    page.goto(f"{base}/screening/rounds/{opened.pk}/")
    # then: the proposals are there, but neither decide buttons nor the close button
    expect(page.get_by_test_id(f"decision-{beta.pk}")).to_contain_text("open")
    expect(page.get_by_test_id(f"decide-{beta.pk}")).to_have_count(0)
    expect(page.get_by_test_id("close-round")).to_have_count(0)
    page.goto(f"{base}/screening/rounds/")
    expect(page.get_by_test_id("round-form")).to_have_count(0)
    page.goto(f"{base}/screening/criteria/")
    expect(page.get_by_test_id("criteria")).to_be_visible()
    expect(page.get_by_test_id("catalogue-form")).to_have_count(0)


def test_the_portfolio_speaks_german(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    from kampass.accounts.models import Account
    from kampass.screening.tests.factories_selection import default_catalogue

    # given: a head of KAM who reads German, a catalogue and a rated account
    head = make_user("head_e2e", "head", language="de")
    default_catalogue(actor=head)
    alpha = Account.objects.create(name="Alpha Pumps", kam_status="key_account")
    _rate_both_dimensions(head, (alpha, 5, 4))
    login(page, "head_e2e")

    # when: the head opens the portfolio
    page.goto(f"{live_server.url}/screening/portfolio/")
    # then: headings, quadrant moves, statuses and the stability column are German
    expect(page.get_by_role("heading", name="Selektionsportfolio")).to_be_visible()
    expect(page.get_by_test_id("quadrants")).to_contain_text("Investieren und ausbauen")
    expect(page.get_by_test_id(f"account-{alpha.pk}")).to_contain_text("Key Account")
    expect(page.get_by_test_id(f"stability-{alpha.pk}")).to_contain_text("stabil")
    expect(page.locator("main")).not_to_contain_text("Invest and expand")
