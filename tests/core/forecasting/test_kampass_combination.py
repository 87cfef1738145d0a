"""kampass's probabilities combine the recalibrated model with the trailing rate it is levelled to
(``KampassModel.model_weight``): the ranking is the model's, the mean the rate's, the spread damped."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest

from kampass.core.forecasting.scorers import MODEL_WEIGHT, KampassModel, LabelledRows, TrailingBaseRate


def _rows(seed: int = 3) -> LabelledRows:
    """Three monthly snapshots of different deals; segment "good" wins far more often."""
    rng = np.random.default_rng(seed)
    n = 1500
    days = np.array(["2024-01-01", "2024-02-01", "2024-03-01"], dtype="datetime64[D]")[np.arange(n) % 3]
    good = rng.random(n) < 0.5
    y = (rng.random(n) < np.where(good, 0.6, 0.15)).astype(np.int64)
    return LabelledRows(
        pa.table({"segment": np.where(good, "good", "poor")}), days, outcomes=y, deals=np.arange(n, dtype=np.int64)
    )


def test_the_combination_is_the_weighted_mean_of_the_recalibrated_model_and_the_trailing_rate():
    rows = _rows()
    alone = KampassModel(model_weight=1.0).fit(rows)(rows)
    rate = TrailingBaseRate().fit(rows)(rows)
    for w in (0.0, 0.25, MODEL_WEIGHT):
        combined = KampassModel(model_weight=w).fit(rows)(rows)
        assert combined == pytest.approx(w * alone + (1 - w) * rate, abs=1e-12)
    # the default combination keeps the model's ranking and the rate's mean on the latest snapshot (where the
    # model is levelled to it)
    default = KampassModel().fit(rows)(rows)
    assert MODEL_WEIGHT == 0.75
    assert np.array_equal(np.argsort(default, kind="stable"), np.argsort(alone, kind="stable"))
    latest = rows.as_of == rows.as_of.max()
    assert float(default[latest].mean()) == pytest.approx(float(rate[0]), abs=1e-6)
    # the spread is damped by the weight: the good segment still scores above the poor one
    good = np.asarray(rows.features.column("segment").to_pylist()) == "good"
    assert default[good].min() > default[~good].max()
    spread_alone = alone[good].mean() - alone[~good].mean()
    assert default[good].mean() - default[~good].mean() == pytest.approx(MODEL_WEIGHT * spread_alone, rel=1e-9)


def test_weight_zero_scores_the_trailing_rate_itself():
    rows = _rows(seed=4)
    zero = KampassModel(model_weight=0.0).fit(rows)(rows)
    assert np.allclose(zero, TrailingBaseRate().fit(rows)(rows))


def test_a_set_level_is_the_rate_the_model_is_combined_with():
    rows = _rows(seed=5)
    levelled = replace(KampassModel(), level=0.2).fit(rows)(rows)
    latest = rows.as_of == rows.as_of.max()
    assert float(levelled[latest].mean()) == pytest.approx(0.2, abs=1e-6)
