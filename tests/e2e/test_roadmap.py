"""End to end: the head of KAM adds an improvement topic, moves it in the impact x effort matrix,
activates it beyond the limit on active topics (refused, then forced) and sees the warning; the
roadmap shows the timeline of the initiatives and the guardrail warning. A quick second rating (the
effort changed before the reply to the impact came back) is saved too, not lost."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FORM = "[data-testid=main-form]"


def test_topic_beyond_the_limit_and_the_roadmap_timeline(
    live_server: Any, page: Any, make_user: Any, login: Any
) -> None:
    from django.utils import timezone

    from kampass.roadmap.models import Topic
    from kampass.roadmap.services import (
        initiative_create,
        measurement_record,
        topic_create,
        topic_limit_set,
        topic_set_status,
    )

    head = make_user("head_e2e", "head", first_name="Hanna", last_name="Head")
    base = live_server.url
    # given: a limit of two active topics, both taken; an active initiative whose guardrail warns
    topic_limit_set(actor=head, limit=2)
    for title in ("Market intelligence", "Cross-selling"):
        topic_set_status(actor=head, topic=topic_create(actor=head, field="screening", title=title), status="active")
    today = timezone.localdate()
    leak = initiative_create(
        actor=head,
        logic="commercialisation",
        title="Leakage under control",
        owner=head,
        status="active",
        starts=today - dt.timedelta(days=120),
        ends=today + dt.timedelta(days=120),
    )
    measurement_record(actor=head, initiative=leak, value=0.06, measured_at=timezone.now() - dt.timedelta(days=60))
    measurement_record(actor=head, initiative=leak, value=0.11, measured_at=timezone.now() - dt.timedelta(days=1))
    initiative_create(
        actor=head,
        logic="tools",
        title="Account plans in the CRM",
        starts=today + dt.timedelta(days=30),
        ends=today + dt.timedelta(days=200),
    )

    login(page, "head_e2e")

    # ---- a new topic through the form
    page.goto(f"{base}/programme/roadmap/topics/")
    expect(page.locator("[data-testid=kpi-active]")).to_have_text("2 / 2")
    page.click("[data-testid=new-topic]")
    page.wait_for_url(re.compile(r"/topics/new/$"))
    page.select_option("#id_field", "solutions")
    page.fill("#id_title", "Joint value workshops")
    page.select_option("#id_impact", "2")
    page.select_option("#id_effort", "4")
    page.click(f"{FORM} button[type=submit]")
    try:
        page.wait_for_url(re.compile(r"/programme/roadmap/topics/(#topic-\d+)?$"))
    except PlaywrightTimeoutError:
        errors = page.locator(f"{FORM} .field-error, {FORM} .error").all_inner_texts()
        pytest.fail(f"topic form not accepted: {errors}")
    topic = Topic.objects.get(title="Joint value workshops")
    row = page.locator(f"#topic-{topic.pk}")
    expect(row).to_contain_text("Thankless task")
    expect(page.locator("[data-testid=topic-matrix] svg.marks")).to_be_visible()

    # ---- move it in the matrix: high impact, low effort makes it a quick win at the top of the list
    page.select_option(f"[data-testid=impact-{topic.pk}]", "5")
    expect(page.locator("[data-testid=topics-notice]")).to_contain_text("re-rated")
    # the next change only once htmx has swapped and settled the list (a change made while the
    # re-rendered row is still being swapped in can be lost)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    expect(page.locator(f"[data-testid=impact-{topic.pk}]")).to_have_value("5")
    page.select_option(f"[data-testid=effort-{topic.pk}]", "1")
    expect(page.locator(f"#topic-{topic.pk}")).to_contain_text("Quick win", timeout=15_000)
    topic.refresh_from_db()
    assert (topic.impact, topic.effort) == (5, 1)
    # the list keeps its order while the user rates (the row is not pulled away); loaded anew, it leads
    page.reload()
    expect(page.locator("[data-testid=topic-row]").first).to_have_attribute("id", f"topic-{topic.pk}")

    # ---- activate it: refused at the limit, then activated anyway; the warning shows
    page.click(f"[data-testid=activate-{topic.pk}]")
    expect(page.locator("[data-testid=limit-refusal]")).to_contain_text("the limit is 2")
    topic.refresh_from_db()
    assert topic.status == "proposed"
    page.click("[data-testid=force-activate]")
    expect(page.locator("[data-testid=topic-limit-warning]")).to_contain_text("3 topics are active")
    expect(page.locator("[data-testid=kpi-active]")).to_have_text("3 / 2")
    topic.refresh_from_db()
    assert topic.status == "active"

    # ---- the roadmap: timeline drawn, guardrail warning and topic-limit warning shown
    page.click("nav.sectionnav >> text=Roadmap")
    page.wait_for_url(re.compile(r"/programme/roadmap/$"))
    timeline = page.locator("[data-testid=timeline-chart]")
    expect(timeline).to_have_attribute("data-ready", "1")
    expect(timeline.locator("svg.marks")).to_be_visible()
    expect(timeline.locator("svg.marks")).to_contain_text("Commercialisation")
    expect(page.locator("[data-testid=guardrail-warnings]")).to_contain_text("Leakage under control")
    expect(page.locator("[data-testid=topic-limit-warning]")).to_be_visible()
    expect(page.locator("[data-testid=initiative-table]")).to_contain_text("Account plans in the CRM")


def test_a_quick_second_rating_is_not_lost_while_the_first_is_on_its_way(
    live_server: Any, page: Any, make_user: Any, login: Any, hold_first_post: Any
) -> None:

    from kampass.roadmap.models import Topic
    from kampass.roadmap.services import topic_create

    # given a thankless task (impact 2, effort 4) on the topics page, the reply to its first rating held back
    head = make_user("head_e2e", "head")
    topic_create(actor=head, field="screening", title="Market intelligence")
    topic = topic_create(actor=head, field="solutions", title="Joint value workshops", impact=2, effort=4)
    login(page, "head_e2e")
    page.goto(f"{live_server.url}/programme/roadmap/topics/")
    impact, effort = page.locator(f"[data-testid=impact-{topic.pk}]"), page.locator(f"[data-testid=effort-{topic.pk}]")
    quadrant = page.locator(f"#topic-{topic.pk} span.q")  # the row's priority: its quadrant
    expect(quadrant).to_have_text("Thankless task")
    held = hold_first_post(page, re.compile(r"/topics/\d+/rating/"))

    # when the user raises the impact to 5 and, before the reply, lowers the effort to 1
    impact.select_option("5")
    page.wait_for_function("() => document.querySelector('.htmx-request') !== null")
    effort.select_option("1")
    assert len(held) == 1
    # and the reply to the first rating comes only then
    held[0].continue_()

    # then both choices stand: on the page (a quick win now) ...
    expect(quadrant).to_have_text("Quick win")
    expect(impact).to_have_value("5")
    expect(effort).to_have_value("1")
    expect(page.locator("[data-testid=topics-notice]")).to_contain_text("re-rated")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    expect(page.locator("[data-testid=conflict]")).to_have_count(0)
    # ... in the matrix, drawn anew ...
    expect(page.locator("[data-testid=topic-matrix]")).to_have_attribute("data-ready", "1")
    spec = page.evaluate("() => JSON.parse(document.getElementById('matrix-spec').textContent)")
    assert (_point(spec, topic.pk)["impact"], _point(spec, topic.pk)["effort"]) == (5, 1)
    # ... in the database (two saves, each based on the one before) ...
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.impact, stored.effort, stored.version) == (5, 1, 3)
    # ... and the row's other forms carry the new version: activating it right away is no conflict
    page.click(f"[data-testid=activate-{topic.pk}]")
    expect(page.locator("[data-testid=topics-notice]")).to_contain_text("is now Active")
    expect(page.locator("[data-testid=conflict]")).to_have_count(0)
    assert Topic.objects.get(pk=topic.pk).status == "active"
    # ... and after a reload
    page.unroute(re.compile(r"/topics/\d+/rating/"))
    page.reload()
    expect(quadrant).to_have_text("Quick win")
    expect(impact).to_have_value("5")
    expect(effort).to_have_value("1")


def _point(spec: Any, pk: int) -> dict[str, Any]:
    """The data row of topic ``pk`` in a Vega-Lite spec of the matrix."""
    if isinstance(spec, dict):
        if spec.get("id") == pk and "impact" in spec:
            return spec
        items = list(spec.values())
    elif isinstance(spec, list):
        items = spec
    else:
        items = []
    for item in items:
        if found := _point(item, pk):
            return found
    return {}
