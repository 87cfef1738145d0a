"""Traffic lights of KPI targets and the roll-up of KPIs over several accounts (pure rules)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kampass.core import kpi_targets as core

D = Decimal


def test_a_value_is_green_amber_or_red_against_a_higher_is_better_target():
    target = core.Target(green=D("0.30"), amber=D("0.20"), higher_is_better=True)

    assert core.light(D("0.30"), target) == "green"
    assert core.light(D("0.2999"), target) == "amber"
    assert core.light(D("0.20"), target) == "amber"
    assert core.light(D("0.1999"), target) == "red"


def test_for_a_lower_is_better_kpi_the_thresholds_are_upper_bounds():
    target = core.Target(green=D("0.05"), amber=D("0.10"), higher_is_better=False)

    assert [core.light(v, target) for v in (0.01, 0.05, 0.07, 0.10, 0.11)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]


def test_no_value_or_no_target_gives_no_light():
    assert core.light(None, core.Target(D(1), D(0))) == ""
    assert core.light(D(1), None) == ""


def test_green_must_be_at_least_as_demanding_as_amber():
    assert core.threshold_error(core.Target(D(1), D(2), higher_is_better=True)) == "order"
    assert core.threshold_error(core.Target(D(2), D(1), higher_is_better=False)) == "order"
    assert core.threshold_error(core.Target(D(2), D(2), higher_is_better=False)) == ""


def test_an_accounts_own_target_replaces_the_general_one():
    general, own = core.Target(D(10), D(5)), core.Target(D(100), D(50))
    rows = [("revenue", 3, own), ("revenue", None, general)]

    assert core.target_for("revenue", 3, rows) is own
    assert core.target_for("revenue", 4, rows) is general
    assert core.target_for("revenue", None, rows) is general
    assert core.target_for("win_rate", 3, rows) is None


def test_shares_of_a_rollup_are_recomputed_from_the_sums_never_averaged():
    big = core.KpiParts("EUR", gross=D(900), pocket=D(810), contribution=D(100), won=9, lost=1)
    small = core.KpiParts("EUR", gross=D(100), pocket=D(50), contribution=D(-10), won=0, lost=2)

    got = core.values(core.rollup([big, small]))

    assert got["revenue"] == D("1000.00")
    assert got["contribution"] == D("90.00")
    assert got["pocket_margin"] == 0.86  # (810 + 50) / 1000, not the mean of 0.9 and 0.5 (0.7)
    assert got["leakage_share"] == 0.14
    assert got["win_rate"] == 0.75  # 9 / 12, not the mean of 0.9 and 0.0


def test_pipeline_coverage_of_a_rollup_counts_only_the_accounts_with_a_sales_target():
    with_target = core.KpiParts("EUR", weighted_pipeline=D(300), sales_target=D(200), targeted=True)
    without = core.KpiParts("EUR", weighted_pipeline=D(700))

    got = core.values(core.rollup([with_target, without]))

    assert got["pipeline_coverage"] == 5.0  # all pipeline (1000) over the only target (200)
    assert core.values(without)["pipeline_coverage"] is None


def test_parts_in_several_currencies_are_refused():
    with pytest.raises(ValueError, match="currencies"):
        core.rollup([core.KpiParts("EUR"), core.KpiParts("USD")])


def test_without_invoices_the_money_kpis_have_no_value():
    got = core.values(core.rollup([core.KpiParts("EUR"), core.KpiParts("EUR")]))

    assert got["revenue"] is None
    assert got["pocket_margin"] is None
    assert got["decision_makers_covered"] == D(0)


def test_outermost_keeps_each_subtree_once():
    paths = {1: "1/", 4: "1/4/", 9: "1/4/9/", 5: "5/", 15: "15/", 16: "15/16/"}

    assert core.outermost(paths) == [1, 5, 15]
    assert core.outermost({4: "1/4/", 9: "1/4/9/", 10: "1/10/"}) == [4, 10]
    # "1/" is no ancestor of "15/" although the text starts alike
    assert core.outermost({1: "1/", 15: "15/"}) == [1, 15]


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(money, money, st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=8))
def test_a_rollups_share_lies_between_the_smallest_and_largest_share_of_its_parts(items):
    parts = [core.KpiParts("EUR", gross=g + p, pocket=p, won=w, lost=lo) for g, p, w, lo in items]

    rolled = core.values(core.rollup(parts))

    shares = [core.values(p)["pocket_margin"] for p in parts if p.gross]
    if shares:
        assert min(shares) - 0.0001 <= rolled["pocket_margin"] <= max(shares) + 0.0001
    rates = [core.values(p)["win_rate"] for p in parts if p.won + p.lost]
    if rates:
        assert min(rates) - 0.0001 <= rolled["win_rate"] <= max(rates) + 0.0001
