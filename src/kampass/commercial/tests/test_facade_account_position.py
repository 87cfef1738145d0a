"""``commercial.facade.account_position``: revenue, contribution and leakage share of a group of
accounts over the months before a plan date, checked against the P&L computed from the rows."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.commercial import facade
from kampass.commercial.tests.conftest import expected

pytestmark = pytest.mark.django_db


def test_the_position_of_a_subtree_before_a_day_sums_only_its_lines_dated_in_the_window(world):
    # given lines of the group and its subsidiaries in January and February 2011
    accounts = [world.group, world.north, world.south]
    in_january = [r for r in world.rows_of(*accounts) if r["invoice_date"].month == 1]

    # when the position is asked as of 1 February 2011 (the window ends before February)
    position = facade.account_position([a.pk for a in accounts], as_of=dt.date(2011, 2, 1), currency="GBP")

    # then it is the P&L of the January lines of these three accounts, nothing of the foreign account
    want = expected(in_january)
    assert position.lines == want.lines
    assert position.gross_revenue == want.gross
    assert position.contribution == want.contribution
    assert position.leakage_share == pytest.approx(float(want.leakage_total / want.gross))


def test_without_lines_in_the_window_there_is_no_leakage_share(world):
    position = facade.account_position([world.group.pk], as_of=dt.date(2010, 6, 1), currency="GBP")

    assert position.lines == 0
    assert position.gross_revenue == 0
    assert position.leakage_share is None
