"""Account profitability and profit leakage (Commercialisation logic).

The pocket-price waterfall (Marn & Rosiello; Belz 2017) per account:
gross revenue -> discounts and rebates -> invoice revenue -> returns, write-offs,
free services and samples, customer-specific adaptations, unexpected technical work,
quality and warranty, penalties, freight, fees, bad debt, excessive acquisition effort,
manual and other adjustments -> pocket revenue -> costs -> contribution.

Every invoice line lands in exactly one place: a line with a positive amount adds to
gross revenue; a line with a negative amount is leakage of its category (a negative
``goods`` line counts as ``other``). Hence ``gross_revenue - sum(leakage) ==
pocket_revenue == sum(amount)`` holds for any set of lines.

All analyses are Ibis expressions: they run unchanged on DuckDB, PostgreSQL and Spark.
The P&L reads the invoice facts (:mod:`kampass.core.analytics.facts`: the lines summed per
batch, customer, currency and category), which give the same figures as the lines to the
last decimal; the P&L functions take either the facts or the lines (then summed on the fly).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt
from ibis import _

from kampass.core.analytics.facts import invoice_facts

GOODS = "goods"


@dataclass(frozen=True)
class LeakageCategory:
    """A kind of profit leakage, with its English and German label."""

    key: str
    en: str
    de: str
    before_invoice: bool = False

    def label(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


LEAKAGE_CATEGORIES: tuple[LeakageCategory, ...] = (
    LeakageCategory("discounts", "Discounts and rebates", "Rabatte und Boni", before_invoice=True),
    LeakageCategory("returns", "Returns and cancellations", "Retouren und Stornierungen"),
    LeakageCategory("write_offs", "Write-offs and corrections", "Abschreibungen und Korrekturen"),
    LeakageCategory("free_services_samples", "Free services and samples", "Kostenlose Leistungen und Muster"),
    LeakageCategory("customer_adaptations", "Customer-specific adaptations", "Kundenspezifische Anpassungen"),
    LeakageCategory("technical_work", "Unexpected technical development", "Unerwartete technische Entwicklung"),
    LeakageCategory("quality_warranty", "Quality costs and warranty", "Qualitätskosten und Gewährleistung"),
    LeakageCategory("penalties", "Penalties", "Konventionalstrafen"),
    LeakageCategory("freight", "Freight and postage", "Fracht und Porto"),
    LeakageCategory("fees", "Fees and commissions", "Gebühren und Provisionen"),
    LeakageCategory("bad_debt", "Bad debt", "Forderungsausfälle"),
    LeakageCategory("acquisition", "Excessive acquisition effort", "Übermäßiger Akquisitionsaufwand"),
    LeakageCategory("manual", "Manual adjustments", "Manuelle Korrekturen"),
    LeakageCategory("other", "Other leakage", "Sonstige Erlösschmälerungen"),
)
LEAKAGE_KEYS: tuple[str, ...] = tuple(c.key for c in LEAKAGE_CATEGORIES)
CATEGORY_KEYS: frozenset[str] = frozenset((GOODS, *LEAKAGE_KEYS))
UNASSIGNED = -1  # account_id of lines without a (linked) customer


def leakage_column(key: str) -> str:
    """Name of the P&L column holding one leakage category.

    Examples
    --------
    >>> leakage_column("freight")
    'leak_freight'
    """
    return f"leak_{key}"


def as_facts(t: ibis.Table) -> ibis.Table:
    """``t`` itself when it holds invoice facts, else (invoice lines) their facts."""
    return invoice_facts(t) if "amount" in t.columns else t


def with_accounts(lines: ibis.Table, links: ibis.Table) -> ibis.Table:
    """Attach ``account_id`` to invoice lines (or facts); rows without a linked customer get ``UNASSIGNED`` (-1)."""
    joined = lines.left_join(links, lines.customer_id == links.customer_id)
    return joined.select(
        *[joined[c] for c in lines.columns if c != "customer_id"],
        customer_id=lines.customer_id,
        account_id=joined.account_id.fill_null(UNASSIGNED),
    )


def _pnl_metrics(t: ibis.Table) -> dict[str, ibis.Value]:
    """The P&L sums over invoice facts (0, not NULL, where nothing is summed)."""
    money = dt.Decimal(38, 4)
    zero = ibis.literal(Decimal("0"), type=money)
    gross = t.gross_amount.sum()
    leakage = t.leakage_amount.sum()
    metrics: dict[str, ibis.Value] = {
        "lines": t.lines.sum().cast("int64").fill_null(0),
        "gross_revenue": gross.cast(money).fill_null(zero),
        "pocket_revenue": (gross - leakage).cast(money).fill_null(zero),
        # quantity x unit cost has 8 decimals: summed wide, kept to 4 like every amount
        "costs": t.cost.sum().cast(money).fill_null(zero),
    }
    for key in LEAKAGE_KEYS:
        in_cat = t.category.isin([key, GOODS]) if key == "other" else t.category == key
        metrics[leakage_column(key)] = ibis.ifelse(in_cat, t.leakage_amount, zero).sum().cast(money).fill_null(zero)
    return metrics


def _finish(pnl: ibis.Table) -> ibis.Table:
    invoice = pnl.gross_revenue
    for c in LEAKAGE_CATEGORIES:
        if c.before_invoice:
            invoice = invoice - pnl[leakage_column(c.key)]
    return pnl.mutate(invoice_revenue=invoice, contribution=pnl.pocket_revenue - pnl.costs)


def account_pnl(facts: ibis.Table, links: ibis.Table) -> ibis.Table:
    """The P&L of every account: one row per ``account_id`` (``-1`` = unassigned lines).

    ``facts`` are the invoice facts (``invoice_facts``) or the invoice lines themselves.
    Columns: ``account_id, lines, gross_revenue, leak_<category>..., invoice_revenue,
    pocket_revenue, costs, contribution``. Costs are 0 where no unit cost was imported.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> con = ibis.duckdb.connect()
    >>> lines = con.create_table("l", _example_lines())
    >>> links = con.create_table("k", pa.table({"customer_id": ["A"], "account_id": [7]}))
    >>> rows = account_pnl(lines, links).order_by("account_id").to_pyarrow().to_pylist()
    >>> [(r["account_id"], str(r["gross_revenue"]), str(r["leak_returns"]), str(r["pocket_revenue"])) for r in rows]
    [(-1, '5.0000', '0.0000', '5.0000'), (7, '110.0000', '20.0000', '90.0000')]
    >>> facts = con.create_table("f", invoice_facts(lines))
    >>> account_pnl(facts, links).order_by("account_id").to_pyarrow().to_pylist() == rows
    True
    """
    t = with_accounts(as_facts(facts), links)
    return _finish(t.group_by("account_id").aggregate(**_pnl_metrics(t)))


def total_pnl(facts: ibis.Table) -> ibis.Table:
    """The P&L of all lines together (the portfolio): one row. ``facts`` as for :func:`account_pnl`."""
    t = as_facts(facts)
    return _finish(t.aggregate(**_pnl_metrics(t)))


def subtree_pnl(pnl: ibis.Table, accounts: ibis.Table) -> ibis.Table:
    """Roll the per-account P&L up the hierarchy: one row per account with its whole subtree.

    ``accounts`` is the ``account_dim`` table (``account_id``, ``path`` of ancestor ids).
    """
    ancestors = accounts.select(
        account_id=accounts.account_id,
        ancestor=accounts.path.re_split("/").unnest(),
    )
    ancestors = ancestors.filter(ancestors.ancestor != "").mutate(ancestor=_.ancestor.cast("int64"))
    joined = pnl.inner_join(ancestors, pnl.account_id == ancestors.account_id)
    sums = [c for c in pnl.columns if c != "account_id"]
    rolled = joined.group_by(account_id=joined.ancestor).aggregate(**{c: joined[c].sum() for c in sums})
    return rolled


def abc_classes(pnl: ibis.Table, *, value: str = "contribution", a: float = 0.8, b: float = 0.95) -> ibis.Table:
    """Pareto / ABC classification of accounts by ``value`` (largest first).

    Adds ``rank``, ``share``, ``cumulative_share`` and ``abc``: ``A`` while the
    cumulative share *before* the account is below ``a``, ``B`` below ``b``, else ``C``.
    Unassigned lines (``account_id == -1``) are left out.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"account_id": [1, 2, 3, 4], "contribution": [70.0, 20.0, 6.0, 4.0]})
    >>> r = abc_classes(t).order_by("rank").to_pyarrow().to_pylist()
    >>> [(x["account_id"], x["abc"]) for x in r]
    [(1, 'A'), (2, 'A'), (3, 'B'), (4, 'C')]
    """
    t = pnl.filter(pnl.account_id != UNASSIGNED)
    v = t[value].cast("float64")
    order = [ibis.desc(v), t.account_id]
    w = ibis.window(order_by=order, rows=(None, 0))
    total = v.sum().over(ibis.window())
    cum = v.sum().over(w)
    ranked = t.mutate(
        rank=ibis.row_number().over(ibis.window(order_by=order)) + 1,
        share=v / total,
        cumulative_share=cum / total,
        _before=(cum - v) / total,
    )
    return ranked.mutate(abc=ibis.cases((ranked._before < a, "A"), (ranked._before < b, "B"), else_="C")).drop(
        "_before"
    )


def whale_curve(pnl: ibis.Table, *, value: str = "contribution") -> ibis.Table:
    """The whale curve: cumulative share of ``value`` over the share of accounts, most profitable first.

    Columns: ``rank``, ``account_id``, ``account_share`` (x) and ``cumulative_value_share`` (y);
    the curve rises above 100 % where loss-making accounts at the tail eat profit.
    """
    t = abc_classes(pnl, value=value)
    n = t.count().as_scalar()
    return t.select(
        "rank", "account_id", account_share=t["rank"] / n.cast("float64"), cumulative_value_share=t.cumulative_share
    )


def monthly_series(lines: ibis.Table, links: ibis.Table) -> ibis.Table:
    """Per account and month: revenue, leakage, pocket revenue, orders and active product groups.

    Reads the lines: distinct counts (orders, product groups) do not add up over customers.
    """
    t = with_accounts(lines, links)
    zero = ibis.literal(Decimal("0"), type="decimal(18,4)")
    t = t.mutate(month=t.invoice_date.truncate("M"))
    return t.group_by(["account_id", "month"]).aggregate(
        gross_revenue=ibis.ifelse(t.amount > 0, t.amount, zero).sum(),
        leakage=ibis.ifelse(t.amount < 0, -t.amount, zero).sum(),
        pocket_revenue=t.amount.sum(),
        orders=t.invoice_no.nunique(),
        product_groups=t.product_group.nunique(),
    )


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the waterfall: a total (``kind="total"``) or a reduction (``kind="leakage"``)."""

    key: str
    label: str
    kind: str
    amount: Decimal
    start: Decimal
    end: Decimal


