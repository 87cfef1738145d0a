"""JSON API of the commercial context: profitability, profit leakage, the portfolio,
customer links and transaction imports.

Endpoints only translate between JSON and the selectors/services. Figures follow the
same permission as the UI: a key account manager sees the accounts whose team they are
on (and their subtrees); head of KAM, controllers, viewers and administrators see all.
Money is sent as decimal strings (``"1234.50"``), never as floats; shares are floats
between 0 and 1. ``GET /profitability`` returns the same document as
``kampass analyze profitability --json``, ``GET /leakage`` the one of
``kampass analyze leakage --json``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from kampass.accounts.models import Account
from kampass.commercial import selectors, services
from kampass.commercial.models import CustomerLink, ImportJob, LinkMode, OnOverlap
from kampass.common.api import ERRORS, Id, InSchema, PageIn, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_update, conflict_responses, version_in, version_out
from kampass.common.i18n import ui_language as _lang
from kampass.common.permissions import authorize
from kampass.core import profitability as prof

router = Router(tags=["commercial"])

Money = Annotated[str, Field(description="Decimal string in the account currency, e.g. “1234.50”.")]
LINE_CATEGORIES = ["", prof.GOODS, *prof.LEAKAGE_KEYS]


# ---------------------------------------------------------------- helpers


def _money(value: Decimal) -> str:
    return str(value.quantize(selectors.CENT))


def _account_with_figures(request: HttpRequest, account_id: Id) -> Account:
    """The account, if the user may see its figures; else 403 (404 if there is none)."""
    account = get_object_or_404(Account, pk=account_id)
    authorize(_actor(request), "commercial.view_figures", account)
    return account


def _scope(request: HttpRequest, account_id: Id | None) -> Account | None:
    return None if account_id is None else _account_with_figures(request, account_id)


# ---------------------------------------------------------------- schemas


class ScopeIn(InSchema):
    account_id: Id | None = Field(
        None, description="Only this account (needs permission to see its figures); default: all visible accounts."
    )
    subtree: bool = Field(False, description="With account_id: the account and every account below it.")


class SubtreeIn(InSchema):
    subtree: bool = Field(False, description="Include every account below this one.")


class FiguresOut(Schema):
    """The P&L of one account; ``account_id`` null is the row of unassigned lines."""

    account_id: Id | None
    account: str
    lines: int
    gross_revenue: Money
    invoice_revenue: Money
    pocket_revenue: Money
    costs: Money
    contribution: Money
    leakage: dict[str, Money] = Field(description="Leakage per category (all categories).")


class TotalsOut(Schema):
    gross_revenue: Money
    invoice_revenue: Money
    pocket_revenue: Money
    contribution: Money
    leakage: dict[str, Money]
    lines: int


class ProfitabilityOut(Schema):
    accounts: list[FiguresOut]
    totals: TotalsOut


class LeakageScopeOut(Schema):
    account_id: Id | None
    subtree: bool


class LeakageCategoryOut(Schema):
    category: str
    label: str
    amount: Money
    share_of_gross: float = Field(description="Amount divided by gross revenue (0 without revenue).")


class AccountLeakageOut(Schema):
    account_id: Id | None
    account: str
    leakage_total: Money
    leakage: dict[str, Money] = Field(description="Only the categories with leakage.")


class LeakageOut(Schema):
    scope: LeakageScopeOut
    gross_revenue: Money
    pocket_revenue: Money
    leakage_total: Money
    categories: list[LeakageCategoryOut]
    accounts: list[AccountLeakageOut]


class WaterfallStepOut(Schema):
    key: str
    label: str
    kind: str = Field(json_schema_extra={"enum": ["total", "leakage"]})
    amount: Money
    start: Money
    end: Money


class MonthOut(Schema):
    month: dt.date = Field(description="First day of the month.")
    gross_revenue: Money
    leakage: Money
    pocket_revenue: Money
    orders: int
    product_groups: int


class AccountProfitabilityOut(Schema):
    account_id: Id
    account: str
    subtree: bool
    figures: FiguresOut
    leakage_total: Money
    leakage_share: float = Field(description="Leakage divided by gross revenue.")
    waterfall: list[WaterfallStepOut]
    months: list[MonthOut]


class LineFilterIn(InSchema):
    subtree: bool = Field(False, description="Include the lines of every account below this one.")
    category: str = Field(
        "",
        description="Only goods lines, or only the (negative) lines of one leakage category.",
        json_schema_extra={"enum": [*LINE_CATEGORIES]},
    )


class LineOut(Schema):
    invoice_no: str
    invoice_date: dt.datetime | None
    customer_id: str | None
    stock_code: str | None
    description: str | None
    quantity: str = Field(description="Decimal string as stored.")
    unit_price: str = Field(description="Decimal string as stored.")
    amount: str = Field(description="quantity × unit price, decimal string as stored.")
    currency: str
    category: str


class LinePageOut(Schema):
    items: list[LineOut]
    count: int


class AbcRowOut(Schema):
    rank: int
    account_id: Id
    account: str
    contribution: Money
    share: float
    cumulative_share: float
    abc: str = Field(json_schema_extra={"enum": ["A", "B", "C"]})


class WhalePointOut(Schema):
    account_share: float = Field(description="Share of accounts, most profitable first (x).")
    cumulative_share: float = Field(description="Cumulative share of contribution (y); above 1 where losses follow.")


class LeakageAccountOut(Schema):
    account_id: Id | None
    account: str
    gross_revenue: Money
    leakage_total: Money
    leakage_share: float
    leakage: dict[str, Money]


class PortfolioOut(Schema):
    totals: FiguresOut
    class_counts: dict[str, int]
    abc: list[AbcRowOut]
    whale: list[WhalePointOut]
    top_leakage: list[LeakageAccountOut]


class CustomerLinkOut(Schema):
    customer_id: str
    account_id: Id
    account: str
    created_at: dt.datetime
    version: int = version_out()

    @staticmethod
    def resolve_account(obj: CustomerLink) -> str:
        return obj.account.name


class CustomerLinkPageOut(Schema):
    items: list[CustomerLinkOut]
    count: int


class CustomerLinkFilterIn(InSchema):
    q: str = Field("", description="Search in customer number and account name.")
    account_id: Id | None = Field(None, description="Only the links to this account.")


class CustomerLinkIn(InSchema):
    account_id: Id
    version: int | None = version_in()


class ImportIn(InSchema):
    mapping: str = Field(
        "online-retail",
        description="A built-in mapping (online-retail or generic) or the name of a mapping saved on the Imports "
        "page's mapping step (to use a file of your own, upload it as `mapping_file`). Any other value is a 422.",
    )
    encoding: str = Field(
        "",
        description="The file's text encoding, e.g. utf-8, cp1252, latin-1 (empty: recognised from its bytes; a "
        "file mixing UTF-8 with other lines fails with a message until it is given).",
        max_length=40,
    )
    strict: bool = Field(False, description="Store nothing if any line is rejected.")
    dry_run: bool = Field(False, description="Read, check and classify, but store nothing.")
    link_mode: str = Field(LinkMode.EXTERNAL_ID.value, json_schema_extra={"enum": [*LinkMode.values]})
    date_order: str = Field(
        "",
        description="dmy or mdy: how to read slash dates when the date column cannot decide it (empty: decide "
        "from all its values; an undecidable column fails the job with a question in `error`).",
        json_schema_extra={"enum": ["", "dmy", "mdy"]},
    )
    on_overlap: str = Field(
        OnOverlap.SKIP.value,
        description="Lines an earlier import already holds (same invoice, stock code, quantity, price, date and "
        "customer): skip them, replace the earlier ones, or import them again.",
        json_schema_extra={"enum": [*OnOverlap.values]},
    )


class OverlapImportOut(Schema):
    batch_id: str
    file_name: str
    imported_at: dt.datetime | None
    lines: int = Field(description="Lines of this file found in that import.")


class OverlapOut(Schema):
    lines: int = Field(description="Lines of the file that earlier imports hold.")
    of: int = Field(description="Good lines of the file.")
    mode: str = Field(json_schema_extra={"enum": [*OnOverlap.values]})
    skipped: int = Field(description="Lines of the file not written (skip).")
    replaced: int = Field(description="Earlier lines deleted (replace).")
    earlier: list[OverlapImportOut]


class ImportJobOut(Schema):
    id: uuid.UUID
    file: str
    mapping: str
    strict: bool
    dry_run: bool
    link_mode: str
    date_order: str = Field(description="The date order given with the import (empty: decided from the file).")
    date_order_used: str = Field(description="The day/month order the dates were read in (empty: no such dates).")
    status: str = Field(json_schema_extra={"enum": ["queued", "running", "done", "failed"]})
    progress: float = Field(description="0 to 1.")
    message: str
    lines: int
    rejected: int
    already_imported: bool
    on_overlap: str = Field(json_schema_extra={"enum": [*OnOverlap.values]})
    overlap: OverlapOut | None = Field(description="How the file overlaps earlier imports (null: it does not).")
    customers: int
    linked: int = Field(description="Customers newly linked to accounts (a dry run: that would be linked).")
    accounts_created: int = Field(description="Accounts created for new customers (a dry run: that would be).")
    unmatched: int = Field(description="Customers not linked to an account (their lines are unassigned).")
    error: str
    created_by_id: Id | None
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_file(obj: ImportJob) -> str:
        return obj.original_name

    @staticmethod
    def resolve_overlap(obj: ImportJob) -> dict[str, Any] | None:
        return obj.overlap or None

    @staticmethod
    def resolve_linked(obj: ImportJob) -> int:
        return obj.linked_customers

    @staticmethod
    def resolve_unmatched(obj: ImportJob) -> int:
        return len(obj.unmatched_customers or [])


class ImportJobPageOut(Schema):
    items: list[ImportJobOut]
    count: int


# ---------------------------------------------------------------- profitability


@router.get("/profitability", response={200: ProfitabilityOut, **ERRORS})
def profitability(request: HttpRequest, scope: Query[ScopeIn]) -> dict[str, Any]:
    """Account P&L: every account the user may see (plus unassigned lines for those who see all), one
    account, or one account's subtree. The same document as ``kampass analyze profitability --json``."""
    account = _scope(request, scope.account_id)
    report = selectors.profitability(user=_actor(request), account=account, subtree=scope.subtree)
    return report.as_json()


