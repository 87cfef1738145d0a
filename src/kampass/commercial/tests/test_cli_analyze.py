"""``kampass analyze profitability|leakage``: the JSON contract and the figures behind it."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kampass.commercial.tests.conftest import World, expected, money
from kampass.core.profitability import LEAKAGE_KEYS

ACCOUNT_KEYS = {"account_id", "account", "gross_revenue", "pocket_revenue", "contribution", "leakage"}
TOTALS_KEYS = {"gross_revenue", "pocket_revenue", "leakage", "lines"}


def analyze(*args: str) -> Any:
    """Run ``analyze`` and parse what it printed as exactly one JSON document."""
    out = StringIO()
    call_command("analyze", *args, stdout=out)
    return json.loads(out.getvalue())


def assert_decimal_string(value: Any) -> None:
    assert isinstance(value, str)
    assert Decimal(value) == Decimal(value).quantize(Decimal("0.01"))
    assert "." in value
    assert len(value.rsplit(".", 1)[1]) == 2


def test_profitability_json_contract(world: World):
    # when
    doc = analyze("profitability", "--json")
    # then
    assert set(doc) >= {"accounts", "totals"}
    assert set(doc["totals"]) >= TOTALS_KEYS
    assert isinstance(doc["totals"]["lines"], int)
    for row in doc["accounts"]:
        assert set(row) >= ACCOUNT_KEYS
        assert row["account_id"] is None or isinstance(row["account_id"], int)
        for key in ("gross_revenue", "pocket_revenue", "contribution"):
            assert_decimal_string(row[key])
        assert set(row["leakage"]) == set(LEAKAGE_KEYS)
        for value in row["leakage"].values():
            assert_decimal_string(value)
    for key in ("gross_revenue", "pocket_revenue"):
        assert_decimal_string(doc["totals"][key])


def test_profitability_json_figures(world: World):
    # when
    doc = analyze("profitability", "--json")
    # then
    rows = {r["account_id"]: r for r in doc["accounts"]}
    for account in (world.group, world.north, world.south, world.foreign):
        exp = expected(world.rows_of(account))
        assert rows[account.pk]["account"] == account.name
        assert rows[account.pk]["gross_revenue"] == money(exp.gross)
        assert rows[account.pk]["pocket_revenue"] == money(exp.pocket)
        assert rows[account.pk]["contribution"] == money(exp.contribution)
        assert rows[account.pk]["leakage"] == {k: money(v) for k, v in exp.leakage.items()}
    unassigned = expected(world.unassigned_rows)
    assert rows[None]["account"] == "unassigned"
    assert rows[None]["pocket_revenue"] == money(unassigned.pocket)
    exp = expected(world.rows)
    totals = doc["totals"]
    assert totals["lines"] == len(world.rows)
    assert totals["gross_revenue"] == money(exp.gross)
    assert totals["pocket_revenue"] == money(exp.pocket)
    assert totals["leakage"] == {k: money(v) for k, v in exp.leakage.items()}
    leakage = sum((Decimal(v) for v in totals["leakage"].values()), Decimal(0))
    assert Decimal(totals["gross_revenue"]) - leakage == Decimal(totals["pocket_revenue"])


def test_profitability_of_a_subtree(world: World):
    # when
    doc = analyze("profitability", "--json", "--account", str(world.group.pk), "--subtree")
    # then
    assert {r["account_id"] for r in doc["accounts"]} == {world.group.pk, world.north.pk, world.south.pk}
    exp = expected(world.rows_of(world.group, world.north, world.south))
    assert doc["totals"]["lines"] == exp.lines
    assert doc["totals"]["pocket_revenue"] == money(exp.pocket)
    assert Decimal(doc["totals"]["gross_revenue"]) == sum(Decimal(r["gross_revenue"]) for r in doc["accounts"])


def test_profitability_of_one_account(world: World):
    # when
    doc = analyze("profitability", "--json", "--account", str(world.north.pk))
    # then
    assert [r["account_id"] for r in doc["accounts"]] == [world.north.pk]
    assert doc["totals"]["pocket_revenue"] == money(expected(world.rows_of(world.north)).pocket)


def test_leakage_json(world: World):
    # when
    doc = analyze("leakage", "--json")
    # then
    exp = expected(world.rows)
    assert doc["scope"] == {"account_id": None, "subtree": False}
    assert doc["gross_revenue"] == money(exp.gross)
    assert doc["pocket_revenue"] == money(exp.pocket)
    assert doc["leakage_total"] == money(exp.leakage_total)
    assert [c["category"] for c in doc["categories"]] == list(LEAKAGE_KEYS)
    for c in doc["categories"]:
        assert c["amount"] == money(exp.leakage[c["category"]])
        assert c["share_of_gross"] == pytest.approx(float(exp.leakage[c["category"]] / exp.gross), abs=1e-6)
    by_id = {a["account_id"]: a for a in doc["accounts"]}
    assert by_id[world.north.pk]["leakage_total"] == money(expected(world.rows_of(world.north)).leakage_total)


def test_leakage_of_a_subtree_in_german(world: World):
    # when
    doc = analyze("leakage", "--json", "--account", str(world.group.pk), "--subtree", "--lang", "de")
    # then
    assert doc["scope"] == {"account_id": world.group.pk, "subtree": True}
    assert doc["leakage_total"] == money(expected(world.rows_of(world.group, world.north, world.south)).leakage_total)
    assert doc["categories"][0]["label"] == "Rabatte und Boni"


def test_profitability_as_a_table(world: World):
    # when
    out = StringIO()
    call_command("analyze", "profitability", stdout=out)
    # then
    text = out.getvalue()
    assert world.north.name in text
    assert "unassigned" in text
    assert f"{expected(world.rows).pocket:,.2f}" in text


@pytest.mark.parametrize("analysis", ["profitability", "leakage"])
def test_unknown_account_is_a_command_error(world: World, analysis: str):
    # when / then
    with pytest.raises(CommandError, match="999999"):
        call_command("analyze", analysis, "--json", "--account", "999999", stdout=StringIO())


def test_empty_store_gives_zero_totals(db):
    # when
    doc = analyze("profitability", "--json")
    # then
    assert doc["accounts"] == []
    assert doc["totals"]["lines"] == 0
    assert doc["totals"]["pocket_revenue"] == "0.00"
