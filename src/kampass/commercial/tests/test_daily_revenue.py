"""The gross revenue per account and invoice day that the pipeline's win model reads (through
``kampass.common.account_facts``, registered by the commercial app)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from kampass.common.account_facts import daily_gross_revenue

pytestmark = pytest.mark.django_db


def test_daily_gross_revenue_per_account_is_the_sum_of_its_positive_lines(world: Any) -> None:
    # independent: the positive line amounts of each linked account's customers, per day
    expected: dict[int, dict[object, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for account in (world.group, world.north, world.south, world.foreign):
        for r in world.rows_of(account):
            amount = Decimal(str(r["amount"]))
            if amount > 0:
                expected[account.pk][r["invoice_date"].date()] += amount
    # when (through the registered provider, as the pipeline asks)
    got = daily_gross_revenue([world.group.pk, world.north.pk, world.south.pk, world.foreign.pk])
    # then
    assert {pk: {day: amount for day, _cur, amount in items} for pk, items in got.items()} == {
        pk: dict(days) for pk, days in expected.items()
    }
    assert all(items == sorted(items) for items in got.values())
    assert daily_gross_revenue([]) == {}
