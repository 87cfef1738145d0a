"""Who may do what in the KAM programme (django-rules).

* administrator and head of KAM manage assessment rounds, enter the answers of external
  respondents (named persons without a kampass login), confirm the phase and accept recommendations;
* every invited user answers their own questionnaire, and nobody else answers it (not even the
  head of KAM: their answers would skew the results of the user's group);
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
def is_external_respondent(user: Any, respondent: Any) -> bool:
    """The respondent is a named external person (no kampass user), e.g. a customer interviewed."""
    return respondent is not None and respondent.user_id is None


@rules.predicate
def is_closed_round(user: Any, assessment_round: Any) -> bool:
    return assessment_round is not None and assessment_round.status == "closed"


managers = is_admin | is_head

rules.add_perm("programme.view_programme", rules.is_authenticated)
rules.add_perm("programme.manage_round", managers)
# nobody answers on behalf of a kampass user: only the invited user; managers enter the answers
# of external respondents (e.g. customers interviewed)
rules.add_perm("programme.answer", is_own_invitation | (managers & is_external_respondent))
rules.add_perm("programme.view_results", managers | (rules.is_authenticated & is_closed_round))
rules.add_perm("programme.confirm_phase", managers)
rules.add_perm("programme.accept_recommendations", managers)
