"""The organisation API: lists, the RACI matrix, profiles, ratings, targets, development actions,
and the denials (401, 403, 404, 422) that mirror the pages."""

from __future__ import annotations

import pytest

from kampass.organisation.models import CompetenceRating, DevelopmentAction, RaciAssignment
from kampass.organisation.tests.factories import ActionFactory, ActivityFactory, CompetenceFactory, RoleFactory
from kampass.organisation.tests.scenario import build


@pytest.fixture
def world(kam, kam2, head):
    return build(kam=kam, kam2=kam2, head=head)


# ---------------------------------------------------------------- authentication and signals


def test_without_credentials_is_401(client, db):
    assert client.get("/api/v1/organisation/raci").status_code == 401
    assert client.get("/api/v1/organisation/signals").status_code == 401


def test_signals(api, world, viewer):
    response = api(viewer, "get", "/organisation/signals")
    assert response.status_code == 200
    body = response.json()
    assert body["kams_appointed"] == 2
    assert body["raci_conflicts"] == 2
    assert body["blocked_actions_share"] == pytest.approx(0.4)


# ---------------------------------------------------------------- catalogues


def test_list_and_search_activities(api, world, viewer):
    response = api(viewer, "get", "/organisation/activities?q=activity%20x")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["key"] == "x"
    inactive = api(viewer, "get", "/organisation/activities?active=false").json()
    assert [i["key"] for i in inactive["items"]] == ["w"]


def test_head_creates_updates_and_deletes_a_competence(api, head):
    # when
    created = api(head, "post", "/organisation/competences", {"name_en": "Storytelling", "name_de": "Storytelling"})
    # then
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["key"] == "storytelling"
    patched = api(head, "patch", f"/organisation/competences/{pk}", {"active": False})
    assert patched.status_code == 200
    assert patched.json()["active"] is False
    assert api(head, "delete", f"/organisation/competences/{pk}").status_code == 204
    assert api(head, "get", f"/organisation/competences/{pk}").status_code == 404


