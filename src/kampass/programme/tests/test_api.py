"""The programme API: rounds, respondents, draft answers, submission, closing, results, phase,
recommendations, acceptance and the report; with the denials (401/403) and refusals (422)."""

from __future__ import annotations

import random

import pytest

from kampass.programme import services
from kampass.programme.models import AssessmentRound, Function, RoundStatus
from kampass.programme.tests.conftest import closed_round, fill, open_round_with


@pytest.fixture
def kam_round(head, kam, kam2):
    return open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM), (None, Function.SALES)])


def test_without_credentials_401(api, db):
    assert api(None, "get", "/programme/rounds").status_code == 401


def test_head_creates_invites_and_opens(api, head, kam):
    r = api(head, "post", "/programme/rounds", {"title": "API round", "starts": "2026-04-01", "min_respondents": 1})
    assert r.status_code == 201
    rid = r.json()["id"]
    assert r.json()["status"] == "draft"
    inv = api(head, "post", f"/programme/rounds/{rid}/respondents", {"function": "kam", "user_id": kam.pk})
    assert inv.status_code == 201
    bad = api(head, "post", f"/programme/rounds/{rid}/respondents", {"function": "kam"})
    assert bad.status_code == 422
    assert api(head, "post", f"/programme/rounds/{rid}/open").json()["status"] == "open"
    listed = api(head, "get", "/programme/rounds").json()
    assert listed["count"] == 1
    assert listed["items"][0]["invited"] == 1


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_managers_create_rounds(api, request, who):
    user = request.getfixturevalue(who)
    response = api(user, "post", "/programme/rounds", {"title": "X", "starts": "2026-04-01"})
    assert response.status_code == 403
    assert not AssessmentRound.objects.exists()


