"""Factories for the segments tests: key accounts of two kinds with invoice lines and buying centres."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampass.accounts.tests.factories import AccountFactory, BuyingCentreMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line

# kind -> (stock code bought most, price per line, industry, buying-centre size)
KINDS: dict[str, tuple[str, str, str, int]] = {
    "candles": ("84029E", "100", "Retail", 1),
    "bags": ("85099B", "1000", "Wholesale", 4),
}


def two_kinds_of_key_accounts(per_kind: int = 3) -> dict[str, list[Any]]:
    """``per_kind`` key accounts of each kind in ``KINDS``: in the year up to 2011-12-09 each buys ten lines of
    its main stock code and one of the other's; a year before, half of that (growth +100 %); plus a prospect
    with lines (not a key account, so in no segment)."""
    rows: list[dict[str, Any]] = []
    out: dict[str, list[Any]] = {}
    n = 0
    for kind, (code, price, industry, centre) in KINDS.items():
        other = next(c for k, (c, *_rest) in KINDS.items() if k != kind)
        for i in range(per_kind):
            n += 1
            account = AccountFactory(name=f"{kind} {i + 1}", kam_status="key_account", industry=industry)
            customer = f"C{n}"
            CustomerLink.objects.create(customer_id=customer, account=account)
            for j in range(10):
                rows.append(line(f"{n}-{j}", customer, "1", price, date=dt.date(2011, 11, 1 + j), stock_code=code))
            rows.append(line(f"{n}-o", customer, "1", "10", date=dt.date(2011, 12, 9), stock_code=other))
            for j in range(5):
                rows.append(line(f"{n}-p{j}", customer, "1", price, date=dt.date(2010, 11, 1 + j), stock_code=code))
            for _ in range(centre):
                BuyingCentreMemberFactory(account=account)
            out.setdefault(kind, []).append(account)
    prospect = AccountFactory(name="prospect", kam_status="prospect")
    CustomerLink.objects.create(customer_id="P1", account=prospect)
    rows.append(line("P-1", "P1", "1", "5", date=dt.date(2011, 12, 1), stock_code="22222"))
    insert_lines(rows)
    return out