@router.get("/leakage", response={200: LeakageOut, **ERRORS})
def leakage(request: HttpRequest, scope: Query[ScopeIn]) -> dict[str, Any]:
    """Profit leakage by category and per account (as ``kampass analyze leakage --json``)."""
    account = _scope(request, scope.account_id)
    report = selectors.profitability(user=_actor(request), account=account, subtree=scope.subtree)
    return selectors.leakage_report(report, account=account, subtree=scope.subtree, lang=_lang())


@router.get("/accounts/{account_id}/profitability", response={200: AccountProfitabilityOut, **ERRORS})
def account_profitability(request: HttpRequest, account_id: Id, params: Query[SubtreeIn]) -> dict[str, Any]:
    """P&L, pocket-price waterfall and monthly series of one account (or its subtree)."""
    account = _account_with_figures(request, account_id)
    result = selectors.account_profitability(account=account, subtree=params.subtree)
    figures = result.figures
    return {
        "account_id": account.pk,
        "account": account.name,
        "subtree": result.subtree,
        "figures": figures.as_json(),
        "leakage_total": _money(figures.leakage_total),
        "leakage_share": figures.leakage_share,
        "waterfall": [
            {
                "key": s.key,
                "label": s.label,
                "kind": s.kind,
                "amount": _money(s.amount),
                "start": _money(s.start),
                "end": _money(s.end),
            }
            for s in result.waterfall
        ],
        "months": [
            {
                "month": m.month.date() if isinstance(m.month, dt.datetime) else m.month,
                "gross_revenue": _money(m.gross_revenue),
                "leakage": _money(m.leakage),
                "pocket_revenue": _money(m.pocket_revenue),
                "orders": m.orders,
                "product_groups": m.product_groups,
            }
            for m in result.months
        ],
    }


