"""Fixtures for the organisation tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kampass.organisation.models import Competence, FunctionRole, ProcessActivity
from kampass.organisation.seed import seed_current
from kampass.users.models import User
from kampass.users.services import token_create


@pytest.fixture
def catalogue(db) -> None:
    """The built-in catalogues (the data migration loads them; this makes sure after a flush)."""
    seed_current()


@pytest.fixture
def activity(catalogue) -> ProcessActivity:
    return ProcessActivity.objects.get(key="offer-pricing-approval")


@pytest.fixture
def roles(catalogue) -> dict[str, FunctionRole]:
    return {r.key: r for r in FunctionRole.objects.all()}


@pytest.fixture
def competences(catalogue) -> dict[str, Competence]:
    return {c.key: c for c in Competence.objects.all()}


@pytest.fixture
def api(client: Client) -> Callable[..., Any]:
    """Call ``/api/v1<path>`` as ``user`` with a fresh personal access token."""

    def call(user: User, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        _, raw = token_create(user=user)
        kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {raw}"}}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call
