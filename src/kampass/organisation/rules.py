"""Object permissions for the organisation context (django-rules).

Structure (KAM process, roles, function diagram, workload settings):

* everybody signed in reads it;
* administrator and head of KAM edit it.

People (competence model, profiles, development actions):

* everybody signed in reads the competence model and the aggregated figures;
* a competence profile (ratings, targets, gaps) and the development actions of a
  person are read by administrator and head of KAM, by the person, and (for an
  action) by its owner; controllers and viewers do not read personal profiles;
* administrator and head of KAM rate (the agreed rating the gap is computed
  from), set targets and edit the competence model;
* a key account manager or head of KAM proposes a self-assessment for their own
  profile only;
* a key account manager creates development actions for themselves and edits
  or deletes their own actions (including marking them as blocked by the
  organisation); an action's owner may update it; administrator and head of
  KAM manage every action.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.users.rules import is_admin, is_head, is_kam

managers = is_admin | is_head


@rules.predicate
def is_self(user: Any, person: Any) -> bool:
    """True when ``person`` (a user) is ``user``."""
    return person is not None and user.is_authenticated and getattr(person, "pk", None) == user.pk


@rules.predicate
def has_profile(user: Any, person: Any) -> bool:
    """True when ``person`` is a key account manager or head of KAM (who have competence profiles)."""
    return person is not None and getattr(person, "role", None) in ("kam", "head")


@rules.predicate
def is_action_person(user: Any, action: Any) -> bool:
    return action is not None and user.is_authenticated and action.person_id == user.pk


@rules.predicate
def is_action_owner(user: Any, action: Any) -> bool:
    return action is not None and user.is_authenticated and action.owner_id == user.pk


rules.add_perm("organisation.view_structure", rules.is_authenticated)
rules.add_perm("organisation.change_structure", managers)

rules.add_perm("organisation.view_competences", rules.is_authenticated)
rules.add_perm("organisation.change_competences", managers)
rules.add_perm("organisation.view_all_profiles", managers)
rules.add_perm("organisation.view_profile", managers | is_self)
rules.add_perm("organisation.rate_profile", managers & has_profile)
rules.add_perm("organisation.self_rate", (is_kam | is_head) & is_self & has_profile)
rules.add_perm("organisation.set_targets", managers)

rules.add_perm("organisation.view_action", managers | is_action_person | is_action_owner)
rules.add_perm("organisation.add_action", managers | (is_kam & is_self))
rules.add_perm("organisation.change_action", managers | is_action_person | is_action_owner)
rules.add_perm("organisation.delete_action", managers | is_action_person)
