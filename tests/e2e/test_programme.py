"""End to end: a key account manager answers part of the assessment questionnaire on a phone, leaves,
comes back to the saved draft, and submits (the open statements as "don't know")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture
def phone(browser: Any) -> Any:
    # A phone-sized touch screen. (Not ``is_mobile``: the global top navigation is wider than a phone,
    # which makes Chromium's mobile emulation zoom the layout viewport and misplace clicks.)
    context = browser.new_context(locale="en-GB", viewport=PHONE, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_questionnaire_on_a_phone_draft_and_submit(live_server: Any, phone: Any, make_user: Any, login: Any) -> None:
    from kampass.core.concept import builtin_catalogue
    from kampass.programme import services
    from kampass.programme.models import Function, Respondent

    catalogue = builtin_catalogue()
    head = make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam")
    r = services.round_create(actor=head, title="Phone round", starts=dt.date(2026, 3, 1))
    resp = services.respondent_add(actor=head, assessment_round=r, function=Function.KAM, user=kam)
    services.round_open(actor=head, assessment_round=r)
    page = phone
    login(page, "kam_e2e")

    # ---- from the programme dashboard to the questionnaire
    page.goto(f"{live_server.url}/programme/")
    page.click(f"[data-testid='answer-{resp.pk}']")
    page.wait_for_url(re.compile(rf"/programme/questionnaire/{resp.pk}/$"))
    first, second, third, fourth = (s.key for s in catalogue.statements[:4])

    # large tap targets on a phone
    box = page.locator(f"[data-testid='stmt-{first}'] .opt span").first.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= 44
    # the questionnaire itself needs no sideways scrolling (the global top navigation is not part of it)
    assert page.evaluate("document.querySelector('main').scrollWidth") <= PHONE["width"]

    # ---- answer three statements by tapping; each autosaves
    for key, value in ((first, "4"), (second, "2"), (third, "dk")):
        page.locator(f"[data-testid='rate-{key}-{value}']").tap()
        expect(page.locator(f"[data-testid='stmt-{key}'] [data-testid='saved']")).to_be_visible()
    # ---- and one with the keyboard: arrow keys move within the 1-5 scale
    page.locator(f"[data-testid='rate-{fourth}-1']").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"[data-testid='stmt-{fourth}'] [data-testid='saved']")).to_be_visible()
    # the next key once htmx has swapped and settled the answered statement (a change made while it is
    # being swapped goes to the element being replaced; see the closing note of issue 10)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.locator(f"[data-testid='rate-{fourth}-1']").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"[data-testid='rate-{fourth}-2']")).to_be_checked()
    expect(page.locator(f"[data-testid='stmt-{fourth}'] [data-testid='saved']")).to_be_visible()
    total = len(catalogue.statements)
    expect(page.locator("[data-testid='progress-text']")).to_contain_text(f"4/{total}")

    # ---- leave and come back: the draft is there
    page.goto(f"{live_server.url}/programme/")
    page.click(f"[data-testid='answer-{resp.pk}']")
    expect(page.locator(f"[data-testid='rate-{first}-4']")).to_be_checked()
    expect(page.locator(f"[data-testid='rate-{second}-2']")).to_be_checked()
    expect(page.locator(f"[data-testid='rate-{third}-dk']")).to_be_checked()
    expect(page.locator(f"[data-testid='rate-{fourth}-2']")).to_be_checked()
    expect(page.locator("[data-testid='progress-text']")).to_contain_text(f"4/{total}")
    assert Respondent.objects.get(pk=resp.pk).submitted_at is None

    # ---- submitting without the tension fields is refused with the reason
    page.click("[data-testid='dont-know-rest']")
    page.click("[data-testid='submit']")
    expect(page.locator("[data-testid='submit-error']").first).to_contain_text("tension fields still need")

    # ---- place the company on every tension field, then submit with the rest as "don't know"
    for t in catalogue.tension_fields:
        page.locator(f"[data-testid='now-{t.key}-1']").tap()
        expect(page.locator(f"[data-testid='tension-{t.key}'] .saved")).to_be_visible()
        page.locator(f"[data-testid='target-{t.key}-0']").tap()
        expect(page.locator(f"[data-testid='tension-{t.key}'].answered")).to_be_visible()
    expect(page.locator("[data-testid='progress-text']")).to_contain_text(f"9/{len(catalogue.tension_fields)}")
    page.click("[data-testid='dont-know-rest']")
    page.click("[data-testid='submit']")
    page.wait_for_url(re.compile(r"/programme/$"))
    expect(page.locator(".messages")).to_contain_text("your answers are submitted")

    done = Respondent.objects.get(pk=resp.pk)
    assert done.submitted_at is not None
    ratings = dict(done.answers.values_list("statement", "rating"))
    assert len(ratings) == total
    assert (ratings[first], ratings[second], ratings[third], ratings[fourth]) == (4, 2, None, 2)
    assert sum(1 for v in ratings.values() if v is None) == total - 3


@pytest.mark.parametrize(("lang", "answer"), [("en", "Answer"), ("de", "Beantworten")])
def test_an_invited_kam_reaches_the_questionnaire_from_the_round_list(
    live_server: Any, page: Any, make_user: Any, login: Any, lang: str, answer: str
) -> None:
    # given: an open round the key account manager is invited to (function from their role), with a
    # second, external respondent they must not see
    from kampass.programme import services

    head = make_user("head_e2e", "head")
    kam = make_user("kam_e2e", "kam", language=lang)
    r = services.round_create(actor=head, title="Pulse check", starts=dt.date(2026, 3, 1))
    resp = services.respondent_add(actor=head, assessment_round=r, user=kam)
    services.respondent_add(actor=head, assessment_round=r, name="Customer buyer", function="other")
    services.round_open(actor=head, assessment_round=r)
    login(page, "kam_e2e")
    # when: from the list of rounds to the round page
    page.goto(f"{live_server.url}/programme/rounds/")
    page.get_by_role("link", name="Pulse check").click()
    page.wait_for_url(re.compile(rf"/programme/rounds/{r.pk}/$"))
    # then: their own part only, and on to the questionnaire
    expect(page.locator("[data-testid=respondents]")).not_to_contain_text("Customer buyer")
    expect(page.locator("[data-testid=my-questionnaire]")).to_have_text(answer)
    page.locator("[data-testid=my-questionnaire]").click()
    page.wait_for_url(re.compile(rf"/programme/questionnaire/{resp.pk}/$"))
