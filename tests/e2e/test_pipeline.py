"""End to end: a key account manager works the pipeline in the browser: drags a card to another
stage, moves one to lost with the keyboard (the reason dialog), qualifies an opportunity (MEDDPICC
inline), adds a risk, and sees the forecast with its fan chart drawn."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _default_stages() -> None:
    """The default sales process comes from a data migration; live-server tests flush the
    database between tests, so put it back when an earlier test removed it."""
    from kampass.pipeline.models import Stage, StageSet

    if StageSet.objects.filter(is_default=True).exists():
        return
    migration = importlib.import_module("kampass.pipeline.migrations.0002_default_stage_set")
    stage_set = StageSet.objects.create(name="Standard sales process", is_default=True, late_probability=50)
    for i, (name, p, kind) in enumerate(migration.DEFAULT_STAGES, start=1):
        Stage.objects.create(stage_set=stage_set, name=name, order=i, probability=p, kind=kind)


@pytest.fixture
def pipeline(make_user: Any) -> dict[str, Any]:
    from django.utils import timezone

    from kampass.accounts.services import account_create, team_member_set
    from kampass.pipeline.models import Opportunity
    from kampass.pipeline.services import opportunity_create

    # warm up: the first import of the modelling core (scikit-learn) takes seconds on a busy
    # machine; done here, the live server's first opportunity page does not wait for it
    importlib.import_module("kampass.core.forecasting")
    _default_stages()
    admin = make_user("admin_e2e", "admin")
    kam = make_user("kam_e2e", "kam", first_name="Karla", last_name="Kammer")
    account = account_create(actor=admin, name="Helvetia Lifts AG", currency="CHF")
    team_member_set(actor=admin, account=account, user=kam, role="kam")
    close = timezone.localdate() + dt.timedelta(days=40)
    made = {}
    for name, amount, p in (("Escalator retrofit", "250000", 0.62), ("Service contract", "80000", 0.35)):
        o = opportunity_create(actor=kam, account=account, name=name, amount=Decimal(amount), expected_close_date=close,
                               owner_probability=70)  # fmt: skip
        Opportunity.objects.filter(pk=o.pk).update(probability=p, scored_at=timezone.now())
        made[name] = o
    return {"kam": kam, "account": account, **made}


def test_kam_works_the_pipeline(live_server: Any, page: Any, login: Any, pipeline: dict[str, Any]) -> None:
    from kampass.pipeline.models import Opportunity, Qualification, Risk, Stage

    base = live_server.url
    retrofit, service = pipeline["Escalator retrofit"], pipeline["Service contract"]
    qualification = Stage.objects.get(name="Qualification", stage_set__is_default=True)
    lost = Stage.objects.get(name="Closed Lost", stage_set__is_default=True)
    login(page, "kam_e2e")

    # ---- the board: both cards in the first column, with owner's and calibrated probability
    page.goto(f"{base}/pipeline/")
    card = page.locator(f"#opp-{retrofit.pk}")
    expect(card).to_contain_text("Escalator retrofit")
    expect(card).to_contain_text("70%")
    expect(card.locator("[data-testid=card-probability]")).to_have_text("62%")

    # ---- drag the card to the "Qualification" column (HTML5 drag and drop, HTMX post)
    target = page.locator(f"[data-testid=stage-{qualification.pk}]")
    card.drag_to(target)
    expect(target.locator(f"#opp-{retrofit.pk}")).to_be_visible()
    expect(page.locator("[data-testid=messages]")).to_contain_text("moved to Qualification")
    assert Opportunity.objects.get(pk=retrofit.pk).stage_id == qualification.pk

    # ---- the keyboard alternative: choose "Closed Lost" on the card; the dialog asks why
    service_card = page.locator(f"#opp-{service.pk}")
    service_card.locator("[data-testid=card-stage]").select_option(str(lost.pk))
    service_card.locator("[data-testid=card-move]").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("[data-testid=lost-dialog]")
    expect(dialog).to_be_visible()
    dialog.locator("[data-testid=lost-confirm]").click()  # without a reason: refused in the dialog
    expect(dialog.locator(".field-error")).to_be_visible()
    dialog.locator("textarea").fill("Budget moved to next year")
    dialog.locator("[data-testid=lost-confirm]").click()
    expect(page.locator(f"#opp-{service.pk}")).to_have_count(0)  # closed stages are hidden
    service.refresh_from_db()
    assert service.outcome == "lost"
    assert service.outcome_reason == "Budget moved to next year"

    # ---- open the opportunity and confirm one MEDDPICC element inline
    page.click(f"#opp-{retrofit.pk} h3 a")
    page.wait_for_url(re.compile(rf"/pipeline/opportunities/{retrofit.pk}/$"))
    expect(page.locator("[data-testid=opportunity-name]")).to_have_text("Escalator retrofit")
    row = page.locator("[data-testid=q-metrics]")
    row.locator("[data-testid=q-edit]").click()
    form = page.locator("[data-testid=q-form]")
    form.locator("select[name=status]").select_option("confirmed")
    form.locator("textarea[name=evidence]").fill("Energy saving 30 % agreed with facility management")
    form.locator("[data-testid=q-save]").click()
    expect(page.locator("[data-testid=q-metrics] [data-testid=q-status]")).to_contain_text("Confirmed")
    expect(page.locator("[data-testid=qualification-summary]")).to_contain_text("1 of 8 confirmed")
    assert Qualification.objects.get(opportunity=retrofit, element="metrics").status == "confirmed"

    # ---- add a risk; the matrix and the expected risk cost show it
    page.click("[data-testid=add-risk]")
    page.wait_for_url(re.compile(rf"/pipeline/opportunities/{retrofit.pk}/risks/new/$"))
    page.fill("#id_title", "Site access only at night")
    page.select_option("#id_category", "delivery")
    page.select_option("#id_likelihood", "4")
    page.select_option("#id_impact", "3")
    page.fill("#id_cost", "20000")
    page.click("[data-testid=main-form] button[type=submit]")
    page.wait_for_url(re.compile(rf"/pipeline/opportunities/{retrofit.pk}/(#risks)?$"))
    expect(page.locator("[data-testid=risk-table]")).to_contain_text("Site access only at night")
    expect(page.locator("[data-testid=cell-4-3]")).to_have_text("1")
    expect(page.locator("[data-testid=expected-risk-cost]")).to_contain_text("14,000.00")
    assert Risk.objects.get(opportunity=retrofit).expected_cost == Decimal("14000.00")

    # ---- the forecast (in the deals' currency, CHF; else converted into the view currency): the fan chart is drawn
    page.goto(f"{base}/forecast/?currency=CHF")
    chart = page.locator("[data-testid=fan-chart]")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart.locator("svg").first).to_be_visible()
    expect(page.locator("[data-testid=forecast-table]")).to_contain_text("155,000")  # 0.62 x 250,000

    # ---- changing the period swaps the results (HTMX) and the chart is drawn again
    page.select_option("[data-testid=forecast-period]", "quarter")
    expect(page.locator("[data-testid=forecast-table]")).to_contain_text("-Q")
    expect(page.locator("[data-testid=fan-chart]")).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-testid=fan-chart] svg").first).to_be_visible()
    assert "period=quarter" in page.url


def test_kam_picks_an_account_after_several_searches_and_sees_a_refused_save(
    live_server: Any, page: Any, login: Any, pipeline: dict[str, Any]
) -> None:
    from kampass.accounts.services import account_create
    from kampass.pipeline.models import Opportunity
    from kampass.users.models import User

    # given: a second account of the KAM's team family and a foreign one with a similar name
    base = live_server.url
    admin = User.objects.get(username="admin_e2e")
    foreign = account_create(actor=admin, name="Helvetia Cranes AG", currency="CHF")
    login(page, "kam_e2e")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "targetError" in msg.text else None)
    page.goto(f"{base}/pipeline/opportunities/new/")
    page.fill("#id_name", "Picker test")
    page.fill("#id_amount", "1000")
    search = page.locator("#id_account_search")
    results = page.locator("#id_account_results")

    # when: the KAM searches, changes the query twice and picks
    search.fill("zzz")
    expect(results).to_contain_text("No matching account")
    search.fill("Helv")
    expect(results.locator(".lookup-option")).to_have_count(1)  # the foreign account is not offered
    search.fill("Helvetia Lifts")
    option = results.get_by_role("option", name=re.compile("Helvetia Lifts AG"))
    expect(option).to_be_visible()
    option.click()
    expect(search).to_have_value("Helvetia Lifts AG")
    with page.expect_navigation():
        page.click("[data-testid=main-form] button[type=submit]")

    # then: the opportunity is on the picked account, and htmx never lost its target
    created = Opportunity.objects.get(name="Picker test")
    assert created.account_id == pipeline["account"].pk
    assert errors == []

    # when: a forged save on the foreign account (the picker does not offer it)
    page.goto(f"{base}/pipeline/opportunities/new/")
    page.fill("#id_name", "Forged")
    page.fill("#id_amount", "1000")
    page.evaluate(f"document.getElementById('id_account').value = '{foreign.pk}'")
    page.click("[data-testid=main-form] button[type=submit]")

    # then: the refusal is shown, nothing is saved
    alert = page.locator("[data-testid=htmx-alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("You do not have permission")
    assert not Opportunity.objects.filter(name="Forged").exists()


def test_the_board_fits_eight_stages_at_1440_and_keeps_its_scrollbar_in_view(
    live_server: Any, browser: Any, login: Any, pipeline: dict[str, Any], make_user: Any
) -> None:
    from kampass.pipeline.services import opportunity_create

    # given: a tall column (many cards in the first stage) and a read-only user
    for i in range(14):
        opportunity_create(actor=pipeline["kam"], account=pipeline["account"], name=f"Spare parts framework {i:02d}",
                           amount=Decimal("1000"), expected_close_date=dt.date(2030, 1, 1))  # fmt: skip
    make_user("viewer_e2e", "viewer")
    base = live_server.url
    retrofit = pipeline["Escalator retrofit"]
    shots = {}
    for lang in ("en", "de"):
        context = browser.new_context(locale="en-GB", viewport={"width": 1440, "height": 900})
        page = context.new_page()
        login(page, "kam_e2e")
        if lang == "de":
            with page.expect_navigation():
                page.click("[data-testid=lang-de]")

        # when
        page.goto(f"{base}/pipeline/")
        columns = page.locator(".stage-col")
        expect(columns).to_have_count(8)

        # then: all eight columns are inside the window, the board is no wider than its box
        boxes = [columns.nth(i).bounding_box() for i in range(8)]
        assert all(b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 1440 for b in boxes), boxes
        wrap = page.locator("#board")
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        # the tall column scrolls inside itself: the board ends within the window
        first = columns.nth(0)
        assert first.evaluate("el => el.scrollHeight > el.clientHeight")
        box = page.locator(".board").bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= 900
        expect(page.locator("[data-testid=drag-hint]")).to_be_visible()
        path = f"/tmp/pipeui-board-{lang}.png"
        page.screenshot(path=path)
        shots[lang] = path

        # when: the KAM chooses the lost stage on a card and cancels the reason dialog
        card = page.locator(f"#opp-{retrofit.pk}")
        select = card.locator("[data-testid=card-stage]")
        before = select.input_value()
        lost_label = "Closed Lost" if lang == "en" else None
        if lost_label:
            select.select_option(label=lost_label)
        else:
            select.select_option(index=select.locator("option").count() - 1)
        card.locator("[data-testid=card-move]").click()
        dialog = page.locator("[data-testid=lost-dialog]")
        expect(dialog).to_be_visible()
        dialog.locator("[data-dialog-cancel]").click()

        # then: the select shows the card's stage again (the dialog's close event comes after it is hidden)
        expect(dialog).to_be_hidden()
        expect(select).to_have_value(before)
        context.close()

    # when: a read-only user opens the board
    context = browser.new_context(locale="en-GB", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    login(page, "viewer_e2e")
    page.goto(f"{base}/pipeline/")

    # then: no drag hint (they cannot move cards), the probability legend stays
    expect(page.locator("[data-testid=board-legend]")).to_contain_text("calibrated probability")
    expect(page.locator("[data-testid=drag-hint]")).to_have_count(0)
    context.close()
    assert set(shots) == {"en", "de"}


def test_the_board_filters_by_an_account_chosen_from_the_suggestions(
    live_server: Any, page: Any, login: Any, pipeline: dict[str, Any]
) -> None:
    from kampass.accounts.services import account_create, team_member_set
    from kampass.pipeline.services import opportunity_create

    # given a second account of the KAM's with a deal of its own
    from kampass.users.models import User

    kam, admin = pipeline["kam"], User.objects.get(username="admin_e2e")
    other = account_create(actor=admin, name="Zermatt Bergbahnen AG", currency="CHF")
    team_member_set(actor=admin, account=other, user=kam, role="kam")
    opportunity_create(actor=admin, account=other, name="Cable car drives", amount=Decimal("90000"))
    login(page, "kam_e2e")
    page.goto(f"{live_server.url}/pipeline/")
    expect(page.locator("#board")).to_contain_text("Cable car drives")
    # when the KAM types part of the name into the account filter
    field = page.locator("[data-testid=filter-account]")
    field.click()
    field.press_sequentially("zerm", delay=40)
    # then the suggestion names the account with its id
    choice = f"Zermatt Bergbahnen AG (#{other.pk})"
    expect(page.locator("#account-choices option")).to_have_count(1)
    assert page.locator("#account-choices option").get_attribute("value") == choice
    # when the suggestion is taken: the board shows that account's deals only, and the address keeps the filter
    field.fill(choice)
    field.press("Enter")
    expect(page.locator("#board")).not_to_contain_text("Escalator retrofit")
    expect(page.locator("#board")).to_contain_text("Cable car drives")
    assert "/pipeline/?" in page.url
    assert "account=Zermatt" in page.url
