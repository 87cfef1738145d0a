"""The API of the user and org unit administration (administrators only): list, invite, read, change,
send the invitation again; org units with their team sizes."""

from __future__ import annotations

import pytest
from django.core import mail

from kampass.users.models import OrgUnit, Role, User
from kampass.users.services import token_authenticate, token_create, user_create


@pytest.fixture
def europe(db) -> OrgUnit:
    return OrgUnit.objects.create(name="Europe", code="EU")


@pytest.mark.parametrize("role", ["head", "kam", "controller", "viewer"])
def test_only_administrators(api, request, role, kam2, europe):
    actor = request.getfixturevalue(role)
    calls = [
        ("get", "/organisation/users", None),
        ("post", "/organisation/users", {"username": "x", "email": "x@example.com"}),
        ("get", f"/organisation/users/{kam2.pk}", None),
        ("patch", f"/organisation/users/{kam2.pk}", {"role": "admin"}),
        ("post", f"/organisation/users/{kam2.pk}/invitation", None),
        ("get", "/organisation/org-units", None),
        ("post", "/organisation/org-units", {"name": "Asia"}),
        ("patch", f"/organisation/org-units/{europe.pk}", {"name": "EMEA"}),
    ]
    for method, path, body in calls:
        assert api(actor, method, path, body).status_code == 403, (method, path)
    kam2.refresh_from_db()
    assert kam2.role == Role.KAM
    assert not User.objects.filter(username="x").exists()
    assert list(OrgUnit.objects.values_list("name", flat=True)) == ["Europe"]
    assert mail.outbox == []


def test_without_credentials_is_401(client, db):
    assert client.get("/api/v1/organisation/users").status_code == 401
    assert client.get("/api/v1/organisation/org-units").status_code == 401


def test_an_administrator_invites_a_user(api, admin_user, head, europe):
    response = api(
        admin_user,
        "post",
        "/organisation/users",
        {
            "username": "nina",
            "email": "nina@example.com",
            "first_name": "Nina",
            "role": "kam",
            "org_unit_id": europe.pk,
            "manager_id": head.pk,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["role"], body["org_unit_id"], body["manager_id"]) == (
        "nina", "kam", europe.pk, head.pk
    )  # fmt: skip
    assert body["has_password"] is False
    assert body["is_active"] is True
    assert len(mail.outbox) == 1
    assert "/organisation/invitation/" in mail.outbox[0].body


def test_a_user_created_without_invitation_gets_no_mail(api, admin_user):
    response = api(admin_user, "post", "/organisation/users", {"username": "robot", "invite": False})
    assert response.status_code == 201
    assert mail.outbox == []
    assert not User.objects.get(username="robot").has_usable_password()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "kam_t", "email": "k@example.com"}, "username"),
        ({"username": "nina"}, "email"),
        ({"username": "nina", "email": "not-an-address"}, "email"),
        ({"username": "nina", "email": "n@example.com", "manager_id": 999999}, "manager_id"),
        ({"username": "nina", "email": "n@example.com", "org_unit_id": 999999}, "org_unit_id"),
        ({"username": "nina", "email": "n@example.com", "role": "wizard"}, "role"),
        ({"username": "ni na", "email": "n@example.com"}, "username"),
    ],
)
def test_create_refusals_name_the_field(api, admin_user, kam, body, field):
    response = api(admin_user, "post", "/organisation/users", body)
    assert response.status_code == 422
    assert field in [d["loc"][-1] for d in response.json()["detail"]]
    assert not User.objects.filter(username="nina").exists()
    assert mail.outbox == []


def test_list_search_and_filters(api, admin_user, head, kam, kam2, europe):
    kam.org_unit = europe
    kam.save()
    kam2.is_active = False
    kam2.save()

    def names(query: str) -> list[str]:
        response = api(admin_user, "get", f"/organisation/users{query}")
        assert response.status_code == 200
        return [u["username"] for u in response.json()["items"]]

    assert names("?q=kam2") == ["kam2_t"]
    assert sorted(names("?role=kam")) == ["kam2_t", "kam_t"]
    assert names(f"?org_unit_id={europe.pk}") == ["kam_t"]
    assert names("?active=false") == ["kam2_t"]
    assert api(admin_user, "get", "/organisation/users?limit=2").json()["count"] == 4
    assert api(admin_user, "get", "/organisation/users?role=wizard").status_code == 422


