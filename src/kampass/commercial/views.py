"""Pages of the commercial context: account profitability, the portfolio, imports. Thin views over
forms, services and selectors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kampass.accounts.models import Account
from kampass.commercial import selectors, services
from kampass.commercial.charts import monthly_chart, waterfall_chart, whale_chart
from kampass.commercial.exports import EXPORT_LINE_LIMIT, profitability_workbook
from kampass.commercial.forms import CustomerLinkForm, ImportForm
from kampass.commercial.models import CustomerLink, ImportJob, LinkMode
from kampass.commercial.services_mapping import upload_mapping
from kampass.common.guardrails import guardrail_values
from kampass.common.htmx import form_status, is_fragment_request, redirect_to, render_page, submit_form
from kampass.common.i18n import ui_language as _lang
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.common.uploads import upload_refusal
from kampass.core import profitability as prof

LINES_PER_PAGE = 50
ABC_PER_PAGE = 50
UNMATCHED_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def category_labels() -> dict[str, str]:
    """The line categories by key, in the reader's language (goods and the leakage categories)."""
    lang = _lang()
    return {prof.GOODS: _("Goods")} | {c.key: c.label(lang) for c in prof.LEAKAGE_CATEGORIES}


def _pct(part: Decimal, whole: Decimal) -> float:
    return float(part / whole * 100) if whole else 0.0


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return max(1, int(raw)) if raw.isdigit() else 1


def _subtree(request: HttpRequest) -> bool:
    return request.GET.get("subtree") == "1"


def _line_currency(account: Account, subtree: bool) -> str:
    """The currency of the account's invoice lines (the newest line), else the account's currency."""
    page = selectors.account_lines(account=account, subtree=subtree, limit=1)
    return str(page.rows[0]["currency"]) if page.rows else account.currency


# ---------------------------------------------------------------- account profitability


@dataclass(frozen=True)
class LinesPage:
    """One page of invoice lines of a drill-down (the selector pages by offset)."""

    rows: list[dict[str, Any]]
    total: int
    number: int
    num_pages: int

    @property
    def paginator(self) -> LinesPage:
        """Quacks like Django's ``Page.paginator`` for the pager template (``num_pages``)."""
        return self

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * LINES_PER_PAGE + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * LINES_PER_PAGE + len(self.rows)


def _lines_page(request: HttpRequest, account: Account, subtree: bool, category: str) -> LinesPage:
    number = _page_number(request)

    def fetch(n: int) -> selectors.LinePage:
        return selectors.account_lines(
            account=account, subtree=subtree, category=category, limit=LINES_PER_PAGE, offset=(n - 1) * LINES_PER_PAGE
        )

    found = fetch(number)
    num_pages = max(1, math.ceil(found.total / LINES_PER_PAGE))
    if number > num_pages:
        number = num_pages
        found = fetch(number)
    return LinesPage(found.rows, found.total, number, num_pages)


@login_required
def account_profitability(request: HttpRequest, pk: int) -> HttpResponse:
    """P&L, waterfall, monthly trend and leakage of one account (``?subtree=1``: with subsidiaries).

    ``?category=KEY`` adds the invoice lines of that category; HTMX gets just those lines.
    """
    account = get_object_or_404(Account.objects.select_related("parent"), pk=pk)
    authorize(request.user, "commercial.view_figures", account)
    subtree = _subtree(request)
    labels = category_labels()
    category = request.GET.get("category", "")
    category = category if category in labels else ""
    context: dict[str, Any] = {
        "account": account,
        "subtree": subtree,
        "category": category,
        "category_label": labels.get(category, ""),
        "category_labels": labels,
        "lines": _lines_page(request, account, subtree, category) if category else None,
    }
    page, lines_fragment = "commercial/account_profitability.html", "commercial/_lines.html"
    if category and is_fragment_request(request):
        return render_page(request, page, context, fragment=lines_fragment)

    data = selectors.account_profitability(account=account, subtree=subtree, user=request.user)
    figures = data.figures
    currency = data.currency or _line_currency(account, subtree)
    leakage = [
        {"key": key, "label": labels[key], "amount": amount, "share": _pct(amount, figures.gross_revenue)}
        for key, amount in sorted(figures.leakage.items(), key=lambda kv: kv[1], reverse=True)
        if amount
    ]
    breakdown = (
        selectors.profitability(user=request.user, account=account, subtree=True, currency=currency).accounts
        if subtree
        else []
    )
    context.update(
        figures=figures,
        currency=currency,
        leakage_share=figures.leakage_share * 100,
        leakage=leakage,
        breakdown=[{"f": f, "leakage_share": f.leakage_share * 100} for f in breakdown],
        months=data.months,
        risk_costs=sorted(data.risk_costs.items()),
        risk_cost_total=data.risk_cost_total,
        risk_cost_conversion=data.risk_cost_conversion,
        contribution_after_risks=data.contribution_after_risks() if data.risk_costs else None,
        conversion=data.conversion,
        account_currency=account.currency,
        in_account_currency=_in_account_currency(request, account, subtree, currency) if figures.lines else None,
        has_children=Account.objects.filter(parent=account).exists(),
        waterfall_spec=waterfall_chart(data.waterfall, currency=currency) if figures.lines else None,
        monthly_spec=monthly_chart(data.months, currency=currency) if figures.lines else None,
        can_import=request.user.has_perm("commercial.import_transactions"),
    )
    return render_page(request, page, context)


