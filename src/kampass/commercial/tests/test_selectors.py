"""Selectors of the commercial context, checked against a plain-Python P&L of the lines in the analytics store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.commercial import selectors
from kampass.commercial.selectors import Figures
from kampass.commercial.tests.conftest import Expected, World, expected, insert_lines, line
from kampass.core.profitability import LEAKAGE_KEYS


def assert_figures(figures: Figures, exp: Expected) -> None:
    assert figures.lines == exp.lines
    assert figures.gross_revenue == exp.gross
    assert figures.pocket_revenue == exp.pocket
    assert figures.invoice_revenue == exp.invoice
    assert figures.costs == exp.costs
    assert figures.contribution == exp.contribution
    assert figures.leakage == exp.leakage
    assert figures.gross_revenue - figures.leakage_total == figures.pocket_revenue


# ---------------------------------------------------------------- visible_account_ids


@pytest.mark.parametrize("role", ["admin_user", "head", "controller", "viewer"])
def test_everyone_but_kams_sees_all_figures(request, world: World, role: str):
    # when
    visible = selectors.visible_account_ids(request.getfixturevalue(role))
    # then
    assert visible is None


def test_kam_sees_the_subtree_of_their_team_accounts(kam, world: World):
    # when
    visible = selectors.visible_account_ids(kam)
    # then
    assert visible == {world.group.pk, world.north.pk, world.south.pk}


def test_kam_without_a_team_sees_nothing(kam2, world: World):
    # when
    report = selectors.profitability(user=kam2)
    # then
    assert selectors.visible_account_ids(kam2) == set()
    assert report.accounts == []
    assert report.totals.lines == 0


# ---------------------------------------------------------------- profitability


def test_profitability_per_account_with_unassigned_lines(head, world: World):
    # when
    report = selectors.profitability(user=head)
    # then
    rows = {f.account_id: f for f in report.accounts}
    for account in (world.group, world.north, world.south, world.foreign):
        assert rows[account.pk].account == account.name
        assert_figures(rows[account.pk], expected(world.rows_of(account)))
    assert rows[None].account == "unassigned"
    assert_figures(rows[None], expected(world.unassigned_rows))
    assert_figures(report.totals, expected(world.rows))
    assert report.totals.lines == len(world.rows)


def test_subtree_totals_are_the_sum_of_the_accounts_below(head, world: World):
    # when
    report = selectors.profitability(user=head, account=world.group, subtree=True)
    # then
    assert {f.account_id for f in report.accounts} == {world.group.pk, world.north.pk, world.south.pk}
    assert report.totals.account == world.group.name
    assert_figures(report.totals, expected(world.rows_of(world.group, world.north, world.south)))
    for key in LEAKAGE_KEYS:
        assert report.totals.leakage[key] == sum((f.leakage[key] for f in report.accounts), Decimal(0))


def test_profitability_of_one_account(head, world: World):
    # when
    report = selectors.profitability(user=head, account=world.north)
    # then
    assert [f.account_id for f in report.accounts] == [world.north.pk]
    assert_figures(report.totals, expected(world.rows_of(world.north)))


def test_kam_gets_neither_foreign_accounts_nor_unassigned_lines(kam, world: World):
    # when
    report = selectors.profitability(user=kam)
    # then
    assert {f.account_id for f in report.accounts} == {world.group.pk, world.north.pk, world.south.pk}
    assert_figures(report.totals, expected(world.rows_of(world.group, world.north, world.south)))


def test_new_lines_show_up_in_the_figures(head, world: World):
    # given
    extra = [line("900", "S1", "3", "10.00"), line("900", "S1", "1", "-4.00", "penalties")]
    # when
    insert_lines(extra, batch_id="second")
    report = selectors.profitability(user=head, account=world.south)
    # then
    assert_figures(report.totals, expected(world.rows_of(world.south) + extra))
    assert report.totals.leakage["penalties"] == Decimal("4")


def test_as_json_has_the_contract_keys_and_decimal_strings(head, world: World):
    # when
    doc = selectors.profitability(user=head).as_json()
    # then
    assert {"accounts", "totals"} <= set(doc)
    assert {"gross_revenue", "pocket_revenue", "leakage", "lines"} <= set(doc["totals"])
    row = doc["accounts"][0]
    assert {"account_id", "account", "gross_revenue", "pocket_revenue", "contribution", "leakage"} <= set(row)
    assert isinstance(row["gross_revenue"], str)
    assert Decimal(row["gross_revenue"]) == Decimal(row["gross_revenue"]).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- account_profitability


def test_account_profitability_waterfall_and_months(world: World):
    # when
    result = selectors.account_profitability(account=world.group, subtree=True)
    # then
    rows = world.rows_of(world.group, world.north, world.south)
    exp = expected(rows)
    assert_figures(result.figures, exp)
    steps = {s.key: s for s in result.waterfall}
    assert steps["gross_revenue"].end == exp.gross
    assert steps["invoice_revenue"].end == exp.invoice
    assert steps["pocket_revenue"].end == exp.pocket
    assert steps["contribution"].end == exp.contribution
    assert sum((s.amount for s in result.waterfall if s.kind == "leakage" and s.key != "costs"), Decimal(0)) == (
        exp.leakage_total
    )
    assert [m.month.month for m in result.months] == [1, 2]
    assert sum((m.pocket_revenue for m in result.months), Decimal(0)) == exp.pocket


# ---------------------------------------------------------------- account_lines


def test_account_lines_of_a_subtree_are_paged_newest_first(world: World):
    # when
    pages = [selectors.account_lines(account=world.group, subtree=True, limit=5, offset=o) for o in (0, 5, 10)]
    # then
    rows = world.rows_of(world.group, world.north, world.south)
    got = [r for page in pages for r in page.rows]
    assert [page.total for page in pages] == [len(rows)] * 3
    assert [len(page.rows) for page in pages] == [5, 5, 1]
    key = ("invoice_no", "stock_code", "amount")
    assert sorted(tuple(r[k] for k in key) for r in got) == sorted(tuple(r[k] for k in key) for r in rows)
    dates = [r["invoice_date"] for r in got]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("category", "amounts"),
    [("returns", ["-8.4"]), ("other", ["-3.33"]), ("freight", ["-25"]), ("goods", ["50.4", "29.7", "85", "-3.33"])],
)
def test_account_lines_by_category(world: World, category: str, amounts: list[str]):
    # when
    page = selectors.account_lines(account=world.north, category=category)
    # then
    assert sorted(r["amount"] for r in page.rows) == sorted(Decimal(a) for a in amounts)
    assert page.total == len(amounts)


def test_account_lines_without_subtree_are_the_accounts_own(world: World):
    # when
    page = selectors.account_lines(account=world.group)
    # then
    assert page.total == len(world.rows_of(world.group))
    assert {r["customer_id"] for r in page.rows} == {"G1"}


# ---------------------------------------------------------------- portfolio


def test_portfolio_is_kept_while_the_lines_stay_the_same_and_follows_an_import_and_a_rename(head, kam, world: World):
    # given the portfolio read once
    first = selectors.portfolio(user=head)
    # when nothing changed, the same portfolio is answered (kept in the process), and a KAM gets their own
    assert selectors.portfolio(user=head) is first
    assert {r.account_id for r in selectors.portfolio(user=kam).abc} < {r.account_id for r in first.abc}
    # when lines are imported, the portfolio counts them
    insert_lines([line("NEW1", "G1", "10", "1000", date=dt.date(2011, 3, 1))], batch_id="second")
    after = selectors.portfolio(user=head)
    assert after.totals.lines == first.totals.lines + 1
    assert after.totals.gross_revenue == first.totals.gross_revenue + Decimal("10000")
    # when an account is renamed, the portfolio names it so
    world.group.name = "Renamed Group"
    world.group.save()
    assert "Renamed Group" in {r.account for r in selectors.portfolio(user=head).abc}
    assert selectors.pocket_margin_trend() == selectors._pocket_margin_trend()


def test_portfolio_ranks_accounts_by_contribution(head, world: World):
    # when
    result = selectors.portfolio(user=head)
    # then
    accounts = (world.group, world.north, world.south, world.foreign)
    contribution = {a.pk: expected(world.rows_of(a)).contribution for a in accounts}
    assert [r.account_id for r in result.abc] == sorted(contribution, key=contribution.__getitem__, reverse=True)
    assert [r.contribution for r in result.abc] == sorted(contribution.values(), reverse=True)
    assert result.abc[-1].cumulative_share == pytest.approx(1.0)
    assert sum(result.class_counts.values()) == len(accounts)
    assert result.whale[0] == (0.0, 0.0)
    assert len(result.whale) == len(accounts) + 1
    assert_figures(result.totals, expected(world.rows))
    assert result.top_leakage[0].account_id == world.foreign.pk
