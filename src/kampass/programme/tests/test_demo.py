"""The demo assessment: the contract (one closed round, at least six respondents of different
functions), a previous round for comparison, a confirmed phase, idempotence and reset."""

from __future__ import annotations

import math

from kampass.programme.demo import CURRENT_TITLE, PREVIOUS_TITLE, demo_programme_load
from kampass.programme.facade import current_phase
from kampass.programme.models import Answer, AssessmentRound, RoundStatus
from kampass.programme.selectors import round_results
from kampass.users.models import Role, User


def test_demo_programme_contract(db, catalogue):
    # given the demo logins
    for username, role in [("admin", Role.ADMIN), ("head", Role.HEAD), ("kam", Role.KAM), ("kam2", Role.KAM),
                           ("controller", Role.CONTROLLER), ("viewer", Role.VIEWER)]:  # fmt: skip
        User.objects.create_user(username=username, password="pw-for-tests-1", role=role)
    # when
    count = demo_programme_load()
    # then
    current = AssessmentRound.objects.get(title=CURRENT_TITLE)
    assert current.status == RoundStatus.CLOSED
    submitted = current.respondents.filter(submitted_at__isnull=False)
    assert submitted.count() >= 6
    assert len(set(submitted.values_list("function", flat=True))) >= 6
    assert submitted.filter(user__username="kam").exists()
    assert count == Answer.objects.count() > 0
    res = round_results(assessment_round=current)
    assert res.previous == AssessmentRound.objects.get(title=PREVIOUS_TITLE)
    assert any(s.disagreement for s in res.fields)  # the structure split between KAMs and management
    weakest = min(
        (s for s in res.fields if s.mean is not None), key=lambda s: s.mean if s.mean is not None else math.inf
    )
    assert weakest.field in ("screening", "scorecard")
    assert any(t.warnings for t in res.tensions)
    assert current_phase() is not None
    # idempotent, and reset reloads the same data
    assert demo_programme_load() == count
    assert AssessmentRound.objects.count() == 2
    assert demo_programme_load(reset=True) == count
    assert AssessmentRound.objects.count() == 2