def test_patch_changes_only_what_is_sent(api, admin_user, head, kam, europe):
    kam.org_unit = europe
    kam.save()

    response = api(admin_user, "patch", f"/organisation/users/{kam.pk}", {"role": "head", "manager_id": head.pk})

    assert response.status_code == 200
    kam.refresh_from_db()
    assert (kam.role, kam.manager, kam.org_unit, kam.first_name) == (Role.HEAD, head, europe, "Kam_T")
    response = api(admin_user, "patch", f"/organisation/users/{kam.pk}", {"org_unit_id": None})
    assert response.json()["org_unit_id"] is None
    assert api(admin_user, "patch", f"/organisation/users/{kam.pk}", {"role": None}).status_code == 422
    assert api(admin_user, "get", f"/organisation/users/{kam.pk}").json()["role"] == "head"
    assert api(admin_user, "get", "/organisation/users/999999").status_code == 404


def test_patch_role_admin_sets_the_flags(api, admin_user, kam):
    api(admin_user, "patch", f"/organisation/users/{kam.pk}", {"role": "admin"})
    kam.refresh_from_db()
    assert (kam.is_staff, kam.is_superuser) == (True, True)


def test_deactivating_ends_the_users_api_access(api, admin_user, kam):
    _token, raw = token_create(user=kam)

    response = api(admin_user, "patch", f"/organisation/users/{kam.pk}", {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert token_authenticate(raw) is None
    assert api(kam, "get", "/me").status_code == 401


def test_patch_refuses_a_manager_cycle_and_self_demotion(api, admin_user, head, kam):
    api(admin_user, "patch", f"/organisation/users/{kam.pk}", {"manager_id": head.pk})

    cycle = api(admin_user, "patch", f"/organisation/users/{head.pk}", {"manager_id": kam.pk})
    demote = api(admin_user, "patch", f"/organisation/users/{admin_user.pk}", {"role": "kam"})

    assert cycle.status_code == 422
    assert cycle.json()["detail"][0]["loc"][-1] == "manager_id"
    assert demote.status_code == 422
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_the_invitation_is_sent_again(api, admin_user, kam):
    nina = user_create(username="nina", password=None, email="nina@example.com")

    response = api(admin_user, "post", f"/organisation/users/{nina.pk}/invitation")

    assert response.status_code == 200
    assert response.json() == {"sent_to": "nina@example.com"}
    assert len(mail.outbox) == 1
    assert api(admin_user, "post", f"/organisation/users/{kam.pk}/invitation").status_code == 422
    assert len(mail.outbox) == 1


def test_org_units_create_change_and_refuse_a_cycle(api, admin_user, kam, europe):
    created = api(
        admin_user, "post", "/organisation/org-units", {"name": "Switzerland", "country": "CH", "parent_id": europe.pk}
    )
    assert created.status_code == 201
    swiss = created.json()
    assert (swiss["parent_id"], swiss["country"], swiss["team_size"]) == (europe.pk, "CH", 0)
    kam.org_unit_id = swiss["id"]
    kam.save()

    listed = api(admin_user, "get", "/organisation/org-units").json()
    assert {u["name"]: u["team_size"] for u in listed["items"]} == {"Europe": 0, "Switzerland": 1}

    renamed = api(admin_user, "patch", f"/organisation/org-units/{swiss['id']}", {"code": "CH"})
    assert renamed.status_code == 200
    assert (renamed.json()["code"], renamed.json()["name"], renamed.json()["parent_id"]) == (
        "CH",
        "Switzerland",
        europe.pk,
    )

    cycle = api(admin_user, "patch", f"/organisation/org-units/{europe.pk}", {"parent_id": swiss["id"]})
    assert cycle.status_code == 422
    assert cycle.json()["detail"][0]["loc"][-1] == "parent_id"
    duplicate = api(admin_user, "post", "/organisation/org-units", {"name": "Europe"})
    assert duplicate.status_code == 422
    assert api(admin_user, "post", "/organisation/org-units", {"name": "X", "country": "ch"}).status_code == 422