@router.get("/accounts/{account_id}/lines", response={200: LinePageOut, **ERRORS})
def account_lines(
    request: HttpRequest, account_id: Id, filters: Query[LineFilterIn], page: Query[PageIn]
) -> dict[str, Any]:
    """The invoice lines behind an account's figures (drill-down), newest first."""
    account = _account_with_figures(request, account_id)
    if filters.category not in LINE_CATEGORIES:
        raise ValidationError({"category": _("Unknown option “%(value)s”.") % {"value": filters.category}})
    result = selectors.account_lines(
        account=account, subtree=filters.subtree, category=filters.category, limit=page.limit, offset=page.offset
    )
    items = [
        {**row, **{k: str(row[k]) for k in ("quantity", "unit_price", "amount") if row[k] is not None}}
        for row in result.rows
    ]
    return {"items": items, "count": result.total}


@router.get("/portfolio", response={200: PortfolioOut, **ERRORS})
def portfolio(request: HttpRequest) -> dict[str, Any]:
    """The portfolio the user may see: totals, ABC classes by contribution, whale curve, top leakage."""
    result = selectors.portfolio(user=_actor(request))
    return {
        "totals": result.totals.as_json(),
        "class_counts": result.class_counts,
        "abc": [
            {
                "rank": r.rank,
                "account_id": r.account_id,
                "account": r.account,
                "contribution": _money(r.contribution),
                "share": r.share,
                "cumulative_share": r.cumulative_share,
                "abc": r.abc,
            }
            for r in result.abc
        ],
        "whale": [{"account_share": x, "cumulative_share": y} for x, y in result.whale],
        "top_leakage": [
            {
                "account_id": f.account_id,
                "account": f.account,
                "gross_revenue": _money(f.gross_revenue),
                "leakage_total": _money(f.leakage_total),
                "leakage_share": f.leakage_share,
                "leakage": {k: _money(v) for k, v in f.leakage.items() if v},
            }
            for f in result.top_leakage
        ],
    }


