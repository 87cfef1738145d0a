"""End to end: a viewer asks for the programme report PDF; the page shows the render's progress while the
worker renders it and then offers the download, with JavaScript (HTMX polling) and without (the page
reloads itself), in German; a second request for another report meanwhile is refused (429)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


@pytest.fixture
def renderer(monkeypatch: Any) -> list[str]:
    """The PDF renderer replaced by a fast one (the real one is tested in programme/tests); its calls."""
    from kampass.programme import report

    calls: list[str] = []

    def render(*, inputs: Any, progress: Any = None, **_: Any) -> bytes:
        calls.append(inputs.lang)
        return b"%PDF-1.7 e2e"

    monkeypatch.setattr(report, "report_pdf", render)
    return calls


@pytest.fixture
def no_js_page(browser: Any) -> Any:
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _run_queued() -> None:
    """The worker's part, run here: render every queued report job."""
    from kampass.common.models import JobStatus
    from kampass.programme import services
    from kampass.programme.models import ReportJob

    for pk in ReportJob.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True):
        services.report_job_run(str(pk))


def test_the_report_page_shows_progress_then_the_download(
    live_server: Any, page: Any, make_user: Any, login: Any, renderer: list[str]
) -> None:
    from kampass.core.concept import builtin_catalogue
    from kampass.programme.tests.conftest import closed_round

    head = make_user("head_e2e", "head")
    make_user("viewer_e2e", "viewer", language="de")
    closed_round(head, builtin_catalogue())
    login(page, "viewer_e2e")
    page.goto(f"{live_server.url}/programme/")
    # when the viewer asks for the German PDF
    page.click("[data-testid=pdf-de]")
    page.wait_for_url(re.compile(r"/programme/report/[0-9a-f-]{36}/$"))
    # then the page says that the report waits for the worker, with a progress bar
    expect(page.locator("[data-testid=report-progress]")).to_be_visible()
    expect(page.locator("#report-job")).to_contain_text("Der Bericht wartet auf den Hintergrunddienst.")
    status_url = page.url
    # and asking for the English one meanwhile is refused with the reason
    page.goto(f"{live_server.url}/programme/")
    with page.expect_response(lambda r: r.url.endswith("/programme/report/")) as answer:
        page.click("[data-testid=pdf-en]")
    assert answer.value.status == 429
    expect(page.locator("[data-testid=report-busy]")).to_contain_text("Sie haben bereits 1 Bericht in Arbeit")
    page.goto(status_url)
    # when the worker has rendered it, the polling page offers the download (no reload)
    _run_queued()
    expect(page.locator("[data-testid=download-pdf]")).to_have_text("PDF herunterladen")
    assert page.url == status_url
    pdf = page.request.get(live_server.url + (page.locator("[data-testid=download-pdf]").get_attribute("href") or ""))
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    assert renderer == ["de"]


def test_without_javascript_the_page_reloads_itself_until_the_pdf_is_ready(
    live_server: Any, no_js_page: Any, make_user: Any, login: Any, renderer: list[str]
) -> None:
    from kampass.core.concept import builtin_catalogue
    from kampass.programme.tests.conftest import closed_round

    head = make_user("head_e2e", "head")
    make_user("viewer_e2e", "viewer", language="de")
    closed_round(head, builtin_catalogue())
    page = no_js_page
    login(page, "viewer_e2e")
    page.goto(f"{live_server.url}/programme/")
    with page.expect_navigation():
        page.click("[data-testid=pdf-de]")
    expect(page.locator("[data-testid=report-progress]")).to_be_visible()
    # when the worker has rendered it, the page (reloading itself) offers the download
    _run_queued()
    expect(page.locator("[data-testid=download-pdf]")).to_be_visible(timeout=10_000)
