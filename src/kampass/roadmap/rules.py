"""Object permissions for the roadmap context (django-rules).

* administrator and head of KAM manage the roadmap (initiatives, guardrails,
  measurements) and the topics (including the limit on active topics);
* a key account manager updates the initiatives they own (dates, status,
  description, key accounts; not the logic, owner or guardrail), proposes topics
  and edits their own topics while these are still proposed;
* controllers and viewers read everything and change nothing.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.users.rules import is_admin, is_head, is_kam

managers = is_admin | is_head


@rules.predicate
def owns(user: Any, obj: Any) -> bool:
    """True when ``user`` is the owner of the initiative or topic."""
    return obj is not None and user.is_authenticated and getattr(obj, "owner_id", None) == user.pk


@rules.predicate
def proposed_by(user: Any, topic: Any) -> bool:
    """True when ``user`` proposed (created) or owns the topic and it is still only proposed."""
    if topic is None or not user.is_authenticated or topic.status != "proposed":
        return False
    return user.pk in (topic.created_by_id, topic.owner_id)


rules.add_perm("roadmap.view_roadmap", rules.is_authenticated)
rules.add_perm("roadmap.add_initiative", managers)
rules.add_perm("roadmap.change_initiative", managers | (is_kam & owns))
rules.add_perm("roadmap.manage_initiative", managers)
rules.add_perm("roadmap.delete_initiative", managers)
rules.add_perm("roadmap.measure_guardrails", managers)
rules.add_perm("roadmap.add_topic", managers | is_kam)
rules.add_perm("roadmap.change_topic", managers | (is_kam & proposed_by))
rules.add_perm("roadmap.change_topic_status", managers)
rules.add_perm("roadmap.delete_topic", managers)
rules.add_perm("roadmap.change_settings", managers)
