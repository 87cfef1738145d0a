"""``account_pnl_between``: the P&L of each account's own invoice lines in a date window (the account KPIs of
the planning context), checked against the plain-Python P&L of the same rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kampass.commercial.facade import account_pnl_between
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.conftest import expected
from kampass.commercial.tests.factories import insert_lines, line

pytestmark = pytest.mark.django_db


def _in_window(rows: list[dict[str, Any]], start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    return [r for r in rows if start <= r["invoice_date"].date() <= end]


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.date(2010, 2, 1), dt.date(2011, 1, 31)), (dt.date(2010, 3, 1), dt.date(2011, 2, 28))],
)
def test_each_accounts_pnl_in_the_window_is_that_of_its_own_lines(world: Any, start: dt.date, end: dt.date) -> None:
    accounts = (world.group, world.north, world.south, world.foreign)
    # when
    got = account_pnl_between([a.pk for a in accounts], start=start, end=end, currency="GBP")
    # then: independent sums over the rows of each account dated in the window
    for account in accounts:
        rows = _in_window(world.rows_of(account), start, end)
        if not rows:
            assert account.pk not in got
            continue
        want = expected(rows)
        pnl = got[account.pk]
        assert (pnl.lines, pnl.currency) == (want.lines, "GBP")
        assert pnl.gross_revenue == want.gross
        assert pnl.pocket_revenue == want.pocket
        assert pnl.leakage_total == want.leakage_total
        assert pnl.contribution == want.contribution


def test_the_january_window_leaves_out_the_february_lines(world: Any) -> None:
    got = account_pnl_between([world.south.pk], start=dt.date(2011, 1, 1), end=dt.date(2011, 1, 31), currency="GBP")

    assert got == {}  # south only has lines in February


def test_no_accounts_no_figures(world: Any) -> None:
    assert account_pnl_between([], start=dt.date(2011, 1, 1), end=dt.date(2011, 12, 31), currency="GBP") == {}


def test_a_kept_pnl_follows_new_lines_and_moved_links(world: Any) -> None:
    # given the south's February P&L, asked for twice (the second answer is the kept one)
    def february() -> dict[int, Any]:
        feb = {"start": dt.date(2011, 2, 1), "end": dt.date(2011, 2, 28)}
        return account_pnl_between([world.south.pk], **feb, currency="GBP")

    before = february()
    assert february() == before
    # when a line is added for its customer
    insert_lines([line("600", "S1", "2", "5.00", stock_code="D2", date=dt.date(2011, 2, 10))])
    after_line = february()
    # and the north's customer N2 is linked to the south instead
    CustomerLink.objects.filter(customer_id="N2").update(account=world.south)
    CustomerLink.objects.get(customer_id="N2").save()
    after_link = february()
    # then each change is seen at once
    assert after_line[world.south.pk].gross_revenue == before[world.south.pk].gross_revenue + 10
    assert after_link[world.south.pk].lines > after_line[world.south.pk].lines
