"""Read operations of the commercial context: profitability figures, leakage, ABC, time series, lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import ibis
import pyarrow as pa
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kampass.accounts.facade import subtree_account_ids_of, team_subtree_account_ids
from kampass.accounts.models import Account
from kampass.commercial.models import CustomerLink, ImportJob
from kampass.common import fx
from kampass.common.analytics import analytics_store, published_copy_read
from kampass.common.process_memo import ProcessMemo
from kampass.common.request_memo import memoised
from kampass.core import profitability as prof
from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.currency import lines_in_currency
from kampass.core.analytics.ingest.limits import ImportLimits
from kampass.core.analytics.schema import ACCOUNT_DIM, CUSTOMER_LINKS, IMPORT_BATCHES, INVOICE_FACTS, INVOICE_LINES
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_reader

CENT = Decimal("0.01")
T = TypeVar("T")
AMOUNTS = ("gross_revenue", "invoice_revenue", "pocket_revenue", "costs", "contribution")


_dims_cache: dict[str, Any] = {}


def _dims_signature() -> tuple[Any, ...]:
    acc = Account.objects.aggregate(n=Max("id"), u=Max("updated_at"))
    links = CustomerLink.objects.aggregate(n=Max("id"), u=Max("created_at"))
    moved = CustomerLink.history.aggregate(h=Max("history_id"))["h"]
    return (Account.objects.count(), acc["n"], acc["u"], CustomerLink.objects.count(), links["n"], links["u"], moved)


def dimensions() -> dict[str, pa.Table]:
    """The account hierarchy and the customer links as the analytics store's dimension tables,
    read from the operational database (cached in the process until either changes)."""
    signature = _dims_signature()
    if _dims_cache.get("signature") != signature:
        rows = list(Account.objects.values_list("id", "name", "path", "parent_id"))
        links = list(CustomerLink.objects.values_list("customer_id", "account_id"))
        _dims_cache["tables"] = {
            ACCOUNT_DIM: pa.table(
                {
                    "account_id": pa.array([r[0] for r in rows], pa.int64()),
                    "name": [r[1] for r in rows],
                    "path": [r[2] for r in rows],
                    "parent_id": pa.array([r[3] for r in rows], pa.int64()),
                }
            ),
            CUSTOMER_LINKS: pa.table(
                {
                    "customer_id": pa.array([c for c, _a in links], pa.string()),
                    "account_id": pa.array([a for _c, a in links], pa.int64()),
                }
            ),
        }
        _dims_cache["signature"] = signature
    tables: dict[str, pa.Table] = _dims_cache["tables"]
    return tables


def with_dimensions(store: AnalyticsStore) -> AnalyticsStore:
    """The store answering the dimension tables from the operational database (never stale)."""
    store.use_dims(dimensions())
    return store


@dataclass(frozen=True)
class InOneCurrency:
    """What a P&L reads, in one currency: ``facts`` (the invoice facts, or the converted lines when
    some are in another currency), ``lines`` (converted likewise), the ``currency`` and how the lines in
    other currencies were converted (``conversion``, "" when none were)."""

    facts: ibis.Table
    lines: ibis.Table
    currency: str
    conversion: str = ""


def in_one_currency(store: AnalyticsStore, *, user: Actor | None = None, currency: str = "") -> InOneCurrency:
    """The store's facts and lines in one currency: ``currency`` if given; else the lines' own when they
    are all in one; else the user's view currency. Lines in another currency convert at the rate of their
    invoice day (ECB reference rates or a rate an administrator loaded; lines without a date at today's),
    through a rates table joined on (day, currency) in the analytics store: nothing is left out."""
    facts, lines = store.table(INVOICE_FACTS), store.table(INVOICE_LINES)
    present = sorted(r["currency"] for r in facts.select("currency").distinct().to_pyarrow().to_pylist())
    target = (currency or (present[0] if len(present) == 1 else fx.view_currency(user))).upper()
    if set(present) <= {target}:
        return InOneCurrency(facts, lines, target)
    today = timezone.localdate()
    others = lines.filter(lines.currency != target)
    pairs = (
        others.group_by(currency=others.currency, day=others.invoice_date.date())
        .aggregate(n=others.count())
        .to_pyarrow()
        .to_pylist()
    )
    counted = fx.Consolidation(target)
    days: list[Any] = []
    codes: list[str] = []
    values: list[Decimal] = []
    for pair in pairs:
        day = pair["day"] or today
        try:
            r = fx.rate(pair["currency"], target, day)
        except fx.UnknownCurrency:  # no rate: the line's amounts stay out of the sums, and the note says so
            counted.cannot_convert(int(pair["n"]), pair["currency"])
            continue
        days.append(day)
        codes.append(pair["currency"])
        values.append(r.rate.quantize(Decimal("1e-12")))
        counted.count(int(pair["n"]), pair["currency"], r.source)
    rates = ibis.memtable(
        pa.table(
            {"day": pa.array(days, pa.date32()), "currency": pa.array(codes, pa.string()),
             "rate": pa.array(values, pa.decimal128(38, 12))}
        )
    )  # fmt: skip
    converted = lines_in_currency(lines, rates, target, undated_day=today)
    return InOneCurrency(converted, converted, target, counted.describe())


@dataclass(frozen=True)
class Figures:
    """The P&L of one account, one subtree, or the portfolio (``account_id`` None = unassigned or total)."""

    account_id: int | None
    account: str
    lines: int
    gross_revenue: Decimal
    invoice_revenue: Decimal
    pocket_revenue: Decimal
    costs: Decimal
    contribution: Decimal
    leakage: dict[str, Decimal] = field(default_factory=dict)

    @property
    def leakage_total(self) -> Decimal:
        return sum(self.leakage.values(), Decimal(0))

    @property
    def leakage_share(self) -> float:
        """Leakage share of gross revenue: the sum of all leakage categories / gross revenue (0 without revenue).

        The one definition of the Commercialisation guardrail; the programme asks it through
        :func:`kampass.commercial.facade.leakage_share`."""
        return float(self.leakage_total / self.gross_revenue) if self.gross_revenue else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "account": self.account,
            "lines": self.lines,
            **{k: str(getattr(self, k).quantize(CENT)) for k in AMOUNTS},
            "leakage": {k: str(v.quantize(CENT)) for k, v in self.leakage.items()},
        }

    @property
    def biggest_leakage(self) -> tuple[str, Decimal] | None:
        """The leakage category that costs most, with its amount (``None`` without leakage)."""
        if not self.leakage_total:
            return None
        return max(self.leakage.items(), key=lambda kv: kv[1])


def import_jobs() -> QuerySet[ImportJob]:
    """Import jobs, newest first (``active`` says whether one is still to finish: the pages poll those)."""
    return ImportJob.objects.select_related("created_by")


def visible_account_ids(user: Actor) -> set[int] | None:
    """Accounts whose figures ``user`` may see: ``None`` means all (head, controller, viewer, admin)."""
    if is_admin(user) or is_head(user) or is_reader(user):
        return None
    return set(team_subtree_account_ids(user))


def _figures(row: dict[str, Any], name: str) -> Figures:
    def dec(key: str) -> Decimal:
        value = row.get(key)
        return Decimal(value) if value is not None else Decimal(0)

    aid = row.get("account_id")
    return Figures(
        account_id=None if aid in (None, prof.UNASSIGNED) else int(aid),
        account=name,
        lines=int(row.get("lines") or 0),
        gross_revenue=dec("gross_revenue"),
        invoice_revenue=dec("invoice_revenue"),
        pocket_revenue=dec("pocket_revenue"),
        costs=dec("costs"),
        contribution=dec("contribution"),
        leakage={k: dec(prof.leakage_column(k)) for k in prof.LEAKAGE_KEYS},
    )


def _names(ids: set[int]) -> dict[int, str]:
    return dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))


@dataclass(frozen=True)
class ProfitabilityReport:
    accounts: list[Figures]
    totals: Figures
    currency: str = ""
    conversion: str = ""

    def as_json(self) -> dict[str, Any]:
        totals = self.totals.as_json()
        return {
            "accounts": [f.as_json() for f in self.accounts],
            "totals": {k: totals[k] for k in ("gross_revenue", "pocket_revenue", "leakage", "lines")}
            | {"invoice_revenue": totals["invoice_revenue"], "contribution": totals["contribution"]},
            "currency": self.currency,
            "conversion": self.conversion,
        }


def money(value: Decimal) -> str:
    """An amount as a decimal string to the cent (the JSON form of money)."""
    return str(value.quantize(CENT))


def leakage_report(report: ProfitabilityReport, *, account: Account | None, subtree: bool, lang: str) -> dict[str, Any]:
    """Leakage by category (with the share of gross revenue) and per account: the document of
    ``kampass analyze leakage --json`` and ``GET /api/v1/leakage``."""
    totals = report.totals
    gross = totals.gross_revenue
    return {
        "scope": {"account_id": account.pk if account else None, "subtree": subtree},
        "gross_revenue": money(gross),
        "pocket_revenue": money(totals.pocket_revenue),
        "leakage_total": money(totals.leakage_total),
        "categories": [
            {
                "category": c.key,
                "label": c.label(lang),
                "amount": money(totals.leakage[c.key]),
                "share_of_gross": round(float(totals.leakage[c.key] / gross), 6) if gross else 0.0,
            }
            for c in prof.LEAKAGE_CATEGORIES
        ],
        "accounts": [
            {
                "account_id": f.account_id,
                "account": f.account,
                "leakage_total": money(f.leakage_total),
                "leakage": {k: money(v) for k, v in f.leakage.items() if v},
            }
            for f in sorted(report.accounts, key=lambda f: f.leakage_total, reverse=True)
        ],
    }


def portfolio_totals(*, currency: str = "") -> Figures:
    """The P&L of all invoice lines (every account and the unassigned lines), for any reader; in one
    currency (see :func:`in_one_currency`); kept while the lines stay the same (:func:`kept_figures`)."""

    def compute() -> Figures:
        with analytics_store() as store:
            rows = prof.total_pnl(in_one_currency(store, currency=currency).facts).to_pyarrow().to_pylist()
        return _figures(rows[0] if rows else {}, "total")

    return kept_figures(("portfolio_totals", currency), compute)


def pocket_margin_trend() -> float | None:
    """Relative change of the pocket margin (pocket / gross revenue) of the more recent half of the
    months with invoice lines (at most six) against the half before; ``None`` with fewer than four months.
    Lines in several currencies are converted into one first (:func:`in_one_currency`). Kept while the
    lines stay the same (:func:`kept_figures`)."""
    return kept_figures("pocket_margin_trend", _pocket_margin_trend)


def _pocket_margin_trend() -> float | None:
    with analytics_store() as store:
        t = in_one_currency(store).lines
        zero = ibis.literal(0, type="decimal(18,4)")
        t = t.mutate(month=t.invoice_date.truncate("M"))
        monthly = (
            t.group_by("month")
            .aggregate(gross=ibis.ifelse(t.amount > 0, t.amount, zero).sum(), pocket=t.amount.sum())
            .order_by("month")
            .to_pyarrow()
            .to_pylist()
        )
    rows = [(float(r["gross"] or 0), float(r["pocket"] or 0)) for r in monthly if r["month"] is not None]
    return margin_trend(rows)


def _sum_figures(rows: list[Figures], name: str) -> Figures:
    return Figures(
        account_id=None,
        account=name,
        lines=sum(r.lines for r in rows),
        **{k: sum((getattr(r, k) for r in rows), Decimal(0)) for k in AMOUNTS},
        leakage={k: sum((r.leakage[k] for r in rows), Decimal(0)) for k in prof.LEAKAGE_KEYS},
    )


def profitability(
    *, user: Actor, account: Account | None = None, subtree: bool = False, currency: str = ""
) -> ProfitabilityReport:
    """Figures per account: all visible accounts, one account, or one account's subtree (each account of
    it plus the subtree total). Lines without a linked customer appear as the "unassigned" row when
    the user may see all figures. All figures in one currency (see :func:`in_one_currency`)."""
    allowed = visible_account_ids(user)
    with analytics_store() as store:
        with_dimensions(store)
        one = in_one_currency(store, user=user, currency=currency)
        facts, links = one.facts, store.table(CUSTOMER_LINKS)
        pnl = prof.account_pnl(facts, links)
        if account is not None:
            ids = (
                set(Account.objects.filter(path__startswith=account.path).values_list("pk", flat=True))
                if subtree
                else {account.pk}
            )
            pnl = pnl.filter(pnl.account_id.isin(list(ids)))
        elif allowed is not None:
            pnl = pnl.filter(pnl.account_id.isin(list(allowed) or [0]))
        rows = pnl.order_by(ibis.desc("contribution"), "account_id").to_pyarrow().to_pylist()
        totals_row = prof.total_pnl(facts).to_pyarrow().to_pylist()[0] if account is None and allowed is None else None
    if allowed is not None:
        rows = [r for r in rows if r["account_id"] in allowed]
    names = _names({r["account_id"] for r in rows})
    figures = [_figures(r, names.get(r["account_id"], "unassigned")) for r in rows]
    if totals_row is not None:
        totals = _figures(totals_row, "total")
    else:
        totals = _sum_figures(figures, account.name if account is not None and subtree else "total")
    return ProfitabilityReport(figures, totals, one.currency, one.conversion)


@dataclass(frozen=True)
class MonthRow:
    month: Any
    gross_revenue: Decimal
    leakage: Decimal
    pocket_revenue: Decimal
    orders: int
    product_groups: int


@dataclass(frozen=True)
class AccountProfitability:
    figures: Figures
    waterfall: list[prof.WaterfallStep]
    months: list[MonthRow]
    subtree: bool
    # expected cost of the active risks of the account's customer projects, per currency
    # (likelihood probability x cost; from the pipeline context)
    risk_costs: dict[str, Decimal] = field(default_factory=dict)
    currency: str = ""
    conversion: str = ""
    # the expected risk cost in ``currency`` (each risk's at the rate of its project's expected close date,
    # today's for a date in the future) and how it was converted ("" when nothing was)
    risk_cost_total: Decimal = Decimal(0)
    risk_cost_conversion: str = ""

    def contribution_after_risks(self, currency: str = "") -> Decimal | None:
        """Contribution minus the expected risk cost (converted into the figures' currency);
        ``None`` when asked for another currency than the figures'."""
        if currency and self.currency and currency != self.currency:
            return None
        return self.figures.contribution - self.risk_cost_total


def account_profitability(
    *, account: Account, subtree: bool = False, user: Actor | None = None, currency: str = ""
) -> AccountProfitability:
    """P&L, waterfall and monthly series of one account (or its subtree), in one currency (see
    :func:`in_one_currency`). Check the permission before."""
    ids = (
        list(Account.objects.filter(path__startswith=account.path).values_list("pk", flat=True))
        if subtree
        else [account.pk]
    )
    with analytics_store() as store:
        with_dimensions(store)
        one = in_one_currency(store, user=user, currency=currency)
        lines, facts = one.lines, one.facts
        mine = links_of(store, ids)
        own_facts = facts.semi_join(mine, facts.customer_id == mine.customer_id)
        own_lines = lines.semi_join(mine, lines.customer_id == mine.customer_id)
        pnl_rows = prof.total_pnl(own_facts).to_pyarrow().to_pylist()
        monthly = prof.monthly_series(own_lines, mine.view())
        monthly = monthly.group_by("month").aggregate(
            gross_revenue=monthly.gross_revenue.sum(),
            leakage=monthly.leakage.sum(),
            pocket_revenue=monthly.pocket_revenue.sum(),
            orders=monthly.orders.sum(),
            product_groups=monthly.product_groups.max(),
        )
        month_rows = monthly.order_by("month").to_pyarrow().to_pylist()
    row = pnl_rows[0] if pnl_rows else {}
    figures = _figures({**row, "account_id": account.pk}, account.name)
    pnl_dict = {k: getattr(figures, k) for k in AMOUNTS} | {
        prof.leakage_column(k): v for k, v in figures.leakage.items()
    }
    steps = prof.waterfall(pnl_dict, lang=get_language() or "en")
    months = [
        MonthRow(
            r["month"],
            Decimal(r["gross_revenue"] or 0),
            Decimal(r["leakage"] or 0),
            Decimal(r["pocket_revenue"] or 0),
            int(r["orders"] or 0),
            int(r["product_groups"] or 0),
        )
        for r in month_rows
    ]
    from kampass.pipeline.facade import expected_risk_cost_in

    risks = expected_risk_cost_in(ids, currency=one.currency)
    return AccountProfitability(
        figures, steps, months, subtree, risks.by_currency, one.currency, one.conversion, risks.total, risks.conversion
    )


@dataclass(frozen=True)
class AbcRow:
    rank: int
    account_id: int
    account: str
    contribution: Decimal
    share: float
    cumulative_share: float
    abc: str


@dataclass(frozen=True)
class Portfolio:
    totals: Figures
    abc: list[AbcRow]
    whale: list[tuple[float, float]]
    top_leakage: list[Figures]
    class_counts: dict[str, int]
    currency: str = ""
    conversion: str = ""


def portfolio(*, user: Actor, top: int = 15) -> Portfolio:
    """The whole portfolio (or, for a key account manager, their accounts): ABC, whale curve, top leakage.
    Kept while the lines stay the same (:func:`kept_figures`) for the same visible accounts and view currency."""
    allowed = visible_account_ids(user)
    scope = None if allowed is None else tuple(sorted(allowed))
    view = fx.view_currency(user)
    return kept_figures(("portfolio", scope, view, top), lambda: _portfolio(user=user, top=top))


def _portfolio(*, user: Actor, top: int) -> Portfolio:
    report = profitability(user=user)
    accounts = [f for f in report.accounts if f.account_id is not None]
    with analytics_store() as store:
        t = ibis.memtable(
            {
                "account_id": [f.account_id for f in accounts] or [0],
                "contribution": [float(f.contribution) for f in accounts] or [0.0],
            }
        )
        if not accounts:
            t = t.filter(t.account_id < 0)
        abc_rows = prof.abc_classes(t).order_by("rank").to_pyarrow().to_pylist()
        whale = prof.whale_curve(t).order_by("rank").to_pyarrow().to_pylist()
        del store
    by_id = {f.account_id: f for f in accounts}
    abc = [
        AbcRow(
            int(r["rank"]),
            int(r["account_id"]),
            by_id[r["account_id"]].account,
            by_id[r["account_id"]].contribution,
            float(r["share"]),
            float(r["cumulative_share"]),
            r["abc"],
        )
        for r in abc_rows
    ]
    counts = {k: sum(1 for r in abc if r.abc == k) for k in "ABC"}
    top_leakage = sorted(accounts, key=lambda f: f.leakage_total, reverse=True)[:top]
    points = [(0.0, 0.0)] + [(float(r["account_share"]), float(r["cumulative_value_share"])) for r in whale]
    return Portfolio(report.totals, abc, points, top_leakage, counts, report.currency, report.conversion)


@dataclass(frozen=True)
class LinePage:
    rows: list[dict[str, Any]]
    total: int


def account_lines(
    *, account: Account, subtree: bool = False, category: str = "", limit: int = 50, offset: int = 0
) -> LinePage:
    """The invoice lines behind an account's figures (drill-down), newest first; ``category`` filters."""
    ids = (
        list(Account.objects.filter(path__startswith=account.path).values_list("pk", flat=True))
        if subtree
        else [account.pk]
    )
    with analytics_store() as store:
        with_dimensions(store)
        lines = store.table(INVOICE_LINES)
        mine = links_of(store, ids)
        t = lines.semi_join(mine, lines.customer_id == mine.customer_id)
        if category == "other":
            t = t.filter((t.amount < 0) & t.category.isin(["other", prof.GOODS]))
        elif category in prof.LEAKAGE_KEYS:
            t = t.filter((t.category == category) & (t.amount < 0))
        elif category == prof.GOODS:
            t = t.filter(t.category == prof.GOODS)
        total = int(t.count().to_pyarrow().as_py())
        cols = ["batch_id", "source_row", "invoice_no", "invoice_date", "customer_id", "stock_code", "description",
                "quantity", "unit_price", "amount", "currency", "category"]  # fmt: skip
        rows = (
            t.select(*cols)
            .order_by([ibis.desc("invoice_date"), "invoice_no", "batch_id", "source_row"])
            .limit(limit, offset=offset)
            .to_pyarrow()
            .to_pylist()
        )
    return LinePage(rows, total)


@dataclass(frozen=True)
class ImportRules:
    """What the imports page tells about imports, as this installation is set up: the limits of an import
    file (``None``: switched off), how long uploaded files are kept, and the choices for lines imported before."""

    limits: ImportLimits
    retention_hours: float
    overlap_choices: list[tuple[str, str]]


def import_rules() -> ImportRules:
    """The rules of imports from the settings (``KAMPASS_IMPORT_*``, ``KAMPASS_UPLOAD_RETENTION_HOURS``)."""
    from django.conf import settings

    from kampass.commercial.models import OnOverlap
    from kampass.common.import_limits import import_limits

    return ImportRules(
        limits=import_limits(),
        retention_hours=max(float(settings.KAMPASS_UPLOAD_RETENTION_HOURS or 0.0), 0.0),
        overlap_choices=[(str(value), str(label)) for value, label in OnOverlap.choices],
    )


def daily_gross_revenue(account_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, str, Decimal]]]:
    """Gross revenue per account, invoice day (UTC) and currency (see ``facade.daily_gross_revenue``); kept
    while the lines stay the same (:func:`kept_figures`)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    kept = kept_figures(("daily_gross_revenue", tuple(ids)), lambda: _daily_gross_revenue(ids))
    return {k: list(v) for k, v in kept.items()}


def _daily_gross_revenue(ids: list[int]) -> dict[int, list[tuple[dt.date, str, Decimal]]]:
    with analytics_store() as store:
        with_dimensions(store)
        lines = store.table(INVOICE_LINES)
        mine = links_of(store, ids)
        joined = lines.filter(lines.amount > 0).inner_join(mine, lines.customer_id == mine.customer_id)
        daily = joined.group_by(
            account_id=joined.account_id, day=joined.invoice_date.date(), currency=joined.currency
        ).aggregate(amount=joined.amount.sum())
        rows = daily.order_by(["account_id", "day", "currency"]).to_pyarrow().to_pylist()
    out: dict[int, list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    for r in rows:
        if r["day"] is not None:
            out[int(r["account_id"])].append((r["day"], str(r["currency"]), Decimal(r["amount"] or 0)))
    return dict(out)


def newest_sale_day(account_ids: Iterable[int], *, as_of: dt.date) -> dt.date | None:
    """The newest invoice day (UTC) on or before ``as_of`` with a positive line of these accounts (see
    ``facade.newest_sale_day``): one aggregate in the analytics store."""
    ids = sorted(set(account_ids))
    if not ids:
        return None

    def newest() -> dt.date | None:
        with analytics_store() as store:
            with_dimensions(store)
            lines = store.table(INVOICE_LINES)
            mine = links_of(store, ids)
            day = lines.invoice_date.date()
            chosen = lines.filter((lines.amount > 0) & (day <= as_of))
            joined = chosen.semi_join(mine, chosen.customer_id == mine.customer_id)
            found = joined.invoice_date.date().max().to_pyarrow().as_py()
        return found if isinstance(found, dt.date) else None

    # kept while the lines and the customer links stay the same (a pass over a million lines at a large supplier)
    return kept_figures(("newest_sale_day", tuple(ids), as_of), newest)


def product_group_revenue(
    account_ids: Iterable[int],
    product_groups: Iterable[str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[tuple[int, str, dt.date, str, Decimal]]:
    """Gross revenue of these product groups at these accounts per account, product group, invoice day
    (UTC) and currency, from ``since`` to ``until`` (both included, open when ``None``); see
    ``facade.product_group_revenue``. Kept while the lines stay the same (:func:`kept_figures`)."""
    ids, groups = sorted(set(account_ids)), sorted({g for g in product_groups if g})
    if not ids or not groups:
        return []
    key = ("product_group_revenue", tuple(ids), tuple(groups), since, until)
    return list(kept_figures(key, lambda: _product_group_revenue(ids, groups, since=since, until=until)))


def _product_group_revenue(
    ids: list[int], groups: list[str], *, since: dt.date | None, until: dt.date | None
) -> list[tuple[int, str, dt.date, str, Decimal]]:
    with analytics_store() as store:
        with_dimensions(store)
        lines = store.table(INVOICE_LINES)
        mine = links_of(store, ids)
        chosen = lines.filter((lines.amount > 0) & lines.product_group.isin(groups))
        joined = chosen.inner_join(mine, chosen.customer_id == mine.customer_id)
        day = joined.invoice_date.date()
        if since is not None:
            joined = joined.filter(day >= since)
        if until is not None:
            joined = joined.filter(day <= until)
        daily = joined.group_by(
            account_id=joined.account_id,
            product_group=joined.product_group,
            day=joined.invoice_date.date(),
            currency=joined.currency,
        ).aggregate(amount=joined.amount.sum())
        rows = daily.order_by(["account_id", "product_group", "day", "currency"]).to_pyarrow().to_pylist()
    return [
        (int(r["account_id"]), str(r["product_group"]), r["day"], str(r["currency"]), Decimal(r["amount"] or 0))
        for r in rows
        if r["day"] is not None
    ]


def newest_invoice_day() -> dt.date | None:
    """The invoice day (UTC) of the newest invoice line of all customers: how far the facts reach
    (see ``facade.newest_invoice_day``); ``None`` without invoice lines."""
    with analytics_store() as store:
        lines = store.table(INVOICE_LINES)
        value = lines.invoice_date.date().max().to_pyarrow().as_py()
    return value if isinstance(value, dt.date) else None


def product_group_choices(account_ids: Iterable[int] | None = None, *, limit: int = 300) -> list[str]:
    """The product groups of the invoice lines (of these accounts' customers, or of all), by gross revenue."""
    with analytics_store() as store:
        lines = store.table(INVOICE_LINES)
        lines = lines.filter(lines.product_group.notnull() & (lines.amount > 0))
        if account_ids is not None:
            with_dimensions(store)
            mine = links_of(store, sorted(set(account_ids)))
            lines = lines.inner_join(mine, lines.customer_id == mine.customer_id)
        grouped = lines.group_by("product_group").aggregate(revenue=lines.amount.sum())
        rows = grouped.order_by([ibis.desc("revenue"), "product_group"]).limit(limit).to_pyarrow().to_pylist()
    return [str(r["product_group"]) for r in rows]


@dataclass(frozen=True)
class AccountHealthFigures:
    """The commercial side of an account's health (the account with everything below it): the leakage
    share of gross revenue (``Figures.leakage_share``) and the trend of the pocket margin (the
    :func:`pocket_margin_trend` rule over the subtree's own months); ``None`` where not computable."""

    account_id: int
    gross_revenue: Decimal
    leakage_share: float | None
    margin_trend: float | None


def margin_trend(monthly: list[tuple[float, float]]) -> float | None:
    """Relative change of the pocket margin of the more recent half of ``monthly`` ``(gross, pocket)``
    rows (oldest first; at most six months a half) against the half before; ``None`` with fewer than
    four months or without gross revenue in a half.

    >>> round(margin_trend([(100, 80), (100, 80), (100, 90), (100, 90)]), 4)
    0.125
    >>> margin_trend([(100, 80)] * 3) is None
    True
    """
    if len(monthly) < 4:
        return None
    half = min(6, len(monthly) // 2)
    recent, before = monthly[-half:], monthly[-2 * half : -half]
    m_recent = sum(p for _g, p in recent) / g if (g := sum(g for g, _p in recent)) > 0 else None
    m_before = sum(p for _g, p in before) / g if (g := sum(g for g, _p in before)) > 0 else None
    if m_recent is not None and m_before:
        return (m_recent - m_before) / abs(m_before)
    return None


#: above this many accounts, :func:`links_of` joins a table of their ids instead of listing them in the query
LINKS_LITERAL_LIMIT = 50


def links_of(store: AnalyticsStore, account_ids: list[int]) -> ibis.Table:
    """The customer links of ``account_ids``. A few ids are listed in the query (``IN (...)``); many (the
    scorecard computing hundreds of key accounts' subtrees) are joined as a table of ids: ibis builds a
    node per listed literal, and compiling a list of thousands took longer than running the query."""
    links = store.table(CUSTOMER_LINKS)
    if len(account_ids) <= LINKS_LITERAL_LIMIT:
        return links.filter(links.account_id.isin(account_ids))
    wanted = ibis.memtable(pa.table({"wanted_id": pa.array(sorted(set(account_ids)), type=pa.int64())}))
    return links.semi_join(wanted, links.account_id == wanted.wanted_id)


def account_health_figures(
    account_ids: Iterable[int], *, as_of: dt.date | None = None
) -> dict[int, AccountHealthFigures]:
    """:class:`AccountHealthFigures` of each given account over its subtree (all lines in one currency,
    see :func:`in_one_currency`); accounts without invoice lines get ``None`` figures. ``as_of``: only
    the lines invoiced on or before that day count (undated lines none; the health of a past day). Kept
    while the lines and the accounts stay the same (:func:`kept_figures`)."""
    roots = sorted(set(account_ids))
    if not roots:
        return {}
    return dict(kept_figures(("account_health_figures", tuple(roots), as_of), lambda: _health_figures(roots, as_of)))


def _health_figures(roots: list[int], as_of: dt.date | None) -> dict[int, AccountHealthFigures]:
    members = subtree_account_ids_of(roots)  # one query, not one per account
    ids = sorted({i for m in members.values() for i in m})
    with analytics_store() as store:
        with_dimensions(store)
        one = in_one_currency(store)
        mine = links_of(store, ids)
        facts, dated = one.facts, one.lines
        if as_of is not None:
            dated = one.lines.filter(one.lines.invoice_date.date() <= as_of)
            facts = dated
        pnl_rows = prof.account_pnl(facts, mine).to_pyarrow().to_pylist()
        lines = dated.inner_join(mine, dated.customer_id == mine.customer_id)
        zero = ibis.literal(0, type="decimal(18,4)")
        monthly_rows = (
            lines.group_by(account_id=lines.account_id, month=lines.invoice_date.truncate("M"))
            .aggregate(gross=ibis.ifelse(lines.amount > 0, lines.amount, zero).sum(), pocket=lines.amount.sum())
            .to_pyarrow()
            .to_pylist()
        )
    pnl = {int(r["account_id"]): _figures(r, "") for r in pnl_rows if r["account_id"] != prof.UNASSIGNED}
    months: dict[int, dict[Any, tuple[float, float]]] = defaultdict(dict)
    for r in monthly_rows:
        if r["month"] is not None:
            months[int(r["account_id"])][r["month"]] = (float(r["gross"] or 0), float(r["pocket"] or 0))
    out: dict[int, AccountHealthFigures] = {}
    for root in roots:
        own = members.get(root, [])
        gross = sum((pnl[i].gross_revenue for i in own if i in pnl), Decimal(0))
        leakage = sum((pnl[i].leakage_total for i in own if i in pnl), Decimal(0))
        by_month: dict[Any, tuple[float, float]] = {}
        for i in own:
            for m, (g, p) in months.get(i, {}).items():
                g0, p0 = by_month.get(m, (0.0, 0.0))
                by_month[m] = (g0 + g, p0 + p)
        series = [by_month[m] for m in sorted(by_month)]
        out[root] = AccountHealthFigures(root, gross, float(leakage / gross) if gross else None, margin_trend(series))
    return out


#: the newest results of :func:`pnl_between` in this process, keyed by their arguments and the stamp of
#: everything they depend on (lines, accounts and links, loaded rates, today for undated lines)
PNL_CACHE_SIZE = 64
_pnl_cache: ProcessMemo[dict[int, Any]] = ProcessMemo(size=PNL_CACHE_SIZE)


def pnl_between(account_ids: Iterable[int], *, start: dt.date, end: dt.date, currency: str) -> dict[int, Any]:
    """The P&L of each account's own invoice lines in a date window (see ``facade.account_pnl_between``).
    Kept in the process while the lines, the accounts, the customer links and the loaded rates stay the
    same (the KPI matrix, objectives and the cockpit ask for the same windows again and again)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    key = (
        tuple(ids), start, end, currency, fx.reporting_currency(), invoice_data_stamp(), fx.loaded_rates_stamp(),
        timezone.localdate(),
    )  # fmt: skip
    return dict(_pnl_cache.get_or_compute(key, lambda: _pnl_between(ids, start=start, end=end, currency=currency)))


def _pnl_between(ids: list[int], *, start: dt.date, end: dt.date, currency: str) -> dict[int, Any]:
    from kampass.commercial.facade import AccountPnl

    with analytics_store() as store:
        with_dimensions(store)
        one = in_one_currency(store, currency=currency)
        lines, links = one.lines, store.table(CUSTOMER_LINKS)
        day = lines.invoice_date.date()
        window = lines.filter((day >= start) & (day <= end))
        pnl = prof.account_pnl(window, links.filter(links.account_id.isin(ids)))
        rows = pnl.filter(pnl.account_id.isin(ids)).to_pyarrow().to_pylist()
    out: dict[int, Any] = {}
    for r in rows:
        f = _figures(r, "")
        out[int(r["account_id"])] = AccountPnl(
            int(r["account_id"]),
            one.currency,
            f.lines,
            f.gross_revenue,
            f.pocket_revenue,
            f.leakage_total,
            f.contribution,
            one.conversion,
        )
    return out


_purchases_cache: dict[str, Any] = {}


def _lines_stamp(store: AnalyticsStore) -> tuple[Any, ...]:
    """What changes whenever invoice lines are imported, replaced or removed: the import batches with
    their line counts, and the lines' count, sums of amount and quantity and first and last invoice day
    (one aggregate; a column store answers it without reading whole rows)."""
    batches = store.table(IMPORT_BATCHES).select("batch_id", "lines").to_pyarrow().to_pylist()
    lines = store.table(INVOICE_LINES)
    totals = (
        lines.aggregate(
            n=lines.count(), amount=lines.amount.sum(), quantity=lines.quantity.sum(),
            first=lines.invoice_date.min(), last=lines.invoice_date.max(), customers=lines.customer_id.nunique(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )  # fmt: skip
    return (tuple(sorted(totals.items())), tuple(sorted((b["batch_id"], int(b["lines"])) for b in batches)))


#: the lines' stamp of each published copy of the DuckDB store, by the copy's path (a copy never changes)
_copies_lines: ProcessMemo[tuple[Any, ...]] = ProcessMemo(size=8)


def invoice_data_stamp() -> tuple[Any, ...]:
    """Equal while the invoice lines, the accounts and the customer links stay the same: what
    :func:`goods_purchases` and :func:`pnl_between` answer from (they keep their answers under it).

    On the embedded store the lines' aggregate is computed once per published copy: it took 27-33 ms on
    every page that shows invoice figures (the cockpit, the portfolio, the programme), at the demo size
    as at a million lines."""
    with analytics_store() as store:
        copy = published_copy_read(store)
        lines = _lines_stamp(store) if copy is None else _copies_lines.get_or_compute(copy, lambda: _lines_stamp(store))
        return (_dims_signature(), lines)


#: figures derived from all invoice lines (the portfolio, the totals, the margin trend), kept in the process
#: under :func:`figures_stamp`: at the size of a large supplier each reads a million lines
_figures_kept: ProcessMemo[Any] = ProcessMemo(size=64)


def figures_stamp() -> tuple[Any, ...]:
    """Equal while the figures of the invoice lines stay the same (once per page request): the lines,
    accounts and customer links (:func:`invoice_data_stamp`), the loaded exchange rates, the reporting
    currency, the day and the language (the conversion notes are translated)."""
    return memoised(
        "commercial.figures_stamp",
        lambda: (invoice_data_stamp(), fx.loaded_rates_stamp(), fx.reporting_currency(), timezone.localdate()),
    )


def kept_figures(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept while :func:`figures_stamp` holds; ``key`` names everything else it depends on."""
    full = (key, get_language(), figures_stamp())
    return _figures_kept.for_request(full, compute)


def goods_purchases() -> list[tuple[str, str, str, str, int | None]]:
    """What each customer bought: distinct ``(customer_id, stock_code, product_group, description,
    account_id)`` of the goods lines with a positive amount (``account_id`` of the customer's link, or
    ``None``); see ``facade.goods_purchases``. Cached in the process until the lines, the accounts or
    the customer links change (the whitespace matrix reads it on every request)."""
    with analytics_store() as store:
        signature = (_dims_signature(), _lines_stamp(store))  # as invoice_data_stamp, on the open store
        if _purchases_cache.get("signature") == signature:
            cached: list[tuple[str, str, str, str, int | None]] = _purchases_cache["rows"]
            return cached
        with_dimensions(store)
        lines, links = store.table(INVOICE_LINES), store.table(CUSTOMER_LINKS)
        goods = lines.filter((lines.amount > 0) & (lines.category == prof.GOODS) & lines.customer_id.notnull())
        bought = goods.group_by(
            customer_id=goods.customer_id,
            stock_code=goods.stock_code.fill_null(""),
            product_group=goods.product_group.fill_null(""),
        ).aggregate(description=goods.description.max())
        joined = bought.left_join(links, bought.customer_id == links.customer_id).select(
            bought.customer_id, bought.stock_code, bought.product_group, bought.description, links.account_id
        )
        rows = joined.to_pyarrow().to_pylist()
    out = [
        (
            str(r["customer_id"]),
            str(r["stock_code"] or ""),
            str(r["product_group"] or ""),
            str(r["description"] or ""),
            None if r["account_id"] is None else int(r["account_id"]),
        )
        for r in rows
    ]
    _purchases_cache.update(signature=signature, rows=out)
    return out
