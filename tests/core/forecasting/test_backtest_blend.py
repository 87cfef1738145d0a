"""kampass's probabilities in the backtest: the model blended with the trailing base rate by the weight an
inner backtest on the history known at the origin chose. A model with signal keeps its full weight; one
without signal is shrunk towards the base rate; what happened on or after the origin changes nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa

from kampass.core.forecasting.backtest import (
    BLEND_WEIGHTS,
    MIN_PAST,
    DealHistory,
    PastScores,
    backtest,
    choose_blend,
    inner_scores,
    known_at,
)
from kampass.core.forecasting.scorers import default_scorers

START = np.datetime64("2022-01-01", "D")
HORIZON = 60


def deals(n: int = 2000, *, signal: bool, seed: int = 0) -> DealHistory:
    """Deals opened over two years, closing 5-60 days later; with ``signal`` segment A wins at 0.6 and B
    at 0.1, without it both win at 0.3 and the segment is noise."""
    rng = np.random.default_rng(seed)
    opened = START + rng.integers(0, 730, n).astype("timedelta64[D]")
    segment = rng.choice(["A", "B", "C", "D"], n)
    rate = np.where(np.isin(segment, ["A", "B"]), 0.6, 0.1) if signal else np.full(n, 0.3)
    won = rng.random(n) < rate
    closed = opened + rng.integers(5, 61, n).astype("timedelta64[D]")
    return DealHistory(
        ids=tuple(f"d{i}" for i in range(n)),
        opened=opened,
        closed=closed,
        won=won,
        features=pa.table({"segment": segment}),
        end=closed.max(),
        amount=rng.integers(1, 10, n).astype(np.float64) * 1000,
    )


def brier_sum(p: np.ndarray, y: np.ndarray) -> float:
    return float(((p - y) ** 2).sum())


def test_the_weight_with_the_lowest_past_brier_is_chosen():
    # given: three inner origins where the model ranks the deals well, and three where it ranks them backwards
    y = np.array([1, 0, 1, 0, 0])
    base = np.full(5, 0.4)
    good = PastScores(np.array([0.8, 0.2, 0.7, 0.1, 0.3]), base, y, np.ones(5))
    bad = PastScores(np.array([0.1, 0.7, 0.2, 0.8, 0.6]), base, y, np.ones(5))
    # when / then: the weight minimises the summed Brier over the inner origins' deals (computed here by hand)
    for past in ([good] * 3, [bad] * 3, [good, bad, bad]):
        losses = {w: sum(brier_sum(w * s.model + (1 - w) * s.base, s.outcomes) for s in past) for w in BLEND_WEIGHTS}
        assert choose_blend(past) == min(losses, key=lambda w: (losses[w], -w))
    assert choose_blend([good] * 3) == 1.0
    assert choose_blend([bad] * 3) == 0.0


def test_with_too_few_inner_origins_the_model_keeps_its_weight():
    y = np.array([1, 0])
    bad = PastScores(np.array([0.0, 1.0]), np.full(2, 0.5), y, np.ones(2))
    assert choose_blend([bad] * (MIN_PAST - 1)) == 1.0


def test_kampass_in_the_backtest_is_the_model_blended_by_the_chosen_weight():
    # given a history with a real signal and one without
    origins = [START + np.timedelta64(400 + 90 * k, "D") for k in range(3)]
    weights = {}
    for signal in (True, False):
        h = deals(signal=signal)
        # when
        report = backtest(h, origins, horizon=HORIZON, blend=True)
        # then: the weight is the one the inner backtest known at the origin picks, and kampass's
        # probabilities are the model's and the base rate's blended by it
        cache: dict = {}
        for o in report.origins:
            inner = inner_scores(known_at(h, o.as_of), o.as_of, HORIZON, default_scorers(), cache=cache)
            assert len(inner) >= MIN_PAST
            assert o.blend_weight == choose_blend(inner)
            assert o.to_json()["blend_weight"] == o.blend_weight
        weights[signal] = [o.blend_weight for o in report.origins]
        if signal:
            # the model ranks out of time: it keeps most of its weight and beats the base rate over the origins
            assert min(weights[signal]) >= 0.5
            assert report.difference("base_rate").high < 0
    # a segment that is noise: kampass is shrunk towards the trailing base rate more than a real signal
    assert sum(weights[False]) < sum(weights[True])
    assert min(weights[False]) < 1.0


def test_the_weight_reads_nothing_on_or_after_the_origin():
    # given the same history twice, the second with every outcome on or after the origin flipped
    h = deals(signal=False)
    origin = START + np.timedelta64(500, "D")
    flipped = replace(h, won=np.where(h.closed >= origin, ~h.won, h.won))
    # when
    weights = [backtest(x, [origin], horizon=HORIZON, blend=True).origins[0].blend_weight for x in (h, flipped)]
    # then
    assert weights[0] == weights[1]
