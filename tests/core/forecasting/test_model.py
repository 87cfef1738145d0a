"""The win model: calibrated predictions, explanations, serialization, errors."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from kampass.core.forecasting import Factor, WinModel, train_win_model


def synthetic(n: int, seed: int = 0) -> tuple[list[dict[str, object]], np.ndarray]:
    """Deals whose win chance rises with the champion score, falls with the competitor, ignores noise."""
    rng = np.random.default_rng(seed)
    champion = rng.integers(0, 10, n)
    competitor = rng.choice(["none", "known", "strong"], n)
    noise = rng.normal(size=n)
    logit = -2.0 + 0.5 * champion - 1.5 * (competitor == "strong") + 0.8 * (competitor == "none")
    won = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    rows = [
        {"champion": int(c), "competitor": str(k), "noise": float(z), "id": i}
        for i, (c, k, z) in enumerate(zip(champion, competitor, noise, strict=True))
    ]
    return rows, won


@pytest.fixture(scope="module")
def trained() -> tuple[WinModel, list[dict[str, object]], np.ndarray]:
    rows, won = synthetic(3000)
    return train_win_model(rows, won, exclude=["id"]), rows, won


def test_model_facts(trained):
    model, _rows, won = trained
    assert model.features == ("champion", "competitor", "noise")
    assert model.training_rows == 3000
    assert model.base_rate == pytest.approx(won.mean())
    assert model.version.startswith("wm-")
    assert len(model.version) == 11
    assert model.trained_at.utcoffset() is not None


def test_predictions_are_probabilities_and_calibrated_in_sample(trained):
    model, rows, won = trained
    p = model.predict(rows)
    assert p.dtype == np.float64
    assert p.shape == (3000,)
    assert ((p >= 0) & (p <= 1)).all()
    assert p.mean() == pytest.approx(won.mean(), abs=0.02)
    # higher champion scores score higher
    low = model.predict([{"champion": 1, "competitor": "known", "noise": 0.0}])[0]
    high = model.predict([{"champion": 9, "competitor": "known", "noise": 0.0}])[0]
    assert high > low + 0.3


def test_arrow_table_predicts_like_records(trained):
    model, rows, _ = trained
    table = pa.Table.from_pylist(rows[:200])
    np.testing.assert_array_equal(model.predict(table), model.predict(rows[:200]))


def test_unseen_category_and_missing_values_still_score(trained):
    model, _, _ = trained
    p = model.predict([{"champion": None, "competitor": "never seen", "noise": None}])
    assert 0 <= p[0] <= 1


def test_explanation_signs(trained):
    model, _, _ = trained
    strong = model.explain({"champion": 9, "competitor": "strong", "noise": 0.0}, top=3)
    by_feature = {f.feature: f for f in strong}
    assert all(isinstance(f, Factor) for f in strong)
    assert by_feature["champion"].direction == "raises"
    assert by_feature["champion"].effect > 0
    assert by_feature["champion"].value == "9"
    assert by_feature["competitor"].direction == "lowers"
    assert by_feature["competitor"].effect < 0
    # ordered by size of the effect
    assert [abs(f.effect) for f in strong] == sorted((abs(f.effect) for f in strong), reverse=True)


def test_explanation_of_a_typical_row_names_no_factor(trained):
    model, _, _ = trained
    typical = dict(model.encoder.typical)
    assert model.explain(typical) == []


def test_serialization_round_trip(trained):
    model, rows, _ = trained
    data = model.to_bytes()
    again = WinModel.from_bytes(data)
    assert (again.version, again.features, again.trained_at) == (model.version, model.features, model.trained_at)
    np.testing.assert_array_equal(again.predict(rows[:500]), model.predict(rows[:500]))


def test_damaged_or_foreign_bytes_are_refused(trained):
    model, _, _ = trained
    data = bytearray(model.to_bytes())
    data[-10] ^= 0xFF
    with pytest.raises(ValueError, match="damaged"):
        WinModel.from_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a kampass win model"):
        WinModel.from_bytes(b"something else")


def test_training_is_deterministic():
    rows, won = synthetic(600, seed=3)
    a = train_win_model(rows, won, exclude=["id"], seed=5)
    b = train_win_model(rows, won, exclude=["id"], seed=5)
    assert a.version == b.version
    np.testing.assert_array_equal(a.predict(rows), b.predict(rows))


def test_rows_without_a_feature_column_are_refused(trained):
    model, _, _ = trained
    with pytest.raises(ValueError, match="lack the model's feature column"):
        model.predict(pa.table({"champion": [1]}))


def test_training_needs_both_outcomes():
    with pytest.raises(ValueError, match="both won"):
        train_win_model([{"a": 1.0}, {"a": 2.0}], [1, 1])
