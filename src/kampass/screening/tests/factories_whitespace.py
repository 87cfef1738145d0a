"""Test data of the whitespace part: a small purchase world in the per-test analytics store.

Customers and their stock codes (goods lines with a positive amount)::

    C1 (account "Acme")      10001 10002 10003
    C8 (account "Acme East", below Acme)  10005
    C2  10001A 10002 10003 10004      C3  10001 10002 10004
    C4  10001 10003 10004             C5  10002 10003 10004 10005
    C6  20001 20002                   C7  20001 20002 20003
    plus a POST line (no goods) for C1 and a cancellation of 20003 by C1 (negative amount).

Acme's subtree buys 10001, 10002, 10003, 10005; the customers similar to it (sharing a group) are C2..C5,
all four buy 10004: it is Acme's first recommendation, "4 of the 4 accounts most similar ...".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line

BASKETS: dict[str, list[str]] = {
    "C1": ["10001", "10002", "10003"],
    "C8": ["10005"],
    "C2": ["10001A", "10002", "10003", "10004"],
    "C3": ["10001", "10002", "10004"],
    "C4": ["10001", "10003", "10004"],
    "C5": ["10002", "10003", "10004", "10005"],
    "C6": ["20001", "20002"],
    "C7": ["20001", "20002", "20003"],
}


@dataclass
class PurchaseWorld:
    acme: Any
    east: Any
    other: Any


def purchase_world() -> PurchaseWorld:
    """The accounts (Acme, its child Acme East, an unrelated Other), their links and the invoice lines."""
    acme = AccountFactory(name="Acme", kam_status="key_account")
    east = AccountFactory(name="Acme East", parent=acme)
    other = AccountFactory(name="Other")
    CustomerLink.objects.create(customer_id="C1", account=acme)
    CustomerLink.objects.create(customer_id="C8", account=east)
    CustomerLink.objects.create(customer_id="C6", account=other)
    rows = []
    n = 0
    for customer, codes in BASKETS.items():
        for code in codes:
            n += 1
            rows.append(line(f"I{n}", customer, "2", "3.50", stock_code=code))
    rows.append(line("I900", "C1", "1", "5.00", "freight", stock_code="POST"))
    rows.append(line("C901", "C1", "-1", "2.00", "returns", stock_code="20003"))
    insert_lines(rows)
    return PurchaseWorld(acme=acme, east=east, other=other)
