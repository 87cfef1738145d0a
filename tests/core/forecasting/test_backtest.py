"""The temporal backtest on synthetic deals whose truth is known: it learns only what was known at each
origin, the trailing base rate follows drift, and the figures are computed on the deals open then."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pytest

from kampass.core.forecasting.backtest import DealHistory, backtest, known_at, open_at
from kampass.core.forecasting.scorers import LabelledRows, TrailingBaseRate, default_scorers

START = np.datetime64("2022-01-01", "D")


def history(n: int = 3000, *, seed: int = 0, drift: bool = True) -> DealHistory:
    """Deals opened over two years, each closing 5-60 days later; in the second year the win rate of
    every segment drops from 0.6/0.3 to 0.3/0.1 (drift)."""
    rng = np.random.default_rng(seed)
    opened = START + rng.integers(0, 730, n).astype("timedelta64[D]")
    segment = rng.choice(["A", "B"], n)
    late = opened >= START + np.timedelta64(365, "D")
    rate = np.where(segment == "A", 0.6, 0.3) * np.where(late & drift, 0.5, 1.0)
    won = rng.random(n) < rate
    closed = opened + rng.integers(5, 61, n).astype("timedelta64[D]")
    return DealHistory(
        ids=tuple(f"d{i}" for i in range(n)),
        opened=opened,
        closed=closed,
        won=won,
        features=pa.table({"segment": segment, "deal": [f"d{i}" for i in range(n)]}),
        end=closed.max(),
        amount=rng.integers(1, 10, n).astype(np.float64) * 1000,
    )


@dataclass
class Recording:
    """A scorer that remembers what it was trained on (and scores the base rate)."""

    name: str = "base_rate"
    seen: list[LabelledRows] = field(default_factory=list)

    def fit(self, rows: LabelledRows):
        self.seen.append(rows)
        return TrailingBaseRate().fit(rows)


def test_no_scorer_learns_from_a_deal_closed_on_or_after_the_origin():
    # given
    h = history()
    origin = np.datetime64("2023-03-01", "D")
    recording = Recording()
    scorers = [*(s for s in default_scorers() if s.name != "base_rate"), recording]
    # when
    backtest(h, [origin], horizon=60, scorers=scorers)
    # then: every training row is a deal opened before the origin, labelled within a window that ended
    # by the origin; every row labelled won is a deal won before the origin
    (rows,) = recording.seen
    by_id = {d: i for i, d in enumerate(h.ids)}
    index = np.array([by_id[d] for d in rows.features.column("deal").to_pylist()])
    assert (h.opened[index] < origin).all()
    assert (rows.as_of + np.timedelta64(60, "D") <= origin).all()
    won_rows = index[rows.outcomes == 1]
    assert len(won_rows) > 100
    assert (h.closed[won_rows] < origin).all()
    assert h.won[won_rows].all()


def test_changing_what_happened_after_the_origin_changes_no_probability():
    # given the same history twice, the second with every outcome on or after the origin flipped
    h = history()
    origin = np.datetime64("2023-03-01", "D")
    later = h.closed >= origin
    flipped = replace(h, won=np.where(later, ~h.won, h.won))
    # when
    a = backtest(h, [origin], horizon=60).origins[0]
    b = backtest(flipped, [origin], horizon=60).origins[0]
    # then: the same deals scored alike by every scorer; only the outcomes differ
    assert a.ids == b.ids
    for name in a.probabilities:
        assert np.array_equal(a.probabilities[name], b.probabilities[name]), name
    assert not np.array_equal(a.outcomes, b.outcomes)


def test_the_trailing_base_rate_follows_drift_and_kampass_with_it():
    # given: the win rate halved a year in; an origin late in the second year
    h = history()
    origin = np.datetime64("2023-10-01", "D")
    # when
    o = backtest(h, [origin], horizon=60).origins[0]
    # then: the trailing rate is near the new rate (~0.225), the whole-history rate (stage_rate without
    # stages) far above it; Brier says the same, and kampass keeps the trailing level and adds the segment
    assert abs(float(o.probabilities["base_rate"][0]) - 0.225) < 0.04
    assert float(o.probabilities["stage_rate"][0]) > 0.28
    s = o.scores
    assert s["base_rate"].brier < s["stage_rate"].brier
    assert s["kampass"].brier < s["base_rate"].brier
    assert s["kampass"].auc > 0.6
    assert abs(float(o.probabilities["kampass"].mean()) - float(o.outcomes.mean())) < 0.05


def test_open_deals_actual_and_summary_are_what_the_definition_says():
    # given
    h = history()
    origins = [np.datetime64("2023-01-01", "D"), np.datetime64("2023-07-01", "D")]
    # when
    report = backtest(h, origins, horizon=60)
    doc = report.to_json()
    # then: open = opened before, not closed before; actual = amounts won in [origin, origin + 60)
    for o, origin in zip(doc["origins"], origins, strict=True):
        open_ = (h.opened < origin) & ~(h.closed < origin)
        won = open_ & h.won & (h.closed < origin + np.timedelta64(60, "D"))
        assert o["open"] == int(open_.sum()) == len(open_at(h, origin))
        assert o["forecast"]["actual"] == pytest.approx(float(h.amount[won].sum()))
        assert o["forecast"]["p10"] <= o["forecast"]["p50"] <= o["forecast"]["p90"]
    summary = doc["summary"]
    low, high = summary["kampass_minus_base_rate_brier"]["ci95"]
    assert low <= summary["kampass_minus_base_rate_brier"]["mean"] <= high
    assert summary["band_coverage"] in (0.0, 0.5, 1.0)


def test_known_at_hides_later_closes_and_an_origin_past_the_data_is_refused():
    h = history(200)
    origin = np.datetime64("2022-06-01", "D")
    view = known_at(h, origin)
    assert (view.opened < origin).all()
    assert not (view.closed >= origin).any()  # NaT never compares true
    with pytest.raises(ValueError, match="runs past the end of the data"):
        backtest(h, [h.end], horizon=30)
