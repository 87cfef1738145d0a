"""Who may read and change opportunities, qualification, buying-centre links and risks (django-rules).

* administrator and head of KAM read and edit every opportunity, train the model and import;
* a key account manager reads and edits the opportunities of the accounts whose team they
  are on (on the account or one of its ancestors) and sees no others (the same rule as for
  the commercial figures, see ``kampass.commercial.selectors.visible_account_ids``);
* controllers and viewers read everything and change nothing.

Object predicates take an ``Opportunity``; risks, qualification and links are checked through
their opportunity. ``pipeline.add_opportunity`` takes the ``Account``.

Targets (quotas): administrator and head of KAM set them and read all; controllers and viewers read
all; a key account manager reads their own targets, those of their teams (the org units their
account-team memberships name) and those of the account subtrees they are on the team of, and sets none.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.accounts import facade as accounts_facade
from kampass.users.rules import is_admin, is_head, is_kam, is_reader

#: the accounts' team rule (on the account's team or an ancestor's), asked through its facade
is_on_team = rules.predicate(accounts_facade.is_on_team)


@rules.predicate
def on_team_of_opportunity(user: Any, opportunity: Any) -> bool:
    """True when ``user`` is on the team of the opportunity's account (or of an ancestor)."""
    return opportunity is not None and is_on_team(user, opportunity.account)


editors = is_admin | is_head
readers_of_all = is_admin | is_head | is_reader

rules.add_perm("pipeline.view_pipeline", rules.is_authenticated)
rules.add_perm("pipeline.view_opportunity", readers_of_all | on_team_of_opportunity)
rules.add_perm("pipeline.add_opportunity", editors | (is_kam & is_on_team))
rules.add_perm("pipeline.change_opportunity", editors | (is_kam & on_team_of_opportunity))
rules.add_perm("pipeline.delete_opportunity", editors | (is_kam & on_team_of_opportunity))
rules.add_perm("pipeline.view_model", rules.is_authenticated)
rules.add_perm("pipeline.train_model", editors)
rules.add_perm("pipeline.import_opportunities", editors)
rules.add_perm("pipeline.manage_stages", editors)


@rules.predicate
def target_is_mine(user: Any, target: Any) -> bool:
    """True when ``target`` is ``user``'s own, their team's (org unit) or that of an account subtree whose
    team they are on."""
    if target is None or not user.is_authenticated:
        return False
    if target.scope == "owner":
        return bool(target.owner_id == user.pk)
    if target.scope == "team":
        return target.org_unit_id in accounts_facade.org_unit_ids(user)
    return target.account_id is not None and is_on_team(user, target.account)


rules.add_perm("pipeline.view_targets", rules.is_authenticated)
rules.add_perm("pipeline.view_target", readers_of_all | (is_kam & target_is_mine))
rules.add_perm("pipeline.add_target", editors)
rules.add_perm("pipeline.change_target", editors)
rules.add_perm("pipeline.delete_target", editors)

#: opportunities without an account (``UnlinkedOpportunity``): linking them to an account or creating accounts
#: for them is for those who may import opportunities (the list itself is filtered by its selector)
rules.add_perm("pipeline.link_unlinked", editors)