def test_draft_answers_submit_and_refusals(api, kam, kam2, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    key = catalogue.statements[0].key
    base = f"/programme/respondents/{resp.pk}"
    ok = api(kam, "put", f"{base}/answers/{key}", {"rating": 3})
    assert ok.status_code == 200
    assert ok.json() == {"statement": key, "rating": 3, "dont_know": False}
    assert api(kam, "put", f"{base}/answers/{key}", {"rating": None}).json()["dont_know"] is True
    invalid = api(kam, "put", f"{base}/answers/{key}", {"rating": 7})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["rating"]
    assert api(kam, "put", f"{base}/placements/{catalogue.tension_fields[0].key}", {"current": 4}).status_code == 422
    assert api(kam, "put", f"{base}/answers/nope", {"rating": 3}).status_code == 422
    # another KAM may not answer, read or submit it
    assert api(kam2, "put", f"{base}/answers/{key}", {"rating": 3}).status_code == 403
    assert api(kam2, "get", base).status_code == 403
    assert api(kam2, "post", f"{base}/submit", {}).status_code == 403
    # incomplete submission is refused with what is missing
    incomplete = api(kam, "post", f"{base}/submit", {})
    assert incomplete.status_code == 422
    assert {d["loc"][0] for d in incomplete.json()["detail"]} == {"answers", "placements"}
    state = api(kam, "get", base).json()
    assert len(state["missing_statements"]) == len(catalogue.statements) - 1
    for t in catalogue.tension_fields:
        api(kam, "put", f"{base}/placements/{t.key}", {"current": 0, "target": 1})
    done = api(kam, "post", f"{base}/submit", {"unanswered_as_dont_know": True})
    assert done.status_code == 200
    assert done.json()["respondent"]["submitted_at"] is not None
    assert done.json()["missing_statements"] == []


def test_close_refused_with_too_few_then_results(api, head, kam, kam2, viewer, kam_round, catalogue):
    refused = api(head, "post", f"/programme/rounds/{kam_round.pk}/close")
    assert refused.status_code == 422
    assert "0 of 3" in refused.json()["detail"][0]["msg"]
    assert api(kam, "post", f"/programme/rounds/{kam_round.pk}/close").status_code == 403
    assert api(viewer, "get", f"/programme/rounds/{kam_round.pk}/results").status_code == 403
    for user in (kam, kam2):
        resp = kam_round.respondents.get(user=user)
        fill(resp, catalogue, random.Random(user.pk))
        assert api(user, "post", f"/programme/respondents/{resp.pk}/submit", {}).status_code == 200
    closed = api(head, "post", f"/programme/rounds/{kam_round.pk}/close")
    assert closed.json()["status"] == RoundStatus.CLOSED
    results = api(viewer, "get", f"/programme/rounds/{kam_round.pk}/results")
    assert results.status_code == 200
    doc = results.json()
    assert doc["submitted"] == 2
    # two key account managers are fewer than the round's minimum per group (3): nothing is shown
    assert (doc["min_group_respondents"], doc["shown"]) == (3, False)
    assert doc["hidden_groups"] == [{"function": "kam", "submitted": 2}]
    assert doc["fields"] == []
    assert doc["tension_fields"] == []


def test_phase_recommendations_accept_and_report(api, head, viewer, kam, catalogue):
    r = closed_round(head, catalogue)
    recs = api(viewer, "get", "/programme/recommendations")
    assert recs.status_code == 200
    items = recs.json()["items"]
    assert items
    assert items[0]["rank"] == 1
    assert all({"reasons", "guardrail", "benefits", "dangers", "timing"} <= set(i) for i in items)
    for reason in (x for i in items for x in i["reasons"]):
        assert reason["rule"]
        assert isinstance(reason["inputs"], dict)
    # phase
    assert api(viewer, "post", "/programme/phase", {"phase": "install", "note": "x"}).status_code == 403
    proposed = recs.json()["proposed_phase"]
    other = next(p.key for p in catalogue.phases if p.key != proposed)
    assert api(head, "post", "/programme/phase", {"phase": other}).status_code == 422  # note missing
    confirmed = api(head, "post", "/programme/phase", {"phase": other, "note": "Board"})
    assert confirmed.status_code == 201
    phase = api(viewer, "get", "/programme/phase").json()
    assert phase["current_phase"] == other
    assert phase["proposed_phase"] == proposed
    # accept
    logic = items[0]["logic"]
    assert api(kam, "post", "/programme/recommendations/accept", {"logics": [logic]}).status_code == 403
    accepted = api(head, "post", "/programme/recommendations/accept", {"round_id": r.pk, "logics": [logic]})
    assert accepted.status_code == 201
    assert accepted.json()["logics"] == [logic]
    assert len(accepted.json()["initiative_ids"]) == 1
    assert accepted.json()["skipped"] == []
    # accepting the same logic again creates no second initiative and says which one pursues it
    again = api(head, "post", "/programme/recommendations/accept", {"round_id": r.pk, "logics": [logic]})
    assert again.status_code == 201
    assert again.json()["initiative_ids"] == []
    assert [(s["logic"], s["initiative_id"]) for s in again.json()["skipped"]] == [
        (logic, accepted.json()["initiative_ids"][0])
    ]
    # report in both languages
    en = api(viewer, "get", "/programme/report?lang=en").json()
    de = api(viewer, "get", "/programme/report?lang=de").json()
    assert en["phase"] == de["phase"] == other
    assert en["tension_fields"][0]["left"] != de["tension_fields"][0]["left"]
    # the PDF is rendered by the worker (202 with the job), then served
    queued = api(viewer, "get", "/programme/report.pdf?lang=de")
    assert queued.status_code == 202
    services.report_job_run(queued.json()["id"])
    pdf = api(viewer, "get", "/programme/report.pdf?lang=de")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_report_of_an_unknown_round_404(api, viewer):
    assert api(viewer, "get", "/programme/report?round_id=12345").status_code == 404


def test_head_cannot_answer_for_an_internal_user_through_the_api(api, head, kam, kam_round, catalogue):
    # given
    mine = kam_round.respondents.get(user=kam)
    external = kam_round.respondents.get(user__isnull=True)
    key, tension = catalogue.statements[0].key, catalogue.tension_fields[0].key
    # when / then: reading, answering, placing and submitting the user's questionnaire are denied
    assert api(head, "get", f"/programme/respondents/{mine.pk}").status_code == 403
    assert api(head, "put", f"/programme/respondents/{mine.pk}/answers/{key}", {"rating": 5}).status_code == 403
    placed = api(head, "put", f"/programme/respondents/{mine.pk}/placements/{tension}", {"current": 1, "target": 1})
    assert placed.status_code == 403
    submit = api(head, "post", f"/programme/respondents/{mine.pk}/submit", {"unanswered_as_dont_know": True})
    assert submit.status_code == 403
    assert not mine.answers.exists()
    # an external respondent's answers may still be entered; the user answers their own
    assert api(head, "put", f"/programme/respondents/{external.pk}/answers/{key}", {"rating": 2}).status_code == 200
    assert api(kam, "put", f"/programme/respondents/{mine.pk}/answers/{key}", {"rating": 4}).status_code == 200


def test_invitation_function_defaults_from_the_role_and_minimum_per_group_in_the_api(api, head, kam, kam2):
    # given
    made = api(head, "post", "/programme/rounds", {"title": "R", "starts": "2026-04-01", "min_group_respondents": 2})
    assert made.status_code == 201
    assert made.json()["min_group_respondents"] == 2
    rid = made.json()["id"]
    # when / then
    invited = api(head, "post", f"/programme/rounds/{rid}/respondents", {"user_id": kam.pk})
    assert invited.status_code == 201
    assert invited.json()["function"] == "kam"
    external = api(head, "post", f"/programme/rounds/{rid}/respondents", {"name": "Customer buyer"})
    assert external.status_code == 422
    bad = api(head, "post", "/programme/rounds", {"title": "R", "starts": "2026-04-01", "min_group_respondents": 0})
    assert bad.status_code == 422
    # the invited key account manager sees the open round in their list
    api(head, "post", f"/programme/rounds/{rid}/open")
    assert rid in [r["id"] for r in api(kam, "get", "/programme/rounds").json()["items"]]
    assert rid not in [r["id"] for r in api(kam2, "get", "/programme/rounds").json()["items"]]


def test_recommendations_without_a_closed_round_say_how_to_get_one(api, viewer, db):
    # when: no round has been closed yet
    response = api(viewer, "get", "/programme/recommendations")

    # then: a 404 that says why and what to do
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "No assessment round has been closed yet" in detail
    assert "POST /api/v1/programme/rounds" in detail
