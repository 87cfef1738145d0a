"""The API keeps its OpenAPI contract: schemathesis fuzzes every operation of ``/api/v1/openapi.json``
against a live ``kampass serve`` holding the demo data, as head of KAM and as a key account manager.

Checks (``tests/api/schemathesis.toml``): no server error, every status code, content type, response
body and header as documented, schema-violating requests rejected (``negative_data_rejection``) and
schema-valid ones accepted (``positive_data_acceptance``): refused only for their permissions, an id in
the path that names nothing (404), a stale version (409), or -- on the operations that document such
rules in their 422 and only there -- a rule the schema cannot express (a name that is taken, a closed
round; ``test_contract_config.py`` keeps the settings and the document in step).
Examples are bounded and generated deterministically, so a run takes minutes and repeats itself. The
coverage phase (every boundary and invalid value of the schema) runs as head of KAM only (``PHASES``).

Runs in the SQLite run of ``make test`` (the server uses its own SQLite data directory; the
PostgreSQL run leaves it out: marker ``own_sqlite``). Set ``KAMPASS_CONTRACT_EXAMPLES`` to change the
examples per operation.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = [
    pytest.mark.database,  # the server's processes open their own SQLite database (not in `make test-fast`)
    pytest.mark.own_sqlite,  # whatever DATABASE_URL says: runs once, in the SQLite run of `make test`
]


def test_every_operation_keeps_the_documented_contract_as_head(contract: Callable[[str], None]) -> None:
    contract("head")
