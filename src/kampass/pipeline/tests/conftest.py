"""Fixtures for the pipeline tests: an account tree with kam on the team of the parent,
opportunities on it, and an API caller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.users.models import User


@pytest.fixture(autouse=True)
def _data_directory_per_test(settings: Any, tmp_path: Path) -> None:
    settings.KAMPASS_HOME = tmp_path / "home"


@pytest.fixture
def group(kam: User) -> Account:
    """A group account whose team kam is on."""
    account = AccountFactory(name="Schindler Group", currency="EUR", industry="Machinery", country="CH")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def site(group: Account) -> Account:
    """A site below the group (kam may edit it through the group's team)."""
    return AccountFactory(name="Schindler Ebikon", parent=group, industry="Machinery", country="CH")


@pytest.fixture
def other(kam2: User) -> Account:
    """An account of another team (kam2's)."""
    account = AccountFactory(name="Kone Oyj", currency="EUR", industry="Machinery", country="FI")
    TeamMemberFactory(account=account, user=kam2)
    return account
