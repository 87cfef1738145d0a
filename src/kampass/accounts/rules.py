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

import functools
import operator
from typing import Any

import rules
from django.db.models import Q

from kampass.users.rules import is_admin, is_head, is_kam, is_reader


def team_account_ids(user: Any) -> set[int]:
    """Ids of the accounts on whose team ``user`` is, cached on the user object for one request."""
    cached = getattr(user, "_kampass_team_ids", None)
    if cached is None:
        from kampass.accounts.models import TeamMember

        cached = set(TeamMember.objects.filter(user_id=user.pk).values_list("account_id", flat=True))
        user._kampass_team_ids = cached
    return cached


#: a user's accounts are named by their ids in a query up to this many (see :func:`in_team_subtrees`)
ACCOUNTS_BY_ID_MAX = 2000


def team_subtree_account_ids(user: Any) -> frozenset[int]:
    """Ids of the accounts on whose team ``user`` is and of every account below them (what a key account
    manager may see), read once per safe request (:mod:`kampass.common.request_memo`)."""
    from kampass.common.request_memo import memoised

    def read() -> frozenset[int]:
        from kampass.accounts.models import Account

        below = _below_paths(user)
        return frozenset(Account.objects.filter(below).values_list("pk", flat=True)) if below else frozenset()

    return memoised(("team_subtree_account_ids", getattr(user, "pk", None)), read)


def _below_paths(user: Any) -> Q | None:
    """The accounts of ``user``'s teams and below them, by their paths (``None``: on no team)."""
    from kampass.accounts.models import Account

    roots = list(Account.objects.filter(pk__in=team_account_ids(user)).values_list("pk", "path"))
    # one condition for all the team's subtrees, not one query per account on the team; an account stored
    # without its path (made outside the services) is its own subtree, not every account
    below = (Q(path__startswith=path) if path else Q(pk=pk) for pk, path in roots)
    return functools.reduce(operator.or_, below) if roots else None


def in_team_subtrees(user: Any, field: str = "account_id") -> Q:
    """A filter on ``field`` (an account's id) for the accounts of ``user``'s teams and below them.

    The accounts are named by their ids (:func:`team_subtree_account_ids`, read once per request): a
    sub-query on their paths made every query of a page compare the paths of all accounts again (a key
    account manager's board: seven queries, 1-1.5 ms each at 5,000 accounts). Above
    :data:`ACCOUNTS_BY_ID_MAX` accounts the sub-query stays, so that no query carries thousands of
    parameters."""
    from kampass.accounts.models import Account

    ids = team_subtree_account_ids(user)
    if not ids:
        return Q(pk__in=[])
    if len(ids) <= ACCOUNTS_BY_ID_MAX:
        return Q(**{f"{field}__in": sorted(ids)})
    # the accounts in a sub-query: their paths are compared once per account, not once per row
    return Q(**{f"{field}__in": Account.objects.filter(_below_paths(user) or Q(pk__in=[])).values("pk")})


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
