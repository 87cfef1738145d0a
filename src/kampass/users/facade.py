"""What other packages may ask of the users context: a user's view preferences."""

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
