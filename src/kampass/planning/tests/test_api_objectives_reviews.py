"""The API of objectives, KPIs and reviews: the same rules and permissions as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.models import AccountReview, Objective, ReviewKind, ReviewStatus
from kampass.planning.services_reviews import review_plan
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


OBJECTIVE = {
    "title": "CSAT up",
    "kpi_key": "customer_satisfaction",
    "baseline": "6",
    "target": "8",
    "due_on": "2027-12-31",
}


def test_kam_adds_reads_changes_and_removes_objectives(api, kam, account):
    plan = make_plan(account=account, actor=kam)

    created = api(kam, "post", f"/plans/{plan.pk}/objectives", OBJECTIVE)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kpi_key"], body["unit"], body["status"], body["actual"]) == (
        "customer_satisfaction",
        "level",
        "no_data",
        None,
    )
    listed = api(kam, "get", f"/plans/{plan.pk}/objectives").json()
    assert [o["id"] for o in listed] == [body["id"]]
    changed = api(kam, "patch", f"/objectives/{body['id']}", {"target": "9", "version": body["version"]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["target"] == "9.0000"
    stale = api(kam, "patch", f"/objectives/{body['id']}", {"target": "10", "version": body["version"]})
    assert stale.status_code == 409
    assert api(kam, "delete", f"/objectives/{body['id']}").status_code == 204
    assert not Objective.objects.exists()


def test_objective_rules_answer_422_naming_the_field(api, kam, account):
    plan = make_plan(account=account, actor=kam)

    same = api(kam, "post", f"/plans/{plan.pk}/objectives", {**OBJECTIVE, "target": "6"})
    unknown = api(kam, "post", f"/plans/{plan.pk}/objectives", {**OBJECTIVE, "kpi_key": "nonsense"})

    assert same.status_code == 422
    assert same.json()["detail"][0]["loc"][-1] == "target"
    assert unknown.status_code == 422


def test_others_read_but_may_not_change_objectives(api, kam, kam2, viewer, controller, account):
    plan = make_plan(account=account, actor=kam)
    objective = api(kam, "post", f"/plans/{plan.pk}/objectives", OBJECTIVE).json()

    for user in (viewer, controller):
        assert api(user, "get", f"/plans/{plan.pk}/objectives").status_code == 200
        assert api(user, "get", f"/kpis?account_id={account.pk}").status_code == 200
    assert api(kam2, "get", f"/plans/{plan.pk}/objectives").status_code == 403
    assert api(kam2, "get", f"/kpis?account_id={account.pk}").status_code == 403
    for user in (kam2, viewer, controller):
        assert api(user, "post", f"/plans/{plan.pk}/objectives", OBJECTIVE).status_code == 403
        assert api(user, "patch", f"/objectives/{objective['id']}", {"title": "x"}).status_code == 403
        assert api(user, "delete", f"/objectives/{objective['id']}").status_code == 403
        value = {"account_id": account.pk, "kpi_key": "supplier_rating", "value": "4", "measured_on": "2026-01-01"}
        assert api(user, "post", "/kpis/values", value).status_code == 403
    assert api(None, "get", f"/plans/{plan.pk}/objectives").status_code == 401


def test_kpis_of_an_account_and_the_catalogue(api, kam, account):
    value = {"account_id": account.pk, "kpi_key": "supplier_rating", "value": "4", "measured_on": "2026-01-01"}
    recorded = api(kam, "post", "/kpis/values", value)
    assert recorded.status_code == 201, recorded.content

    values = {v["key"]: v for v in api(kam, "get", f"/kpis?account_id={account.pk}&as_of=2026-06-30").json()}
    catalogue = api(kam, "get", "/kpis/catalogue").json()

    assert values["supplier_rating"]["value"] == "4.0000"
    assert values["revenue"]["value"] is None
    assert values["share_of_wallet"]["source"] == "no wallet estimate"
    assert {k["key"] for k in catalogue} == set(values)


def test_reviews_planned_listed_held_and_cancelled_through_the_api(api, kam, account):
    today = timezone.localdate()
    created = api(kam, "post", "/reviews", {"account_id": account.pk, "kind": "check_in",
                                            "due_on": (today - dt.timedelta(days=2)).isoformat()})  # fmt: skip
    assert created.status_code == 201, created.content
    review = created.json()
    assert (review["status"], review["due_state"]) == ("planned", "overdue")
    assert [r["id"] for r in api(kam, "get", "/reviews?state=overdue").json()["items"]] == [review["id"]]
    assert api(kam, "get", "/reviews?state=held").json()["count"] == 0

    held = api(kam, "post", f"/reviews/{review['id']}/hold",
               {"participants": "KAM, buyer", "decisions": "Go", "version": review["version"]})  # fmt: skip
    assert held.status_code == 200, held.content
    assert (held.json()["status"], held.json()["held_on"]) == ("held", today.isoformat())
    assert "kpis" in held.json()["snapshot"]
    again = api(kam, "post", f"/reviews/{review['id']}/cancel", {})
    assert again.status_code == 422


def test_others_read_reviews_but_may_not_plan_hold_or_cancel(api, kam, kam2, viewer, controller, account):
    review = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=timezone.localdate())

    for user in (viewer, controller):
        assert api(user, "get", f"/reviews/{review.pk}").status_code == 200
        assert api(user, "get", "/reviews?state=all").json()["count"] == 1
    assert api(kam2, "get", f"/reviews/{review.pk}").status_code == 403
    assert api(kam2, "get", "/reviews?state=all").json()["count"] == 0
    for user in (kam2, viewer, controller):
        plan_body = {"account_id": account.pk, "due_on": "2027-01-01"}
        assert api(user, "post", "/reviews", plan_body).status_code == 403
        assert api(user, "post", f"/reviews/{review.pk}/hold", {"participants": "x"}).status_code == 403
        assert api(user, "post", f"/reviews/{review.pk}/cancel", {}).status_code == 403
        assert api(user, "patch", f"/reviews/{review.pk}", {"notes": "x"}).status_code == 403
    assert AccountReview.objects.get(pk=review.pk).status == ReviewStatus.PLANNED
