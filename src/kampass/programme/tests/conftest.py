"""Fixtures for the programme tests: rounds in each status, respondents with complete answers,
an API caller with a token, and an independent computation of the scores from stored answers."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import pytest

from kampass.core.concept import Catalogue, builtin_catalogue
from kampass.programme import services
from kampass.programme.models import Answer, AssessmentRound, Function, Placement, Respondent, RoundStatus
from kampass.users.models import User

FUNCTIONS = [Function.HEAD, Function.KAM, Function.MANAGEMENT, Function.SALES, Function.CONTROLLING, Function.OTHER]


@pytest.fixture
def catalogue() -> Catalogue:
    return builtin_catalogue()


def make_round(
    actor: Any, *, title: str = "Assessment", starts: dt.date | None = None, minimum: int = 2
) -> AssessmentRound:
    return services.round_create(
        actor=actor, title=title, starts=starts or dt.date(2026, 3, 1), min_respondents=minimum
    )


def fill(respondent: Respondent, catalogue: Catalogue, rng: random.Random, *, dont_know: float = 0.1) -> None:
    """Complete answers and placements for ``respondent`` (random but valid), written in bulk."""
    Answer.objects.bulk_create(
        [
            Answer(
                respondent=respondent,
                statement=s.key,
                rating=None if rng.random() < dont_know else rng.randint(1, 5),
            )
            for s in catalogue.statements
        ]
    )
    Placement.objects.bulk_create(
        [
            Placement(respondent=respondent, tension_field=t.key, current=rng.randint(-3, 3), target=rng.randint(-3, 3))
            for t in catalogue.tension_fields
        ]
    )


def closed_round(
    actor: Any,
    catalogue: Catalogue,
    *,
    respondents: int = 6,
    seed: int = 7,
    title: str = "Closed round",
    starts: dt.date | None = None,
    users: list[User] | None = None,
) -> AssessmentRound:
    """A closed round with ``respondents`` submitted questionnaires of varied functions."""
    rng = random.Random(seed)
    r = make_round(actor, title=title, starts=starts, minimum=min(respondents, 5))
    people = []
    for i in range(respondents):
        user = users[i] if users and i < len(users) else None
        people.append(
            services.respondent_add(
                actor=actor,
                assessment_round=r,
                function=FUNCTIONS[i % len(FUNCTIONS)],
                user=user,
                name="" if user else f"Person {i}",
            )
        )
    services.round_open(actor=actor, assessment_round=r)
    for p in people:
        fill(p, catalogue, rng)
        # a kampass user hands in their own questionnaire (nobody answers on their behalf)
        services.respondent_submit(actor=p.user or actor, respondent=p)
    return services.round_close(actor=actor, assessment_round=r)


def open_round_with(actor: Any, respondents: list[tuple[User | None, str]], *, minimum: int = 2) -> AssessmentRound:
    r = make_round(actor, minimum=minimum)
    for user, function in respondents:
        services.respondent_add(
            actor=actor, assessment_round=r, function=function, user=user, name="" if user else "External"
        )
    services.round_open(actor=actor, assessment_round=r)
    r.refresh_from_db()
    assert r.status == RoundStatus.OPEN
    return r


def independent_field_scores(r: AssessmentRound, catalogue: Catalogue) -> dict[tuple[str, str], dict[str, Any]]:
    """Mean, population std dev and count of the ratings per field x perspective, computed here from
    the stored rows (submitted respondents only), without the core."""
    cell_of = {s.key: (s.field, s.perspective) for s in catalogue.statements}
    ratings: dict[tuple[str, str], list[int]] = {}
    for statement, rating in Answer.objects.filter(
        respondent__round=r, respondent__submitted_at__isnull=False, rating__isnull=False
    ).values_list("statement", "rating"):
        if rating is not None:  # as filtered above
            ratings.setdefault(cell_of[statement], []).append(rating)
    out = {}
    for cell, values in ratings.items():
        mean = sum(values) / len(values)
        out[cell] = {
            "mean": mean,
            "spread": math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)),
            "answers": len(values),
        }
    return out


def independent_tension_means(r: AssessmentRound) -> dict[str, tuple[float, float]]:
    rows: dict[str, list[tuple[int, int]]] = {}
    for key, cur, tgt in Placement.objects.filter(
        respondent__round=r, respondent__submitted_at__isnull=False
    ).values_list("tension_field", "current", "target"):
        assert cur is not None
        assert tgt is not None
        rows.setdefault(key, []).append((cur, tgt))
    return {k: (sum(c for c, _ in v) / len(v), sum(t for _, t in v) / len(v)) for k, v in rows.items()}
