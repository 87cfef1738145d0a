"""The pure whitespace recommender: EASE against its definition, item kNN, the metrics and the reasons."""

from __future__ import annotations

import numpy as np
import pytest

from kampass.core.screening import whitespace as ws

PAIRS = [
    ("a", "x"), ("a", "y"), ("a", "z"),
    ("b", "x"), ("b", "y"),
    ("c", "y"), ("c", "z"), ("c", "w"),
    ("d", "x"), ("d", "w"),
    ("e", "z"), ("e", "w"), ("e", "x"),
]  # fmt: skip


def test_ease_columns_are_ridge_regressions_of_each_item_on_the_others():
    # given: EASE's closed form (Steck 2019) and, independently, the ridge regression it must equal:
    # with diag(B) = 0, column j minimises ||x_j - X_{-j} b||² + l2 ||b||²
    m = ws.purchase_matrix(PAIRS)
    x = m.matrix.toarray()
    l2 = 0.7
    # when
    weights = ws.fit_ease(m, l2=l2).weights
    # then
    for j in range(x.shape[1]):
        others = [i for i in range(x.shape[1]) if i != j]
        xo = x[:, others]
        b = np.linalg.solve(xo.T @ xo + l2 * np.eye(len(others)), xo.T @ x[:, j])
        assert np.allclose(weights[others, j], b)
        assert weights[j, j] == 0.0


def test_normalised_stock_codes_drop_variants_and_non_goods():
    assert [ws.normalise_stock_code(c) for c in ["85123A", "85123a", "79323LP", "POST", "C2", "gift_0001_10", ""]] == [
        "85123",
        "85123",
        "79323",
        None,
        None,
        None,
        None,
    ]


def test_recommendations_leave_out_what_is_bought_and_what_is_excluded():
    m = ws.purchase_matrix(PAIRS)
    model = ws.fit_ease(m, l2=0.5)
    recs = ws.recommend(m, model, k=5, excluded={"b": ["w"]})
    assert {r.item for r in recs["b"]}.isdisjoint({"x", "y", "w"})
    for account, found in recs.items():
        bought = m.bought(account)
        assert [r.rank for r in found] == list(range(1, len(found) + 1))
        assert not bought & {r.item for r in found}
        assert all(r.score > 0 for r in found)


def test_the_reason_counts_buyers_among_the_most_similar_accounts():
    # given: d buys x, w; by cosine the most similar to d are b (x) 1/2, c (w) 1/sqrt(6), e (x, w) 2/sqrt(6) ...
    m = ws.purchase_matrix(PAIRS)
    x = m.matrix.toarray()
    idx = m.account_index()
    norms = np.sqrt(x.sum(axis=1))
    sims = (x @ x[idx["d"]]) / norms / norms[idx["d"]]
    sims[idx["d"]] = -1
    top2 = set(np.argsort(-sims, kind="stable")[:2])
    # when
    recs = ws.recommend(m, ws.fit_ease(m, l2=0.5), k=2, accounts=["d"], neighbours=2)["d"]
    # then: each reason counts the item's buyers among those two accounts
    for r in recs:
        j = m.item_index()[r.item]
        assert (r.similar_buyers, r.similar_accounts) == (int(sum(x[i, j] for i in top2)), 2)
        assert r.reason("en").startswith(f"{r.similar_buyers} of the 2 accounts")


def test_baskets_never_count_their_own_rows_as_similar():
    m = ws.purchase_matrix(PAIRS)
    recs = ws.recommend_baskets(m, ws.fit_ease(m, l2=0.5), {"acct": ["x", "y"]}, own={"acct": ["a", "b"]}, k=3)
    near = ws.similar_rows(m, m.matrix[[0]], [[0, 1]], neighbours=10)
    assert set(near[0][near[0] >= 0].tolist()) == {2, 3, 4}  # c, d, e; never a, b
    assert recs["acct"]
    assert all(r.similar_accounts == 3 for r in recs["acct"])


def test_item_knn_keeps_the_strongest_neighbours_per_item():
    m = ws.purchase_matrix(PAIRS)
    w = ws.fit_item_knn(m, neighbours=2).weights
    assert (np.count_nonzero(w, axis=0) <= 2).all()
    assert np.allclose(np.diag(w), 0)


@pytest.mark.parametrize(
    ("recommended", "relevant", "precision", "recall"),
    [
        ([[1, 2]], [frozenset({2, 3})], 0.5, 0.5),
        ([[1, 2], [3, 4]], [frozenset({5}), frozenset({3, 4})], 0.5, 0.5),
        ([[1, -1]], [frozenset({1})], 0.5, 1.0),
    ],
)
def test_precision_and_recall_at_k(recommended, relevant, precision, recall):
    assert ws.precision_at_k(recommended, relevant, 2) == precision
    assert ws.recall_at_k(recommended, relevant, 2) == recall


def test_the_temporal_evaluation_scores_only_groups_new_to_the_customer():
    before = [p for p in PAIRS if p[0] != "f"]
    after = [("b", "x"), ("b", "z"), ("d", "y"), ("new", "x"), ("a", "unknown")]
    ev = ws.evaluate_temporal(before, after, k=2, l2=0.5)
    items = ev.items
    assert ev.customers == ("b", "d")
    assert [{items[i] for i in rel} for rel in ev.relevant] == [{"z"}, {"y"}]
    assert all(len(r) <= 2 for r in ev.recommended)


def test_recommendations_for_all_accounts_at_once_match_a_plain_per_account_computation():
    # given: a random 0/1 purchase matrix (seeded) whose account and item names sort in index order
    rng = np.random.default_rng(7)
    bought = rng.random((40, 25)) < 0.2
    pairs = [(f"a{i:02d}", f"g{j:02d}") for i, j in zip(*np.nonzero(bought), strict=True)]
    m = ws.purchase_matrix(pairs, accounts=[f"a{i:02d}" for i in range(40)], items=[f"g{j:02d}" for j in range(25)])
    # and: EASE written out with the general (LU) inverse
    gram = bought.T.astype(float) @ bought.astype(float) + 3.0 * np.eye(25)
    p = np.linalg.inv(gram)
    b = p / -np.diag(p)
    np.fill_diagonal(b, 0.0)
    # when: all accounts get their top 5 with reasons (4 similar accounts) in one call
    model = ws.fit_ease(m, l2=3.0)
    recs = ws.recommend(m, model, k=5, neighbours=4)
    near = ws.similar_rows(m, m.matrix, [[i] for i in range(40)], neighbours=4)
    # then: the weights are EASE's, and each account's list is its own best unbought groups with a positive
    # score, each reason counting the group's buyers among that account's similar accounts
    np.testing.assert_allclose(model.weights, b, atol=1e-12)
    for i in range(40):
        scores = bought[i].astype(float) @ b
        candidates = [j for j in np.argsort(-scores, kind="stable") if not bought[i, j]][:5]
        expected = [f"g{j:02d}" for j in candidates if scores[j] > 0]
        got = recs[f"a{i:02d}"]
        assert [r.item for r in got] == expected
        peers = [int(r) for r in near[i] if r >= 0]
        assert [r.similar_buyers for r in got] == [int(bought[peers, int(r.item[1:])].sum()) for r in got]
        assert {r.similar_accounts for r in got} <= {len(peers)}
