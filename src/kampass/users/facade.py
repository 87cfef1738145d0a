"""What other packages may ask of the users context: a user's view preferences, and users and org
units found by what an import file names them."""

from __future__ import annotations

from typing import Any


def view_currency_of(user: Any) -> str:
    """The currency ``user`` chose for their consolidated totals, "" for none (anonymous users, the CLI,
    users who keep the installation's reporting currency)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "view_currency", "") or "")


def set_view_currency(*, user: Any, currency: str) -> None:
    """Store ``user``'s view currency ("" = the installation's); the caller checks the code is known."""
    from kampass.users.services import user_set_view_currency

    user_set_view_currency(user=user, currency=currency)


def find_user(ref: str) -> Any:
    """The active user an import file names by username, e-mail address, external id or full name
    (case ignored); ``None`` when none or several match."""
    from kampass.users.selectors import user_by_reference

    return user_by_reference(ref)


def find_org_unit(ref: str) -> Any:
    """The org unit named by its name or code (case ignored); ``None`` when none or several match."""
    from kampass.users.selectors import org_unit_by_reference

    return org_unit_by_reference(ref)
