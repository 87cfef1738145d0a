"""Who sees figures and who may import (django-rules)."""

from __future__ import annotations

import rules

from kampass.accounts.rules import is_admin, is_head, is_kam, is_on_team, is_reader

rules.add_perm("commercial.view_figures", is_admin | is_head | is_reader | (is_kam & is_on_team))
rules.add_perm("commercial.view_portfolio_figures", is_admin | is_head | is_reader)
rules.add_perm("commercial.import_transactions", is_admin | is_head)
