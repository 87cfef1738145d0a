"""The real UCI Online Retail file, imported in full and checked against an independent computation.

The reference is computed here in plain Python (``csv`` and ``decimal`` over the raw file) with
the category rules written out again, not through kampass code.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.ingest import ImportResult, import_file
from kampass.core.profitability import LEAKAGE_KEYS, account_pnl, leakage_column, total_pnl

DATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
)
LINES = 541_909


def category_of(invoice_no: str, stock_code: str, quantity: Decimal) -> str:
    """The Online Retail rules, in their order: special codes, then C invoices, then negative quantities."""
    code = stock_code.upper()
    if code in ("POST", "DOT", "C2"):
        return "freight"
    if code in ("BANK CHARGES", "AMAZONFEE", "CRUK"):
        return "fees"
    if code == "D":
        return "discounts"
    if code == "S":
        return "free_services_samples"
    if code == "M":
        return "manual"
    if code == "B":
        return "bad_debt"
    if stock_code.startswith("gift_0001_"):
        return "discounts"
    if code == "PADS" or stock_code.startswith("DCGS"):
        return "goods"
    if invoice_no.startswith("C"):
        return "returns"
    if quantity < 0:
        return "write_offs"
    return "goods"


@dataclass
class Pnl:
    """Gross revenue, leakage per category and pocket revenue, by the profitability rules:
    a positive amount is gross revenue, a negative one leakage of its category (goods -> other)."""

    gross: Decimal = Decimal(0)
    pocket: Decimal = Decimal(0)
    leakage: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, amount: Decimal, category: str) -> None:
        self.pocket += amount
        if amount > 0:
            self.gross += amount
        elif amount < 0:
            self.leakage["other" if category == "goods" else category] -= amount


@dataclass
class Reference:
    lines: int = 0
    total: Pnl = field(default_factory=Pnl)
    returns_amount: Decimal = Decimal(0)
    lines_per_category: Counter[str] = field(default_factory=Counter)
    customers: dict[str, Pnl] = field(default_factory=lambda: defaultdict(Pnl))


def compute_reference(path: Path) -> Reference:
    ref = Reference()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            quantity, price = Decimal(row["Quantity"]), Decimal(row["UnitPrice"])
            amount = quantity * price
            category = category_of(row["InvoiceNo"], row["StockCode"], quantity)
            ref.lines += 1
            ref.total.add(amount, category)
            ref.lines_per_category[category] += 1
            if row["InvoiceNo"].startswith("C") and category == "returns":
                ref.returns_amount += amount
            customer = row["CustomerID"]
            if customer:
                ref.customers[customer.removesuffix(".0")].add(amount, category)
    return ref


@dataclass
class Imported:
    store: AnalyticsStore
    result: ImportResult
    reference: Reference


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Imported:
    if not DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DATA} is missing (CI=true: the real-data tests must run)")
        pytest.skip(f"{DATA} is missing")
    store = AnalyticsStore(f"duckdb://{tmp_path_factory.mktemp('real') / 'a.duckdb'}")
    result = import_file(store=store, path=DATA, mapping="online-retail")
    yield Imported(store=store, result=result, reference=compute_reference(DATA))
    store.close()


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def test_every_line_is_imported(imported):
    # then
    result, lines = imported.result, imported.store.table("invoice_lines")
    assert imported.reference.lines == LINES
    assert (result.lines, result.rejected, result.rejects) == (LINES, 0, [])
    assert lines.count().to_pyarrow().as_py() == LINES
    rows = lines.aggregate(
        first=lines.source_row.min(), last=lines.source_row.max(), distinct=lines.source_row.nunique()
    ).to_pyarrow()
    assert rows.to_pylist() == [{"first": 2, "last": LINES + 1, "distinct": LINES}]
    assert len(result.customers) == len(imported.reference.customers) == 4372


def test_lines_per_category_match(imported):
    # when
    lines = imported.store.table("invoice_lines")
    per_category = lines.group_by("category").aggregate(n=lines.count()).to_pyarrow().to_pylist()
    counted = {r["category"]: r["n"] for r in per_category}

    # then
    assert counted == dict(imported.reference.lines_per_category)
    assert imported.result.categories == counted


def test_net_revenue_and_returns_match_to_the_cent(imported):
    # when
    lines = imported.store.table("invoice_lines")
    net = lines.amount.sum().to_pyarrow().as_py()
    returns = lines.filter(lines.category == "returns").amount.sum().to_pyarrow().as_py()

    # then: exact, not only to the cent
    assert net == imported.reference.total.pocket
    assert returns == imported.reference.returns_amount
    assert cents(net) == Decimal("9747747.93")


def test_total_pnl_matches_gross_every_leakage_and_pocket(imported):
    # when: from the facts the import wrote, as the application reads them
    pnl = total_pnl(imported.store.table("invoice_facts")).to_pyarrow().to_pylist()[0]

    # then
    ref = imported.reference.total
    assert pnl["gross_revenue"] == ref.gross
    assert pnl["pocket_revenue"] == ref.pocket
    assert {k: pnl[leakage_column(k)] for k in LEAKAGE_KEYS} == {
        k: ref.leakage.get(k, Decimal(0)) for k in LEAKAGE_KEYS
    }
    assert pnl[leakage_column("returns")] == -imported.reference.returns_amount
    assert pnl["gross_revenue"] - sum(pnl[leakage_column(k)] for k in LEAKAGE_KEYS) == pnl["pocket_revenue"]
    assert pnl["lines"] == LINES


def test_facts_hold_every_line_once(imported):
    # when
    facts = imported.store.table("invoice_facts")
    per_category = facts.group_by("category").aggregate(n=facts.lines.sum()).to_pyarrow().to_pylist()

    # then: far fewer rows than lines, every line counted once in its category
    assert facts.count().to_pyarrow().as_py() < LINES // 50
    assert {r["category"]: r["n"] for r in per_category} == dict(imported.reference.lines_per_category)


def test_pnl_of_the_ten_largest_customers(imported):
    # given: every customer id linked to an account with the same number
    ref = imported.reference.customers
    top = sorted(ref, key=lambda c: (-ref[c].pocket, c))[:10]
    links = pa.table({"customer_id": list(ref), "account_id": [int(c) for c in ref]})
    imported.store.replace("customer_links", links)

    # when
    pnl = account_pnl(imported.store.table("invoice_facts"), imported.store.table("customer_links"))
    rows = {r["account_id"]: r for r in pnl.filter(pnl.account_id.isin([int(c) for c in top])).to_pyarrow().to_pylist()}

    # then
    assert len(rows) == 10
    for customer in top:
        row, expected = rows[int(customer)], ref[customer]
        assert cents(row["gross_revenue"]) == cents(expected.gross), customer
        assert cents(row["pocket_revenue"]) == cents(expected.pocket), customer
        for key in LEAKAGE_KEYS:
            assert cents(row[leakage_column(key)]) == cents(expected.leakage.get(key, Decimal(0))), (customer, key)
