"""Object permissions of the selection portfolio (django-rules).

* everybody signed in reads the catalogue, the portfolio, the ratings and the rounds (controllers
  and viewers read everything);
* administrator and head of KAM publish catalogue versions, open selection rounds and decide them;
* administrator and head of KAM rate every account; a key account manager rates the accounts they
  may edit (on the team of the account or of an ancestor: the accounts context's rule).
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.accounts import facade as accounts_facade
from kampass.users.rules import is_admin, is_head, is_kam

managers = is_admin | is_head


@rules.predicate
def on_team(user: Any, account: Any) -> bool:
    """True when ``user`` is on the team of ``account`` (an ``Account``) or of one of its ancestors."""
    return account is not None and accounts_facade.is_on_team(user, account)


rules.add_perm("screening.view_selection", rules.is_authenticated)
rules.add_perm("screening.configure_criteria", managers)
rules.add_perm("screening.rate_account", managers | (is_kam & on_team))
rules.add_perm("screening.decide_round", managers)
