"""The plan pages: list with search/filter/empty state, new plan, the plan page, the section editor's
autosave and its merge after a concurrent edit, SWOT, relationship, comments, life cycle, compare
and the denials (a key account manager off the team, a viewer); the templates: test_template_editor.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.models import Comment
from kampass.planning.models import AccountPlan, PlanSection, PlanStatus, SwotItem
from kampass.planning.services import plan_section_save
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def plan(account, kam):
    return make_plan(account=account, actor=kam, filled=False)


def _section(plan, key="situation"):
    return PlanSection.objects.get(plan=plan, key=key)


def test_the_list_shows_visible_plans_searches_filters_and_has_an_empty_state(client, kam, plan):
    # given a plan of the kam's account and one of an account off their team
    other = make_plan(account=AccountFactory(name="Sika AG", kam_status="key_account"))
    client.force_login(kam)

    # when the kam opens the list, then searches and filters
    body = client.get(reverse("plan-list")).content.decode()
    searched = client.get(reverse("plan-list"), {"q": "schind"}, headers=HX)
    filtered = client.get(reverse("plan-list"), {"status": "approved"})

    # then they see only their account's plan; HTMX gets the table alone; a filter without hits says so
    assert "Schindler Group" in body
    assert "Sika AG" not in body
    assert reverse("plan-detail", args=[other.pk]) not in body
    assert searched.templates[0].name == "planning/plan_table.html"
    assert "Schindler Group" in searched.content.decode()
    assert 'data-testid="plan-empty"' in filtered.content.decode()


def test_a_kam_starts_a_plan_for_next_year_by_default(client, kam, account):
    client.force_login(kam)
    page = client.get(reverse("plan-create"))
    year = timezone.localdate().year + 1
    assert page.context["form"].initial["period_start"] == dt.date(year, 1, 1)

    response = client.post(
        reverse("plan-create"),
        {"account": account.pk, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"},
    )

    plan = AccountPlan.objects.get(account=account)
    assert response.status_code == 302
    assert response.url == reverse("plan-detail", args=[plan.pk])
    assert plan.period_start == dt.date(year, 1, 1)


def test_the_new_plan_form_refuses_an_account_off_the_team_and_a_period_ending_before_it_starts(client, kam, account):
    stranger = AccountFactory(name="Not mine")
    client.force_login(kam)

    response = client.post(
        reverse("plan-create"), {"account": stranger.pk, "period_start": "2027-01-01", "period_end": "2026-12-31"}
    )

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"account", "period_end"}
    assert not AccountPlan.objects.exists()


def test_a_viewer_reads_the_plan_but_gets_no_editor_and_may_not_create(client, viewer, plan):
    client.force_login(viewer)

    page = client.get(reverse("plan-detail", args=[plan.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="editor-situation"' not in body
    assert 'data-testid="value-situation-business"' in body
    assert client.get(reverse("plan-create")).status_code == 403
    saved = client.post(reverse("plan-section", args=[plan.pk, "situation"]), {"f_business": "x"})
    assert saved.status_code == 403


def test_a_kam_off_the_team_may_neither_read_nor_edit(client, kam2, plan):
    client.force_login(kam2)

    assert client.get(reverse("plan-detail", args=[plan.pk])).status_code == 403
    response = client.post(
        reverse("plan-section", args=[plan.pk, "situation"]), {"f_business": "x", "version": 1}, headers=HX
    )
    assert response.status_code == 403
    assert _section(plan).content == {}


def test_autosave_answers_the_new_version_and_a_status_line_only(client, kam, plan):
    client.force_login(kam)
    loaded = _section(plan).version

    response = client.post(
        reverse("plan-section", args=[plan.pk, "situation"]),
        {"f_business": "Elevators", "f_value_drivers": "Uptime", "version": loaded},
        headers=HX,
    )

    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    section = _section(plan)
    assert section.content["business"] == "Elevators"
    assert section.version == loaded + 1
    body = response.content.decode()
    assert f'id="version-situation" value="{loaded + 1}" hx-swap-oob="true"' in body
    assert 'data-testid="save-status-situation"' in body


def test_a_too_long_field_is_refused_inline(client, kam, plan):
    client.force_login(kam)

    response = client.post(
        reverse("plan-section", args=[plan.pk, "situation"]),
        {"f_business": "x" * 20001, "version": _section(plan).version},
        headers=HX,
    )

    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "20000" in response.content.decode().replace(".", "").replace(",", "")
    assert _section(plan).content == {}


def test_a_stale_autosave_shows_both_versions_and_merging_saves_against_the_current_version(client, kam, head, plan):
    # given the kam loaded the section, then the head saved it
    client.force_login(kam)
    loaded = _section(plan).version
    plan_section_save(actor=head, plan=plan, key="situation", content={"business": "Head's text"}, version=loaded)

    # when the kam's autosave arrives
    stale = client.post(
        reverse("plan-section", args=[plan.pk, "situation"]),
        {"f_business": "My text", "version": loaded},
        headers=HX,
    )

    # then nothing is overwritten and both versions are shown side by side, with who changed it
    assert stale.status_code == 409
    assert stale["Kampass-Conflict"] == "1"
    body = stale.content.decode()
    assert "My text" in body
    assert "Head&#x27;s text" in body
    assert "Head" in body
    assert _section(plan).content == {"business": "Head's text"}
    current = _section(plan).version
    assert f'name="version" value="{current}"' in body

    # when they merge: keep theirs for one field, write a merged text in another
    merged = client.post(
        reverse("plan-section", args=[plan.pk, "situation"]),
        {
            "resolution": "merge",
            "version": current,
            "choice_business": "merged",
            "f_business": "My text and the head's",
            "m_value_drivers": "",
            "t_value_drivers": "",
            "choice_value_drivers": "theirs",
        },
        headers=HX,
    )

    # then the merged text is saved on top of the head's version and the editor is shown again
    assert merged.status_code == 200
    assert merged.templates[0].name == "planning/plan_section_editor.html"
    section = _section(plan)
    assert section.content["business"] == "My text and the head's"
    assert section.version == current + 1


def test_keep_mine_and_take_theirs(client, kam, head, plan):
    client.force_login(kam)
    plan_section_save(actor=head, plan=plan, key="situation", content={"business": "Theirs"}, version=None)
    url = reverse("plan-section", args=[plan.pk, "situation"])

    theirs = client.post(url, {"resolution": "theirs", "m_business": "Mine"}, headers=HX)
    assert theirs.status_code == 200
    assert _section(plan).content == {"business": "Theirs"}

    mine = client.post(url, {"resolution": "mine", "m_business": "Mine", "version": _section(plan).version}, headers=HX)
    assert mine.status_code == 200
    assert _section(plan).content["business"] == "Mine"


def test_without_htmx_a_stale_save_answers_the_conflict_page(client, kam, head, plan):
    client.force_login(kam)
    loaded = _section(plan).version
    plan_section_save(actor=head, plan=plan, key="situation", content={"business": "Theirs"}, version=loaded)

    response = client.post(
        reverse("plan-section", args=[plan.pk, "situation"]), {"f_business": "Mine", "version": loaded}
    )

    assert response.status_code == 409
    assert response.templates[0].name == "planning/plan_section_conflict.html"


def test_submit_lists_missing_fields_then_head_approves_with_comment(client, kam, head, plan):
    client.force_login(kam)
    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="missing-fields"' in page

    refused = client.post(reverse("plan-transition", args=[plan.pk]), {"target": "in_review"}, follow=True)
    assert "Fill in before review" in refused.content.decode()
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT

    for key, content in {
        "situation": {"business": "b", "value_drivers": "v"},
        "objectives": {"ambition": "a"},
        "strategies": {"strategy": "s"},
    }.items():
        plan_section_save(actor=kam, plan=plan, key=key, content=content, version=None)
    client.post(reverse("plan-transition", args=[plan.pk]), {"target": "in_review"})
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW

    # the kam may not approve; the head may
    client.post(reverse("plan-transition", args=[plan.pk]), {"target": "approved"})
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW
    client.force_login(head)
    client.post(reverse("plan-transition", args=[plan.pk]), {"target": "approved", "comment": "Good plan"})
    approved = AccountPlan.objects.get(pk=plan.pk)
    assert approved.status == PlanStatus.APPROVED
    assert approved.approved_by == head
    assert approved.approval_comment == "Good plan"
    shown = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "Good plan" in shown
    assert 'data-testid="editor-situation"' not in shown


def test_new_version_and_compare_show_what_changed_and_who(client, kam, account):
    approved = make_plan(account=account, actor=kam, status=PlanStatus.APPROVED)
    client.force_login(kam)

    response = client.post(reverse("plan-new-version", args=[approved.pk]))
    new = AccountPlan.objects.get(account=account, number=2)
    assert response.url == reverse("plan-detail", args=[new.pk])
    plan_section_save(actor=kam, plan=new, key="objectives", content={"ambition": "Sole supplier"}, version=None)

    page = client.get(reverse("plan-compare", args=[new.pk]), {"with": approved.pk})

    assert page.status_code == 200
    [changed] = page.context["changes"]
    assert changed["key"] == "objectives"
    assert changed["changed_by"] == kam
    assert changed["fields"][0]["before"] == "Preferred supplier for drives"
    assert changed["fields"][0]["after"] == "Sole supplier"
    foreign = make_plan(account=AccountFactory(kam_status="key_account"))
    assert client.get(reverse("plan-compare", args=[new.pk]), {"with": foreign.pk}).status_code == 404


def test_swot_items_are_added_with_evidence_reordered_and_removed(client, kam, plan):
    client.force_login(kam)
    url = reverse("plan-swot-add", args=[plan.pk])
    client.post(url, {"kind": "strength", "text": "Installed base", "evidence_kind": "figure", "evidence_note": "40 %"})
    client.post(url, {"kind": "strength", "text": "Service network"})
    refused = client.post(url, {"kind": "threat", "text": "Price war", "evidence_kind": "opportunity"}, follow=True)
    assert "Choose the evidence" in refused.content.decode()

    first, second = SwotItem.objects.filter(plan=plan).order_by("position")
    client.post(reverse("plan-swot-move", args=[plan.pk, second.pk]), {"dir": "up"})
    assert [i.text for i in SwotItem.objects.filter(plan=plan).order_by("position")] == [
        "Service network",
        "Installed base",
    ]
    # the move changed the item: a removal based on the version seen before it is a conflict
    stale = client.post(reverse("plan-swot-remove", args=[plan.pk, first.pk]), {"version": first.version})
    assert stale.status_code == 409
    first.refresh_from_db()
    client.post(reverse("plan-swot-remove", args=[plan.pk, first.pk]), {"version": first.version})
    assert list(SwotItem.objects.filter(plan=plan).values_list("text", flat=True)) == ["Service network"]
    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "Service network" in page


def test_relationship_stage_and_comment(client, kam, plan):
    client.force_login(kam)

    client.post(
        reverse("plan-relationship", args=[plan.pk]),
        {"relationship_now": "basic", "relationship_target": "cooperative", "version": plan.version},
    )
    client.post(reverse("plan-comment", args=[plan.pk]), {"body": "Check the figures", "section_key": "situation"})

    plan.refresh_from_db()
    assert (plan.relationship_now, plan.relationship_target) == ("basic", "cooperative")
    stored = Comment.objects.get(target_kind="plan", target_id=plan.pk)
    assert (stored.target_key, stored.account_id, stored.author) == ("situation", plan.account_id, kam)
    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "Check the figures" in page
    assert 'data-testid="relationship-history"' in page


def test_the_account_page_links_to_the_current_plan_or_to_create_one(client, kam, account):
    client.force_login(kam)
    page = client.get(reverse("account-detail", args=[account.pk])).content.decode()
    assert 'data-testid="create-plan"' in page
    assert 'data-testid="account-plan"' not in page

    plan = make_plan(account=account, actor=kam, status=PlanStatus.ACTIVE)
    page = client.get(reverse("account-detail", args=[account.pk])).content.decode()
    assert reverse("plan-detail", args=[plan.pk]) in page


def test_the_situation_shows_the_open_pipeline_as_of_the_plan_date(client, kam, plan):
    from kampass.pipeline.tests.factories import make_opportunity

    make_opportunity(account=plan.account, amount=1000)
    client.force_login(kam)

    page = client.get(reverse("plan-detail", args=[plan.pk]))

    situation = page.context["situation"]
    assert situation.pipeline.open_count == 1
    assert 'data-testid="situation-pipeline"' in page.content.decode()


def test_the_plan_page_speaks_german(client, kam, plan, settings):
    client.force_login(kam)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    body = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()

    assert "Ausgangslage" in body
    assert "Zur Prüfung einreichen" in body
    assert "Werttreiber (eigene Ziele des Kunden)" in body
    assert "Vor der Prüfung ausfüllen" in body
