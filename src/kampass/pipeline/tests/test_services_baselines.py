"""The stage win rate and the owners' probabilities beside the model in its cross-validation, checked
against an independent computation on the same folds."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from kampass.core.forecasting.evaluation import fold_assignment
from kampass.pipeline.models import Opportunity, Outcome
from kampass.pipeline.services.baselines import cv_baselines
from kampass.pipeline.tests.factories import make_opportunity


def _independent_stage_rate(stages, y, fold, folds, prior=10.0):
    p = [0.0] * len(y)
    for k in range(folds):
        train = [i for i in range(len(y)) if fold[i] != k]
        overall = sum(y[i] for i in train) / len(train)
        for i in range(len(y)):
            if fold[i] != k:
                continue
            same = [j for j in train if stages[j] == stages[i]]
            p[i] = (sum(y[j] for j in same) + prior * overall) / (len(same) + prior) if same else overall
    return p


@pytest.mark.django_db
def test_stage_rate_and_owner_probabilities_out_of_fold():
    rng = random.Random(1)
    stages = [rng.choice([1, 3, 5, None]) for _ in range(80)]
    y = [int(rng.random() < {1: 0.1, 3: 0.3, 5: 0.7, None: 0.2}[s]) for s in stages]
    rows = [{"stage_order": s} for s in stages]
    # owners' probabilities first recorded while open on 25 of the deals
    pks = []
    given = {}
    for i in range(80):
        p = rng.choice([20, 50, 80]) if i < 25 else None
        o = make_opportunity(name=f"D{i}", amount=Decimal(1000), owner_probability=p)
        Opportunity.objects.filter(pk=o.pk).update(
            outcome=Outcome.WON if y[i] else Outcome.LOST, closed_on=timezone.localdate() - dt.timedelta(days=1)
        )
        if p is None:  # the service puts in the stage's default: an import without a probability has none
            Opportunity.history.filter(id=o.pk).update(owner_probability=None)
        pks.append(o.pk)
        if p is not None:
            given[i] = p / 100
    metrics, bins = cv_baselines(pks, rows, y, folds=5, seed=0)
    fold = fold_assignment(np.asarray(y), folds=5, seed=0)
    expected = _independent_stage_rate(stages, y, fold, 5)
    brier = sum((p - t) ** 2 for p, t in zip(expected, y, strict=True)) / len(y)
    assert metrics["stage_rate"]["brier"] == pytest.approx(brier)
    owner_brier = sum((p - y[i]) ** 2 for i, p in given.items()) / len(given)
    assert metrics["owner"]["rows"] == 25
    assert metrics["owner"]["brier"] == pytest.approx(owner_brier)
    assert sum(b["count"] for b in bins["stage_rate"]) == 80