def waterfall(pnl_row: Mapping[str, Decimal], *, lang: str = "en", skip_zero: bool = True) -> list[WaterfallStep]:
    """The pocket-price waterfall of one P&L row, in display order.

    Examples
    --------
    >>> row = {"gross_revenue": Decimal("100"), "invoice_revenue": Decimal("90"), "pocket_revenue": Decimal("80"),
    ...        "costs": Decimal("0"), "contribution": Decimal("80"),
    ...        **{leakage_column(k): Decimal("0") for k in LEAKAGE_KEYS}}
    >>> row["leak_discounts"], row["leak_returns"] = Decimal("10"), Decimal("10")
    >>> for s in waterfall(row):
    ...     print(s.key, s.start, s.end)
    gross_revenue 0 100
    discounts 100 90
    invoice_revenue 0 90
    returns 90 80
    pocket_revenue 0 80
    contribution 0 80
    """
    labels = {
        "gross_revenue": ("Gross revenue", "Bruttoumsatz"),
        "invoice_revenue": ("Invoice revenue", "Rechnungsumsatz"),
        "pocket_revenue": ("Pocket revenue", "Pocket-Umsatz"),
        "costs": ("Costs", "Kosten"),
        "contribution": ("Contribution", "Deckungsbeitrag"),
    }

    def label(key: str) -> str:
        en, de = labels[key]
        return de if lang == "de" else en

    steps: list[WaterfallStep] = []
    level = Decimal(pnl_row["gross_revenue"])
    steps.append(WaterfallStep("gross_revenue", label("gross_revenue"), "total", level, Decimal(0), level))

    def reduce(cat: LeakageCategory) -> None:
        nonlocal level
        amount = Decimal(pnl_row[leakage_column(cat.key)])
        if skip_zero and amount == 0:
            return
        steps.append(WaterfallStep(cat.key, cat.label(lang), "leakage", amount, level, level - amount))
        level -= amount

    for cat in LEAKAGE_CATEGORIES:
        if cat.before_invoice:
            reduce(cat)
    steps.append(WaterfallStep("invoice_revenue", label("invoice_revenue"), "total", level, Decimal(0), level))
    for cat in LEAKAGE_CATEGORIES:
        if not cat.before_invoice:
            reduce(cat)
    steps.append(WaterfallStep("pocket_revenue", label("pocket_revenue"), "total", level, Decimal(0), level))
    costs = Decimal(pnl_row["costs"])
    if costs or not skip_zero:
        steps.append(WaterfallStep("costs", label("costs"), "leakage", costs, level, level - costs))
        level -= costs
    steps.append(WaterfallStep("contribution", label("contribution"), "total", level, Decimal(0), level))
    return steps


