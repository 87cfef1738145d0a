"""Pages of the opportunities without an account (kept by ``kampass import opportunities --link keep``): the
list (search, owner filter, sort, pages, ``?export=csv|xlsx``) with its bulk actions "link to an account" and
"create accounts from the company names" (a confirmation first), and "accept suggestion" per row. Thin views
over :mod:`kampass.pipeline.services.unlinked` and :mod:`kampass.pipeline.selectors.unlinked`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kampass.common.htmx import redirect_to, render_page
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.pipeline.forms import UnlinkedAcceptForm, UnlinkedLinkForm
from kampass.pipeline.models import UnlinkedOpportunity
from kampass.pipeline.selectors import unlinked as selectors
from kampass.pipeline.services.unlinked import convert_plan, unlinked_convert, unlinked_link


def _filters(request: HttpRequest) -> selectors.UnlinkedFilters:
    g = request.GET
    sort = g.get("sort", "company")
    owner = g.get("owner", "")
    return selectors.UnlinkedFilters(
        q=g.get("q", "").strip(),
        owner=int(owner) if owner.isdigit() else None,
        sort=sort if sort in selectors.SORTS else "company",
        descending=g.get("dir") == "desc",
    )


def _columns() -> list[Column[UnlinkedOpportunity]]:
    """The list's columns as a file, in the active language."""
    return [
        Column(_("Company"), lambda u: u.company_name),
        Column(_("Company's external id"), lambda u: u.company_external_id),
        Column(_("Country"), lambda u: str(getattr(u.country, "name", "")) if u.country else ""),
        Column(_("Parent company"), lambda u: u.parent_company),
        Column(_("Opportunity"), lambda u: u.name),
        Column(_("External id"), lambda u: u.external_id),
        Column(_("Stage"), lambda u: _(u.stage.name) if u.stage else u.stage_name),
        Column(_("Outcome"), lambda u: u.get_outcome_display()),
        Column(_("Amount"), lambda u: u.amount),
        Column(_("Currency"), lambda u: u.currency),
        Column(_("Opened on"), lambda u: u.created_on),
        Column(_("Close date"), lambda u: u.closed_on or u.expected_close_date),
        Column(_("Owner"), lambda u: u.owner_display),
        Column(_("Imported from"), lambda u: u.import_file),
    ]


@login_required
def unlinked_list(request: HttpRequest) -> HttpResponseBase:
    """The opportunities without an account the user sees, with the accounts suggested for their companies."""
    filters = _filters(request)
    items = selectors.unlinked_list(user=request.user, filters=filters)
    if export_format(request) is not None:
        return export_response(request, stem="opportunities-without-account", columns=_columns(), rows=items)
    page = paginate(request, items)
    rows = list(page.object_list)
    context = {
        "page": page,
        "rows": rows,
        "sort_default": "company",
        "suggestions": selectors.suggestions(rows),
        "filters": filters,
        "owners": selectors.unlinked_owner_options(request.user),
        "can_link": selectors.may_link_unlinked(request.user),
        "link_form": UnlinkedLinkForm(),
    }
    return render_page(request, "pipeline/unlinked_list.html", context, fragment="pipeline/_unlinked_table.html")


def _selected(request: HttpRequest) -> QuerySet[UnlinkedOpportunity]:
    ids = [int(i) for i in request.POST.getlist("items") if i.isdigit()]
    return selectors.unlinked_visible(request.user).filter(pk__in=ids)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect_to(request, reverse("unlinked-list"))


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(exc.messages))
    return _back(request)


def _linked_message(n: int, account: str) -> str:
    return ngettext("%(n)d opportunity linked to %(account)s.", "%(n)d opportunities linked to %(account)s.", n) % {
        "n": n,
        "account": account,
    }


@login_required
@require_POST
def unlinked_link_view(request: HttpRequest) -> HttpResponse:
    """Link the selected opportunities to the chosen account."""
    authorize(request.user, "pipeline.link_unlinked")
    form = UnlinkedLinkForm(request.POST)
    items = _selected(request)
    if not form.is_valid():
        messages.error(request, _("Choose the account to link the opportunities to."))
        return _back(request)
    account = form.cleaned_data["account"]
    try:
        done = unlinked_link(actor=request.user, items=items, account=account)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _linked_message(len(done), account.name))
    return _back(request)


@login_required
@require_POST
def unlinked_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a suggested account for one opportunity without an account."""
    authorize(request.user, "pipeline.link_unlinked")
    item = get_object_or_404(selectors.unlinked_visible(request.user), pk=pk)
    form = UnlinkedAcceptForm(request.POST)
    if not form.is_valid():
        raise Http404
    account = form.cleaned_data["suggested"]
    try:
        unlinked_link(actor=request.user, items=[item], account=account)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _linked_message(1, account.name))
    return _back(request)


@login_required
@require_POST
def unlinked_convert_view(request: HttpRequest) -> HttpResponse:
    """Create accounts from the company names of the selected opportunities: first the confirmation listing
    the accounts to be created, then (``confirm``) create them and link the opportunities."""
    authorize(request.user, "pipeline.link_unlinked")
    items = list(_selected(request))
    if not items:
        messages.error(request, _("Select at least one opportunity."))
        return _back(request)
    if request.POST.get("confirm") != "1":
        plan = convert_plan(items)
        context: dict[str, Any] = {
            "plan": plan,
            "items": items,
            "new_accounts": sum(1 for p in plan if p.existing_id is None),
        }
        return render_page(request, "pipeline/unlinked_convert.html", context)
    try:
        result = unlinked_convert(actor=request.user, items=items)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(
        request,
        ngettext(
            "%(accounts)d account created, %(n)d opportunities linked.",
            "%(accounts)d accounts created, %(n)d opportunities linked.",
            len(result.accounts_created),
        )
        % {"accounts": len(result.accounts_created), "n": len(result.opportunities)},
    )
    return _back(request)