def _in_account_currency(
    request: HttpRequest, account: Account, subtree: bool, currency: str
) -> selectors.ProfitabilityReport | None:
    """The figures again in the account's master-data currency when they are in another one (each line
    converted at its invoice day's rate), so that master data and profitability agree or show the conversion."""
    if account.currency == currency:
        return None
    return selectors.profitability(user=request.user, account=account, subtree=subtree, currency=account.currency)


@login_required
def account_profitability_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The profitability of an account as an Excel workbook (``?subtree=1``: with subsidiaries)."""
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "commercial.view_figures", account)
    subtree = _subtree(request)
    data = selectors.account_profitability(account=account, subtree=subtree, user=request.user)
    lines = selectors.account_lines(account=account, subtree=subtree, limit=EXPORT_LINE_LIMIT)
    currency = data.currency or (str(lines.rows[0]["currency"]) if lines.rows else account.currency)
    labels = category_labels()
    categories = [(labels[k], data.figures.leakage[k]) for k in prof.LEAKAGE_KEYS if data.figures.leakage.get(k)]
    title = (_("Profitability of %(account)s with subsidiaries") if subtree else _("Profitability of %(account)s")) % {
        "account": account.name
    }
    content = profitability_workbook(
        title=title, currency=currency, data=data, categories=categories, lines=lines, category_labels=labels
    )
    stem = slugify(f"{account.name} {_('profitability')} {_('with subsidiaries') if subtree else ''}")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{stem or account.pk}.xlsx")
    return response


# ---------------------------------------------------------------- portfolio


def _abc_columns(currency: str) -> list[Column[selectors.AbcRow]]:
    """The columns of the ABC table as a file, in the active language; shares in per cent."""
    return [
        Column(_("Rank"), lambda r: r.rank),
        Column(_("Account"), lambda r: r.account),
        Column(_("Contribution"), lambda r: r.contribution),
        Column(_("Currency"), lambda r: currency),
        Column(_("Share (%)"), lambda r: round(r.share * 100, 2)),
        Column(_("Cumulative share (%)"), lambda r: round(r.cumulative_share * 100, 2)),
        Column(_("Class"), lambda r: r.abc),
    ]


@login_required
def portfolio(request: HttpRequest) -> HttpResponseBase:
    """ABC classes, whale curve and the accounts with the most leakage; a KAM sees their own accounts
    (``?export=csv|xlsx``: the whole ABC table as a file)."""
    data = selectors.portfolio(user=request.user)
    if export_format(request) is not None:
        currency = data.currency
        if data.abc and not currency:
            top = Account.objects.filter(pk=data.abc[0].account_id).first()
            currency = _line_currency(top, False) if top else ""
        return export_response(request, stem="abc-analysis", columns=_abc_columns(currency), rows=data.abc)
    page = paginate(request, data.abc, per_page=ABC_PER_PAGE)
    context: dict[str, Any] = {
        "data": data,
        "page": page,
        "currency": data.currency,
        "conversion": data.conversion,
        "abc_rows": [
            {"r": r, "share": r.share * 100, "cumulative": r.cumulative_share * 100} for r in page.object_list
        ],
        "restricted": not request.user.has_perm("commercial.view_portfolio_figures"),
    }
    if data.abc and not data.currency:
        top = Account.objects.filter(pk=data.abc[0].account_id).first()
        context["currency"] = _line_currency(top, False) if top else ""
    if is_fragment_request(request):
        return render_page(request, "commercial/portfolio.html", context, fragment="commercial/_abc_table.html")
    labels = category_labels()
    totals = data.totals
    top_leakage = []
    for f in data.top_leakage:
        if (biggest := f.biggest_leakage) is None:
            continue
        key, amount = biggest
        top_leakage.append({"f": f, "share": f.leakage_share * 100, "biggest": labels[key], "biggest_amount": amount})
    context.update(
        totals=totals,
        leakage_share=totals.leakage_share * 100,
        leakage_guardrail=guardrail_values(["leakage_share"]).get("leakage_share"),
        top_leakage=top_leakage,
        whale_spec=whale_chart(data.whale),
        can_import=request.user.has_perm("commercial.import_transactions"),
    )
    return render_page(request, "commercial/portfolio.html", context)


# ---------------------------------------------------------------- imports


def _import_start(request: HttpRequest, data: dict[str, Any]) -> ImportJob:
    """Keep the upload as a draft for its mapping step, starting from the chosen (built-in or saved) mapping."""
    upload = data["file"]
    base, columns = upload_mapping(data["mapping"])
    return services.import_job_create(
        actor=request.user, source=upload, original_name=upload.name, mapping=base, columns=columns, draft=True,
        strict=data["strict"], dry_run=data["dry_run"], link_mode=data["link_mode"],
        date_order=data.get("date_order") or "", on_overlap=data.get("on_overlap") or "skip",
        encoding=data.get("encoding") or "",
    )  # fmt: skip


def _job_columns() -> list[Column[ImportJob]]:
    """The columns of the import job list as a file, in the active language."""
    return [
        Column(_("File"), lambda job: job.original_name),
        Column(_("Started"), lambda job: job.created_at),
        Column(_("By"), lambda job: str(job.created_by) if job.created_by_id else None),
        Column(_("Status"), lambda job: job.get_status_display()),
        Column(_("dry run"), lambda job: job.dry_run),
        Column(_("Lines"), lambda job: job.lines),
        Column(_("Rejected"), lambda job: job.rejected),
        Column(_("Error"), lambda job: job.error or None),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponseBase:
    """Upload a transactions file (queued as a background import) and follow the import jobs
    (``?export=csv|xlsx``: the list of import jobs as a file)."""
    authorize(request.user, "commercial.import_transactions")
    if request.method == "GET" and export_format(request) is not None:
        return export_response(request, stem="invoice-imports", columns=_job_columns(), rows=selectors.import_jobs())
    form = ImportForm(request.POST or None, request.FILES or None, refusal=upload_refusal(request))
    done = submit_form(
        request,
        form,
        lambda data: _import_start(request, data),
        success=lambda job: _("“%(name)s” is uploaded: check the columns.") % {"name": job.original_name},
        next_url=lambda job: reverse("import-map", args=[job.pk]),
    )
    if done:
        return done
    jobs = paginate(request, selectors.import_jobs())
    target = getattr(getattr(request, "htmx", None), "target", None)
    fragment = "commercial/_job_table.html" if target == "jobs" else "commercial/_import_form.html"
    return render_page(
        request,
        "commercial/import_list.html",
        {"form": form, "jobs": jobs, "rules": selectors.import_rules()},
        fragment=fragment,
        status=form_status(request, form),
    )


@login_required
def import_row(request: HttpRequest, pk: Any) -> HttpResponse:
    """One row of the job list (polled by HTMX while the job is queued or running)."""
    authorize(request.user, "commercial.import_transactions")
    job = get_object_or_404(selectors.import_jobs(), pk=pk)
    return render_page(request, "commercial/_job_row.html", {"job": job})


def _unmatched_rows(page: Any, forms: dict[str, CustomerLinkForm] | None = None) -> list[dict[str, Any]]:
    ids = list(page.object_list)
    links = {
        c.customer_id: c.account for c in CustomerLink.objects.filter(customer_id__in=ids).select_related("account")
    }
    rows = []
    for i, cid in enumerate(ids, start=page.start_index()):
        form = (forms or {}).get(cid) or CustomerLinkForm(initial={"customer_id": cid}, auto_id=f"id_c{i}_%s")
        rows.append({"index": i, "customer_id": cid, "account": links.get(cid), "form": form})
    return rows


def _detail_context(request: HttpRequest, job: ImportJob, forms: dict[str, CustomerLinkForm] | None = None) -> Any:
    page = paginate(request, job.unmatched_customers or [], per_page=UNMATCHED_PER_PAGE)
    return {
        "job": job,
        "page": page,
        "rows": _unmatched_rows(page, forms),
        "active": job.active,
        "can_create_accounts": request.user.has_perm("accounts.add_account"),
    }


@login_required
def import_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """The outcome of one import and its unmatched customers, each with a form to link it to an account."""
    authorize(request.user, "commercial.import_transactions")
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    target = getattr(getattr(request, "htmx", None), "target", None)
    fragment = "commercial/_unmatched.html" if target == "unmatched" else "commercial/_job.html"
    return render_page(request, "commercial/import_detail.html", _detail_context(request, job), fragment=fragment)


@login_required
def import_rejects(request: HttpRequest, pk: Any) -> FileResponse:
    """The rejected lines of an import as CSV (404 when there are none)."""
    authorize(request.user, "commercial.import_transactions")
    job = get_object_or_404(ImportJob, pk=pk)
    path = Path(job.rejects_path) if job.rejects_path else None
    if path is None or not path.is_file():
        raise Http404(_("This import has no rejected lines."))
    name = f"{Path(job.original_name).name.split('.')[0] or 'import'}-rejects.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")


@login_required
@require_POST
def import_link_customer(request: HttpRequest, pk: Any) -> HttpResponse:
    """Link one unmatched customer of an import to an account."""
    authorize(request.user, "commercial.import_transactions")
    job = get_object_or_404(ImportJob, pk=pk)
    customer_id = request.POST.get("customer_id", "")
    if customer_id not in (job.unmatched_customers or []):
        raise Http404(_("This customer is not among the unmatched customers of the import."))
    index = request.POST.get("index", "0")
    form = CustomerLinkForm(request.POST, auto_id=f"id_c{index if index.isdigit() else 0}_%s")
    done = submit_form(
        request,
        form,
        lambda data: services.customer_link(
            actor=request.user, customer_id=data["customer_id"], account=data["account"]
        ),
        success=lambda link: (
            _("Customer %(customer)s linked to %(account)s.")
            % {"customer": link.customer_id, "account": link.account.name}
        ),
        next_url=reverse("import-detail", args=[job.pk]) + _page_query(request) + "#unmatched",
    )
    if done:
        return done
    if is_fragment_request(request):
        row = {"index": int(index) if index.isdigit() else 0, "customer_id": customer_id, "account": None}
        return render_page(request, "commercial/_unmatched_row.html", {"job": job, "row": row | {"form": form}})
    return render_page(
        request, "commercial/import_detail.html", _detail_context(request, job, {customer_id: form}), status=422
    )


def _page_query(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    return f"?page={page}" if page.isdigit() and page != "1" else ""


@login_required
@require_POST
def import_create_accounts(request: HttpRequest, pk: Any) -> HttpResponse:
    """Create an account for every unmatched customer of an import and link them."""
    authorize(request.user, "commercial.import_transactions")
    authorize(request.user, "accounts.add_account")
    job = get_object_or_404(ImportJob, pk=pk)
    linked, unmatched = services.customers_link(
        actor=request.user, customer_ids=job.unmatched_customers or [], mode=LinkMode.CREATE
    )
    messages.success(
        request,
        ngettext(
            "%(n)s customer linked to a new account; the figures include it from the next analysis on.",
            "%(n)s customers linked to new accounts; the figures include them from the next analysis on.",
            linked,
        )
        % {"n": linked},
    )
    if unmatched:
        messages.warning(request, _("Still unmatched: %(ids)s") % {"ids": ", ".join(unmatched[:20])})
    return redirect_to(request, reverse("import-detail", args=[job.pk]))
