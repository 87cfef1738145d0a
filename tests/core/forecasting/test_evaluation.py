"""Cross-validation: stratified folds fixed by the seed, the same for every scorer."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sklearn.model_selection import StratifiedKFold

from kampass.core.forecasting import NaiveBayesScorer, Scores, evaluate, fold_assignment


def deals(n: int = 400, seed: int = 0) -> tuple[list[dict[str, object]], np.ndarray]:
    rng = np.random.default_rng(seed)
    size = rng.random(n)
    region = rng.choice(["West", "East", "North"], n)
    logit = -1.0 + 3.0 * size - 1.0 * (region == "East")
    won = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    rows = [{"size": float(s), "region": str(r), "ref": i} for i, (s, r) in enumerate(zip(size, region, strict=True))]
    return rows, won


@pytest.fixture(scope="module")
def report():
    rows, won = deals()
    return evaluate(rows, won, folds=4, seed=11, exclude=["ref"]), rows, won


def test_folds_are_stratified_and_fixed_by_the_seed():
    won = np.array([1] * 30 + [0] * 70)
    a = fold_assignment(won, folds=5, seed=2)
    assert (a == fold_assignment(won, folds=5, seed=2)).all()
    assert not (a == fold_assignment(won, folds=5, seed=3)).all()
    for k in range(5):
        assert (won[a == k].sum(), (a == k).sum()) == (6, 20)
    expected = np.empty(100, dtype=int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=2).split(np.zeros(100), won)):
        expected[test] = k
    assert (a == expected).all()


def test_every_scorer_uses_the_same_folds(report):
    # the base rate of each row must be the win rate of exactly the other folds, and naive Bayes must
    # equal a scorer trained on those same rows
    result, rows, won = report
    folds = fold_assignment(won, folds=4, seed=11)
    for k in range(4):
        train, test = folds != k, folds == k
        np.testing.assert_allclose(result.predictions["base_rate"][test], won[train].mean())
        nb = NaiveBayesScorer.fit(
            [r for r, t in zip(rows, train, strict=True) if t], won[train], exclude=["ref"], categorical=["region"]
        )
        expected = nb.predict([r for r, t in zip(rows, test, strict=True) if t])
        np.testing.assert_allclose(result.predictions["naive_bayes"][test], expected)


def test_report_scores_match_its_predictions(report):
    result, _, won = report
    assert (result.rows, result.folds, result.seed) == (400, 4, 11)
    assert (result.outcomes == won).all()
    for name in ("kampass", "base_rate", "naive_bayes"):
        assert result.scores[name] == Scores.of(result.predictions[name], won)
        assert sum(b.count for b in result.reliability[name]) == 400
    assert result.scores["kampass"].brier < result.scores["base_rate"].brier
    assert result.train_seconds > 0


def test_to_json_is_the_contract(report):
    doc = report[0].to_json()
    assert list(doc) == ["rows", "folds", "seed", "kampass", "base_rate", "naive_bayes"]
    for name in ("kampass", "base_rate", "naive_bayes"):
        assert set(doc[name]) == {"brier", "log_loss", "ece", "auc"}


def test_arrow_rows_give_the_same_report():
    rows, won = deals(200, seed=4)
    a = evaluate(rows, won, folds=3, seed=0, exclude=["ref"])
    b = evaluate(pa.Table.from_pylist(rows), won, folds=3, seed=0, exclude=["ref"])
    for name in a.predictions:
        np.testing.assert_array_equal(a.predictions[name], b.predictions[name])


def test_too_few_deals_for_the_folds():
    with pytest.raises(ValueError, match="at least 5 won"):
        evaluate([{"a": float(i)} for i in range(20)], [1] * 3 + [0] * 17, folds=5)
