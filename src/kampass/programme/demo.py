"""Demo assessment rounds of the programme context.

Two closed rounds a year apart (the earlier one for comparison) with the demo users and named
external respondents of different functions. The answers are generated deterministically
(seeded) from a deliberately uneven profile: weak screening and scorecard (few facts about
potentials and decision processes), a structure the key account managers rate far lower than
management (disagreement), solid solutions; on the tension fields the company sees itself as
intuitive, individual and top-down today. The phase proposed from the latest round is confirmed
by the head of KAM.

Rounds, invitations, submission and closing go through the services; the ratings are written in
bulk (they are generated within range), which keeps ``kampass demo`` fast.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampass.programme.catalogue import active_catalogue
from kampass.programme.models import Answer, AssessmentRound, Function, PhaseDecision, Placement, Respondent

CURRENT_TITLE = "KAM assessment 2026"
PREVIOUS_TITLE = "KAM assessment 2025"
SEED = 20260301

# (username of a demo user or None for an external person, name of the external person, function)
RESPONDENTS: tuple[tuple[str | None, str, str], ...] = (
    ("head", "", Function.HEAD),
    ("kam", "", Function.KAM),
    ("kam2", "", Function.KAM),
    ("controller", "", Function.CONTROLLING),
    ("viewer", "", Function.MANAGEMENT),
    ("admin", "", Function.OTHER),
    (None, "Markus Weber (CEO)", Function.MANAGEMENT),
    (None, "Claudia Roth (Sales Director)", Function.SALES),
)

# Mean rating per field x perspective in the current round.
PROFILE: dict[tuple[str, str], float] = {
    ("screening", "corporate"): 1.9,
    ("screening", "operative"): 2.2,
    ("strategy", "corporate"): 2.7,
    ("strategy", "operative"): 2.5,
    ("solutions", "corporate"): 3.6,
    ("solutions", "operative"): 3.4,
    ("skills", "corporate"): 3.0,
    ("skills", "operative"): 3.2,
    ("structure", "corporate"): 2.6,
    ("structure", "operative"): 2.8,
    ("scorecard", "corporate"): 2.0,
    ("scorecard", "operative"): 2.3,
}
# How each function sees it differently (added to the profile); structure splits KAMs and management.
BIAS: dict[str, dict[str, float]] = {
    Function.HEAD: {"*": 0.3},
    Function.KAM: {"*": -0.2, "structure": -1.3, "skills": 0.4},
    Function.MANAGEMENT: {"*": 0.5, "structure": 1.4},
    Function.SALES: {"*": -0.1, "structure": -0.6},
    Function.CONTROLLING: {"*": 0.0, "scorecard": -0.5, "screening": 0.2},
    Function.OTHER: {"*": 0.0},
}
# Mean position now and target per tension field (-3..+3).
TENSIONS: dict[str, tuple[float, float]] = {
    "change_approach": (1.8, 0.5),
    "prerequisites": (2.3, 0.0),
    "time_horizon": (1.6, -0.3),
    "scope": (1.4, 0.4),
    "basics_innovation": (0.8, -1.2),
    "decision_style": (2.5, -0.5),
    "regulation": (1.9, 0.6),
    "direction": (-2.4, -0.6),
    "integration": (0.2, -1.0),
}


def _user(username: str | None) -> Any:
    from kampass.users.models import User

    return User.objects.filter(username=username, is_active=True).first() if username else None


def _actor() -> Any:
    from kampass.common.cli import system_actor
    from kampass.users.models import Role, User

    return User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk").first() or system_actor()


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _load_round(
    *, title: str, starts: dt.date, closed_at: dt.datetime, shift: float, respondents: int, rng: random.Random
) -> AssessmentRound:
    from kampass.programme import services

    actor = _actor()
    catalogue = active_catalogue()
    r = services.round_create(actor=actor, title=title, starts=starts, ends=starts + dt.timedelta(days=21))
    chosen = []
    for username, name, function in RESPONDENTS[:respondents]:
        user = _user(username)
        label = name or (f"{username.title()} (demo)" if username else "")
        resp = services.respondent_add(
            actor=actor, assessment_round=r, function=function, user=user, name="" if user else label
        )
        chosen.append(resp)
    services.round_open(actor=actor, assessment_round=r)
    answers, placements = [], []
    for resp in chosen:
        bias = BIAS.get(resp.function, {})
        external = resp.user_id is None
        for s in catalogue.statements:
            if external and s.perspective == "operative" and rng.random() < 0.35:
                rating = None  # externals often cannot judge the work on single accounts
            else:
                mean = PROFILE[(s.field, s.perspective)] + shift + bias.get("*", 0.0) + bias.get(s.field, 0.0)
                rating = _clamp(rng.gauss(mean, 0.6), 1, 5)
            answers.append(Answer(respondent=resp, statement=s.key, rating=rating))
        for t in catalogue.tension_fields:
            cur, tgt = TENSIONS.get(t.key, (0.0, 0.0))
            spread = 1.2 if t.key == "direction" and resp.function == Function.KAM else 0.7
            placements.append(
                Placement(
                    respondent=resp,
                    tension_field=t.key,
                    current=_clamp(rng.gauss(cur - shift * 0.5, spread), -3, 3),
                    target=_clamp(rng.gauss(tgt, 0.6), -3, 3),
                )
            )
    Answer.objects.bulk_create(answers)
    Placement.objects.bulk_create(placements)
    for resp in chosen:
        services.respondent_submit(actor=resp.user or actor, respondent=resp)  # users hand in their own
    r = services.round_close(actor=actor, assessment_round=r)
    AssessmentRound.objects.filter(pk=r.pk).update(closed_at=closed_at)
    Respondent.objects.filter(round=r).update(submitted_at=closed_at - dt.timedelta(days=2))
    r.refresh_from_db()
    return r


def _count() -> int:
    return Answer.objects.filter(respondent__round__title__in=[CURRENT_TITLE, PREVIOUS_TITLE]).count()


def demo_programme_clear() -> None:
    """Delete the demo assessment rounds (with their respondents and phase decisions): their
    respondents protect the demo users, which a demo reset deletes and creates afresh."""
    with transaction.atomic():
        demo = AssessmentRound.objects.filter(title__in=[CURRENT_TITLE, PREVIOUS_TITLE])
        PhaseDecision.objects.filter(round__in=demo).delete()
        demo.delete()


def demo_programme_load(*, reset: bool = False) -> int:
    """Load the demo assessment rounds (idempotent; ``reset`` reloads them); returns the number of
    answers to statements in them."""
    with transaction.atomic():
        demo = AssessmentRound.objects.filter(title__in=[CURRENT_TITLE, PREVIOUS_TITLE])
        if demo.filter(title=CURRENT_TITLE, status="closed").exists() and not reset:
            return _count()
        demo_programme_clear()
        rng = random.Random(SEED)  # noqa: S311 - demo answers, not cryptography
        now = timezone.now()
        today = timezone.localdate()
        _load_round(
            title=PREVIOUS_TITLE,
            starts=today - dt.timedelta(days=400),
            closed_at=now - dt.timedelta(days=370),
            shift=-0.4,
            respondents=6,
            rng=rng,
        )
        current = _load_round(
            title=CURRENT_TITLE,
            starts=today - dt.timedelta(days=40),
            closed_at=now - dt.timedelta(days=14),
            shift=0.0,
            respondents=len(RESPONDENTS),
            rng=rng,
        )
        _confirm_phase(current)
    return _count()


def _confirm_phase(r: AssessmentRound) -> None:
    from kampass.programme import services
    from kampass.programme.selectors import programme_assessment

    pa = programme_assessment(assessment_round=r)
    if pa is None:
        return
    services.phase_confirm(
        actor=_actor(),
        phase=pa.proposal.phase,
        note="Confirmed in the KAM steering meeting after the assessment workshop.",
        assessment_round=r,
    )
