"""Fixtures for the organisation tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kampass.users.models import User
from kampass.users.services import token_create


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
