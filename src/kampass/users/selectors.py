"""Reading users and org units."""

from __future__ import annotations

from django.db.models import Q, Value
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
