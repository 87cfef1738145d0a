"""Fixtures shared by all tests."""

from __future__ import annotations

import pytest

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
