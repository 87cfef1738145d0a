"""Object permissions for the accounts context (django-rules).

The same predicates guard pages, forms, services and the API:

* administrator and head of KAM read and edit everything;
* a key account manager edits the accounts whose team they belong to (on the
  account itself or on one of its ancestors) and reads only the master data of
  the others;
* controllers and viewers read everything and edit nothing operative;
* linking a contact to an account (``accounts.link_contact``) needs the right to edit
  the contact as well as the account.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.users.rules import is_admin, is_head, is_kam, is_reader


def team_account_ids(user: Any) -> set[int]:
    """Ids of the accounts on whose team ``user`` is, cached on the user object for one request."""
    cached = getattr(user, "_kampass_team_ids", None)
    if cached is None:
        from kampass.accounts.models import TeamMember

        cached = set(TeamMember.objects.filter(user_id=user.pk).values_list("account_id", flat=True))
        user._kampass_team_ids = cached
    return cached


@rules.predicate
def is_on_team(user: Any, account: Any) -> bool:
    """True when ``user`` is on the team of ``account`` or of one of its ancestors."""
    if account is None or not user.is_authenticated:
        return False
    ids = team_account_ids(user)
    if not ids:
        return False
    from kampass.core.hierarchy import path_ids

    return bool(ids.intersection(path_ids(account.path) or [account.pk]))


@rules.predicate
def is_on_team_of_any(user: Any, contact: Any) -> bool:
    """True when the contact holds a position at an account ``user`` may work on."""
    if contact is None or not user.is_authenticated:
        return False
    return any(is_on_team(user, pos.account) for pos in contact.positions.select_related("account"))


@rules.predicate
def contact_without_positions(user: Any, contact: Any) -> bool:
    return contact is not None and not contact.positions.exists()


editors = is_admin | is_head
readers_of_all = is_admin | is_head | is_reader

rules.add_perm("accounts.view_account", rules.is_authenticated)
rules.add_perm("accounts.view_account_details", readers_of_all | is_on_team)
rules.add_perm("accounts.add_account", editors | is_kam)
rules.add_perm("accounts.add_child_account", editors | (is_kam & is_on_team))
rules.add_perm("accounts.change_account", editors | (is_kam & is_on_team))
rules.add_perm("accounts.change_account_status", editors | (is_kam & is_on_team))
rules.add_perm("accounts.delete_account", editors)
rules.add_perm("accounts.manage_team", editors | (is_kam & is_on_team))
rules.add_perm("accounts.import_teams", editors)

rules.add_perm("accounts.view_contact", readers_of_all | is_on_team_of_any | (is_kam & contact_without_positions))
rules.add_perm("accounts.add_contact", editors | is_kam)
rules.add_perm("accounts.change_contact", editors | (is_kam & (is_on_team_of_any | contact_without_positions)))
rules.add_perm("accounts.delete_contact", editors)
# Linking a contact to an account (position, reports-to, buying centre, coverage, the buying
# centre of a project) needs the right to the contact too: otherwise a key account manager could
# attach anybody's contact to their own account and so read and edit it.
rules.add_perm("accounts.link_contact", editors | (is_kam & (is_on_team_of_any | contact_without_positions)))
