"""The segments API: runs (list, current, one), a new run, an account's segment, and the denials."""

from __future__ import annotations

import pytest

from kampass.screening.models import SegmentRun
from kampass.screening.tests.factories_segments import two_kinds_of_key_accounts

pytestmark = pytest.mark.django_db


def test_head_computes_and_a_controller_reads(api, head, controller):
    # given
    kinds = two_kinds_of_key_accounts()
    # when the head computes a run
    created = api(head, "post", "/screening/segment-runs", {"k_max": 4})
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["k"], body["accounts"], body["as_of"]) == (2, 6, "2011-12-09")
    assert sorted(s["size"] for s in body["segments"]) == [3, 3]
    assert all(s["profile"] and s["features"] for s in body["segments"])
    member_ids = {m["account_id"] for s in body["segments"] for m in s["members"]}
    assert member_ids == {a.pk for accounts in kinds.values() for a in accounts}
    # and a controller reads the list, the current run, the run and an account's segment
    runs = api(controller, "get", "/screening/segment-runs").json()
    assert (runs["count"], runs["items"][0]["id"]) == (1, body["id"])
    assert api(controller, "get", "/screening/segment-runs/current").json()["id"] == body["id"]
    assert api(controller, "get", f"/screening/segment-runs/{body['id']}").json()["segments"] == body["segments"]
    mine = api(controller, "get", f"/screening/accounts/{kinds['bags'][0].pk}/segment").json()
    assert (mine["run_id"], mine["size"]) == (body["id"], 3)


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_compute(api, request, who):
    two_kinds_of_key_accounts()
    response = api(request.getfixturevalue(who), "post", "/screening/segment-runs", {})
    assert response.status_code == 403
    assert not SegmentRun.objects.exists()


def test_anonymous_reads_nothing(api):
    assert api(None, "get", "/screening/segment-runs").status_code == 401


def test_missing_things_are_404_and_too_few_accounts_422(api, head, viewer):
    assert api(viewer, "get", "/screening/segment-runs/current").status_code == 404
    assert api(viewer, "get", "/screening/segment-runs/99").status_code == 404
    assert api(viewer, "get", "/screening/accounts/99/segment").status_code == 404
    refused = api(head, "post", "/screening/segment-runs", {})
    assert refused.status_code == 422
    assert "three key accounts" in refused.content.decode()
