"""Snapshot rows of one deal stay together in training: in the inner folds (calibration) and in the
validation split that stops the boosting, in the product's training and in the backtest's kampass scorer."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kampass.core.forecasting import scorers
from kampass.core.forecasting.model import SETTINGS, FoldModel, train_win_model
from kampass.core.forecasting.scorers import KampassModel, LabelledRows


def _memorisable(deals: int = 400, rows_per_deal: int = 6, seed: int = 0):
    """Deals whose outcome is a coin flip, each with an id-like number that repeats in all its snapshot rows:
    there is nothing to learn about a new deal, only the seen deals to memorise."""
    rng = np.random.default_rng(seed)
    deal = np.repeat(np.arange(deals), rows_per_deal)
    won = rng.random(deals) < 0.4
    x = np.column_stack([rng.permutation(deals)[deal].astype(float), rng.random(len(deal))])
    return x, won[deal].astype(np.int64), deal


def test_early_stopping_on_whole_deals_stops_before_the_trees_learn_the_seen_deals():
    x, y, deal = _memorisable()
    by_rows = FoldModel.fit(x, y, [False, False], seed=0)
    by_deals = FoldModel.fit(x, y, [False, False], seed=0, groups=deal)
    # a split drawn from the rows validates on rows of deals the trees have seen: it rewards memorising
    assert by_rows.booster.n_iter_ > 3 * by_deals.booster.n_iter_
    assert by_deals.booster.n_iter_ <= SETTINGS["n_iter_no_change"] + 10


def test_without_deals_the_booster_draws_its_own_split():
    x, y, _deal = _memorisable(deals=300, rows_per_deal=1)
    fold = FoldModel.fit(x, y, [False, False], seed=0)
    assert fold.booster.n_iter_ >= 1


def test_the_backtests_kampass_scorer_trains_with_the_deal_of_each_row(monkeypatch):
    seen = []

    def spy(rows, outcomes, **kw):
        seen.append((len(outcomes), kw.get("groups")))
        return train_win_model(rows, outcomes, **kw)

    monkeypatch.setattr(scorers, "train_win_model", spy)
    rng = np.random.default_rng(1)
    n = 600
    deals = np.repeat(np.arange(n // 3), 3)
    days = np.array(["2024-01-01", "2024-02-01", "2024-03-01"] * (n // 3), dtype="datetime64[D]")
    good = rng.random(n // 3) < 0.5
    y = (rng.random(n // 3) < np.where(good, 0.7, 0.2))[deals].astype(np.int64)
    rows = LabelledRows(
        pa.table({"good": np.where(good, "yes", "no")[deals]}), days, outcomes=y, deals=deals.astype(np.int64)
    )
    predict = KampassModel().fit(rows)
    assert len(predict(rows)) == n
    # every deal is in the latest snapshot, so no older deal is left to recalibrate on: the model learns from
    # all rows, each grouped by its deal
    ((count, groups),) = seen
    assert count == n
    assert np.array_equal(groups, deals)


def test_recalibrated_out_of_time_the_model_learns_from_the_older_deals_grouped(monkeypatch):
    seen = []

    def spy(rows, outcomes, **kw):
        seen.append(kw.get("groups"))
        return train_win_model(rows, outcomes, **kw)

    monkeypatch.setattr(scorers, "train_win_model", spy)
    rng = np.random.default_rng(2)
    n = 900
    deals = np.arange(n) // 2  # two snapshot rows per deal, in consecutive months
    days = np.array(["2024-01-01", "2024-02-01", "2024-02-01", "2024-03-01"] * (n // 4), dtype="datetime64[D]")
    good = rng.random(n) < 0.5
    y = (rng.random(n) < np.where(good, 0.7, 0.2)).astype(np.int64)
    rows = LabelledRows(pa.table({"good": np.where(good, "yes", "no")}), days, outcomes=y, deals=deals.astype(np.int64))
    KampassModel().fit(rows)
    (groups,) = seen
    latest = set(deals[days == days.max()])
    older = (days < days.max()) & ~np.isin(deals, list(latest))
    assert np.array_equal(groups, deals[older])
