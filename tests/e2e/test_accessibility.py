"""End to end, accessibility: answering the questionnaire keeps the keyboard focus on the answered
control (htmx swaps the statement in anew), a quick second answer is not overwritten by the late reply
to the first, and charts have a name, a description with their data
(not Vega's "Vega visualization") and speak the user's language (month names, date formats)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# set KAMPASS_SCREENSHOTS to a folder to keep pictures of the charts for a look by eye
SHOTS = os.environ.get("KAMPASS_SCREENSHOTS")
GERMAN_ONLY_MONTHS = {"Mär", "Mai", "Okt", "Dez"}
ENGLISH_ONLY_MONTHS = {"Mar", "May", "Oct", "Dec"}
GERMAN_MONTHS = {"Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"}
ENGLISH_MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}


def _active(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            "({tag: document.activeElement.tagName, id: document.activeElement.id,"
            " checked: !!document.activeElement.checked})"
        )
    )


def test_answering_keeps_the_focus_on_the_answered_control(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from kampass.core.concept import builtin_catalogue
    from kampass.programme import services
    from kampass.programme.models import Function

    # given an open round with a key account manager as respondent, on the questionnaire
    catalogue = builtin_catalogue()
    head = make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam")
    r = services.round_create(actor=head, title="Focus round", starts=dt.date(2026, 3, 1))
    resp = services.respondent_add(actor=head, assessment_round=r, function=Function.KAM, user=kam)
    services.round_open(actor=head, assessment_round=r)
    login(page, "kam_e2e")
    page.goto(f"{live_server.url}/programme/questionnaire/{resp.pk}/")
    first = catalogue.statements[0].key
    field = catalogue.tension_fields[0].key

    # when a statement is answered with the keyboard (space on the focused option)
    page.locator(f"[data-testid='rate-{first}-3']").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"[data-testid='stmt-{first}'] [data-testid='saved']")).to_be_visible()
    # then the focus is on the answered option of the new statement, not on <body>
    assert _active(page) == {"tag": "INPUT", "id": f"s-{first}-3", "checked": True}

    # when the answer is changed with the arrow key
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"[data-testid='rate-{first}-4']")).to_be_checked()
    expect(page.locator(f"[data-testid='stmt-{first}'] [data-testid='saved']")).to_be_visible()
    page.wait_for_function(f"document.activeElement.id === 's-{first}-4'")
    # then the focus stays on the scale, so the next arrow key goes on from there
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"[data-testid='rate-{first}-5']")).to_be_checked()

    # and a tension field: the focus stays on the placed position
    page.locator(f"[data-testid='now-{field}-1']").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"[data-testid='tension-{field}'] .saved")).to_be_visible()
    assert _active(page) == {"tag": "INPUT", "id": f"t-{field}-now-1", "checked": True}


def test_a_quick_second_answer_is_not_overwritten_by_the_late_reply_to_the_first(
    live_server: Any, page: Any, make_user: Any, login: Any, hold_first_post: Any
) -> None:
    from playwright.sync_api import Error

    from kampass.core.concept import builtin_catalogue
    from kampass.programme import services
    from kampass.programme.models import Function

    # given an open round and a respondent on the questionnaire whose first answer's reply is held back
    head = make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam")
    r = services.round_create(actor=head, title="Race round", starts=dt.date(2026, 3, 1))
    resp = services.respondent_add(actor=head, assessment_round=r, function=Function.KAM, user=kam)
    services.round_open(actor=head, assessment_round=r)
    login(page, "kam_e2e")
    page.goto(f"{live_server.url}/programme/questionnaire/{resp.pk}/")
    first = builtin_catalogue().statements[0].key
    held = hold_first_post(page, "**/answer/")

    # when the respondent answers 3 and, before the reply, moves on to 4 with the arrow key
    page.locator(f"[data-testid='rate-{first}-3']").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"[data-testid='stmt-{first}'] [data-testid='saved']")).to_be_visible()
    # and the reply to the first answer comes late (the browser has given up on it)
    assert len(held) == 1
    with contextlib.suppress(Error):
        held[0].continue_()
    page.wait_for_timeout(300)

    # then the later answer stands, on the page and after a reload
    expect(page.locator(f"[data-testid='rate-{first}-4']")).to_be_checked()
    page.unroute("**/answer/")
    page.reload()
    expect(page.locator(f"[data-testid='rate-{first}-4']")).to_be_checked()


@pytest.mark.parametrize("language", ["en", "de"])
def test_charts_are_named_described_and_speak_the_users_language(
    live_server: Any, page: Any, make_user: Any, login: Any, language: str
) -> None:
    from django.utils import timezone

    from kampass.roadmap.services import initiative_create

    # given two initiatives, one running, one planned, over most of a year
    head = make_user("head_e2e", "head", language=language)
    today = timezone.localdate()
    initiative_create(
        actor=head,
        logic="commercialisation",
        title="Leakage under control",
        owner=head,
        status="active",
        starts=today - dt.timedelta(days=150),
        ends=today + dt.timedelta(days=120),
    )
    initiative_create(
        actor=head,
        logic="tools",
        title="Account plans in the CRM",
        starts=today + dt.timedelta(days=30),
        ends=today + dt.timedelta(days=200),
    )
    login(page, "head_e2e")

    # when the roadmap is shown
    page.goto(f"{live_server.url}/programme/roadmap/")
    timeline = page.locator("[data-testid=timeline-chart]")
    expect(timeline).to_have_attribute("data-ready", "1")

    # then the chart is an image named by its title, Vega's own labelling hidden
    expect(timeline).to_have_attribute("role", "img")
    name = timeline.get_attribute("aria-label")
    assert name
    assert "Vega" not in name
    assert timeline.locator("svg").first.get_attribute("aria-hidden") == "true"
    # and described by its data, in a table screen readers reach (visually hidden)
    described_by = timeline.get_attribute("aria-describedby")
    assert described_by
    description = page.locator(f"#{described_by}")
    table = description.locator("table.chart-data")
    expect(table).to_contain_text("Leakage under control")
    expect(table).to_contain_text("Account plans in the CRM")
    box = description.bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1)
    # with dates and statuses in the user's language
    start = today - dt.timedelta(days=150)
    expected_date = f"{start:%d.%m.%Y}" if language == "de" else f"{start.month}/{start.day}/{start.year}"
    expect(table).to_contain_text(expected_date)
    expect(table).to_contain_text("Aktiv" if language == "de" else "Active")
    # and the axis shows the months in the user's language
    labels = timeline.locator("svg .role-axis-label text").all_text_contents()
    months = {label.split()[0] for label in labels if re.fullmatch(r"\S+ \d{4}", label.strip())}
    assert months, labels
    own, only_own = (GERMAN_MONTHS, GERMAN_ONLY_MONTHS) if language == "de" else (ENGLISH_MONTHS, ENGLISH_ONLY_MONTHS)
    assert months <= own, months
    assert months & only_own, months
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"roadmap-{language}.png"), full_page=True)
