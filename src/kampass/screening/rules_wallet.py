"""Object permissions of the wallet part of the screening context (django-rules; loaded in ``ScreeningConfig.ready``).

* everybody signed in reads the wallet estimates (the realistic wallet, share of wallet and potential);
* administrator and head of KAM recompute them (the CLI runs as the operator);
* a potential estimate of an account is entered by a key account manager on the team of the account
  (or of an ancestor), and by administrator and head of KAM;
* the optimism table of all KAMs is read by administrator, head of KAM and the roles that read
  everything (controller, viewer); a key account manager sees their own row only.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.accounts import facade as accounts_facade
from kampass.users.rules import is_admin, is_head, is_kam, is_reader

managers = is_admin | is_head


@rules.predicate
def on_account_team(user: Any, account: Any) -> bool:
    """True when ``user`` is on the team of ``account`` (an ``Account``) or of one of its ancestors."""
    return account is not None and accounts_facade.is_on_team(user, account)


rules.add_perm("screening.view_walletestimate", rules.is_authenticated)
rules.add_perm("screening.compute_walletestimate", managers)
rules.add_perm("screening.add_potentialestimate", managers | (is_kam & on_account_team))
rules.add_perm("screening.view_all_potentialestimates", managers | is_reader)
rules.add_perm("screening.view_potentialestimate", managers | is_reader | is_kam)
