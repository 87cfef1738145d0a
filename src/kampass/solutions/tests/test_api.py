"""The solutions API: lists, create, get, update with versions, delete, uses, initiatives, and the denials."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.solutions.models import Initiative, Solution, SolutionUse
from kampass.solutions.tests.factories import SolutionFactory, key_account, make_initiative

pytestmark = pytest.mark.django_db


def test_list_searches_filters_and_pages(api, viewer):
    # given
    SolutionFactory(name="Spare-parts pool", segments="Machinery")
    SolutionFactory(name="Ordering portal", segments="Hospitality")
    SolutionFactory(name="Old repair contract", segments="Machinery", status="retired")
    # when
    everything = api(viewer, "get", "/solutions?limit=2").json()
    machinery = api(viewer, "get", "/solutions?segment=machinery&status=active").json()
    searched = api(viewer, "get", "/solutions?q=portal").json()
    # then
    assert (everything["count"], len(everything["items"])) == (3, 2)
    assert [s["name"] for s in machinery["items"]] == ["Spare-parts pool"]
    assert [s["name"] for s in searched["items"]] == ["Ordering portal"]


def test_create_get_update_with_versions_and_delete(api, client, head, conflicts):
    # when created
    created = api(head, "post", "/solutions", {"name": "Pool", "segments": "Machinery, Food"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["segments"], body["version"], body["status"]) == (["Machinery", "Food"], 1, "active")
    sid = body["id"]
    # updated with the version read
    ok = api(head, "patch", f"/solutions/{sid}", {"problem": "stock", "version": 1})
    assert (ok.status_code, ok.json()["version"], ok["ETag"]) == (200, 2, 'W/"2"')
    # a stale body version: 409, a stale If-Match: 412, nothing written
    stale = api(head, "patch", f"/solutions/{sid}", {"problem": "mine", "version": 1})
    assert (stale.status_code, stale.json()["problem"]) == (409, "stock")
    stale_header = conflicts.api_call(client, head, "patch", f"/solutions/{sid}", {"problem": "x"}, if_match='W/"1"')
    assert stale_header.status_code == 412
    # a stale removal is refused, a current one done
    assert api(head, "delete", f"/solutions/{sid}?version=1").status_code == 409
    assert api(head, "delete", f"/solutions/{sid}?version=2").status_code == 204
    assert not Solution.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "controller"])
def test_readers_read_but_cannot_write(api, request, role):
    user = request.getfixturevalue(role)
    s = SolutionFactory()
    assert api(user, "get", f"/solutions/{s.pk}").status_code == 200
    assert api(user, "post", "/solutions", {"name": "X"}).status_code == 403
    assert api(user, "patch", f"/solutions/{s.pk}", {"name": "Y"}).status_code == 403
    assert api(user, "delete", f"/solutions/{s.pk}").status_code == 403
    assert api(None, "get", "/solutions").status_code == 401
    assert Solution.objects.get(pk=s.pk).name == s.name


def test_a_kam_cannot_delete_a_solution(api, kam):
    s = SolutionFactory()
    assert api(kam, "delete", f"/solutions/{s.pk}").status_code == 403


def test_a_kam_links_uses_only_at_their_accounts(api, kam):
    # given
    mine, other = key_account("Mine"), key_account("Other")
    TeamMemberFactory(account=mine, user=kam)
    s = SolutionFactory()
    # when
    linked = api(kam, "post", f"/solutions/{s.pk}/uses", {"account_id": mine.pk, "plan_id": 3, "reference": True})
    denied = api(kam, "post", f"/solutions/{s.pk}/uses", {"account_id": other.pk})
    unknown = api(kam, "post", f"/solutions/{s.pk}/uses", {"account_id": 999999})
    # then
    assert linked.status_code == 201, linked.content
    assert (linked.json()["account"], linked.json()["plan_id"], linked.json()["reference"]) == ("Mine", 3, True)
    assert denied.status_code == 403
    assert unknown.status_code == 422
    listed = api(kam, "get", f"/solutions/{s.pk}/uses").json()
    assert listed["count"] == 1
    assert api(kam, "get", f"/solutions/{s.pk}").json()["account_ids"] == [mine.pk]
    # and unlinks it again
    use_id = linked.json()["id"]
    assert api(kam, "delete", f"/solutions/{s.pk}/uses/{use_id}").status_code == 204
    assert not SolutionUse.objects.exists()


def test_initiatives_create_move_update_and_delete(api, head, viewer):
    # given
    a, b = key_account("A"), key_account("B")
    s = SolutionFactory()
    # when created
    created = api(
        head,
        "post",
        "/initiatives",
        {
            "name": "Pilot",
            "account_ids": [a.pk],
            "starts": "2026-01-05",
            "effort_hours": "120.5",
            "effort_cost": "9000.00",
            "currency": "CHF",
            "product_groups": ["232"],
            "solution_id": s.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["stage"], body["effort_hours"], body["effort_cost"], body["currency"]) == (
        "idea",
        "120.5",
        "9000.00",
        "CHF",
    )
    iid = body["id"]
    # moved to the pilot stage with its day
    moved = api(head, "post", f"/initiatives/{iid}/stage", {"stage": "pilot", "on": "2026-02-01", "version": 1})
    assert (moved.status_code, moved.json()["stage"], moved.json()["stage_since"]) == (200, "pilot", "2026-02-01")
    same = api(head, "post", f"/initiatives/{iid}/stage", {"stage": "pilot"})
    assert same.status_code == 422
    # updated; a stale version refused
    patched = api(head, "patch", f"/initiatives/{iid}", {"account_ids": [a.pk, b.pk], "ends": None, "version": 2})
    assert (patched.status_code, patched.json()["account_ids"]) == (200, sorted([a.pk, b.pk]))
    assert api(head, "patch", f"/initiatives/{iid}", {"name": "Old", "version": 2}).status_code == 409
    # listed, filtered
    assert api(viewer, "get", f"/initiatives?stage=pilot&account_id={b.pk}").json()["count"] == 1
    assert api(viewer, "get", "/initiatives?stage=idea").json()["count"] == 0
    # readers are refused
    assert api(viewer, "post", f"/initiatives/{iid}/stage", {"stage": "scaling"}).status_code == 403
    assert api(viewer, "delete", f"/initiatives/{iid}").status_code == 403
    assert api(head, "delete", f"/initiatives/{iid}?version=3").status_code == 204
    assert not Initiative.objects.exists()


def test_initiative_needs_a_key_account(api, head):
    from kampass.accounts.tests.factories import AccountFactory

    prospect = AccountFactory(name="Prospect")
    answer = api(head, "post", "/initiatives", {"name": "X", "account_ids": [prospect.pk], "starts": "2026-01-05"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "account_ids"


def test_a_kam_not_involved_cannot_change_an_initiative(api, kam, head):
    i = make_initiative(accounts=[key_account()], actor=head)
    assert api(kam, "patch", f"/initiatives/{i.pk}", {"name": "Mine"}).status_code == 403
    assert Initiative.objects.get(pk=i.pk).name == i.name
