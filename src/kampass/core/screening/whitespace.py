"""Whitespace and cross-selling: which product groups an account does not buy yet, but probably would.

An item-item recommender over the account x product-group purchase matrix (binary: bought or not).
Two models are offered, and the benchmark ``bench/bench_whitespace.py`` chooses between them on the
Online Retail data (train before 2011-09-01, score the products new to each customer afterwards):

* :func:`fit_ease` — EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the
  item-item weight matrix ``B`` minimising ``||X - XB||² + λ||B||²`` with ``diag(B) = 0`` has the closed
  form ``P = (XᵀX + λI)⁻¹``, ``B = -P / diag(P)`` (column-wise), ``diag(B) = 0``. This is the default.
* :func:`fit_item_knn` — item kNN: cosine similarity between item columns, the ``neighbours`` largest
  per item kept (the reference in the issue).
* :func:`popularity_scores` — the baseline: every account gets the most-bought groups it lacks.

Each recommendation carries a reason in plain words taken from the data: of the ``neighbours``
accounts most similar to this one (cosine over their purchases) so many buy the group
(:meth:`Recommendation.reason`).

Evaluation helpers :func:`precision_at_k` and :func:`recall_at_k` average over accounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.linalg as sla  # type: ignore[import-untyped]
import scipy.sparse as sp  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_L2 = 200.0
DEFAULT_NEIGHBOURS = 20
_SUFFIX = re.compile(r"[A-Za-z]+$")


def normalise_stock_code(code: str) -> str | None:
    """The product group of a stock code by default: goods codes start with a digit; a letter suffix
    (a colour or size variant) is removed. Other codes (postage, fees, vouchers ...) are no goods: ``None``.

    >>> normalise_stock_code("85123A"), normalise_stock_code(" 22423 "), normalise_stock_code("POST")
    ('85123', '22423', None)
    >>> normalise_stock_code("15056bl"), normalise_stock_code("DCGS0003")
    ('15056', None)
    """
    text = code.strip()
    if not text or not text[0].isdigit():
        return None
    return _SUFFIX.sub("", text).upper()


@dataclass(frozen=True)
class PurchaseMatrix:
    """Accounts (rows) x product groups (columns); 1.0 where the account bought the group."""

    accounts: tuple[str, ...]
    items: tuple[str, ...]
    matrix: sp.csr_matrix

    def account_index(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.accounts)}

    def item_index(self) -> dict[str, int]:
        return {g: j for j, g in enumerate(self.items)}

    def bought(self, account: str) -> frozenset[str]:
        row = self.matrix.getrow(self.account_index()[account])
        return frozenset(self.items[j] for j in row.indices)


def purchase_matrix(
    pairs: Iterable[tuple[str, str]],
    *,
    accounts: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
) -> PurchaseMatrix:
    """The binary purchase matrix from (account, product group) pairs; repeated pairs count once.

    ``accounts``/``items`` fix the rows/columns (pairs outside them are dropped); by default they are the
    sorted distinct values of the pairs.

    >>> m = purchase_matrix([("a", "x"), ("a", "y"), ("b", "x"), ("a", "x")])
    >>> m.accounts, m.items, m.matrix.toarray().tolist()
    (('a', 'b'), ('x', 'y'), [[1.0, 1.0], [1.0, 0.0]])
    """
    listed = list(pairs)
    rows = tuple(accounts) if accounts is not None else tuple(sorted({a for a, _ in listed}))
    cols = tuple(items) if items is not None else tuple(sorted({g for _, g in listed}))
    ri = {a: i for i, a in enumerate(rows)}
    ci = {g: j for j, g in enumerate(cols)}
    cells = {(ri[a], ci[g]) for a, g in listed if a in ri and g in ci}
    if cells:
        r, c = zip(*sorted(cells), strict=True)
    else:
        r, c = (), ()
    data = np.ones(len(r), dtype=np.float64)
    matrix = sp.csr_matrix(
        (data, (np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64))), shape=(len(rows), len(cols))
    )
    return PurchaseMatrix(accounts=rows, items=cols, matrix=matrix)


@dataclass(frozen=True)
class ItemModel:
    """Item-item weights: the score of group j for an account is ``sum_i x_i * weights[i, j]``."""

    kind: Literal["ease", "item_knn"]
    items: tuple[str, ...]
    weights: FloatArray

    def scores(self, matrix: sp.csr_matrix) -> FloatArray:
        """Scores (accounts x items) for the rows of ``matrix`` (same item columns as the model)."""
        return np.asarray(matrix @ self.weights, dtype=np.float64)


def fit_ease(purchases: PurchaseMatrix, *, l2: float = DEFAULT_L2) -> ItemModel:
    """EASE in closed form (Steck 2019) with L2 regularisation ``l2``.

    >>> m = purchase_matrix([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x")])
    >>> model = fit_ease(m, l2=1.0)
    >>> float(model.weights[0, 0]), model.weights[0, 1] > 0
    (0.0, np.True_)
    """
    x = purchases.matrix
    gram = np.asarray((x.T @ x).toarray(), dtype=np.float64)
    gram[np.diag_indices_from(gram)] += l2
    p = _spd_inverse(gram)
    p /= -np.diag(p)  # column j divided by -P_jj (the negation is a new array, not a view of p)
    p[np.diag_indices_from(p)] = 0.0
    return ItemModel(kind="ease", items=purchases.items, weights=p)


def _spd_inverse(a: FloatArray) -> FloatArray:
    """The inverse of the symmetric positive definite ``a`` through its Cholesky factor (LAPACK potrf, potri):
    about half the work of :func:`numpy.linalg.inv`'s LU route. Falls back to ``inv`` if LAPACK refuses.

    >>> _spd_inverse(np.array([[4.0, 2.0], [2.0, 3.0]])).round(4).tolist()
    [[0.375, -0.25], [-0.25, 0.5]]
    """
    n = a.shape[0]
    if n == 0:
        return a
    factor, info = sla.lapack.dpotrf(a, lower=0, clean=1, overwrite_a=0)
    if info == 0:
        inverse, info = sla.lapack.dpotri(factor, lower=0, overwrite_c=1)
    if info != 0:  # pragma: no cover - the Gram matrix plus l2 * I is positive definite for l2 > 0
        return np.asarray(np.linalg.inv(a), dtype=np.float64)
    # potri fills the upper triangle U only (the lower one is zero, clean=1): P = U + Uᵀ with the diagonal
    # counted once (halving is exact in floating point)
    inverse += inverse.T
    inverse[np.diag_indices(n)] *= 0.5
    # LAPACK's result is Fortran-ordered; the matrix is symmetric, so its transpose is the same matrix, C-ordered
    return np.asarray(inverse.T, dtype=np.float64)


def fit_item_knn(purchases: PurchaseMatrix, *, neighbours: int = 100) -> ItemModel:
    """Item kNN: cosine similarity between item columns, the ``neighbours`` most similar kept per item.

    >>> m = purchase_matrix([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "z")])
    >>> w = fit_item_knn(m, neighbours=1).weights
    >>> round(float(w[0, 1]), 3), float(w[0, 2])
    (1.0, 0.0)
    """
    x = purchases.matrix
    gram = np.asarray((x.T @ x).toarray(), dtype=np.float64)
    norms = np.sqrt(np.diag(gram))
    norms[norms == 0] = 1.0
    sim = gram / norms[:, None] / norms[None, :]
    sim[np.diag_indices_from(sim)] = 0.0
    n = sim.shape[1]
    if neighbours < n:
        cut = np.argpartition(-sim, neighbours - 1, axis=0)[neighbours:, :]
        np.put_along_axis(sim, cut, 0.0, axis=0)
    return ItemModel(kind="item_knn", items=purchases.items, weights=sim)


def popularity_scores(purchases: PurchaseMatrix) -> FloatArray:
    """How many accounts bought each group (the popularity baseline's score, the same for every account).

    >>> popularity_scores(purchase_matrix([("a", "x"), ("b", "x"), ("b", "y")])).tolist()
    [2.0, 1.0]
    """
    return np.asarray(purchases.matrix.sum(axis=0), dtype=np.float64).ravel()


def top_k(scores: FloatArray, exclude: sp.csr_matrix, k: int) -> IntArray:
    """The ``k`` best item columns per row of ``scores`` (best first), never a column where ``exclude``
    is non-zero (what the account already buys). Rows with fewer candidates are padded with -1.

    >>> s = np.array([[0.9, 0.5, 0.1], [0.2, 0.3, 0.4]])
    >>> top_k(s, sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 0]])), 2).tolist()
    [[1, 2], [2, 1]]
    """
    masked = np.array(scores, dtype=np.float64, copy=True)
    if masked.ndim == 1:
        masked = np.broadcast_to(masked, exclude.shape).copy()
    coo = exclude.tocoo()
    masked[coo.row, coo.col] = -np.inf
    return _ranked(masked, k)


def _top_k_inplace(scores: FloatArray, exclude: sp.csr_matrix, k: int) -> IntArray:
    """:func:`top_k` without the copy: ``scores`` (2-d) is overwritten with -inf where ``exclude`` is set."""
    coo = exclude.tocoo()
    scores[coo.row, coo.col] = -np.inf
    return _ranked(scores, k)


def precision_at_k(recommended: Sequence[Sequence[int]], relevant: Sequence[frozenset[int]], k: int) -> float:
    """Mean over accounts of (hits among the first ``k`` recommendations) / ``k``.

    >>> precision_at_k([[1, 2, 3], [4, 5, 6]], [frozenset({1, 9}), frozenset()], 2)
    0.25
    """
    if not recommended:
        return 0.0
    hits = [sum(1 for i in recs[:k] if i in rel) for recs, rel in zip(recommended, relevant, strict=True)]
    return float(sum(hits)) / (k * len(recommended))


def recall_at_k(recommended: Sequence[Sequence[int]], relevant: Sequence[frozenset[int]], k: int) -> float:
    """Mean over accounts with at least one relevant item of (hits among the first ``k``) / (relevant items).

    >>> recall_at_k([[1, 2, 3], [4, 5, 6]], [frozenset({1, 9}), frozenset()], 2)
    0.5
    """
    values = [
        sum(1 for i in recs[:k] if i in rel) / len(rel) for recs, rel in zip(recommended, relevant, strict=True) if rel
    ]
    return float(sum(values)) / len(values) if values else 0.0


@dataclass(frozen=True)
class Recommendation:
    """A product group recommended to an account, with the evidence for its reason."""

    account: str
    item: str
    rank: int
    score: float
    similar_buyers: int
    similar_accounts: int

    def reason(self, lang: str = "en", label: str | None = None) -> str:
        """The reason in plain words, in English or German.

        >>> r = Recommendation("a", "22423", 1, 0.5, 14, 20)
        >>> r.reason()
        '14 of the 20 accounts most similar to this one buy 22423.'
        >>> r.reason("de", "Tortenständer")
        '14 der 20 diesem Account ähnlichsten Accounts kaufen Tortenständer.'
        """
        name = label or self.item
        if lang == "de":
            return (
                f"{self.similar_buyers} der {self.similar_accounts} diesem Account ähnlichsten Accounts kaufen {name}."
            )
        return f"{self.similar_buyers} of the {self.similar_accounts} accounts most similar to this one buy {name}."


def _ranked(values: FloatArray, k: int) -> IntArray:
    """Column indices of the ``k`` largest values per row (largest first), -1 where the value is -inf."""
    n = values.shape[1]
    kk = min(k, n)
    if kk == 0:
        return np.full((values.shape[0], k), -1, dtype=np.int64)
    part = np.argpartition(-values, kk - 1, axis=1)[:, :kk]
    order = np.take_along_axis(values, part, axis=1)
    ranked = np.take_along_axis(part, np.argsort(-order, axis=1, kind="stable"), axis=1).astype(np.int64)
    ranked[np.take_along_axis(values, ranked, axis=1) == -np.inf] = -1
    if kk < k:
        ranked = np.pad(ranked, ((0, 0), (0, k - kk)), constant_values=-1)
    return ranked


def _has_cells(x: sp.csr_matrix, rows: IntArray, cols: IntArray) -> npt.NDArray[np.bool_]:
    """Whether ``x`` has a stored non-zero at (``rows``, ``cols``) (broadcast against each other).

    >>> _has_cells(sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]])), np.array([[0], [1]]), np.array([[0, 1]])).tolist()
    [[True, False], [False, True]]
    """
    csr = sp.csr_matrix(x)
    width = max(csr.shape[1], 1)
    present = csr.data != 0
    keys = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))[present] * width + csr.indices[
        present
    ].astype(np.int64)
    keys.sort()
    wanted = np.asarray(rows, dtype=np.int64) * width + np.asarray(cols, dtype=np.int64)
    if not len(keys):
        return np.zeros(wanted.shape, dtype=bool)
    at = np.searchsorted(keys, wanted).clip(max=len(keys) - 1)
    return np.asarray(keys[at] == wanted)


def _normalised(x: sp.csr_matrix) -> sp.csr_matrix:
    counts = np.asarray(x.sum(axis=1), dtype=np.float64).ravel()
    inv = np.zeros_like(counts)
    inv[counts > 0] = 1.0 / np.sqrt(counts[counts > 0])
    return sp.csr_matrix(sp.diags(inv) @ x)


def similar_rows(
    purchases: PurchaseMatrix,
    query: sp.csr_matrix,
    own: Sequence[Sequence[int]],
    *,
    neighbours: int = DEFAULT_NEIGHBOURS,
) -> IntArray:
    """For each row of ``query`` (baskets over the same items): the ``neighbours`` rows of ``purchases``
    with the highest cosine similarity of purchases, never one of the row's ``own`` rows (the account
    itself) and never a row without any similarity; most similar first, padded with -1.

    >>> m = purchase_matrix([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "z")])
    >>> similar_rows(m, m.matrix[[0]], [[0]], neighbours=2).tolist()
    [[1, -1]]
    """
    sim = np.asarray((_normalised(query) @ _normalised(purchases.matrix).T).toarray(), dtype=np.float64)
    sim[sim <= 0] = -np.inf
    own_r = [pos for pos, rows in enumerate(own) for _ in rows]
    own_c = [int(r) for rows in own for r in rows]
    if own_r:
        sim[np.asarray(own_r, dtype=np.int64), np.asarray(own_c, dtype=np.int64)] = -np.inf
    return _ranked(sim, neighbours)


def _recommend_rows(
    purchases: PurchaseMatrix,
    model: ItemModel,
    names: Sequence[str],
    query: sp.csr_matrix,
    own: Sequence[Sequence[int]],
    *,
    k: int,
    neighbours: int,
    excluded: Mapping[str, Iterable[str]] | None,
) -> dict[str, tuple[Recommendation, ...]]:
    if not names:
        return {}
    if not purchases.items:
        return dict.fromkeys(names, ())
    exclude = query.copy()
    if excluded:
        items = purchases.item_index()
        extra_r, extra_c = [], []
        for pos, name in enumerate(names):
            for g in excluded.get(name, ()):
                if g in items:
                    extra_r.append(pos)
                    extra_c.append(items[g])
        if extra_r:
            extra = sp.csr_matrix(
                (np.ones(len(extra_r)), (np.asarray(extra_r), np.asarray(extra_c))), shape=exclude.shape
            )
            exclude = sp.csr_matrix(exclude + extra)
    # all scores as one matrix product, the top k of every row at once (the already bought masked)
    scores = model.scores(query)
    best = _top_k_inplace(scores, exclude, k)
    safe = np.where(best >= 0, best, 0)
    best_scores = np.take_along_axis(scores, safe, axis=1)
    del scores
    near = similar_rows(purchases, query, own, neighbours=neighbours)
    # how many of each query's similar rows buy each recommended item: (row, item) cells looked up among
    # the purchase matrix's sorted cells
    valid = near >= 0
    buyers = (
        _has_cells(purchases.matrix, np.where(valid, near, 0)[:, :, None], safe[:, None, :]) & valid[:, :, None]
    ).sum(axis=1)
    n_peers = valid.sum(axis=1)
    keep = (best >= 0) & (best_scores > 0)
    result: dict[str, tuple[Recommendation, ...]] = {}
    item_names = purchases.items
    # plain Python lists: the loop below builds one object per recommendation, numpy scalars would slow it
    rows = zip(
        names, keep.tolist(), best.tolist(), best_scores.tolist(), buyers.tolist(), n_peers.tolist(), strict=True
    )
    for name, kept, items_of, scores_of, buyers_of, peers in rows:
        recs: list[Recommendation] = []
        for col, ok in enumerate(kept):
            if ok:
                recs.append(
                    Recommendation(
                        account=name,
                        item=item_names[items_of[col]],
                        rank=len(recs) + 1,
                        score=float(scores_of[col]),
                        similar_buyers=int(buyers_of[col]),
                        similar_accounts=int(peers),
                    )
                )
        result[name] = tuple(recs)
    return result


def recommend(
    purchases: PurchaseMatrix,
    model: ItemModel,
    *,
    k: int = 10,
    accounts: Sequence[str] | None = None,
    neighbours: int = DEFAULT_NEIGHBOURS,
    excluded: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, tuple[Recommendation, ...]]:
    """The ``k`` best product groups per account (row of ``purchases``) that it does not buy yet, each with
    its reason.

    ``accounts`` limits the accounts (default: all rows); ``excluded`` names further groups per account
    that must not be recommended (e.g. marked "not relevant", or already in the pipeline). Only groups
    with a positive score are recommended.

    >>> m = purchase_matrix([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x")])
    >>> recs = recommend(m, fit_ease(m, l2=0.5), k=1, accounts=["c"], neighbours=2)
    >>> [(r.item, r.similar_buyers, r.similar_accounts) for r in recs["c"]]
    [('y', 2, 2)]
    >>> recs["c"][0].reason()
    '2 of the 2 accounts most similar to this one buy y.'
    """
    index = purchases.account_index()
    chosen = list(accounts) if accounts is not None else list(purchases.accounts)
    names = [a for a in chosen if a in index]
    rows = np.asarray([index[a] for a in names], dtype=np.int64)
    query = sp.csr_matrix(purchases.matrix[rows])
    return _recommend_rows(
        purchases, model, names, query, [[int(r)] for r in rows], k=k, neighbours=neighbours, excluded=excluded
    )


def recommend_baskets(
    purchases: PurchaseMatrix,
    model: ItemModel,
    baskets: Mapping[str, Iterable[str]],
    *,
    own: Mapping[str, Iterable[str]] | None = None,
    k: int = 10,
    neighbours: int = DEFAULT_NEIGHBOURS,
    excluded: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, tuple[Recommendation, ...]]:
    """Recommendations for baskets that are not rows of ``purchases`` themselves, e.g. an account whose
    purchases are the union of several customers' (rows). ``own`` names, per basket, the rows that belong
    to it: they never count as its similar accounts. Groups outside the model's items are ignored.

    >>> m = purchase_matrix([("c1", "x"), ("c2", "x"), ("c2", "y"), ("c3", "x"), ("c3", "y"), ("c4", "z")])
    >>> recs = recommend_baskets(m, fit_ease(m, l2=0.5), {"acct": ["x"]}, own={"acct": ["c1"]}, k=1, neighbours=3)
    >>> [(r.item, r.similar_buyers, r.similar_accounts) for r in recs["acct"]]
    [('y', 2, 2)]
    """
    items = purchases.item_index()
    index = purchases.account_index()
    names = list(baskets)
    cells = sorted({(pos, items[g]) for pos, n in enumerate(names) for g in baskets[n] if g in items})
    r = np.asarray([c[0] for c in cells], dtype=np.int64)
    c = np.asarray([c[1] for c in cells], dtype=np.int64)
    query = sp.csr_matrix((np.ones(len(cells)), (r, c)), shape=(len(names), len(purchases.items)))
    owned = [[index[o] for o in (own or {}).get(n, ()) if o in index] for n in names]
    return _recommend_rows(purchases, model, names, query, owned, k=k, neighbours=neighbours, excluded=excluded)


@dataclass(frozen=True)
class TemporalEvaluation:
    """Recommendations judged on the future: ``customers`` are those active before and after the cut-off
    with at least one product group new to them afterwards; per customer (in that order) the top ``k``
    of the model and of popularity (item indices into ``items``) and the relevant (new) groups."""

    k: int
    customers: tuple[str, ...]
    items: tuple[str, ...]
    recommended: tuple[tuple[int, ...], ...]
    popular: tuple[tuple[int, ...], ...]
    relevant: tuple[frozenset[int], ...]

    @property
    def precision(self) -> float:
        return precision_at_k(self.recommended, self.relevant, self.k)

    @property
    def recall(self) -> float:
        return recall_at_k(self.recommended, self.relevant, self.k)

    @property
    def popularity_precision(self) -> float:
        return precision_at_k(self.popular, self.relevant, self.k)

    @property
    def popularity_recall(self) -> float:
        return recall_at_k(self.popular, self.relevant, self.k)


def evaluate_temporal(
    before: Iterable[tuple[str, str]],
    after: Iterable[tuple[str, str]],
    *,
    k: int = 10,
    l2: float = DEFAULT_L2,
    model: Literal["ease", "item_knn"] = "ease",
) -> TemporalEvaluation:
    """Train on the (customer, group) pairs ``before`` a cut-off and score the groups each customer buys
    ``after`` it that are new to them (groups unknown before are not counted: no model can name them).

    >>> before = [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"), ("d", "z")]
    >>> ev = evaluate_temporal(before, [("c", "y"), ("c", "x"), ("d", "z")], k=1, l2=0.5)
    >>> ev.customers, ev.precision, ev.popularity_precision
    (('c',), 1.0, 1.0)
    """
    seen = set(before)
    purchases = purchase_matrix(seen)
    items = purchases.item_index()
    index = purchases.account_index()
    x = purchases.matrix
    new: dict[str, set[int]] = {}
    for c, g in after:
        if c in index and g in items and (c, g) not in seen:
            new.setdefault(c, set()).add(items[g])
    customers = tuple(sorted(new))
    rows = np.asarray([index[c] for c in customers], dtype=np.int64)
    fitted = fit_ease(purchases, l2=l2) if model == "ease" else fit_item_knn(purchases)
    query = sp.csr_matrix(x[rows])
    scores = fitted.scores(query)
    best = top_k(scores, query, k)
    recommended = tuple(tuple(int(j) for j in row if j >= 0 and scores[pos, j] > 0) for pos, row in enumerate(best))
    popular = tuple(tuple(int(j) for j in row if j >= 0) for row in top_k(popularity_scores(purchases), query, k))
    return TemporalEvaluation(
        k=k,
        customers=customers,
        items=purchases.items,
        recommended=recommended,
        popular=popular,
        relevant=tuple(frozenset(new[c]) for c in customers),
    )
