"""Object permissions of the whitespace part (django-rules, loaded in ``ScreeningConfig.ready``).

* everybody signed in reads whitespace, recommendations and the conversion (controllers, viewers);
* administrator and head of KAM configure the product-group mapping;
* administrator, head of KAM, and a key account manager at the accounts they may edit (on the team of
  the account or of an ancestor) mark product groups not relevant and turn recommendations into
  opportunities.
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


rules.add_perm("screening.view_whitespace", rules.is_authenticated)
rules.add_perm("screening.configure_product_groups", managers)
rules.add_perm("screening.act_on_whitespace", managers | (is_kam & may_edit_account))
