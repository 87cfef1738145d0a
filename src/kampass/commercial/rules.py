"""Who sees figures and who may import (django-rules)."""

from __future__ import annotations

import rules

from kampass.accounts import facade as accounts_facade
from kampass.users.rules import is_admin, is_head, is_kam, is_reader

#: the accounts' team rule (on the account's team or an ancestor's), asked through its facade
is_on_team = rules.predicate(accounts_facade.is_on_team)

rules.add_perm("commercial.view_figures", is_admin | is_head | is_reader | (is_kam & is_on_team))
rules.add_perm("commercial.view_portfolio_figures", is_admin | is_head | is_reader)
rules.add_perm("commercial.import_transactions", is_admin | is_head)
