"""Pages of the accounts context: thin views over forms, services and selectors."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kampass.accounts import selectors, services
from kampass.accounts.charts import relationship_map
from kampass.accounts.forms import (
    AccountCreateForm,
    AccountForm,
    ContactAtAccountForm,
    ContactForm,
    CoverageForm,
    ExistingContactForm,
    MemberForm,
    StatusForm,
    TeamMemberForm,
)
from kampass.accounts.models import (
    Account,
    BuyingCentreMember,
    Contact,
    Coverage,
    KamStatus,
    Position,
    TeamMember,
)
from kampass.common import account_facts
from kampass.common.concurrency import remove_or_conflict
from kampass.common.htmx import confirm_delete, redirect_to, render_form_page, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.panels import ACCOUNT, render_panels
from kampass.common.permissions import authorize

M = TypeVar("M", bound=Model)

# ---------------------------------------------------------------- list and lookup


@login_required
def account_list(request: HttpRequest) -> HttpResponseBase:
    g = request.GET
    owner = g.get("owner", "")
    filters = selectors.AccountFilters(
        q=g.get("q", "").strip(),
        status=g.get("status", ""),
        industry=g.get("industry", ""),
        country=g.get("country", ""),
        owner=int(owner) if owner.isdigit() else None,
        top_level=g.get("top") == "1",
        sort=g.get("sort", "name"),
        descending=g.get("dir") == "desc",
    )
    accounts = selectors.account_list(user=request.user, filters=filters)
    if export_format(request) is not None:
        return export_response(
            request, stem="accounts", columns=_account_columns(), rows=accounts.select_related("parent")
        )
    page = paginate(request, accounts)
    context = {
        "page": page,
        "filters": filters,
        "statuses": KamStatus.choices,
        **selectors.account_filter_options(),
        "can_add": request.user.has_perm("accounts.add_account"),
    }
    return render_page(request, "accounts/account_list.html", context, fragment="accounts/_account_table.html")


def _account_columns() -> list[Column[Any]]:
    """The columns of the account list as a file: those of the page (rows as annotated by
    ``selectors.account_list``) and the parent account, in the active language."""
    return [
        Column(_("Name"), lambda a: a.name),
        Column(_("Parent account"), lambda a: a.parent.name if a.parent else None),
        Column(_("KAM status"), lambda a: a.get_kam_status_display()),
        Column(_("Industry"), lambda a: a.industry),
        Column(_("Country"), lambda a: a.country.name if a.country else ""),
        Column(
            _("Key account manager"),
            lambda a: f"{a.kam_first_name} {a.kam_last_name}".strip() if a.kam_last_name else None,
        ),
        Column(_("Subsidiaries"), lambda a: a.children_count),
        Column(_("Updated"), lambda a: a.updated_at),
    ]


@login_required
def account_lookup(request: HttpRequest) -> HttpResponse:
    """Search results for the account pickers (``AccountLookupWidget``).

    ``perm`` (optional) is the object permission the chosen account needs, e.g.
    ``pipeline.add_opportunity``: only accounts the user has it on are offered.
    """
    g = request.GET
    results = selectors.account_lookup(
        user=request.user, q=g.get("q", "").strip(), exclude=g.get("exclude", ""), perm=g.get("perm", "")
    )
    context = {"results": results, "target": g.get("target", "id_parent"), "empty": g.get("empty") == "1"}
    return render_page(request, "accounts/_lookup_results.html", context)


# ---------------------------------------------------------------- cockpit


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("parent", "lead_unit"), pk=pk)
    cockpit = selectors.account_cockpit(user=request.user, account=account)
    spec = None
    history: list[Any] = []
    if cockpit.details_visible:
        nodes, links = selectors.contact_nodes(account)
        spec = relationship_map(nodes, links, cockpit.gaps)
        history = selectors.account_history(account, limit=50)
    user = request.user
    context = {
        "account": account,
        "cockpit": cockpit,
        "map_spec": spec,
        "history": history,
        "can_edit": user.has_perm("accounts.change_account", account),
        "can_add_child": user.has_perm("accounts.add_child_account", account),
        "can_delete": user.has_perm("accounts.delete_account", account),
        "can_manage_team": user.has_perm("accounts.manage_team", account),
        "can_view_figures": user.has_perm("commercial.view_figures", account),
        "gap_ids": {g.contact_id for g in cockpit.gaps},
        "pipeline_total": (
            account_facts.pipeline_total(user=user, account_id=account.pk, currency=account.currency)
            if cockpit.details_visible
            else None
        ),
        "panels": render_panels(ACCOUNT, request, account),
    }
    return render_page(request, "accounts/account_detail.html", context)


@login_required
def account_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's timeline: comments, opportunities, plans, actions, team and field changes, newest
    first and paginated (``?subtree=1``: with subsidiaries; ``?kind=...``: only those kinds)."""
    from kampass.accounts.activity import account_timeline
    from kampass.common.activity import KINDS

    account = get_object_or_404(Account.objects.select_related("parent"), pk=pk)
    authorize(request.user, "accounts.view_account_details", account)
    subtree = request.GET.get("subtree") == "1"
    kinds = [k for k in request.GET.getlist("kind") if k in KINDS]
    entries = account_timeline(user=request.user, account=account, with_subsidiaries=subtree, kinds=kinds)
    context = {
        "account": account,
        "page": paginate(request, entries, per_page=50),
        "subtree": subtree,
        "kinds": [(k, label, k in kinds) for k, label in KINDS.items()],
        "kind_labels": KINDS,
    }
    return render_page(request, "accounts/account_activity.html", context, fragment="accounts/_activity.html")


