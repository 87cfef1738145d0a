"""Fixtures for the commercial tests: an account tree, customer links, and invoice lines
in the per-test analytics store, plus an independent (plain Python) P&L of those lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kampass.accounts.models import Account
from kampass.accounts.services import account_create
from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.core.profitability import GOODS, LEAKAGE_KEYS
from kampass.users.models import User

CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def _data_directory_per_test(settings: Any, tmp_path: Path) -> None:
    """Uploaded files and reject reports go to a directory of the test, not the real data directory."""
    settings.KAMPASS_HOME = tmp_path / "home"


# ---------------------------------------------------------------- invoice lines


ONLINE_RETAIL_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"


def write_online_retail_csv(path: Path, lines: list[str]) -> Path:
    """Write a CSV in the format of the UCI Online Retail data set (header plus ``lines``)."""
    path.write_text("\n".join([ONLINE_RETAIL_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


# Good lines: goods of two customers, postage (freight charged to the customer, so revenue), a cancellation
# (C invoice: returns) and goods without a customer (unassigned); one bad line (quantity "abc").
ONLINE_RETAIL_GOOD = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom",
    "536366,22633,HAND WARMER UNION JACK,12,2010-12-01 08:28:00,1.85,13047,United Kingdom",
    "536366,POST,POSTAGE,1,2010-12-01 08:28:00,18.00,13047,United Kingdom",
    "C536379,22633,HAND WARMER UNION JACK,-2,2010-12-02 09:41:00,1.85,13047,United Kingdom",
    "536368,22960,JAM MAKING SET WITH JARS,3,2010-12-03 10:05:00,4.25,,United Kingdom",
]
ONLINE_RETAIL_BAD = "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,abc,2010-12-03 10:00:00,1.69,13047,United Kingdom"


def online_retail_sample(path: Path) -> Path:
    """The sample file: the good lines with the bad one in between (it is row 7 of the file)."""
    return write_online_retail_csv(path, [*ONLINE_RETAIL_GOOD[:5], ONLINE_RETAIL_BAD, ONLINE_RETAIL_GOOD[5]])


def online_retail_pocket(lines: list[str]) -> Decimal:
    """Independent pocket revenue of Online Retail lines: the sum of quantity x unit price."""
    total = Decimal(0)
    for text in lines:
        fields = text.split(",")
        total += Decimal(fields[3]) * Decimal(fields[5])
    return total


# ---------------------------------------------------------------- independent P&L


@dataclass
class Expected:
    """The P&L of a set of lines, computed in plain Python from the rows themselves."""

    lines: int = 0
    gross: Decimal = Decimal(0)
    pocket: Decimal = Decimal(0)
    costs: Decimal = Decimal(0)
    leakage: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(LEAKAGE_KEYS, Decimal(0)))

    @property
    def leakage_total(self) -> Decimal:
        return sum(self.leakage.values(), Decimal(0))

    @property
    def invoice(self) -> Decimal:
        return self.gross - self.leakage["discounts"]

    @property
    def contribution(self) -> Decimal:
        return self.pocket - self.costs


def expected(rows: Iterable[dict[str, Any]]) -> Expected:
    out = Expected()
    for r in rows:
        amount = r["amount"]
        out.lines += 1
        out.pocket += amount
        if amount > 0:
            out.gross += amount
        elif amount < 0:
            out.leakage["other" if r["category"] == GOODS else r["category"]] += -amount
        if r["unit_cost"] is not None:
            out.costs += r["quantity"] * r["unit_cost"]
    return out


def money(value: Decimal) -> str:
    """The decimal string the API and the CLI send for an amount."""
    return str(value.quantize(CENT))


# ---------------------------------------------------------------- accounts, links and lines


@dataclass
class World:
    """Accounts, links and the lines loaded into the analytics store."""

    group: Account
    north: Account
    south: Account
    foreign: Account
    rows: list[dict[str, Any]]
    customers: dict[str, Account | None]

    def rows_of(self, *accounts: Account) -> list[dict[str, Any]]:
        ids = {a.pk for a in accounts}
        return [r for r in self.rows if (acc := self.customers.get(r["customer_id"])) is not None and acc.pk in ids]

    @property
    def unassigned_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if self.customers.get(r["customer_id"]) is None]

    def subtree(self, account: Account) -> list[Account]:
        return [a for a in (self.group, self.north, self.south, self.foreign) if a.path.startswith(account.path)]


def _rows() -> list[dict[str, Any]]:
    jan, feb = dt.date(2011, 1, 5), dt.date(2011, 2, 9)
    return [
        # group itself (customer G1): goods with unit costs, a discount, freight charged to the customer
        line("500", "G1", "10", "12.50", unit_cost="7.25", date=jan),
        line("500", "G1", "1", "-15.00", "discounts", stock_code="D", date=jan),
        line("500", "G1", "1", "18.00", "freight", stock_code="POST", date=jan),
        # north (customers N1 and N2): two months, a return, freight, a negative goods line (other)
        line("501", "N1", "24", "2.10", stock_code="A", unit_cost="1.05", date=jan),
        line("501", "N1", "6", "4.95", stock_code="B", date=jan),
        line("501", "N1", "1", "-25.00", "freight", stock_code="POST", date=jan),
        line("C502", "N1", "-4", "2.10", "returns", stock_code="A", date=feb),
        line("503", "N2", "100", "0.85", stock_code="C", date=feb),
        line("503", "N2", "-1", "3.33", stock_code="C", date=feb),
        # south (customer S1): goods and a bank fee
        line("504", "S1", "12", "9.99", stock_code="D2", date=feb),
        line("504", "S1", "1", "-7.50", "fees", stock_code="BANK", date=feb),
        # foreign account (customer F1)
        line("505", "F1", "3", "250.00", stock_code="M", date=jan),
        line("505", "F1", "1", "-40.00", "quality_warranty", stock_code="W", date=jan),
        # unassigned: a customer without a link, and lines without a customer
        line("506", "U9", "5", "3.00", stock_code="E", date=jan),
        line("507", None, "2", "1.25", stock_code="E", date=feb),
        line("507", None, "1", "-0.50", "manual", stock_code="M0", date=feb),
    ]


@pytest.fixture
def world(admin_user: User, kam: User) -> World:
    """A group with two subsidiaries (``kam`` is on the group's team), a foreign account, customer links and
    invoice lines for all of them plus unassigned lines."""
    group = account_create(actor=admin_user, name="Group plc")
    north = account_create(actor=admin_user, name="Group North", parent=group)
    south = account_create(actor=admin_user, name="Group South", parent=group)
    foreign = account_create(actor=admin_user, name="Foreign AG")
    TeamMemberFactory(account=group, user=kam, role="kam")
    customers: dict[str, Account | None] = {"G1": group, "N1": north, "N2": north, "S1": south, "F1": foreign}
    CustomerLink.objects.bulk_create(
        [CustomerLink(customer_id=c, account=a) for c, a in customers.items() if a is not None]
    )
    rows = _rows()
    insert_lines(rows)
    return World(group, north, south, foreign, rows, customers)
