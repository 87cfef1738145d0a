"""The whitespace API: reading the matrix and recommendations, marks, conversion, the mapping, denials."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.pipeline.models import Opportunity
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule
from kampass.screening.tests.factories_whitespace import purchase_world

pytestmark = pytest.mark.django_db


def test_readers_get_the_whitespace_and_the_recommendations(api, controller, viewer):
    world = purchase_world()
    for user in (controller, viewer):
        got = api(user, "get", f"/screening/whitespace/{world.acme.pk}")
        recs = api(user, "get", f"/screening/whitespace/{world.acme.pk}/recommendations?limit=1")
        assert got.status_code == 200
        body = got.json()
        assert [r["account"] for r in body["rows"]] == ["Acme", "Acme East"]
        acme = dict(zip(body["product_groups"], body["rows"][0]["states"], strict=True))
        assert (acme["10001"], acme["10004"]) == ("bought", "recommended")
        assert body["conversion"] == {"open": 0, "won": 0, "lost": 0, "win_rate": None}
        assert recs.status_code == 200
        page = recs.json()
        assert len(page["items"]) == 1
        assert page["count"] >= 1
        first = page["items"][0]
        assert (first["product_group"], first["similar_buyers"], first["similar_accounts"]) == ("10004", 4, 4)
        assert first["reason"].startswith("4 of the 4 accounts most similar to this one buy 10004")


def test_unknown_account_and_anonymous_are_refused(api, viewer):
    assert api(viewer, "get", "/screening/whitespace/999999").status_code == 404
    assert api(None, "get", "/screening/whitespace/1").status_code == 401


def test_a_kam_of_the_account_marks_and_converts(api, kam):
    world = purchase_world()
    TeamMemberFactory(account=world.acme, user=kam)
    marked = api(
        kam,
        "post",
        f"/screening/whitespace/{world.acme.pk}/not-relevant",
        {"product_group": "20002", "reason": "Own brand"},
    )
    created = api(kam, "post", f"/screening/whitespace/{world.acme.pk}/opportunities", {"product_group": "10004"})
    assert marked.status_code == 201
    assert created.status_code == 201
    opp = Opportunity.objects.get(pk=created.json()["opportunity_id"])
    assert (opp.source, opp.products) == ("whitespace", ["10004"])
    conv = api(kam, "get", f"/screening/whitespace/{world.acme.pk}").json()["conversion"]
    assert conv["open"] == 1
    removed = api(kam, "delete", f"/screening/whitespace/{world.acme.pk}/not-relevant/{marked.json()['id']}")
    assert removed.status_code == 204
    refused = api(kam, "post", f"/screening/whitespace/{world.acme.pk}/opportunities", {"product_group": "10001"})
    assert refused.status_code == 422


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_others_cannot_act(api, request, role):
    world = purchase_world()
    user = request.getfixturevalue(role)
    marked = api(
        user, "post", f"/screening/whitespace/{world.acme.pk}/not-relevant", {"product_group": "1", "reason": "x"}
    )
    created = api(user, "post", f"/screening/whitespace/{world.acme.pk}/opportunities", {"product_group": "10004"})
    rule = api(user, "post", "/screening/product-groups", {"kind": "prefix", "pattern": "1", "group": "G"})
    assert (marked.status_code, created.status_code, rule.status_code) == (403, 403, 403)
    assert not NotRelevantMark.objects.exists()
    assert not Opportunity.objects.exists()
    assert not ProductGroupRule.objects.exists()


def test_the_head_configures_the_mapping(api, head, viewer):
    created = api(head, "post", "/screening/product-groups", {"kind": "prefix", "pattern": "850", "group": "Lights"})
    bad = api(head, "post", "/screening/product-groups", {"kind": "suffix", "pattern": "1", "group": "G"})
    assert (created.status_code, bad.status_code) == (201, 422)
    listed = api(viewer, "get", "/screening/product-groups").json()
    assert listed["count"] == 1
    assert listed["items"][0]["group"] == "Lights"
    assert api(viewer, "delete", f"/screening/product-groups/{created.json()['id']}").status_code == 403
    assert api(head, "delete", f"/screening/product-groups/{created.json()['id']}").status_code == 204
