"""End to end: the head of KAM edits a plan template with the keyboard alone (add a section, type
its key and labels, add a field, move the section up, save), sees an inline problem for a duplicate
key first, and the saved template is a new version; a key account manager picks a solution of the
library in the plan's solutions section."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_head_edits_a_template_by_keyboard(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    from kampass.planning.models import PlanTemplate
    from kampass.planning.services import template_save

    # given a template with one section
    head = make_user("hanna_head", "head")
    main = {"key": "main", "label_en": "Main goal", "label_de": "Hauptziel", "required": True}
    one = [{"key": "goals", "label_en": "Goals", "label_de": "Ziele", "fields": [main]}]
    template = template_save(actor=head, name="Lean", sections=one)
    login(page, "hanna_head")
    page.goto(f"{live_server.url}/plans/templates/{template.pk}/")

    # when the head adds a section with the keyboard (focus lands on its key) and reuses the key "goals"
    page.locator("[data-testid=add-section]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#s-1-key")).to_be_focused()
    page.keyboard.type("goals")
    page.keyboard.press("Tab")
    page.keyboard.type("Risks")
    page.keyboard.press("Tab")
    page.keyboard.type("Risiken")
    page.keyboard.press("Enter")  # Enter saves

    # then nothing is saved and the problem stands next to the key
    expect(page.locator("[data-testid=template-problems]")).to_contain_text(
        "Section 2: the key “goals” is used by another section."
    )
    expect(page.locator("#s-1-key-error")).to_be_visible()

    # when they correct the key, add a field, move the section up and save
    page.locator("#s-1-key").fill("risks")
    page.locator("[data-testid=add-field-1]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#s-1-f-0-key")).to_be_focused()
    page.keyboard.type("top_risk")
    page.keyboard.press("Tab")
    page.keyboard.type("Top risk")
    page.keyboard.press("Tab")
    page.keyboard.type("Größtes Risiko")
    page.locator("#op-up_section-1").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#op-down_section-0")).to_be_focused()  # now first: its "down" button
    page.locator("[data-testid=save-template]").focus()
    page.keyboard.press("Enter")

    # then the list shows the template with its new version, and the sections are stored in order
    expect(page.locator("[data-testid=template-table]")).to_contain_text("Lean")
    template = PlanTemplate.objects.get(pk=template.pk)
    assert template.version == 2
    assert [s.key for s in template.specs()] == ["risks", "goals"]
    assert template.specs()[0].fields[0].label_de == "Größtes Risiko"


def test_a_kam_picks_a_solution_for_the_plan(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    import datetime as dt

    from kampass.accounts.services import account_create
    from kampass.accounts.tests.factories import TeamMemberFactory
    from kampass.planning.services import plan_create
    from kampass.solutions.models import SolutionUse
    from kampass.solutions.tests.factories import SolutionFactory

    # given a draft plan and two solutions in the library
    head = make_user("hanna_head", "head")
    kam = make_user("karl_kam", "kam")
    account = account_create(actor=head, name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    plan = plan_create(actor=kam, account_id=account.pk, period_start=dt.date(2027, 1, 1),
                       period_end=dt.date(2027, 12, 31))  # fmt: skip
    pool = SolutionFactory(name="Spare-parts pool", problem="Unplanned stops")
    SolutionFactory(name="Ordering portal", problem="Slow ordering")
    login(page, "karl_kam")

    # when the kam searches the library in the plan's solutions section and links the pool
    page.goto(f"{live_server.url}/plans/{plan.pk}/#section-solutions")
    page.locator("[data-testid=solution-search]").fill("stops")
    page.locator("[data-testid=solution-search-go]").click()
    expect(page.locator("[data-testid=solution-candidates]")).not_to_contain_text("Ordering portal")
    page.locator(f"[data-testid=link-solution-{pool.pk}]").click()

    # then the plan links it (stored as a use of the solutions context)
    expect(page.locator("[data-testid=linked-solutions]")).to_contain_text("Spare-parts pool")
    assert SolutionUse.objects.filter(plan_id=plan.pk, solution=pool).exists()
