"""``/api/v1/actions``: list with filters, create, change with ``If-Match``, delete; the same permissions
as the pages (the KAM edits, the owner progresses, viewers read, others are refused)."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from kampass.planning.action_services import action_create
from kampass.planning.models import PlanAction, PlanStatus
from kampass.planning.tests.factories import make_plan
from kampass.users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return make_plan(account=account, status=PlanStatus.ACTIVE)


@pytest.fixture
def member(plan):
    user = UserFactory(username="service_t", role=Role.VIEWER)
    TeamMemberFactory(account=plan.account, user=user, role="service")
    return user


def test_the_kam_creates_and_lists_actions_of_a_plan(api, kam, plan, member):
    created = api(
        kam, "post", "/actions", {"plan_id": plan.pk, "title": "Call", "owner_id": member.pk, "due_date": "2026-01-31"}
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["account_id"], body["owner_id"], body["status"]) == (plan.account_id, member.pk, "open")
    listed = api(kam, "get", f"/actions?plan_id={plan.pk}").json()
    assert listed["count"] == 1
    assert listed["items"][0]["title"] == "Call"
    assert api(kam, "get", f"/actions?owner_id={member.pk}&status=open").json()["count"] == 1
    assert api(kam, "get", "/actions?status=done").json()["count"] == 0


def test_an_unknown_owner_is_a_422_on_its_field(api, kam, plan):
    response = api(kam, "post", "/actions", {"plan_id": plan.pk, "title": "Call", "owner_id": 999999})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "owner_id"


def test_viewers_read_but_may_not_create_and_other_kams_see_nothing(api, viewer, kam, kam2, plan):
    action_create(actor=kam, plan=plan, title="Call")

    assert api(viewer, "get", "/actions").json()["count"] == 1
    assert api(viewer, "post", "/actions", {"plan_id": plan.pk, "title": "x"}).status_code == 403
    assert api(kam2, "get", "/actions").json()["count"] == 0
    assert api(kam2, "post", "/actions", {"plan_id": plan.pk, "title": "x"}).status_code == 403
    assert api(None, "get", "/actions").status_code == 401


def test_the_owner_patches_the_status_but_not_the_title(client, conflicts, kam, member, plan):
    api_call = conflicts.api_call
    action = action_create(actor=kam, plan=plan, title="Call", owner_id=member.pk)

    ok = api_call(client, member, "patch", f"/actions/{action.pk}", {"status": "done"}, if_match=f'"{action.version}"')
    refused = api_call(client, member, "patch", f"/actions/{action.pk}", {"title": "Other"})

    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "done"
    assert ok.json()["completed_at"] is not None
    assert refused.status_code == 403


def test_a_stale_if_match_is_412_and_a_stale_version_409(client, conflicts, kam, plan):
    api_call = conflicts.api_call
    action = action_create(actor=kam, plan=plan, title="Call")
    stale = action.version
    api_call(client, kam, "patch", f"/actions/{action.pk}", {"title": "Call again"})

    assert (
        api_call(client, kam, "patch", f"/actions/{action.pk}", {"title": "x"}, if_match=f'"{stale}"').status_code
        == 412
    )
    assert api_call(client, kam, "patch", f"/actions/{action.pk}", {"title": "x", "version": stale}).status_code == 409
    assert api_call(client, kam, "delete", f"/actions/{action.pk}", if_match=f'"{stale}"').status_code == 412
    assert PlanAction.objects.filter(pk=action.pk).exists()


def test_the_kam_deletes_an_action_but_the_owner_may_not(client, conflicts, kam, member, plan):
    api_call = conflicts.api_call
    action = action_create(actor=kam, plan=plan, title="Call", owner_id=member.pk)

    assert api_call(client, member, "delete", f"/actions/{action.pk}").status_code == 403
    response = api_call(client, kam, "delete", f"/actions/{action.pk}", if_match=f'"{action.version}"')
    assert response.status_code == 204
    assert not PlanAction.objects.filter(pk=action.pk).exists()
