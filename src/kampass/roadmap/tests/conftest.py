"""Fixtures for the roadmap tests."""

from __future__ import annotations

from typing import Any

import pytest

from kampass.users.models import User


@pytest.fixture
def key_account(admin_user: User) -> Any:
    from kampass.accounts.tests.factories import AccountFactory

    return AccountFactory(name="Globex", kam_status="key_account")


@pytest.fixture
def prospect(admin_user: User) -> Any:
    from kampass.accounts.tests.factories import AccountFactory

    return AccountFactory(name="Tiny prospect")
