"""The API's documentation (``/api/v1/docs`` and ``/api/v1/openapi.json``) is behind the login in
production and open while debugging."""

from __future__ import annotations

import pytest

from kampass.users.services import token_create

DOCS = "/api/v1/docs"
SCHEMA = "/api/v1/openapi.json"


def test_without_login_the_docs_page_sends_to_the_login(client, db, settings):
    settings.DEBUG = False
    # when an anonymous visitor opens the interactive docs
    response = client.get(DOCS)
    # then they are sent to the login, and come back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={DOCS}"


def test_without_credentials_the_openapi_document_is_refused(client, db, settings):
    settings.DEBUG = False
    response = client.get(SCHEMA)
    assert response.status_code == 401
    assert "paths" not in response.json()


def test_an_unknown_token_does_not_open_the_openapi_document(client, db, settings):
    settings.DEBUG = False
    response = client.get(SCHEMA, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


@pytest.mark.parametrize("path", [DOCS, SCHEMA])
def test_a_logged_in_user_reads_the_docs(client, viewer, settings, path):
    settings.DEBUG = False
    client.force_login(viewer)
    response = client.get(path)
    assert response.status_code == 200


def test_a_token_holder_reads_the_openapi_document(client, viewer, settings):
    settings.DEBUG = False
    _, raw = token_create(user=viewer)
    response = client.get(SCHEMA, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert "/api/v1/accounts" in response.json()["paths"]


@pytest.mark.parametrize("path", [DOCS, SCHEMA])
def test_while_debugging_the_docs_are_open(client, db, settings, path):
    settings.DEBUG = True
    assert client.get(path).status_code == 200
