"""The API's wiring: the routers of every context, the two ways to authenticate, and
the services' exceptions turned into JSON."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from kampass.config.api import api, object_not_found, validation_failed
from kampass.users.models import ApiToken, User
from kampass.users.services import token_create, token_revoke


def bearer(user: User) -> dict[str, str]:
    _, raw = token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_the_openapi_document_lists_the_routers_of_all_six_contexts(client, head):
    # when a logged-in user asks for it
    client.force_login(head)
    response = client.get("/api/v1/openapi.json")

    # then
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "kampass API"
    tags = {tag for path in doc["paths"].values() for op in path.values() for tag in op.get("tags", [])}
    assert tags >= {"accounts", "commercial", "pipeline", "programme", "organisation", "roadmap"}
    assert "/api/v1/accounts" in doc["paths"]
    assert {"TokenAuth", "SessionAuth"} <= set(doc["components"]["securitySchemes"])


def test_without_credentials_the_api_answers_401_with_how_to_authenticate(client, db):
    # when
    response = client.get("/api/v1/accounts")

    # then
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_an_unknown_token_is_refused(client, db):
    # when
    response = client.get("/api/v1/accounts", headers={"Authorization": "Bearer kp_not-a-token"})

    # then
    assert response.status_code == 401


def _expired(user: User) -> str:
    token, raw = token_create(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return raw


def _revoked(user: User) -> str:
    token, raw = token_create(user=user)
    token_revoke(token=token)
    return raw


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda user: "Bearer kp_not-a-token", id="unknown"),
        pytest.param(lambda user: f"Bearer {_expired(user)}", id="expired"),
        pytest.param(lambda user: f"Bearer {_revoked(user)}", id="revoked"),
        pytest.param(lambda user: "Bearer ", id="empty"),
        pytest.param(lambda user: "Basic a2FtOnB3", id="other-scheme"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_is_answered_401_even_with_a_logged_in_session(client, kam, authorization, method):
    # given: a logged-in browser session that alone would be let in
    client.force_login(kam)
    assert client.get("/api/v1/accounts").status_code == 200

    # when: the same request carries a token that is not (or no longer) valid
    response = getattr(client, method)("/api/v1/accounts", headers={"Authorization": authorization(kam)})

    # then: refused by the token, not let in by the session
    assert response.status_code == 401
    assert "invalid, expired or revoked" in response.json()["detail"]


@pytest.mark.parametrize("bad", [_expired, _revoked])
def test_an_expired_or_revoked_token_alone_is_answered_401_with_a_detail(client, kam, bad):
    # when
    response = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {bad(kam)}"})

    # then
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_a_token_authenticates_its_owner(client, kam):
    # when
    response = client.get("/api/v1/accounts", headers=bearer(kam))

    # then
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_api_speaks_the_token_owners_language(client, kam):
    # given
    User.objects.filter(pk=kam.pk).update(language="de")
    kam.refresh_from_db()

    # when
    response = client.get("/api/v1/accounts/999999", headers=bearer(kam))

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Nicht gefunden."}


def test_the_browser_session_authenticates_reads(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.get("/api/v1/accounts")

    # then
    assert response.status_code == 200


def test_a_session_write_without_the_csrf_token_is_refused(kam):
    # given: a browser session in a client that enforces CSRF as browsers do
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(kam)

    # when
    response = browser.post("/api/v1/accounts", data={"name": "Acme"}, content_type="application/json")

    # then
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["detail"]


def test_a_session_write_with_the_csrf_token_goes_through(kam):
    # given
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(kam)
    browser.get("/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    # when
    response = browser.post(
        "/api/v1/accounts", data={"name": "Acme"}, content_type="application/json", headers={"X-CSRFToken": token}
    )

    # then
    assert response.status_code == 201
    assert response.json()["name"] == "Acme"


def test_a_permission_denied_becomes_403_with_the_reason(client, viewer):
    # when: a viewer may not create accounts
    response = client.post(
        "/api/v1/accounts", data={"name": "Acme"}, content_type="application/json", headers=bearer(viewer)
    )

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}


def test_a_missing_object_becomes_404(client, kam):
    # when
    response = client.get("/api/v1/accounts/999999", headers=bearer(kam))

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_malformed_request_and_a_service_refusal_share_the_422_shape(client, kam):
    # when
    malformed = client.post("/api/v1/accounts", data={}, content_type="application/json", headers=bearer(kam))
    refused = client.post("/api/v1/accounts", data={"name": ""}, content_type="application/json", headers=bearer(kam))

    # then
    assert malformed.status_code == 422
    assert refused.status_code == 422
    for response in (malformed, refused):
        assert all({"loc", "msg"} <= set(item) for item in response.json()["detail"])


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ValidationError({"name": ["Required.", "Too short."]}), [(["name"], "Required."), (["name"], "Too short.")]),
        (ValidationError({NON_FIELD_ERRORS: ["Clash."]}), [([], "Clash.")]),
        (ValidationError(["One.", "Two."]), [([], "One."), ([], "Two.")]),
        (ValidationError("Plain."), [([], "Plain.")]),
    ],
)
def test_validation_errors_name_the_field_or_none(error, expected):
    # when
    response = validation_failed(RequestFactory().get("/api/v1/x"), error)

    # then
    assert response.status_code == 422
    assert [(d["loc"], d["msg"]) for d in json.loads(response.content)["detail"]] == expected


def test_an_object_that_does_not_exist_becomes_404():
    # when
    with translation.override("en"):
        response = object_not_found(RequestFactory().get("/api/v1/x"), ObjectDoesNotExist("gone"))

    # then
    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": "Not found."}


def test_the_api_is_mounted_once_under_its_namespace():
    assert api.urls_namespace == "api"
    assert api.version == "1"


def test_a_save_that_loses_a_race_outside_an_update_helper_answers_409(rf):
    """A ``ConcurrentEdit`` no operation caught is a 409 with a message, never a 500."""
    import json

    from kampass.common.concurrency import ConcurrentEdit
    from kampass.common.models import WorkerHeartbeat
    from kampass.config.api import concurrent_edit

    response = concurrent_edit(rf.patch("/api/v1/x"), ConcurrentEdit(WorkerHeartbeat, 1, expected=1))
    assert response.status_code == 409
    assert (
        json.loads(response.content)["detail"] == "Someone else changed this in the meantime. Reload it and try again."
    )