# ---------------------------------------------------------------- customer links


@router.get("/customer-links", response={200: CustomerLinkPageOut, **ERRORS})
def customer_link_list(
    request: HttpRequest, filters: Query[CustomerLinkFilterIn], page: Query[PageIn]
) -> dict[str, Any]:
    """Which account each customer number belongs to (for a key account manager: their accounts)."""
    qs: QuerySet[CustomerLink] = CustomerLink.objects.select_related("account").order_by("customer_id")
    visible = selectors.visible_account_ids(_actor(request))
    if visible is not None:
        qs = qs.filter(account_id__in=visible)
    if q := filters.q.strip():
        qs = qs.filter(Q(customer_id__icontains=q) | Q(account__name__icontains=q))
    if filters.account_id is not None:
        qs = qs.filter(account_id=filters.account_id)
    return page_of(qs, page)


@router.put(
    "/customer-links/{customer_id}",
    response={200: CustomerLinkOut, **ERRORS, **conflict_responses(CustomerLinkOut)},
    openapi_extra=refused("an id that names no stored object"),
)
def customer_link_set(request: HttpRequest, response: HttpResponse, customer_id: str, payload: CustomerLinkIn) -> Any:
    """Link a customer number to an account, or move its link (needs permission to change the account).
    Moving a link: send its ``version`` (or ``If-Match``); a stale one answers 409 (412) and moves nothing."""
    account = Account.objects.filter(pk=payload.account_id).first()
    if account is None:
        message = _("There is no %(model)s with id %(id)s.")
        raise ValidationError({"account_id": message % {"model": Account._meta.verbose_name, "id": payload.account_id}})
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.customer_link(
            actor=_actor(request), customer_id=customer_id, account=account, version=version
        ),
        current=lambda: CustomerLink.objects.select_related("account").get(customer_id=customer_id.strip()),
    )


@router.delete("/customer-links/{customer_id}", response={204: None, **ERRORS})
def customer_link_delete(request: HttpRequest, customer_id: str) -> Status[Any]:
    """Remove a link: the customer's lines count as unassigned again (head of KAM and administrators)."""
    services.customer_unlink(actor=_actor(request), customer_id=customer_id)
    return Status(204, None)


# ---------------------------------------------------------------- imports


@router.post(
    "/imports",
    response={202: ImportJobOut, **ERRORS},
    openapi_extra=refused("an encoding Python does not know", "a file over the configured import limits"),
)
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    options: Form[ImportIn],
    mapping_file: File[UploadedFile | None] = None,
) -> Status[Any]:
    """Upload a transactions file (CSV, gzipped CSV, XLSX) and queue its import; poll ``GET /imports/{id}``.

    Optionally upload a mapping file (YAML, at most 1 MB) as ``mapping_file``; it replaces ``mapping``.
    A file over the limits of the installation (size, columns, XLSX unpacked size and compression) is a 422
    naming the limit."""
    job = services.import_job_create(
        actor=_actor(request),
        source=file,
        original_name=file.name or "upload.csv",
        mapping=options.mapping,
        strict=options.strict,
        dry_run=options.dry_run,
        link_mode=options.link_mode,
        date_order=options.date_order,
        on_overlap=options.on_overlap,
        encoding=options.encoding,
        mapping_file=mapping_file,
    )
    return Status(202, job)


@router.get("/imports", response={200: ImportJobPageOut, **ERRORS})
def import_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """Import jobs, newest first (head of KAM, administrators, controllers and viewers)."""
    authorize(_actor(request), "commercial.view_portfolio_figures")
    qs = ImportJob.objects.order_by("-created_at")
    return page_of(qs, page)


@router.get("/imports/{job_id}", response={200: ImportJobOut, **ERRORS})
def import_detail(request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
    """Status and progress (0..1) of one import job, and its outcome once done."""
    authorize(_actor(request), "commercial.view_portfolio_figures")
    return get_object_or_404(ImportJob, pk=job_id)
