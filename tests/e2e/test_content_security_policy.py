"""End to end: the main pages of the demo work under the Content-Security-Policy -- no inline script,
no inline event handler, no eval (htmx runs with allowEval off, Vega with its expression interpreter),
no injected <style> -- and the browser reports no violation while charts are drawn, hovered and
HTMX requests are made."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "csp-e2e-pass-93"

# every violation the page sees, recorded from the first script on (before the page's own scripts run)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample || ""}`
));
"""
CHARTS_DRAWN = (
    "Array.from(document.querySelectorAll('[data-vega-spec]')).every(e => e.dataset.ready === '1' || e.textContent)"
)


def _load_demo() -> dict[str, Any]:
    from kampass.accounts.models import Account
    from kampass.demo.services import demo_load
    from kampass.demo.transactions import demo_transactions_load
    from kampass.organisation.demo import demo_organisation_load
    from kampass.pipeline.demo import demo_pipeline_load
    from kampass.pipeline.models import Opportunity
    from kampass.programme.demo import demo_programme_load
    from kampass.roadmap.demo import demo_roadmap_load
    from kampass.roadmap.models import Initiative

    demo_load(password=DEMO_PASSWORD)
    demo_transactions_load()  # the invoice lines: the profitability and portfolio charts
    demo_pipeline_load()
    demo_organisation_load()
    demo_programme_load()
    demo_roadmap_load()
    from kampass.solutions.demo import demo_solutions_load
    from kampass.solutions.models import Initiative as CoCreation
    from kampass.solutions.models import Solution

    demo_solutions_load()
    return {
        "solution": Solution.objects.values_list("pk", flat=True).first(),
        "co_creation": CoCreation.objects.values_list("pk", flat=True).first(),
        # an account with invoice lines (profitability charts) and a team (a removal to confirm)
        "account": Account.objects.filter(customer_links__isnull=False, team__isnull=False)
        .values_list("pk", flat=True)
        .first(),
        "opportunity": Opportunity.objects.values_list("pk", flat=True).first(),
        "initiative": Initiative.objects.values_list("pk", flat=True).first(),
    }


def test_the_main_pages_keep_the_content_security_policy(live_server: Any, page: Any, login: Any) -> None:
    from kampass.accounts.models import Account

    # given the demo data set, read by the head of KAM, with every CSP violation and console message recorded
    ids = _load_demo()
    assert all(ids.values()), ids
    page.context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))
    login(page, "head", DEMO_PASSWORD)
    account, opportunity, initiative = ids["account"], ids["opportunity"], ids["initiative"]
    pages = {
        "/": 0,  # path: the number of charts it draws at least
        "/accounts/": 0,
        f"/accounts/{account}/": 1,
        f"/accounts/{account}/profitability/": 2,
        "/portfolio/": 1,
        "/pipeline/": 0,
        f"/pipeline/opportunities/{opportunity}/": 0,
        "/forecast/": 3,
        "/programme/": 2,
        "/programme/recommendations/": 0,
        "/programme/roadmap/": 2,
        f"/programme/roadmap/initiatives/{initiative}/": 1,
        "/programme/roadmap/topics/": 1,
        "/organisation/": 0,
        "/organisation/people/": 1,
        "/organisation/raci/": 0,
        "/solutions/": 0,
        f"/solutions/{ids['solution']}/": 0,
        "/solutions/initiatives/": 0,
        f"/solutions/initiatives/{ids['co_creation']}/": 0,
        "/api/v1/docs": 0,
    }

    violations: dict[str, list[str]] = {}
    for path, charts in pages.items():
        # when each page is opened and its charts are drawn (and hovered, which shows Vega's tooltips)
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, (path, policy)
        assert "unsafe" not in policy, (path, policy)
        page.wait_for_function(CHARTS_DRAWN)
        drawn = page.locator("[data-vega-spec][data-ready='1']")
        assert drawn.count() >= charts, path
        for i in range(min(drawn.count(), 3)):
            box = drawn.nth(i).bounding_box()
            if box:
                for fx in (0.3, 0.5, 0.7):
                    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
        found = page.evaluate("window.__cspViolations")
        found += [c for c in console if "Content Security Policy" in c or "unsafe-eval" in c]
        if found:
            violations[path] = found
        console.clear()

    # and an HTMX request is made (the account search) and a confirmation asked (removing a team member)
    page.goto(f"{live_server.url}/accounts/")
    page.fill("main input[name=q]", "zzz-no-such-account")
    expect(page).to_have_url(re.compile(r"[?&]q=zzz-no-such-account"))  # htmx pushed the filtered URL
    page.goto(f"{live_server.url}/accounts/{account}/")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    team = Account.objects.get(pk=account).team
    members = team.count()
    page.locator("form[action*='/team/'][data-confirm] button[type=submit]").first.click()
    assert asked == ["Remove from the team?"]
    page.wait_for_timeout(500)
    assert team.count() == members  # dismissed: nothing was sent
    found = page.evaluate("window.__cspViolations")
    if found:
        violations["htmx and confirm"] = found

    # then no page broke the policy
    assert violations == {}
