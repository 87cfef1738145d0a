"""Pages that administer users and org units without the Django admin (administrators only): the
user list, inviting a user (they set their own password through a one-time e-mail link), changing a
user's role, org unit, manager, names and e-mail address or deactivating them, and the org units
with their team sizes. The set-password page of the invitation link is public. Thin views over the
forms and the services and selectors of the users package."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.htmx import redirect_to, render_form_page, render_page, submit_form
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.organisation.forms_people_admin import OrgUnitForm, UserEditForm, UserInviteForm
from kampass.users import selectors as user_selectors
from kampass.users import services as user_services
from kampass.users.models import OrgUnit, Role, User

MANAGE = "users.manage_users"
#: the fields of a user the edit form shows
USER_FORM_FIELDS = ("username", "first_name", "last_name", "email", "role", "org_unit", "manager", "is_active")


def base_url(request: HttpRequest) -> str:
    """Where users reach kampass: ``KAMPASS_BASE_URL``, or the address of this request."""
    return settings.KAMPASS_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def _form_page(request: HttpRequest, form: Any, *, title: str, cancel_url: str, **extra: Any) -> HttpResponse:
    return render_form_page(
        request, form, template="organisation/people_admin_form.html", title=title, cancel_url=cancel_url, **extra
    )


# ---------------------------------------------------------------- users


def _int_param(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, MANAGE)
    g = request.GET
    filters = user_selectors.UserFilters(
        q=g.get("q", "").strip(),
        role=g.get("role", "") if g.get("role", "") in Role.values else "",
        org_unit=_int_param(g.get("org_unit", "")),
        active={"1": True, "0": False}.get(g.get("active", "")),
        sort=g.get("sort", "name") if g.get("sort", "name") in user_selectors.USER_SORTS else "name",
        descending=g.get("dir") == "desc",
    )
    context = {
        "page": paginate(request, user_selectors.user_admin_list(filters)),
        "filters": filters,
        "roles": Role.choices,
        "units": OrgUnit.objects.order_by("name"),
    }
    return render_page(request, "organisation/user_list.html", context, fragment="organisation/_user_table.html")


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, MANAGE)
    form = UserInviteForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: user_services.user_create_invited(actor=request.user, base_url=base_url(request), **data),
        success=lambda user: (
            _("%(user)s was created and invited by e-mail to %(email)s.") % {"user": user, "email": user.email}
        ),
        next_url=reverse("organisation-users"),
    )
    if done:
        return done
    return _form_page(
        request, form, title=_("Invite a user"), cancel_url=reverse("organisation-users"), submit=_("Invite")
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, MANAGE)
    person = get_object_or_404(User.objects.select_related("org_unit", "manager"), pk=pk)
    initial = {name: getattr(person, name) for name in USER_FORM_FIELDS}
    form = UserEditForm(request.POST or None, user=person, initial=initial)

    def save(data: dict[str, Any]) -> User:
        changes = {name: value for name, value in data.items() if value != initial[name]}
        return user_services.user_update(actor=request.user, user=person, **changes)

    done = submit_form(request, form, save, success=_("Changes saved."), next_url=reverse("organisation-users"))
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Edit %(user)s") % {"user": person},
        cancel_url=reverse("organisation-users"),
        person=person,
        can_invite=person.is_active and not person.has_usable_password(),
    )


@login_required
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, MANAGE)
    person = get_object_or_404(User, pk=pk)
    try:
        user_services.user_invite(actor=request.user, user=person, base_url=base_url(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The invitation was sent again to %(email)s.") % {"email": person.email})
    return redirect_to(request, reverse("organisation-user-edit", args=[person.pk]))


# ---------------------------------------------------------------- org units


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, MANAGE)
    context = {"page": paginate(request, user_selectors.org_unit_list())}
    return render_page(request, "organisation/unit_list.html", context, fragment="organisation/_unit_table.html")


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, MANAGE)
    form = OrgUnitForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: user_services.org_unit_save(actor=request.user, **data),
        success=lambda unit: _("Org unit “%(name)s” added.") % {"name": unit.name},
        next_url=reverse("organisation-units"),
    )
    if done:
        return done
    return _form_page(request, form, title=_("New org unit"), cancel_url=reverse("organisation-units"), submit=_("Add"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, MANAGE)
    unit = get_object_or_404(OrgUnit, pk=pk)
    initial = {"name": unit.name, "code": unit.code, "country": unit.country, "parent": unit.parent}
    form = OrgUnitForm(request.POST or None, unit=unit, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: user_services.org_unit_save(actor=request.user, unit=unit, **data),
        success=_("Changes saved."),
        next_url=reverse("organisation-units"),
    )
    if done:
        return done
    return _form_page(
        request, form, title=_("Edit %(name)s") % {"name": unit.name}, cancel_url=reverse("organisation-units")
    )


# ---------------------------------------------------------------- the invitation link (public)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set the password with an invitation link; the new user is logged in. An invalid, used or expired
    link shows why (410)."""
    person = user_services.invited_user(uidb64, token)
    if person is None:
        return TemplateResponse(request, "organisation/invitation_accept.html", {"valid": False}, status=410)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = user_services.invitation_accept(
                uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome to kampass!"))
            return redirect("dashboard")
    status = 422 if form.errors else 200
    return TemplateResponse(
        request, "organisation/invitation_accept.html", {"valid": True, "form": form, "person": person}, status=status
    )
