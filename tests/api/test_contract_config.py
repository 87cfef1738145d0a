"""The contract test's settings (``schemathesis.toml``) and the OpenAPI document agree on which operations may
refuse a schema-valid request with a 422: exactly those whose 422 names the rules a schema cannot express
(``kampass.common.api.refused``). No operation is excused without a documented rule, none blanket-wide."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

CONFIG = Path(__file__).with_name("schemathesis.toml")
RULES = "a rule the schema cannot express: "


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    from kampass.config.api import api

    return api.get_openapi_schema()


def _config() -> dict[str, Any]:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def _documented_rules(doc: dict[str, Any]) -> dict[tuple[str, str], str]:
    found = {}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            description = operation.get("responses", {}).get(422, {}).get("description", "")
            if RULES in description:
                found[(path, method.upper())] = description.split(RULES, 1)[1]
    return found


def _excused(config: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    return {
        (entry["include-path"], entry["include-method"]): statuses
        for entry in config.get("operations", [])
        if (statuses := entry.get("checks", {}).get("positive_data_acceptance", {}).get("expected-statuses"))
    }


def test_every_check_is_on_and_no_422_is_excused_blanket_wide():
    checks = _config()["checks"]
    assert checks["positive_data_acceptance"]["enabled"] is True
    assert checks["negative_data_rejection"]["enabled"] is True
    assert "expected-statuses" not in checks["positive_data_acceptance"]


def test_exactly_the_operations_that_document_a_rule_may_refuse_valid_data_with_a_422(doc):
    excused = _excused(_config())
    assert set(excused) == set(_documented_rules(doc))
    for operation, statuses in excused.items():
        # the default set of the check (schemathesis 4) and the 422 of the documented rule, nothing else
        assert statuses == ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"], operation


def test_each_excused_operation_names_its_rule_in_a_comment(doc):
    text = CONFIG.read_text(encoding="utf-8")
    for (path, method), rules in _documented_rules(doc).items():
        entry = f'include-path = "{path}"\ninclude-method = "{method}"\n# 422 by {RULES}{rules.rstrip(".")}\n'
        assert entry in text, (method, path)
