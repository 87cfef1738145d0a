"""The API keeps its OpenAPI contract as a key account manager (the fuzzing phase: permissions and the
answers filtered to the KAM's accounts); see ``test_contract.py`` and ``conftest.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = [
    pytest.mark.database,  # the server's processes open their own SQLite database (not in `make test-fast`)
    pytest.mark.own_sqlite,  # whatever DATABASE_URL says: runs once, in the SQLite run of `make test`
]


def test_every_operation_keeps_the_documented_contract_as_kam(contract: Callable[[str], None]) -> None:
    contract("kam")
