"""Fixtures shared by all tests: a fresh analytics store per test, one user per role, and ``api``
(the JSON API as a user). Fixtures of one context live in that context's tests/conftest.py; test
data other contexts' tests may use too lives in a context's tests/factories.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kampass.users.models import Role, User


@pytest.fixture(autouse=True)
def _analytics_store_per_test(settings, tmp_path):
    """Every test gets its own, empty DuckDB analytics store."""
    from kampass.commercial import services

    settings.KAMPASS_ANALYTICS_URL = f"duckdb://{tmp_path / 'analytics.duckdb'}"
    services._synced.clear()
    yield
    services._synced.clear()


def make_user(username: str, role: str) -> User:
    return User.objects.create_user(
        username=username, password="pw-for-tests-1", role=role, first_name=username.title(), last_name="Tester"
    )


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin_t", Role.ADMIN)


@pytest.fixture
def head(db) -> User:
    return make_user("head_t", Role.HEAD)


@pytest.fixture
def kam(db) -> User:
    return make_user("kam_t", Role.KAM)


@pytest.fixture
def kam2(db) -> User:
    return make_user("kam2_t", Role.KAM)


@pytest.fixture
def controller(db) -> User:
    return make_user("controller_t", Role.CONTROLLER)


@pytest.fixture
def viewer(db) -> User:
    return make_user("viewer_t", Role.VIEWER)


@pytest.fixture
def api(client: Client) -> Callable[..., Any]:
    """Call ``/api/v1<path>`` as ``user`` (``None``: without credentials) with a fresh personal access token.

    ``body`` is sent as JSON; ``form`` (a dict that may hold open files) as multipart.
    """
    from kampass.users.services import token_create

    def call(
        user: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: dict[str, Any] | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if user is not None:
            _, raw = token_create(user=user)
            kwargs["headers"] = {"Authorization": f"Bearer {raw}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        if form is not None:
            kwargs["data"] = form
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call
