"""Links other contexts put on the account page, without the accounts context importing them.

The planning context knows an account's current plan; the accounts context may not import it (the
contexts are independent). So the planning app registers a provider here when Django starts
(``PlanningConfig.ready``) and the account page asks through the ``account_links`` template tag.
Without a registered provider there are no links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccountLink:
    """A link on the account page: where it goes, its text, and a test id."""

    url: str
    label: str
    testid: str = ""


_providers: dict[str, Callable[[Any, int], list[AccountLink]]] = {}


def register_account_links(name: str, provider: Callable[[Any, int], list[AccountLink]]) -> None:
    """Register ``provider(user, account_id) -> [AccountLink, ...]`` under ``name`` (one per context)."""
    _providers[name] = provider


def account_links(user: Any, account_id: int) -> list[AccountLink]:
    """The links every registered provider gives ``user`` for the account, in registration order."""
    links: list[AccountLink] = []
    for provider in _providers.values():
        links.extend(provider(user, account_id))
    return links
