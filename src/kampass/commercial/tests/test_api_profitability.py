"""The profitability endpoints: figures checked against a plain-Python P&L of the inserted lines, and the
permissions (a key account manager sees only the accounts whose team they are on)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kampass.commercial.tests.conftest import Expected, World, expected, money
from kampass.core.profitability import LEAKAGE_KEYS

Api = Callable[..., Any]


def assert_figures(doc: dict[str, Any], exp: Expected) -> None:
    """An account row (or the totals) of the API equals the independent P&L."""
    assert doc["lines"] == exp.lines
    assert doc["gross_revenue"] == money(exp.gross)
    assert doc["pocket_revenue"] == money(exp.pocket)
    assert doc["invoice_revenue"] == money(exp.invoice)
    assert doc["contribution"] == money(exp.contribution)
    assert doc["leakage"] == {k: money(v) for k, v in exp.leakage.items()}
    # the waterfall identity, on the strings the client gets
    leakage = sum((Decimal(v) for v in doc["leakage"].values()), Decimal(0))
    assert Decimal(doc["gross_revenue"]) - leakage == Decimal(doc["pocket_revenue"])


def by_id(doc: dict[str, Any]) -> dict[int | None, dict[str, Any]]:
    return {row["account_id"]: row for row in doc["accounts"]}


# ---------------------------------------------------------------- /profitability


def test_head_sees_every_account_unassigned_lines_and_totals(api: Api, head, world: World):
    # when
    response = api(head, "get", "/profitability")
    # then
    assert response.status_code == 200
    doc = response.json()
    rows = by_id(doc)
    assert set(rows) == {world.group.pk, world.north.pk, world.south.pk, world.foreign.pk, None}
    for account in (world.group, world.north, world.south, world.foreign):
        assert rows[account.pk]["account"] == account.name
        assert_figures(rows[account.pk], expected(world.rows_of(account)))
    assert rows[None]["account"] == "unassigned"
    assert_figures(rows[None], expected(world.unassigned_rows))
    totals = doc["totals"]
    exp = expected(world.rows)
    assert totals["lines"] == len(world.rows) == exp.lines
    assert totals["gross_revenue"] == money(exp.gross)
    assert totals["pocket_revenue"] == money(exp.pocket)
    assert totals["contribution"] == money(exp.contribution)
    assert totals["leakage"] == {k: money(v) for k, v in exp.leakage.items()}
    assert sum(r["lines"] for r in doc["accounts"]) == totals["lines"]


def test_accounts_are_sorted_by_contribution(api: Api, head, world: World):
    # when
    doc = api(head, "get", "/profitability").json()
    # then
    contributions = [Decimal(r["contribution"]) for r in doc["accounts"]]
    assert contributions == sorted(contributions, reverse=True)


def test_subtree_lists_the_accounts_below_and_sums_them(api: Api, head, world: World):
    # when
    doc = api(head, "get", f"/profitability?account_id={world.group.pk}&subtree=true").json()
    # then
    rows = by_id(doc)
    assert set(rows) == {world.group.pk, world.north.pk, world.south.pk}
    totals = doc["totals"]
    for key in ("gross_revenue", "pocket_revenue", "contribution"):
        assert Decimal(totals[key]) == sum(Decimal(r[key]) for r in doc["accounts"])
    for key in LEAKAGE_KEYS:
        assert Decimal(totals["leakage"][key]) == sum(Decimal(r["leakage"][key]) for r in doc["accounts"])
    exp = expected(world.rows_of(world.group, world.north, world.south))
    assert totals["lines"] == exp.lines
    assert totals["gross_revenue"] == money(exp.gross)
    assert totals["pocket_revenue"] == money(exp.pocket)


def test_one_account_without_subtree(api: Api, head, world: World):
    # when
    doc = api(head, "get", f"/profitability?account_id={world.group.pk}").json()
    # then
    assert [r["account_id"] for r in doc["accounts"]] == [world.group.pk]
    assert_figures(doc["accounts"][0], expected(world.rows_of(world.group)))
    assert doc["totals"]["lines"] == len(world.rows_of(world.group))


def test_kam_sees_only_the_accounts_of_their_team(api: Api, kam, world: World):
    # when
    doc = api(kam, "get", "/profitability").json()
    # then: the group and its subsidiaries, no foreign account, no unassigned lines
    assert set(by_id(doc)) == {world.group.pk, world.north.pk, world.south.pk}
    exp = expected(world.rows_of(world.group, world.north, world.south))
    assert doc["totals"]["lines"] == exp.lines
    assert doc["totals"]["pocket_revenue"] == money(exp.pocket)


def test_kam_reads_the_subtree_of_a_subsidiary(api: Api, kam, world: World):
    # when
    response = api(kam, "get", f"/profitability?account_id={world.north.pk}&subtree=true")
    # then
    assert response.status_code == 200
    assert_figures(response.json()["accounts"][0], expected(world.rows_of(world.north)))


@pytest.mark.parametrize(
    "path",
    [
        "/profitability?account_id={id}",
        "/profitability?account_id={id}&subtree=true",
        "/leakage?account_id={id}",
        "/accounts/{id}/profitability",
        "/accounts/{id}/profitability?subtree=true",
        "/accounts/{id}/lines",
    ],
)
def test_kam_gets_403_for_a_foreign_account(api: Api, kam, world: World, path: str):
    # when
    response = api(kam, "get", path.format(id=world.foreign.pk))
    # then
    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_see_all_figures(api: Api, request, world: World, role: str):
    # given
    user = request.getfixturevalue(role)
    # when
    everything = api(user, "get", "/profitability").json()
    foreign = api(user, "get", f"/profitability?account_id={world.foreign.pk}")
    # then
    assert None in by_id(everything)
    assert everything["totals"]["lines"] == len(world.rows)
    assert foreign.status_code == 200
    assert_figures(foreign.json()["accounts"][0], expected(world.rows_of(world.foreign)))


@pytest.mark.parametrize(
    "path",
    [
        "/profitability",
        "/leakage",
        "/portfolio",
        "/accounts/{id}/profitability",
        "/accounts/{id}/lines",
        "/customer-links",
        "/imports",
    ],
)
def test_unauthenticated_is_401(api: Api, world: World, path: str):
    # when
    response = api(None, "get", path.format(id=world.group.pk))
    # then
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path", ["/profitability?account_id=999999", "/accounts/999999/profitability", "/accounts/999999/lines"]
)
def test_unknown_account_is_404(api: Api, head, world: World, path: str):
    # when
    response = api(head, "get", path)
    # then
    assert response.status_code == 404


def test_profitability_without_lines_is_zero(api: Api, head):
    # when
    doc = api(head, "get", "/profitability").json()
    # then
    assert doc["accounts"] == []
    assert doc["totals"]["lines"] == 0
    assert doc["totals"]["gross_revenue"] == "0.00"


# ---------------------------------------------------------------- /leakage


def test_leakage_by_category_with_share_of_gross(api: Api, head, world: World):
    # when
    doc = api(head, "get", "/leakage").json()
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
        assert c["label"]
    totals = [Decimal(a["leakage_total"]) for a in doc["accounts"]]
    assert totals == sorted(totals, reverse=True)
    north = next(a for a in doc["accounts"] if a["account_id"] == world.north.pk)
    assert north["leakage"] == {"returns": "8.40", "freight": "25.00", "other": "3.33"}


def test_leakage_of_a_subtree(api: Api, kam, world: World):
    # when
    doc = api(kam, "get", f"/leakage?account_id={world.group.pk}&subtree=true").json()
    # then
    exp = expected(world.rows_of(world.group, world.north, world.south))
    assert doc["scope"] == {"account_id": world.group.pk, "subtree": True}
    assert doc["leakage_total"] == money(exp.leakage_total)
    assert {a["account_id"] for a in doc["accounts"]} == {world.group.pk, world.north.pk, world.south.pk}


def test_leakage_labels_follow_the_users_language(api: Api, head, world: World):
    # given
    head.language = "de"
    head.save()
    # when
    doc = api(head, "get", "/leakage").json()
    # then
    assert doc["categories"][0]["label"] == "Rabatte und Boni"


# ---------------------------------------------------------------- /accounts/{id}/profitability


def test_account_profitability_figures_waterfall_and_months(api: Api, kam, world: World):
    # when
    response = api(kam, "get", f"/accounts/{world.north.pk}/profitability")
    # then
    assert response.status_code == 200
    doc = response.json()
    rows = world.rows_of(world.north)
    exp = expected(rows)
    assert (doc["account_id"], doc["account"], doc["subtree"]) == (world.north.pk, world.north.name, False)
    assert_figures(doc["figures"], exp)
    assert doc["leakage_total"] == money(exp.leakage_total)
    assert doc["leakage_share"] == pytest.approx(float(exp.leakage_total / exp.gross))
    steps = doc["waterfall"]
    assert [s["key"] for s in steps] == [
        "gross_revenue", "invoice_revenue", "returns", "freight", "other", "pocket_revenue", "costs", "contribution"
    ]  # fmt: skip
    assert steps[0] == {
        "key": "gross_revenue", "label": "Gross revenue", "kind": "total", "amount": money(exp.gross),
        "start": "0.00", "end": money(exp.gross),
    }  # fmt: skip
    level = exp.gross
    for step in steps[1:]:
        if step["kind"] == "leakage":
            assert Decimal(step["start"]) == level
            level -= Decimal(step["amount"])
            assert Decimal(step["end"]) == level
        else:
            assert Decimal(step["end"]) == level
    assert steps[-3]["end"] == money(exp.pocket)
    assert steps[-1]["end"] == money(exp.contribution)
    months = {m["month"]: m for m in doc["months"]}
    assert list(months) == ["2011-01-01", "2011-02-01"]
    for month, m in months.items():
        in_month = [r for r in rows if r["invoice_date"].strftime("%Y-%m-01") == month]
        e = expected(in_month)
        assert m["gross_revenue"] == money(e.gross)
        assert m["leakage"] == money(e.leakage_total)
        assert m["pocket_revenue"] == money(e.pocket)
        assert m["orders"] == len({r["invoice_no"] for r in in_month})
        assert m["product_groups"] == len({r["product_group"] for r in in_month})


def test_account_profitability_of_a_subtree(api: Api, head, world: World):
    # when
    doc = api(head, "get", f"/accounts/{world.group.pk}/profitability?subtree=true").json()
    # then
    exp = expected(world.rows_of(world.group, world.north, world.south))
    assert doc["subtree"] is True
    assert_figures(doc["figures"], exp)
    assert sum(Decimal(m["pocket_revenue"]) for m in doc["months"]) == exp.pocket


# ---------------------------------------------------------------- /accounts/{id}/lines


def test_lines_are_paged_newest_first(api: Api, kam, world: World):
    # when
    first = api(kam, "get", f"/accounts/{world.north.pk}/lines?limit=4").json()
    rest = api(kam, "get", f"/accounts/{world.north.pk}/lines?limit=4&offset=4").json()
    # then
    rows = world.rows_of(world.north)
    assert first["count"] == rest["count"] == len(rows)
    items = first["items"] + rest["items"]
    assert len(first["items"]) == 4
    assert len(items) == len(rows)
    dates = [dt.datetime.fromisoformat(i["invoice_date"]) for i in items]
    assert dates == sorted(dates, reverse=True)
    assert sum(Decimal(i["amount"]) for i in items) == expected(rows).pocket
    assert {i["customer_id"] for i in items} == {"N1", "N2"}


def test_lines_filtered_by_category_and_subtree(api: Api, head, world: World):
    # when
    freight = api(head, "get", f"/accounts/{world.group.pk}/lines?subtree=true&category=freight").json()
    goods = api(head, "get", f"/accounts/{world.group.pk}/lines?category=goods").json()
    # then: only the negative freight line is leakage (the freight charged to the group is revenue)
    assert freight["count"] == 1
    assert freight["items"][0] | {"invoice_date": None} == {
        "invoice_no": "501", "invoice_date": None, "customer_id": "N1", "stock_code": "POST",
        "description": "item POST", "quantity": "1.0000", "unit_price": "-25.0000", "amount": "-25.0000",
        "currency": "GBP", "category": "freight",
    }  # fmt: skip
    assert goods["count"] == 1
    assert goods["items"][0]["amount"] == "125.0000"


def test_lines_with_unknown_category_is_422(api: Api, head, world: World):
    # when
    response = api(head, "get", f"/accounts/{world.group.pk}/lines?category=bribes")
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["category"]


# ---------------------------------------------------------------- /portfolio


def test_portfolio_abc_whale_and_top_leakage(api: Api, controller, world: World):
    # when
    doc = api(controller, "get", "/portfolio").json()
    # then
    accounts = (world.group, world.north, world.south, world.foreign)
    contribution = {a.pk: expected(world.rows_of(a)).contribution for a in accounts}
    ranking = sorted(contribution, key=lambda pk: contribution[pk], reverse=True)
    assert [r["account_id"] for r in doc["abc"]] == ranking
    assert [r["rank"] for r in doc["abc"]] == [1, 2, 3, 4]
    total = sum(contribution.values())
    cumulative = Decimal(0)
    for row in doc["abc"]:
        cumulative += contribution[row["account_id"]]
        assert row["contribution"] == money(contribution[row["account_id"]])
        assert row["share"] == pytest.approx(float(contribution[row["account_id"]] / total))
        assert row["cumulative_share"] == pytest.approx(float(cumulative / total))
        before = float((cumulative - contribution[row["account_id"]]) / total)
        assert row["abc"] == ("A" if before < 0.8 else "B" if before < 0.95 else "C")
    assert sum(doc["class_counts"].values()) == 4
    assert doc["whale"][0] == {"account_share": 0.0, "cumulative_share": 0.0}
    assert doc["whale"][-1]["account_share"] == pytest.approx(1.0)
    assert doc["whale"][-1]["cumulative_share"] == pytest.approx(1.0)
    leakage = [Decimal(r["leakage_total"]) for r in doc["top_leakage"]]
    assert leakage == sorted(leakage, reverse=True)
    assert doc["top_leakage"][0]["account_id"] == world.foreign.pk
    assert doc["totals"]["lines"] == len(world.rows)
    assert doc["totals"]["pocket_revenue"] == money(expected(world.rows).pocket)


def test_portfolio_of_a_kam_has_only_their_accounts(api: Api, kam, world: World):
    # when
    doc = api(kam, "get", "/portfolio").json()
    # then
    assert {r["account_id"] for r in doc["abc"]} == {world.group.pk, world.north.pk, world.south.pk}
    assert world.foreign.pk not in {r["account_id"] for r in doc["top_leakage"]}
    assert doc["totals"]["lines"] == len(world.rows_of(world.group, world.north, world.south))


def test_portfolio_without_lines_is_empty(api: Api, head):
    # when
    doc = api(head, "get", "/portfolio").json()
    # then
    assert doc["abc"] == []
    assert doc["top_leakage"] == []
    assert doc["totals"]["lines"] == 0