def test_catalogue_validation_is_422_naming_the_field(api, head):
    ActivityFactory(key="dup", name_en="Duplicate")
    response = api(head, "post", "/organisation/activities", {"name_en": "Other", "key": "dup"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["key"]


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_managers_change_catalogues(api, request, who, db):
    user = request.getfixturevalue(who)
    role = RoleFactory()
    assert api(user, "post", "/organisation/roles", {"name_en": "New role"}).status_code == 403
    assert api(user, "patch", f"/organisation/roles/{role.pk}", {"name_de": "x"}).status_code == 403
    assert api(user, "delete", f"/organisation/roles/{role.pk}").status_code == 403


# ---------------------------------------------------------------- RACI


def test_get_the_matrix(api, world, viewer):
    body = api(viewer, "get", "/organisation/raci").json()
    assert [a["key"] for a in body["activities"]] == ["x", "y", "z"]
    assert len(body["cells"]) == 4
    assert body["conflict_count"] == 2
    checks = {c["activity_id"]: c["conflicts"] for c in body["checks"]}
    assert checks[world.activities["Y"].pk] == ["several_accountable", "no_responsible"]


def test_setting_a_cell_answers_with_the_new_check(api, world, head):
    y, q = world.activities["Y"], world.roles["Q"]
    # when: Y's second Accountable becomes Responsible
    response = api(head, "put", f"/organisation/raci/{y.pk}/{q.pk}", {"code": "R"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["cell"] == {"activity_id": y.pk, "role_id": q.pk, "code": "R", "version": 2}
    assert body["check"]["conflicts"] == []
    assert body["conflict_count"] == 1
    # when cleared
    cleared = api(head, "put", f"/organisation/raci/{y.pk}/{q.pk}", {"code": ""}).json()
    assert cleared["cell"]["code"] == ""
    assert cleared["check"]["conflicts"] == ["no_responsible"]


def test_cell_denials_and_errors(api, world, kam, head):
    y, q = world.activities["Y"], world.roles["Q"]
    assert api(kam, "put", f"/organisation/raci/{y.pk}/{q.pk}", {"code": "R"}).status_code == 403
    assert api(head, "put", f"/organisation/raci/999999/{q.pk}", {"code": "R"}).status_code == 404
    bad = api(head, "put", f"/organisation/raci/{y.pk}/{q.pk}", {"code": "Z"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["code"]
    assert RaciAssignment.objects.get(activity=y, role=q).code == "A"


# ---------------------------------------------------------------- workload, lead units, settings


def test_workload_and_lead_units(api, world, viewer, head):
    assert api(head, "put", "/organisation/settings", {"max_accounts_per_kam": 2}).status_code == 200
    body = api(viewer, "get", "/organisation/workload").json()
    assert body["threshold"] == 2
    assert [(i["user_id"], i["over_threshold"]) for i in body["items"] if i["over_threshold"]] == [(world.kam.pk, True)]
    intl = api(viewer, "get", "/organisation/international-accounts?missing=true").json()
    assert [(i["name"], i["lead_unit_missing"]) for i in intl["items"]] == [("A1", True)]
    assert api(viewer, "put", "/organisation/settings", {"max_accounts_per_kam": 9}).status_code == 403
    assert api(head, "put", "/organisation/settings", {"max_accounts_per_kam": 0}).status_code == 422


# ---------------------------------------------------------------- profiles, ratings, targets


def test_profiles_are_read_by_managers_and_the_person(api, world, controller):
    listed = api(world.head, "get", "/organisation/profiles").json()
    assert listed["count"] == 4
    own = api(world.kam, "get", "/organisation/profiles").json()
    assert [i["user_id"] for i in own["items"]] == [world.kam.pk]
    detail = api(world.kam2, "get", f"/organisation/profiles/{world.kam2.pk}").json()
    assert {(line["competence"], line["gap"]) for line in detail["lines"]} == {
        ("Competence C1", 0),
        ("Competence C2", 2),
    }
    assert api(world.kam, "get", f"/organisation/profiles/{world.kam2.pk}").status_code == 403
    assert api(controller, "get", f"/organisation/profiles/{world.kam.pk}").status_code == 403
    assert api(world.head, "get", f"/organisation/profiles/{controller.pk}").status_code == 404


def test_head_rates_and_kam_self_assesses_through_the_api(api, world):
    c2 = world.competences["C2"]
    rated = api(world.head, "put", f"/organisation/profiles/{world.kam.pk}/ratings/{c2.pk}", {"level": 1, "note": "n"})
    assert rated.status_code == 200
    assert (rated.json()["level"], rated.json()["gap"], rated.json()["note"]) == (1, 2, "n")
    mine = api(world.kam, "put", f"/organisation/profiles/{world.kam.pk}/ratings/{c2.pk}", {"self_level": 4})
    assert mine.status_code == 200
    assert (mine.json()["level"], mine.json()["self_level"]) == (1, 4)
    # denials: a KAM does not rate, not even themselves, and does not self-assess for others
    url = f"/organisation/profiles/{world.kam.pk}/ratings/{c2.pk}"
    assert api(world.kam, "put", url, {"level": 5}).status_code == 403
    assert (
        api(world.kam, "put", f"/organisation/profiles/{world.kam2.pk}/ratings/{c2.pk}", {"self_level": 5}).status_code
        == 403
    )
    assert (
        api(world.head, "put", f"/organisation/profiles/{world.kam2.pk}/ratings/{c2.pk}", {"self_level": 5}).status_code
        == 403
    )
    bad = api(world.head, "put", url, {"level": 7})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["level"]
    assert CompetenceRating.objects.get(user=world.kam, competence=c2).level == 1


def test_targets(api, world):
    c1 = world.competences["C1"]
    put = api(world.head, "put", "/organisation/targets", {"competence_id": c1.pk, "role": "head", "level": 5})
    assert put.status_code == 200
    personal = api(
        world.head, "put", "/organisation/targets", {"competence_id": c1.pk, "user_id": world.kam.pk, "level": 3}
    )
    assert personal.status_code == 200
    removed = api(
        world.head, "put", "/organisation/targets", {"competence_id": c1.pk, "user_id": world.kam.pk, "level": None}
    )
    assert removed.status_code == 204
    # a KAM sees role targets and their own, nobody else's
    items = api(world.kam, "get", "/organisation/targets").json()["items"]
    assert {i["user_id"] for i in items} == {None}
    assert (
        api(world.kam, "put", "/organisation/targets", {"competence_id": c1.pk, "role": "kam", "level": 1}).status_code
        == 403
    )
    bad = api(world.head, "put", "/organisation/targets", {"competence_id": 999999, "role": "kam", "level": 1})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["competence_id"]


# ---------------------------------------------------------------- development actions


def test_kam_creates_and_blocks_an_own_action(api, kam, db):
    competence = CompetenceFactory()
    created = api(
        kam, "post", "/organisation/development-actions", {"title": "Pricing course", "competence_id": competence.pk}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["person_id"], body["competence_id"], body["status"]) == (kam.pk, competence.pk, "planned")
    patched = api(
        kam,
        "patch",
        f"/organisation/development-actions/{body['id']}",
        {"blocked": True, "blocked_cause": "management"},
    )
    assert patched.status_code == 200
    assert (patched.json()["blocked"], patched.json()["blocked_cause"]) == (True, "management")
    listed = api(kam, "get", "/organisation/development-actions?blocked=true").json()
    assert listed["count"] == 1


def test_action_validation_names_the_api_fields(api, kam, head, viewer):
    missing_cause = api(kam, "post", "/organisation/development-actions", {"title": "X", "blocked": True})
    assert missing_cause.status_code == 422
    assert missing_cause.json()["detail"][0]["loc"] == ["blocked_cause"]
    no_profile = api(head, "post", "/organisation/development-actions", {"title": "X", "person_id": viewer.pk})
    assert no_profile.status_code == 422
    assert no_profile.json()["detail"][0]["loc"] == ["person_id"]
    unknown = api(head, "post", "/organisation/development-actions", {"title": "X", "owner_id": 999999})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["owner_id"]
    assert not DevelopmentAction.objects.exists()


def test_action_denials(api, kam, kam2, controller):
    foreign = ActionFactory(person=kam2)
    assert (
        api(kam, "post", "/organisation/development-actions", {"title": "X", "person_id": kam2.pk}).status_code == 403
    )
    assert api(kam, "get", f"/organisation/development-actions/{foreign.pk}").status_code == 403
    assert api(kam, "patch", f"/organisation/development-actions/{foreign.pk}", {"title": "Y"}).status_code == 403
    assert api(kam, "delete", f"/organisation/development-actions/{foreign.pk}").status_code == 403
    assert api(controller, "post", "/organisation/development-actions", {"title": "X"}).status_code == 403
    assert api(controller, "get", "/organisation/development-actions").json()["count"] == 0
    assert api(kam, "get", "/organisation/development-actions/999999").status_code == 404
    assert api(kam2, "delete", f"/organisation/development-actions/{foreign.pk}").status_code == 204
