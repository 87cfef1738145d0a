"""Object permissions of the planning context (django-rules).

* administrator and head of KAM read and edit every plan and approve (sign off) plans;
* the executive sponsor on an account's team may also approve that account's plans;
* a key account manager edits the plans of the accounts whose team they belong to (on the account
  or an ancestor) and reads those plans;
* controllers and viewers read every plan and edit nothing.

The object of ``planning.*_plan`` is the plan's account (an ``Account``); "view" includes all
plan content, comments and history.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.accounts import facade as accounts_facade
from kampass.users.rules import is_admin, is_head, is_kam, is_reader


@rules.predicate
def on_account_team(user: Any, account: Any) -> bool:
    return account is not None and accounts_facade.is_on_team(user, account)


@rules.predicate
def sponsor_of_account(user: Any, account: Any) -> bool:
    return account is not None and accounts_facade.is_executive_sponsor(user, account)


editors = is_admin | is_head
readers_of_all = is_admin | is_head | is_reader

rules.add_perm("planning.view_plan", readers_of_all | on_account_team)
rules.add_perm("planning.add_plan", editors | (is_kam & on_account_team))
rules.add_perm("planning.change_plan", editors | (is_kam & on_account_team))
rules.add_perm("planning.approve_plan", editors | sponsor_of_account)
rules.add_perm("planning.comment_plan", editors | on_account_team | sponsor_of_account)
rules.add_perm("planning.manage_templates", editors)


# ---- actions and health (object of ``*_action``: a ``PlanAction``; of ``view_health``: an ``Account``)


@rules.predicate
def kam_of_action_account(user: Any, action: Any) -> bool:
    return action is not None and bool(is_kam(user)) and accounts_facade.is_on_team(user, action.plan.account)


@rules.predicate
def owns_action(user: Any, action: Any) -> bool:
    return action is not None and getattr(user, "pk", None) is not None and action.owner_id == user.pk


#: everything of an action: the plan's editors (head, administrator, a KAM on the account's team)
rules.add_perm("planning.change_action", editors | kam_of_action_account)
#: its progress (status and notes): also the team member it is assigned to
rules.add_perm("planning.progress_action", editors | kam_of_action_account | owns_action)
rules.add_perm("planning.view_health", readers_of_all | on_account_team)
rules.add_perm("planning.manage_health_weights", editors)
#: the targets of the KPI catalogue (traffic lights of the KPI matrix)
rules.add_perm("planning.manage_kpi_targets", editors)