def leakage_dict(pnl_row: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """``{category: amount}`` of one P&L row."""
    return {k: Decimal(pnl_row[leakage_column(k)]) for k in LEAKAGE_KEYS}


def _example_lines() -> object:
    """A few invoice lines for the doctests."""
    import datetime as dtm

    import pyarrow as pa

    ts = dtm.datetime(2011, 1, 5, tzinfo=dtm.UTC)
    dec = pa.decimal128(18, 4)
    return pa.table(
        {
            "batch_id": ["b"] * 4,
            "source_row": [1, 2, 3, 4],
            "invoice_no": ["1", "1", "C2", "3"],
            "invoice_date": pa.array([ts] * 4, pa.timestamp("us", tz="UTC")),
            "customer_id": ["A", "A", "A", None],
            "country": ["UK"] * 4,
            "stock_code": ["X", "POST", "X", "X"],
            "description": ["x"] * 4,
            "product_group": ["X", "POST", "X", "X"],
            "quantity": pa.array([Decimal(10), Decimal(1), Decimal(-2), Decimal(1)], dec),
            "unit_price": pa.array([Decimal(10), Decimal(10), Decimal(10), Decimal(5)], dec),
            "amount": pa.array([Decimal(100), Decimal(10), Decimal(-20), Decimal(5)], dec),
            "unit_cost": pa.array([None] * 4, dec),
            "currency": ["GBP"] * 4,
            "category": ["goods", "freight", "returns", "goods"],
        }
    )


__all__: Sequence[str] = (
    "LEAKAGE_CATEGORIES",
    "LEAKAGE_KEYS",
    "UNASSIGNED",
    "WaterfallStep",
    "abc_classes",
    "account_pnl",
    "as_facts",
    "leakage_column",
    "leakage_dict",
    "monthly_series",
    "subtree_pnl",
    "total_pnl",
    "waterfall",
    "whale_curve",
    "with_accounts",
)
