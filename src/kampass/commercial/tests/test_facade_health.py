"""The commercial components of the account health score (``facade.account_health_figures``), checked
against plain-Python computations over the same invoice lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kampass.accounts.services import account_create
from kampass.commercial import facade
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.conftest import expected
from kampass.commercial.tests.factories import insert_lines, line

pytestmark = pytest.mark.django_db


def test_leakage_share_is_the_subtrees_leakage_over_its_gross_revenue(world: Any) -> None:
    # given the group (with two subsidiaries) and a foreign account; independent P&L of their lines
    group = expected(world.rows_of(*world.subtree(world.group)))
    foreign = expected(world.rows_of(world.foreign))

    # when
    got = facade.account_health_figures([world.group.pk, world.foreign.pk, world.north.pk])

    # then
    assert got[world.group.pk].leakage_share == pytest.approx(float(group.leakage_total / group.gross))
    assert got[world.foreign.pk].leakage_share == pytest.approx(float(foreign.leakage_total / foreign.gross))
    north = expected(world.rows_of(world.north))
    assert got[world.north.pk].leakage_share == pytest.approx(float(north.leakage_total / north.gross))
    # two months of lines are too few for a trend
    assert got[world.group.pk].margin_trend is None


def test_margin_trend_compares_the_recent_months_pocket_margin_with_the_months_before(admin_user: Any) -> None:
    # given four months of one account: margin 80 % in the first two, 90 % in the last two
    account = account_create(actor=admin_user, name="Trend AG")
    CustomerLink.objects.create(customer_id="T1", account=account)
    rows = []
    for month, discount in ((1, "-20"), (2, "-20"), (3, "-10"), (4, "-10")):
        day = dt.date(2012, month, 10)
        rows += [
            line(f"9{month}0", "T1", "1", "100", date=day),
            line(f"9{month}0", "T1", "1", discount, "discounts", date=day),
        ]
    insert_lines(rows)
    before = Decimal(160) / Decimal(200)
    recent = Decimal(180) / Decimal(200)

    # when
    got = facade.account_health_figures([account.pk])[account.pk]

    # then
    assert got.margin_trend == pytest.approx(float((recent - before) / before))
    assert got.leakage_share == pytest.approx(60 / 400)


def test_an_account_without_lines_has_no_figures(admin_user: Any, world: Any) -> None:
    empty = account_create(actor=admin_user, name="No lines GmbH")

    got = facade.account_health_figures([empty.pk])[empty.pk]

    assert (got.leakage_share, got.margin_trend) == (None, None)


def test_many_accounts_give_the_same_figures_as_a_few(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the figures with the account ids listed in the query
    ids = [world.group.pk, world.foreign.pk, world.north.pk]
    listed = facade.account_health_figures(ids)

    # when: every id list counts as many (joined as a table of ids, as for hundreds of key accounts)
    from kampass.commercial import selectors

    monkeypatch.setattr(selectors, "LINKS_LITERAL_LIMIT", 0)
    joined = facade.account_health_figures(ids)

    # then: the same figures
    assert joined == listed


def test_newest_sale_day_is_the_newest_day_of_the_daily_revenue_up_to_the_date(world: Any) -> None:
    # given: the daily gross revenue of the group's subtree
    ids = [a.pk for a in world.subtree(world.group)]
    days = sorted(d for rows in facade.daily_gross_revenue(ids).values() for d, _c, _a in rows)
    assert len(days) >= 2

    # when / then: the newest day on or before a date, as the daily revenue gives it
    assert facade.newest_sale_day(ids, as_of=days[-1]) == days[-1]
    assert facade.newest_sale_day(ids, as_of=days[0]) == days[0]
    assert facade.newest_sale_day(ids, as_of=days[0] - dt.timedelta(days=1)) is None
    assert facade.newest_sale_day([], as_of=days[-1]) is None


def test_figures_as_of_a_day_count_only_the_lines_invoiced_by_then(admin_user: Any) -> None:
    # given two months of lines of one account up to the day, then two more months after it
    account = account_create(actor=admin_user, name="As of AG")
    CustomerLink.objects.create(customer_id="A1", account=account)
    rows = []
    for month, discount in ((1, "-20"), (2, "-20"), (3, "-50"), (4, "-50")):
        day = dt.date(2013, month, 10)
        rows += [
            line(f"8{month}0", "A1", "1", "100", date=day),
            line(f"8{month}0", "A1", "1", discount, "discounts", date=day),
        ]
    insert_lines(rows[:4])
    as_of = dt.date(2013, 2, 28)
    before = facade.account_health_figures([account.pk], as_of=as_of)[account.pk]

    # when the later lines arrive
    insert_lines(rows[4:])
    got = facade.account_health_figures([account.pk], as_of=as_of)[account.pk]

    # then the figures as of the day are unchanged (40 leakage of 200 gross); over all lines they are not
    assert got == before
    assert got.leakage_share == pytest.approx(40 / 200)
    assert facade.account_health_figures([account.pk])[account.pk].leakage_share == pytest.approx(140 / 400)


def test_the_newest_sale_day_follows_new_lines_and_new_customer_links(admin_user: Any) -> None:
    # the answer is kept while the lines and the links stay the same: it must follow both
    account = account_create(actor=admin_user, name="Newest AG")
    CustomerLink.objects.create(customer_id="N1", account=account)
    insert_lines([line("901", "N1", "1", "100", date=dt.date(2013, 1, 10))])
    as_of = dt.date(2013, 12, 31)
    assert facade.newest_sale_day([account.pk], as_of=as_of) == dt.date(2013, 1, 10)

    insert_lines([line("902", "N1", "1", "100", date=dt.date(2013, 3, 5))])
    assert facade.newest_sale_day([account.pk], as_of=as_of) == dt.date(2013, 3, 5)

    insert_lines([line("903", "N2", "1", "100", date=dt.date(2013, 6, 1))])  # a customer not linked yet
    assert facade.newest_sale_day([account.pk], as_of=as_of) == dt.date(2013, 3, 5)
    CustomerLink.objects.create(customer_id="N2", account=account)
    assert facade.newest_sale_day([account.pk], as_of=as_of) == dt.date(2013, 6, 1)
