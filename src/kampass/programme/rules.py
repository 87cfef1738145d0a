"""Who may do what in the KAM programme (django-rules).

* administrator and head of KAM manage assessment rounds, enter answers on behalf of any
  respondent, confirm the phase and accept recommendations;
* every invited user answers their own questionnaire;
* everybody reads the results of closed rounds (controllers and viewers included); the results
  of a round still open are for the administrator and the head of KAM only.
"""

from __future__ import annotations

from typing import Any

import rules

from kampass.users.rules import is_admin, is_head


@rules.predicate
def is_own_invitation(user: Any, respondent: Any) -> bool:
    return bool(
        respondent is not None
        and getattr(user, "is_authenticated", False)
        and respondent.user_id is not None
        and respondent.user_id == user.pk
    )


@rules.predicate
def is_closed_round(user: Any, assessment_round: Any) -> bool:
    return assessment_round is not None and assessment_round.status == "closed"


managers = is_admin | is_head

rules.add_perm("programme.view_programme", rules.is_authenticated)
rules.add_perm("programme.manage_round", managers)
rules.add_perm("programme.answer", managers | is_own_invitation)
rules.add_perm("programme.view_results", managers | (rules.is_authenticated & is_closed_round))
rules.add_perm("programme.confirm_phase", managers)
rules.add_perm("programme.accept_recommendations", managers)
