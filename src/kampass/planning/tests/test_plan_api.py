"""The plans API: list with filter and pages, one plan, create, section PATCH with versions (409/412),
transitions, new versions, the versions list, compare; the same permissions as the pages."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.models import AccountPlan, PlanSection, PlanStatus
from kampass.planning.services import plan_section_save
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def plan(account, kam):
    return make_plan(account=account, actor=kam, filled=False)


def test_the_list_has_items_and_count_and_filters_by_account(api, kam, viewer, plan):
    make_plan(account=AccountFactory(name="Sika AG", kam_status="key_account"))

    mine = api(kam, "get", "/plans").json()
    everything = api(viewer, "get", "/plans").json()
    one = api(viewer, "get", f"/plans?account_id={plan.account_id}&limit=1").json()
    searched = api(viewer, "get", "/plans?q=sika").json()

    assert mine["count"] == 1
    assert mine["items"][0]["account"] == "Schindler Group"
    assert everything["count"] == 2
    assert one["count"] == 1
    assert one["items"][0]["id"] == plan.pk
    assert [p["account"] for p in searched["items"]] == ["Sika AG"]


def test_one_plan_has_its_sections_swot_and_relationship(api, viewer, plan):
    response = api(viewer, "get", f"/plans/{plan.pk}")

    assert response.status_code == 200
    body = response.json()
    assert [s["key"] for s in body["sections"]][:3] == ["situation", "swot", "relationship"]
    assert "situation.business" in body["missing_required"]
    assert body["relationship"] == {"now": "", "target": ""}
    assert response["ETag"] == f'W/"{plan.version}"'


def test_create_and_the_refusals(api, kam, kam2, viewer, account):
    body = {"account_id": account.pk, "period_start": "2028-01-01", "period_end": "2028-12-31"}

    assert api(viewer, "post", "/plans", body).status_code == 403
    assert api(kam2, "post", "/plans", body).status_code == 403
    created = api(kam, "post", "/plans", body)
    again = api(kam, "post", "/plans", body)
    backwards = api(kam, "post", "/plans", {**body, "period_start": "2029-01-01", "period_end": "2028-01-01"})

    assert created.status_code == 201
    assert created.json()["number"] == 1
    assert again.status_code == 422
    assert backwards.status_code == 422
    assert AccountPlan.objects.filter(account=account).count() == 1


def test_patching_a_section_checks_the_version(api, kam, head, kam2, plan):
    loaded = PlanSection.objects.get(plan=plan, key="situation").version
    url = f"/plans/{plan.pk}/sections/situation"

    ok = api(kam, "patch", url, {"content": {"business": "Elevators"}, "version": loaded})
    plan_section_save(actor=head, plan=plan, key="situation", content={"business": "Head"}, version=None)
    stale = api(kam, "patch", url, {"content": {"business": "Mine"}, "version": loaded + 1})
    denied = api(kam2, "patch", url, {"content": {"business": "x"}})
    unknown = api(kam, "patch", url, {"content": {"bogus": "x"}})
    missing = api(kam, "patch", f"/plans/{plan.pk}/sections/nope", {"content": {}})

    assert ok.status_code == 200
    assert ok.json()["content"] == {"business": "Elevators"}
    assert stale.status_code == 409
    assert stale.json()["content"] == {"business": "Head"}
    assert denied.status_code == 403
    assert unknown.status_code == 422
    assert missing.status_code == 404


def test_if_match_with_a_stale_version_answers_412(client, kam, plan):
    from kampass.users.services import token_create

    _, raw = token_create(user=kam)
    plan_section_save(actor=kam, plan=plan, key="situation", content={"business": "x"}, version=None)

    response = client.patch(
        f"/api/v1/plans/{plan.pk}/sections/situation",
        data={"content": {"business": "y"}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "If-Match": 'W/"1"'},
    )

    assert response.status_code == 412
    assert PlanSection.objects.get(plan=plan, key="situation").content == {"business": "x"}


def test_life_cycle_new_version_versions_and_compare(api, kam, head, viewer, account):
    plan = make_plan(account=account, actor=kam, status=PlanStatus.IN_REVIEW)

    by_kam = api(kam, "post", f"/plans/{plan.pk}/transition", {"target": "approved"})
    by_viewer = api(viewer, "post", f"/plans/{plan.pk}/transition", {"target": "approved"})
    by_head = api(head, "post", f"/plans/{plan.pk}/transition", {"target": "approved", "comment": "Go"})
    assert (by_kam.status_code, by_viewer.status_code, by_head.status_code) == (403, 403, 200)
    assert by_head.json()["status"] == "approved"
    assert by_head.json()["approval_comment"] == "Go"
    illegal = api(head, "post", f"/plans/{plan.pk}/transition", {"target": "in_review"})
    assert illegal.status_code == 422

    new = api(kam, "post", f"/plans/{plan.pk}/versions")
    assert new.status_code == 201
    assert new.json()["number"] == 2
    assert api(kam, "post", f"/plans/{plan.pk}/versions").status_code == 422  # version 2 is still open
    new_id = new.json()["id"]
    api(kam, "patch", f"/plans/{new_id}/sections/objectives", {"content": {"ambition": "Sole supplier"}})

    versions = api(viewer, "get", f"/plans/{new_id}/versions").json()
    compared = api(viewer, "get", f"/plans/{new_id}/compare/{plan.pk}").json()

    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["count"] == 2
    assert compared["older_id"] == plan.pk
    assert compared["newer_id"] == new_id
    assert compared["changes"] == [
        {
            "section": "objectives",
            "field": "ambition",
            "before": "Preferred supplier for drives",
            "after": "Sole supplier",
        }
    ]
    foreign = make_plan(account=AccountFactory(kam_status="key_account"))
    assert api(viewer, "get", f"/plans/{new_id}/compare/{foreign.pk}").status_code == 404


def test_a_kam_off_the_team_cannot_read_a_plan(api, kam2, plan):
    assert api(kam2, "get", f"/plans/{plan.pk}").status_code == 403
    assert api(kam2, "get", f"/plans/{plan.pk}/versions").status_code == 403
    assert api(kam2, "get", "/plans").json()["count"] == 0
    assert api(None, "get", "/plans").status_code == 401


def test_a_viewer_reads_but_may_not_write_a_section(api, viewer, plan):
    assert api(viewer, "get", f"/plans/{plan.pk}").status_code == 200
    response = api(viewer, "patch", f"/plans/{plan.pk}/sections/situation", {"content": {"business": "x"}})

    assert response.status_code == 403
    assert PlanSection.objects.get(plan=plan, key="situation").content == {}