# ---------------------------------------------------------------- account forms


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    account: Account | None = None,
    cancel_url: str,
    submit: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render_form_page(
        request,
        form,
        template="accounts/form_page.html",
        title=title,
        cancel_url=cancel_url,
        submit=submit,
        account=account,
        **(extra or {}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    parent = None
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    if parent_id and str(parent_id).isdigit():
        parent = Account.objects.filter(pk=int(parent_id)).first()
    if parent is not None:
        authorize(request.user, "accounts.add_child_account", parent)
    else:
        authorize(request.user, "accounts.add_account")
    initial = (
        {"parent": parent.pk, "currency": parent.currency, "industry": parent.industry, "country": parent.country}
        if parent
        else {}
    )
    form = AccountCreateForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.account_create(actor=request.user, **data),
        success=lambda account: _("Account “%(name)s” created.") % {"name": account.name},
        next_url=lambda account: reverse("account-detail", args=[account.pk]),
    )
    if done:
        return done
    cancel = reverse("account-detail", args=[parent.pk]) if parent else reverse("account-list")
    title = _("New subsidiary of %(name)s") % {"name": parent.name} if parent else _("New account")
    return _form_page(request, form, title=title, cancel_url=cancel, submit=_("Create account"))


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.change_account", account)
    form = AccountForm(request.POST or None, instance=account)
    form.fields["parent"].widget.attrs["data-exclude"] = account.pk
    done = submit_form(
        request,
        form,
        lambda data: services.account_update(actor=request.user, account=account, **data),
        success=_("Changes saved."),
        next_url=reverse("account-detail", args=[pk]),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_status(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.change_account_status", account)
    form = StatusForm(request.POST or None, initial={"status": account.kam_status, "version": account.version})
    done = submit_form(
        request,
        form,
        lambda data: services.account_set_status(actor=request.user, account=account, **data),
        success=_("KAM status changed."),
        next_url=reverse("account-detail", args=[pk]),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Change KAM status of %(name)s") % {"name": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.delete_account", account)
    parent = account.parent
    return confirm_delete(
        request,
        account,
        lambda version: services.account_delete(actor=request.user, account=account, version=version),
        success=_("Account “%(name)s” deleted.") % {"name": account.name},
        next_url=reverse("account-detail", args=[parent.pk]) if parent else reverse("account-list"),
        cancel_url=reverse("account-detail", args=[pk]),
    )


# ---------------------------------------------------------------- people at an account


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.change_account", account)
    form = ContactAtAccountForm(request.POST or None, account=account)
    done = submit_form(
        request,
        form,
        lambda data: services.account_contact_add(actor=request.user, account=account, **data),
        success=lambda contact: _("%(name)s added.") % {"name": contact},
        next_url=reverse("account-detail", args=[pk]) + "#buying-centre",
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("New contact at %(name)s") % {"name": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
        submit=_("Add contact"),
        extra={
            "alt_link": (
                reverse("account-position-add", args=[pk]),
                _("The person already works at another account? Add an existing contact."),
            )
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.change_account", account)
    form = ExistingContactForm(request.POST or None, account=account, user=request.user)
    done = submit_form(
        request,
        form,
        lambda data: services.position_set(actor=request.user, account=account, **data),
        success=_("Position added."),
        next_url=reverse("account-detail", args=[pk]) + "#people",
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Existing contact at %(name)s") % {"name": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
        submit=_("Add"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    position = get_object_or_404(Position.objects.select_related("contact"), account=account, contact_id=contact_id)
    authorize(request.user, "accounts.change_account", account)
    member = BuyingCentreMember.objects.filter(account=account, contact_id=contact_id).first()
    initial: dict[str, Any] = {
        "title": position.title,
        "department": position.department,
        "reports_to": position.reports_to_id,
        "in_buying_centre": member is not None,
        "version": position.version,
    }
    if member:
        initial.update(
            roles=member.roles,
            influence=member.influence,
            attitude=member.attitude,
            political_status=member.political_status,
            notes=member.notes,
        )
    form = MemberForm(request.POST or None, initial=initial, account=account, contact=position.contact)
    done = submit_form(
        request,
        form,
        lambda data: services.account_person_update(
            actor=request.user, account=account, contact=position.contact, **data
        ),
        success=_("Changes saved."),
        next_url=reverse("account-detail", args=[pk]) + "#buying-centre",
        conflict_extra=initial,  # loaded with this request: the values saved now
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("%(person)s at %(account)s") % {"person": position.contact, "account": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
    )


@login_required
@require_POST
def position_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    position = get_object_or_404(Position, account_id=pk, contact_id=contact_id)
    conflict = remove_or_conflict(
        request,
        lambda version: services.position_delete(actor=request.user, position=position, version=version),
        back_url=reverse("account-detail", args=[pk]) + "#people",
    )
    if conflict:
        return conflict
    messages.success(request, _("%(person)s removed from the account.") % {"person": position.contact})
    return redirect_to(request, reverse("account-detail", args=[pk]) + "#people")


# ---------------------------------------------------------------- team and coverage


def _get_param_object(request: HttpRequest, name: str, queryset: QuerySet[M]) -> M | None:
    """The object of ``queryset`` whose id the query parameter ``name`` names (404 when none)."""
    raw = request.GET.get(name, "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(queryset, pk=int(raw))


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.manage_team", account)
    member = _get_param_object(request, "member", TeamMember.objects.filter(account=account))
    initial = (
        {"user": member.user_id, "role": member.role, "org_unit": member.org_unit_id, "version": member.version}
        if member is not None
        else None
    )
    form = TeamMemberForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.team_member_set(actor=request.user, account=account, **data),
        success=_("Team updated."),
        next_url=reverse("account-detail", args=[pk]) + "#team",
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Team member for %(name)s") % {"name": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
    )


@login_required
@require_POST
def team_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    member = get_object_or_404(TeamMember, account_id=pk, pk=member_id)
    back = reverse("account-detail", args=[pk]) + "#team"
    conflict = remove_or_conflict(
        request,
        lambda version: services.team_member_remove(actor=request.user, member=member, version=version),
        back_url=back,
    )
    if conflict:
        return conflict
    messages.success(request, _("Team updated."))
    return redirect_to(request, reverse("account-detail", args=[pk]) + "#team")


@login_required
@require_http_methods(["GET", "POST"])
def coverage_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    authorize(request.user, "accounts.manage_team", account)
    initial: dict[str, Any] | None = {"contact": request.GET.get("contact")} if request.GET.get("contact") else None
    coverage = _get_param_object(request, "coverage", Coverage.objects.filter(team_member__account=account))
    if coverage is not None:  # change an existing coverage: based on its version
        initial = {
            "team_member": coverage.team_member_id,
            "contact": coverage.contact_id,
            "level_now": coverage.level_now,
            "level_target": coverage.level_target,
            "version": coverage.version,
        }
    form = CoverageForm(request.POST or None, account=account, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.coverage_set(actor=request.user, **data),
        success=_("Coverage saved."),
        next_url=reverse("account-detail", args=[pk]) + "#coverage",
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Coverage at %(name)s") % {"name": account.name},
        account=account,
        cancel_url=reverse("account-detail", args=[pk]),
    )


@login_required
@require_POST
def coverage_remove(request: HttpRequest, pk: int, coverage_id: int) -> HttpResponse:
    coverage = get_object_or_404(Coverage, team_member__account_id=pk, pk=coverage_id)
    back = reverse("account-detail", args=[pk]) + "#coverage"
    conflict = remove_or_conflict(
        request,
        lambda version: services.coverage_remove(actor=request.user, coverage=coverage, version=version),
        back_url=back,
    )
    if conflict:
        return conflict
    messages.success(request, _("Coverage removed."))
    return redirect_to(request, reverse("account-detail", args=[pk]) + "#coverage")


# ---------------------------------------------------------------- contacts


@login_required
def contact_list(request: HttpRequest) -> HttpResponseBase:
    q = request.GET.get("q", "").strip()
    contacts = selectors.contact_list(user=request.user, q=q).prefetch_related("positions__account")
    if export_format(request) is not None:
        return export_response(request, stem="contacts", columns=_contact_columns(), rows=contacts)
    page = paginate(request, contacts)
    return render_page(
        request, "accounts/contact_list.html", {"page": page, "q": q}, fragment="accounts/_contact_table.html"
    )


def _contact_columns() -> list[Column[Contact]]:
    """The columns of the contact list as a file: name, email and the positions (title @ account)."""
    return [
        Column(_("Last name"), lambda c: c.last_name),
        Column(_("First name"), lambda c: c.first_name),
        Column(_("Email"), lambda c: c.email),
        Column(
            _("Positions"),
            lambda c: "; ".join(
                f"{p.title} @ {p.account.name}" if p.title else p.account.name for p in c.positions.all()
            ),
        ),
    ]


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    authorize(request.user, "accounts.view_contact", contact)
    positions = list(contact.positions.select_related("account", "reports_to"))
    memberships = {m.account_id: m for m in contact.buying_centre_memberships.all()}
    coverage = list(contact.coverage.select_related("team_member__user", "team_member__account"))
    context = {
        "contact": contact,
        "positions": positions,
        "memberships": memberships,
        "coverage": coverage,
        "history": selectors.contact_history(contact),
        "can_edit": request.user.has_perm("accounts.change_contact", contact),
        "can_delete": request.user.has_perm("accounts.delete_contact", contact),
    }
    return render_page(request, "accounts/contact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    authorize(request.user, "accounts.change_contact", contact)
    form = ContactForm(request.POST or None, instance=contact)
    done = submit_form(
        request,
        form,
        lambda data: services.contact_update(actor=request.user, contact=contact, **data),
        success=_("Changes saved."),
        next_url=reverse("contact-detail", args=[pk]),
    )
    if done:
        return done
    return _form_page(
        request, form, title=_("Edit %(name)s") % {"name": contact}, cancel_url=reverse("contact-detail", args=[pk])
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    authorize(request.user, "accounts.delete_contact", contact)
    return confirm_delete(
        request,
        contact,
        lambda version: services.contact_delete(actor=request.user, contact=contact, version=version),
        success=_("Contact deleted."),
        next_url=reverse("contact-list"),
        cancel_url=reverse("contact-detail", args=[pk]),
    )
