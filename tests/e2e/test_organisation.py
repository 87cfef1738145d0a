"""End to end: the head of KAM edits the function diagram (RACI) in the browser and sees the conflict flag change."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def diagram(make_user: Any) -> dict[str, Any]:
    """The built-in catalogues with one activity whose column has two Accountable roles."""
    from kampass.organisation import services
    from kampass.organisation.models import FunctionRole, ProcessActivity
    from kampass.organisation.seed import seed_current

    seed_current()  # a live-server test starts from flushed tables
    head = make_user("head_e2e", "head", first_name="Hanna", last_name="Head")
    make_user("kam_e2e", "kam", first_name="Karla", last_name="Kammer")
    activity = ProcessActivity.objects.get(key="offer-pricing-approval")
    roles = {r.key: r for r in FunctionRole.objects.all()}
    services.raci_set(actor=head, activity=activity, role=roles["head-of-kam"], code="A")
    services.raci_set(actor=head, activity=activity, role=roles["sales-management"], code="A")
    services.raci_set(actor=head, activity=activity, role=roles["kam"], code="R")
    return {"activity": activity, "roles": roles, "conflicts": ProcessActivity.objects.filter(active=True).count()}


def test_head_of_kam_resolves_a_raci_conflict(live_server: Any, page: Any, diagram: dict[str, Any], login: Any) -> None:
    from kampass.organisation.models import RaciAssignment

    login(page, "head_e2e")
    page.goto(f"{live_server.url}/organisation/raci/")
    check = page.locator("[data-testid=check-offer-pricing-approval]")
    count = page.locator("[data-testid=raci-conflict-count]")
    # every other (empty) activity conflicts too
    expect(count).to_have_text(str(diagram["conflicts"]))
    expect(check).to_contain_text("several Accountable")

    # the cell is a select: reach it with the keyboard and choose C
    cell = page.locator("[data-testid=cell-offer-pricing-approval-sales-management]")
    cell.focus()
    with page.expect_response(lambda r: "/organisation/raci/" in r.url and r.request.method == "POST") as answer:
        cell.select_option("C")
    assert answer.value.status == 200

    expect(check).not_to_contain_text("several Accountable")
    expect(check.locator("[data-conflict='']")).to_be_visible()
    expect(count).to_have_text(str(diagram["conflicts"] - 1))
    expect(cell).to_be_focused()
    assert (
        RaciAssignment.objects.get(activity=diagram["activity"], role=diagram["roles"]["sales-management"]).code == "C"
    )

    # clearing the Responsible raises the other flag
    with page.expect_response(lambda r: "/organisation/raci/" in r.url and r.request.method == "POST"):
        page.locator("[data-testid=cell-offer-pricing-approval-kam]").select_option("")
    expect(check).to_contain_text("no Responsible")
    expect(count).to_have_text(str(diagram["conflicts"]))

    # the overview lists the conflicting activity
    page.goto(f"{live_server.url}/organisation/")
    expect(page.locator("[data-testid=overview-conflicts]")).to_contain_text("Offer and pricing approval")


def test_kam_reads_the_diagram_without_controls(
    live_server: Any, page: Any, diagram: dict[str, Any], login: Any
) -> None:
    login(page, "kam_e2e")
    page.goto(f"{live_server.url}/organisation/raci/")
    expect(page.locator("[data-testid=check-offer-pricing-approval]")).to_contain_text("several Accountable")
    expect(page.locator("[data-testid=raci-grid] select")).to_have_count(0)
