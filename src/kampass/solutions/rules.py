"""Object permissions for the solutions context (django-rules).

Solution library:

* everybody signed in reads it (controllers and viewers included);
* administrator, head of KAM and key account managers create and edit solutions and retire them;
  administrator and head of KAM delete them;
* a use of a solution at an account is linked or unlinked by administrator and head of KAM, and by
  a key account manager only at the accounts they may edit (on the team of the account or of an
  ancestor: the accounts context's rule).

Co-creation initiatives:

* everybody signed in reads them;
* administrator, head of KAM and key account managers create them (a key account manager with
  key accounts they may edit);
* administrator and head of KAM change every initiative; a key account manager changes the
  initiatives they created or that involve an account they may edit;
* administrator and head of KAM delete them.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.accounts import facade as accounts_facade
from kampass.users.rules import is_admin, is_head, is_kam

managers = is_admin | is_head


@rules.predicate
def may_edit_account(user: Any, account: Any) -> bool:
    """True when ``user`` is on the team of ``account`` (an ``Account``) or of one of its ancestors."""
    return account is not None and accounts_facade.is_on_team(user, account)


@rules.predicate
def may_edit_use_account(user: Any, use: Any) -> bool:
    """True when ``user`` may edit the account of the solution use ``use``."""
    return use is not None and accounts_facade.is_on_team(user, use.account)


@rules.predicate
def involved_in(user: Any, initiative: Any) -> bool:
    """True when ``user`` created the initiative or may edit one of its accounts."""
    if initiative is None or not user.is_authenticated:
        return False
    if initiative.pk is not None and initiative.created_by_id == user.pk:
        return True
    return initiative.pk is not None and any(accounts_facade.is_on_team(user, a) for a in initiative.accounts.all())


rules.add_perm("solutions.view_solution", rules.is_authenticated)
rules.add_perm("solutions.add_solution", managers | is_kam)
rules.add_perm("solutions.change_solution", managers | is_kam)
rules.add_perm("solutions.delete_solution", managers)
rules.add_perm("solutions.link_use", managers | (is_kam & may_edit_account))
rules.add_perm("solutions.unlink_use", managers | (is_kam & may_edit_use_account))

rules.add_perm("solutions.view_initiative", rules.is_authenticated)
rules.add_perm("solutions.add_initiative", managers | is_kam)
rules.add_perm("solutions.change_initiative", managers | (is_kam & involved_in))
rules.add_perm("solutions.delete_initiative", managers)
