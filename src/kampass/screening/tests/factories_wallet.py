"""Test data of the wallet part: accounts (a group with subsidiaries among them) linked to customers
with invoice lines in the year before and the year up to the newest invoice day ``NEWEST``; and short
invoice histories (less than two years) like the demo's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

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
    # the history spans more than two years, so the wallets are learnt for a full year (not annualised)
    rows.append(line("FIRST", "C0", "1", "10.00", date=NEWEST - dt.timedelta(days=800)))
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


def short_history_world(n: int = 14, *, span_days: int = 60, big_factor: int = 50) -> WalletWorld:
    """``n`` alike accounts with invoice lines every ten days over the ``span_days`` up to ``NEWEST`` (the
    history is short: the wallet is learnt for the last half of it), and the last one ("Big") buying
    ``big_factor`` times as much in that last half as the others -- more than any comparable account."""
    accounts = [AccountFactory(name=f"Short {i:02d}", industry="Retail", country="DE") for i in range(n)]
    CustomerLink.objects.bulk_create([CustomerLink(customer_id=f"S{i}", account=a) for i, a in enumerate(accounts)])
    rows = []
    for i, _a in enumerate(accounts):
        for k, back in enumerate(sorted({span_days - 1, *range(0, span_days, 10)})):
            recent = back < span_days // 2
            qty = (big_factor if i == n - 1 and recent else 1) * (2 + i % 3)
            rows.append(line(f"S{i}-{k}", f"S{i}", str(qty), "100.00", date=NEWEST - dt.timedelta(days=back)))
    insert_lines(rows)
    return WalletWorld(accounts[0], [], accounts, rows)


def demo_like_world(n: int = 40, *, span_days: int = 374, seed: int = 3) -> WalletWorld:
    """``n`` accounts with heavy-tailed, random purchases over ``span_days`` up to ``NEWEST`` (like the
    demo's Online Retail extract: about a year of invoices), a few of them buying far more than the rest."""
    rng = np.random.default_rng(seed)
    accounts = [
        AccountFactory(
            name=f"Demo-like {i:02d}", industry=("Retail", "Machinery")[i % 2], country=("DE", "FR")[i % 3 == 0]
        )
        for i in range(n)
    ]
    CustomerLink.objects.bulk_create([CustomerLink(customer_id=f"D{i}", account=a) for i, a in enumerate(accounts)])
    rows = [line("D0-first", "D0", "1", "10.00", date=NEWEST - dt.timedelta(days=span_days - 1))]
    for i in range(n):
        size = float(rng.lognormal(0.0, 1.5))
        for k, back in enumerate(sorted(rng.choice(span_days, size=int(rng.integers(1, 12)), replace=False))):
            qty = max(1, int(size * float(rng.lognormal(2.0, 1.0))))
            rows.append(line(f"D{i}-{k}", f"D{i}", str(qty), "10.00", date=NEWEST - dt.timedelta(days=int(back))))
    rows.append(line("D0-last", "D0", "1", "10.00", date=NEWEST))
    insert_lines(rows)
    return WalletWorld(accounts[0], [], accounts, rows)
