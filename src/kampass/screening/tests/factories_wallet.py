"""Test data of the wallet part: accounts (a group with subsidiaries among them) linked to customers
with invoice lines in the year before and the year up to the newest invoice day ``NEWEST``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line

NEWEST = dt.date(2026, 6, 30)


@dataclass
class WalletWorld:
    group: Any
    children: list[Any]
    accounts: list[Any]
    rows: list[dict[str, Any]]


def wallet_world(n: int = 24) -> WalletWorld:
    """``n`` accounts (the first is a group, the next two its subsidiaries), each with its own customer
    ``C<i>``: lines of account i in the previous year and in the trailing year (amounts grow with i and
    are larger in machinery), the newest line dated ``NEWEST``."""
    group = AccountFactory(name="Wallet Group", industry="Machinery", country="DE")
    children = [AccountFactory(name=f"Wallet Sub {k}", parent=group, industry="Machinery") for k in (1, 2)]
    others = [
        AccountFactory(
            name=f"Wallet {i:02d}", industry="Machinery" if i % 2 else "Retail", country="DE" if i % 3 else "FR"
        )
        for i in range(3, n)
    ]
    accounts = [group, *children, *others]
    CustomerLink.objects.bulk_create([CustomerLink(customer_id=f"C{i}", account=a) for i, a in enumerate(accounts)])
    rows = []
    for i, a in enumerate(accounts):
        scale = (i % 7 + 1) * (3 if a.industry == "Machinery" else 1)
        for k in range(1 + i % 4):
            rows.append(line(f"P{i}-{k}", f"C{i}", str(scale), "100.00", date=NEWEST - dt.timedelta(days=400 + 30 * k)))
            rows.append(
                line(f"N{i}-{k}", f"C{i}", str(scale + k), "100.00", date=NEWEST - dt.timedelta(days=20 + 40 * k))
            )
    rows.append(line("LAST", "C0", "1", "50.00", date=NEWEST))
    insert_lines(rows)
    return WalletWorld(group, children, accounts, rows)


def trailing_revenue(rows: list[dict[str, Any]], customer: str) -> Decimal:
    """Gross revenue of one customer in the 365 days up to ``NEWEST`` (computed here, not by kampass)."""
    return sum(
        (
            r["amount"]
            for r in rows
            if r["customer_id"] == customer and r["amount"] > 0 and 0 <= (NEWEST - r["invoice_date"].date()).days < 365
        ),
        Decimal(0),
    )
