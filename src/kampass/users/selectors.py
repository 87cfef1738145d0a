"""Reading users and org units."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat, Lower

from kampass.users.models import OrgUnit, User


def user_by_reference(ref: str, *, active_only: bool = True) -> User | None:
    """The user named by username, e-mail address, external id or "First Last" (case ignored);
    ``None`` when none or several match."""
    key = ref.strip().lower()
    if not key:
        return None
    users = User.objects.filter(is_active=True) if active_only else User.objects.all()
    for query in (
        Q(username__iexact=key),
        Q(external_id=ref.strip()),
        Q(email__iexact=key),
    ):
        found = list(users.filter(query)[:2])
        if len(found) == 1:
            return found[0]
        if found:
            return None
    named = list(users.annotate(full=Lower(Concat("first_name", Value(" "), "last_name"))).filter(full=key)[:2])
    return named[0] if len(named) == 1 else None


def org_unit_by_reference(ref: str) -> OrgUnit | None:
    """The org unit with this name or code (case ignored); ``None`` when none or several match."""
    key = ref.strip()
    if not key:
        return None
    found = list(OrgUnit.objects.filter(name__iexact=key)[:2]) or list(OrgUnit.objects.filter(code__iexact=key)[:2])
    return found[0] if len(found) == 1 else None


#: how the user list may be sorted (the list's ``sort`` parameter -> the fields)
USER_SORTS = {
    "name": ("last_name", "first_name", "username"),
    "username": ("username",),
    "email": ("email",),
    "role": ("role", "last_name", "first_name"),
    "org_unit": ("org_unit__name", "last_name", "first_name"),
    "manager": ("manager__last_name", "manager__first_name", "last_name"),
    "last_login": ("last_login",),
}


@dataclass(frozen=True)
class UserFilters:
    """What the user list is narrowed to: a text in name, user name or e-mail address, a role, an org unit
    (``0``: none), active or not (``None``: both); and how it is sorted."""

    q: str = ""
    role: str = ""
    org_unit: int | None = None
    active: bool | None = None
    sort: str = "name"
    descending: bool = False


def user_admin_list(filters: UserFilters | None = None) -> QuerySet[User]:
    """Users as administrators manage them, with org unit and manager, filtered and sorted; each with
    ``report_count``, the number of people who report to them."""
    f = filters or UserFilters()
    qs = User.objects.select_related("org_unit", "manager").annotate(report_count=Count("reports", distinct=True))
    if f.q:
        words = f.q.split()
        for word in words:
            qs = qs.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    if f.role:
        qs = qs.filter(role=f.role)
    if f.org_unit == 0:
        qs = qs.filter(org_unit__isnull=True)
    elif f.org_unit is not None:
        qs = qs.filter(org_unit_id=f.org_unit)
    if f.active is not None:
        qs = qs.filter(is_active=f.active)
    fields = USER_SORTS.get(f.sort, USER_SORTS["name"])
    return qs.order_by(*(f"-{name}" if f.descending else name for name in fields), "pk")


def org_unit_list() -> QuerySet[OrgUnit]:
    """Every org unit with its parent, ``team_size`` (its active members) and ``child_count``, by name."""
    return (
        OrgUnit.objects.select_related("parent")
        .annotate(
            team_size=Count("members", filter=Q(members__is_active=True), distinct=True),
            child_count=Count("children", distinct=True),
        )
        .order_by("name", "pk")
    )
