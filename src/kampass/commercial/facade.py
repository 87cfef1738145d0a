"""What other contexts may ask of the commercial context (profitability and profit leakage).

Returns plain values and frozen dataclasses only; callers never touch the analytics store or
the models. Each figure is defined once, in :mod:`kampass.commercial.selectors`; this module
only asks that definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PortfolioFigures:
    """The P&L of all invoice lines (the whole portfolio, unassigned lines included)."""

    lines: int
    gross_revenue: Decimal
    pocket_revenue: Decimal
    leakage_total: Decimal
    contribution: Decimal


def portfolio_figures() -> PortfolioFigures:
    from kampass.commercial.selectors import portfolio_totals

    t = portfolio_totals()
    return PortfolioFigures(t.lines, t.gross_revenue, t.pocket_revenue, t.leakage_total, t.contribution)


def leakage_share() -> float | None:
    """Leakage share of gross revenue over all invoice lines (``Figures.leakage_share`` of the
    portfolio totals); ``None`` without gross revenue (not computable)."""
    from kampass.commercial.selectors import portfolio_totals

    totals = portfolio_totals()
    return totals.leakage_share if totals.gross_revenue else None


def programme_signals() -> dict[str, float | None]:
    """The commercial facts for the recommender and the guardrails.

    * ``leakage_share`` (share): :func:`leakage_share`;
    * ``profitability_trend`` (relative change): the pocket margin of the more recent half of the
      months with invoice lines (at most six) against the half before; ``None`` with fewer than four months.
    """
    from kampass.commercial.selectors import pocket_margin_trend

    return {"leakage_share": leakage_share(), "profitability_trend": pocket_margin_trend()}


def analytics_store_problem() -> str | None:
    """``None`` when the analytics store opens and lists its tables, else what went wrong.

    Readers read the newest published copy, so a running import does not make this fail; only the
    very first read of a new store waits for a writer, and a lock there counts as busy, not broken.
    """
    from kampass.common.analytics import analytics_store

    try:
        with analytics_store(wait_seconds=2.0) as store:
            store.con.list_tables()
    except Exception as exc:  # any failure of any backend is the answer, not an error of the caller
        if "lock" in str(exc).lower():
            return None
        return f"{type(exc).__name__}: {exc}"
    return None


def daily_gross_revenue(account_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, str, Decimal]]]:
    """Gross revenue (the invoice lines with a positive amount) of each account per invoice day and
    currency, oldest day first: ``{account_id: [(day, currency, amount), ...]}``. Accounts without
    invoice lines (or without an analytics store) are left out. The pipeline context reads from it
    what an account had bought before a given day (the as-of features of the win model)."""
    from kampass.commercial.selectors import daily_gross_revenue as _daily

    return _daily(account_ids)


def newest_sale_day(account_ids: Iterable[int], *, as_of: dt.date) -> dt.date | None:
    """The newest invoice day on or before ``as_of`` on which these accounts bought (a line with a positive
    amount), as :func:`daily_gross_revenue` would give it, without reading every day of every account;
    ``None`` without such a line."""
    from kampass.commercial.selectors import newest_sale_day as _newest

    return _newest(account_ids, as_of=as_of)


def newest_invoice_day() -> dt.date | None:
    """The day of the newest invoice line kampass holds (of any customer): the facts reach up to it.
    Figures asked for a later day have no invoice lines after it to see; ``None`` without lines."""
    from kampass.commercial.selectors import newest_invoice_day as _newest

    return _newest()


@dataclass(frozen=True)
class AccountPosition:
    """Our position at a group of accounts over a window of invoice days (``since`` inclusive,
    ``until`` exclusive): gross revenue, contribution and leakage share in one ``currency``."""

    since: dt.date
    until: dt.date
    currency: str
    lines: int
    gross_revenue: Decimal
    contribution: Decimal
    leakage_share: float | None


def account_position(
    account_ids: Iterable[int], *, as_of: dt.date, months: int = 12, currency: str = ""
) -> AccountPosition:
    """Gross revenue, contribution and leakage share of the invoice lines of these accounts dated in
    the ``months`` (30.44 days each) before ``as_of`` (a plan date), all accounts summed, in one
    currency (lines in others converted at their day's rate). ``leakage_share`` is ``None``
    without gross revenue."""
    import ibis

    from kampass.commercial.selectors import _figures, _sum_figures, in_one_currency, with_dimensions
    from kampass.common.analytics import analytics_store
    from kampass.core import profitability as prof
    from kampass.core.analytics.schema import CUSTOMER_LINKS

    ids = sorted(set(account_ids))
    since = as_of - dt.timedelta(days=round(months * 30.44))
    start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(as_of, dt.time.min, tzinfo=dt.UTC)
    with analytics_store() as store:
        with_dimensions(store)
        one = in_one_currency(store, currency=currency)
        lines = one.lines
        lines = lines.filter((lines.invoice_date >= ibis.literal(start)) & (lines.invoice_date < ibis.literal(end)))
        pnl = prof.account_pnl(lines, store.table(CUSTOMER_LINKS))
        rows = pnl.filter(pnl.account_id.isin(ids or [0])).to_pyarrow().to_pylist()
        code = one.currency
    total = _sum_figures([_figures(r, "") for r in rows], "")
    share = float(total.leakage_total / total.gross_revenue) if total.gross_revenue else None
    return AccountPosition(since, as_of, code, total.lines, total.gross_revenue, total.contribution, share)


def product_group_revenue(
    account_ids: Iterable[int],
    product_groups: Iterable[str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[tuple[int, str, dt.date, str, Decimal]]:
    """Gross revenue (invoice lines with a positive amount) of ``product_groups`` at these accounts'
    customers, per ``(account_id, product_group, day, currency, amount)``, invoice days from ``since``
    to ``until`` (both included; ``None``: open). Empty without lines (or without an analytics store).
    The solutions context counts it as the realised revenue of co-creation initiatives."""
    from kampass.commercial.selectors import product_group_revenue as _revenue

    return _revenue(account_ids, product_groups, since=since, until=until)


def product_group_choices(account_ids: Iterable[int] | None = None, *, limit: int = 300) -> list[str]:
    """The product groups of the invoice lines (of these accounts' customers, or all), largest gross
    revenue first, at most ``limit`` (for a picker)."""
    from kampass.commercial.selectors import product_group_choices as _choices

    return _choices(account_ids, limit=limit)


@dataclass(frozen=True)
class AccountHealthFigures:
    """The commercial components of an account's health score, over the account and everything below
    it: ``leakage_share`` (leakage / gross revenue, as ``Figures.leakage_share``) and ``margin_trend``
    (relative change of the pocket margin, recent months against the months before, as the programme's
    ``profitability_trend`` but per account); ``None`` where there are no invoice lines to compute it."""

    account_id: int
    leakage_share: float | None
    margin_trend: float | None


def account_health_figures(
    account_ids: Iterable[int], *, as_of: dt.date | None = None
) -> dict[int, AccountHealthFigures]:
    """``{account_id: AccountHealthFigures}`` for every given account (see the dataclass); ``as_of`` a
    day: over the invoice lines dated on or before it (the health of a past day), else over all lines."""
    from kampass.commercial.selectors import account_health_figures as _figures

    found = _figures(account_ids, as_of=as_of)
    return {a: AccountHealthFigures(a, f.leakage_share, f.margin_trend) for a, f in found.items()}


@dataclass(frozen=True)
class AccountPnl:
    """The P&L of one account (its own customers, not its subtree) over the invoice lines of a window,
    in ``currency``: the account KPIs of the planning context add these up over a subtree."""

    account_id: int
    currency: str
    lines: int
    gross_revenue: Decimal
    pocket_revenue: Decimal
    leakage_total: Decimal
    contribution: Decimal
    conversion: str = ""


def account_pnl_between(
    account_ids: Iterable[int], *, start: dt.date, end: dt.date, currency: str
) -> dict[int, AccountPnl]:
    """``{account_id: AccountPnl}`` of the invoice lines dated ``start`` <= day <= ``end`` (UTC day) of each
    account's linked customers, converted into ``currency`` at each line's invoice-day rate
    (:func:`kampass.commercial.selectors.in_one_currency`). Gross revenue is the sum of the positive
    line amounts, pocket revenue the sum of all amounts, leakage gross minus pocket, contribution pocket
    minus costs (quantity x unit cost where imported). Accounts without lines in the window are left out."""
    from kampass.commercial.selectors import pnl_between

    return pnl_between(account_ids, start=start, end=end, currency=currency)


@dataclass(frozen=True)
class GoodsPurchase:
    """A customer bought this stock code (goods invoice lines with a positive amount): its product group
    as imported (``""`` when the file had none), a description, and the account the customer is linked
    to (``None`` when it is not linked). One per customer and stock code."""

    customer_id: str
    stock_code: str
    product_group: str
    description: str
    account_id: int | None


def invoice_data_stamp() -> str:
    """A digest that stays equal while the invoice lines, the accounts and the customer links stay the
    same (so :func:`goods_purchases` answers the same): lets a reader keep what it derived from them."""
    import hashlib

    from kampass.commercial.selectors import invoice_data_stamp as _stamp

    return hashlib.sha256(repr(_stamp()).encode()).hexdigest()


def goods_purchases() -> list[GoodsPurchase]:
    """Every customer's distinct goods purchases over all invoice lines (the screening context's purchase
    matrix for whitespace recommendations). Empty without lines."""
    from kampass.commercial.selectors import goods_purchases as _purchases

    return [GoodsPurchase(*row) for row in _purchases()]


@dataclass(frozen=True)
class StockCodeRevenue:
    """Gross revenue of the goods lines (category ``goods``, positive amount) of one account's customers
    with one stock code and imported product group (``""`` when the line has none), in ``currency``."""

    account_id: int
    stock_code: str
    product_group: str
    currency: str
    amount: Decimal


def stock_code_revenue(
    account_ids: Iterable[int], *, since: dt.date | None = None, until: dt.date | None = None, currency: str = ""
) -> list[StockCodeRevenue]:
    """Gross revenue of goods per account, stock code and imported product group, invoice days from ``since``
    to ``until`` (both included; ``None``: open), in one currency (lines in others converted at their day's
    rate, as :func:`account_position`). Empty without lines. The screening context derives each account's
    product-group mix from it (its product-group mapping decides what a group is)."""
    import ibis

    from kampass.commercial.selectors import in_one_currency, with_dimensions
    from kampass.common.analytics import analytics_store
    from kampass.core.analytics.schema import CUSTOMER_LINKS

    ids = sorted(set(account_ids))
    if not ids:
        return []
    with analytics_store() as store:
        with_dimensions(store)
        one = in_one_currency(store, currency=currency)
        lines, links = one.lines, store.table(CUSTOMER_LINKS)
        goods = lines.filter((lines.amount > 0) & (lines.category == "goods"))
        day = goods.invoice_date.date()
        if since is not None:
            goods = goods.filter(day >= ibis.literal(since))
        if until is not None:
            goods = goods.filter(day <= ibis.literal(until))
        mine = links.filter(links.account_id.isin(ids))
        joined = goods.inner_join(mine, goods.customer_id == mine.customer_id)
        grouped = joined.group_by(
            account_id=joined.account_id,
            stock_code=joined.stock_code.fill_null(""),
            product_group=joined.product_group.fill_null(""),
        ).aggregate(amount=joined.amount.sum())
        rows = grouped.order_by(["account_id", "stock_code", "product_group"]).to_pyarrow().to_pylist()
        code = one.currency
    return [
        StockCodeRevenue(int(r["account_id"]), str(r["stock_code"]), str(r["product_group"]), code,
                         Decimal(r["amount"] or 0))
        for r in rows
    ]  # fmt: skip
