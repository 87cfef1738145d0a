"""The selection API: catalogues, ratings, scores, rounds and decisions, and the denials."""

from __future__ import annotations

import math

import pytest

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.screening.tests.factories_selection import small_catalogue

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"key": "purchase_volume", "label": "Volume", "dimension": "attractiveness", "kind": "computed", "weight": "2"},
    {"key": "strategic_fit", "label": "Fit", "dimension": "attractiveness", "kind": "rated", "weight": "1"},
    {"key": "satisfaction", "label": "Satisfaction", "dimension": "position", "kind": "rated", "weight": "1"},
]


def test_the_head_publishes_a_catalogue_others_are_refused(api, head, kam, controller):
    # denials
    assert api(kam, "post", "/screening/catalogues", {"criteria": CRITERIA}).status_code == 403
    assert api(controller, "post", "/screening/catalogues", {"criteria": CRITERIA}).status_code == 403
    assert api(None, "get", "/screening/catalogues").status_code == 401
    # published
    r = api(head, "post", "/screening/catalogues", {"criteria": CRITERIA, "note": "first"})
    assert r.status_code == 201, r.content
    assert (r.json()["number"], len(r.json()["criteria"])) == (1, 3)
    assert r.json()["criteria"][0]["scoring"].startswith("gross revenue")
    # refused by rule: a computed criterion without a scoring function
    bad = [*CRITERIA, {"key": "made_up", "label": "X", "dimension": "position", "kind": "computed", "weight": "1"}]
    assert api(head, "post", "/screening/catalogues", {"criteria": bad}).status_code == 422
    listed = api(controller, "get", "/screening/catalogues").json()
    assert (listed["count"], listed["items"][0]["number"]) == (1, 1)


def test_ratings_by_the_kam_of_the_account_and_the_scores(api, head, kam, kam2, viewer):
    small_catalogue(actor=head)
    account = AccountFactory(name="Alpha")
    TeamMemberFactory(account=account, user=kam)
    body = {"account_id": account.pk, "criterion_key": "strategic_fit", "value": 4, "justification": "Core segment"}
    assert api(kam2, "post", "/screening/ratings", body).status_code == 403
    assert api(viewer, "post", "/screening/ratings", body).status_code == 403
    created = api(kam, "post", "/screening/ratings", body)
    assert created.status_code == 201, created.content
    assert created.json()["rated_by"] == str(kam)
    sat = {**body, "criterion_key": "satisfaction", "value": 2}
    assert api(kam, "post", "/screening/ratings", sat).status_code == 201
    assert api(kam, "post", "/screening/ratings", {**body, "value": 9}).status_code == 422
    listed = api(viewer, "get", f"/screening/ratings?account_id={account.pk}").json()
    assert listed["count"] == 2
    # scores: no invoice lines, so the volume is missing; fit 75, satisfaction 25
    scores = api(viewer, "get", "/screening/scores").json()
    item = next(i for i in scores["items"] if i["account_id"] == account.pk)
    assert (item["attractiveness"], item["position"], item["quadrant"]) == (75.0, 25.0, "big_step")
    for dim in ("attractiveness", "position"):
        total = sum(c["contribution"] for c in item["contributions"] if c["dimension"] == dim)
        assert math.isclose(total, item[dim])


def test_rounds_and_decisions_with_denials(api, head, kam, controller):
    small_catalogue(actor=head)
    account = AccountFactory(name="Beta", kam_status="key_account")
    body = {"period": "2026 H2", "as_of": "2026-06-30"}
    assert api(kam, "post", "/screening/rounds", body).status_code == 403
    opened = api(head, "post", "/screening/rounds", body)
    assert opened.status_code == 201, opened.content
    rid = opened.json()["id"]
    assert api(head, "post", "/screening/rounds", {"period": "2026 H2"}).status_code == 422
    decisions = api(controller, "get", f"/screening/rounds/{rid}/decisions").json()
    d = next(i for i in decisions["items"] if i["account_id"] == account.pk)
    path = f"/screening/rounds/{rid}/decisions/{d['id']}"
    assert api(controller, "post", path, {"status": "demoted", "reason": "x"}).status_code == 403
    assert api(head, "post", path, {"status": "nonsense", "reason": "x"}).status_code == 422
    decided = api(head, "post", path, {"status": "candidate", "reason": "Little potential left"})
    assert decided.status_code == 200, decided.content
    assert (decided.json()["decided_status"], decided.json()["decided_by"]) == ("candidate", str(head))
    assert Account.objects.get(pk=account.pk).kam_status == "candidate"
    for i in api(head, "get", f"/screening/rounds/{rid}/decisions").json()["items"]:
        if not i["decided_at"]:
            api(
                head,
                "post",
                f"/screening/rounds/{rid}/decisions/{i['id']}",
                {"status": i["from_status"], "reason": "keep"},
            )
    assert api(kam, "post", f"/screening/rounds/{rid}/close").status_code == 403
    closed = api(head, "post", f"/screening/rounds/{rid}/close")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert api(controller, "get", "/screening/rounds").json()["count"] == 1
