"""What the organisation context reads from the accounts context.

``kampass.accounts.facade`` does not (yet) offer these reads, so this module
reads the accounts' models directly and returns frozen dataclasses; nothing
else in the organisation context touches the accounts' models. When the
accounts facade gains ``kam_assignments()`` and ``account_tree_rows()`` (same
signatures), this module becomes a thin re-export.
"""

from __future__ import annotations

from dataclasses import dataclass

from kampass.accounts.models import Account, TeamMember, TeamRole

KEY_STATUSES = ("key_account", "strategic")


@dataclass(frozen=True)
class KamAssignment:
    """A user in the role of key account manager on one account's team."""

    user_id: int
    account_id: int
    account_name: str
    kam_status: str
    is_key_account: bool


@dataclass(frozen=True)
class AccountTreeRow:
    """One account with what the lead-unit check needs: where it sits, its country and lead unit."""

    id: int
    name: str
    path: str
    parent_id: int | None
    country: str
    kam_status: str
    lead_unit_id: int | None
    lead_unit_name: str


def kam_assignments() -> list[KamAssignment]:
    """Every (user, account) pair where the user is on the account team as key account manager."""
    rows = (
        TeamMember.objects.filter(role=TeamRole.KAM)
        .values_list("user_id", "account_id", "account__name", "account__kam_status")
        .order_by("user_id", "account__name")
    )
    return [KamAssignment(u, a, n, s, s in KEY_STATUSES) for u, a, n, s in rows]


def account_tree_rows() -> list[AccountTreeRow]:
    """All accounts with hierarchy path, country and lead unit (one query)."""
    rows = Account.objects.values_list(
        "id", "name", "path", "parent_id", "country", "kam_status", "lead_unit_id", "lead_unit__name"
    ).order_by("path")
    return [AccountTreeRow(i, n, p, par, str(c or ""), s, lu, lun or "") for i, n, p, par, c, s, lu, lun in rows]
