"""Realistic wallet, share of wallet and potential of accounts (pure, no Django).

The *realistic wallet* of an account (Perlich, Rosset et al., "High-quantile modeling for customer
wallet estimation and other applications", KDD 2007) is a high quantile ``q`` (default 0.8) of the
spend of comparable accounts: what a customer like this one spends when we serve it as well as the
better fifth of its peers do. It is estimated by a quantile model over firmographics (industry,
country, size where known) and behaviour (tenure, breadth of products bought, past spend, frequency,
recency), **cross-fitted**: the accounts are split into ``folds`` groups at random (seeded), and each
account's wallet comes from a model trained on the other groups only, so no account's own spend
trains its own estimate.

The interval of a wallet is the band between the quantile models at ``q - band`` and ``q + band``
(default 0.7 .. 0.9), fitted and cross-fitted the same way (made monotone: low <= wallet <= high).
Share of wallet = revenue / wallet, potential = max(wallet - revenue, 0); their intervals follow from
the wallet's (a larger wallet means a smaller share and a larger potential). What an account already
buys from us is part of its wallet: where the quantile of its peers lies below its revenue, the wallet
(and its band) is raised to the revenue (:func:`floor_at_revenue`), so no share of wallet exceeds 100 %.

Two models are available: ``"knn"`` (quantile nearest neighbours: the quantile of the spend of the ``k``
nearest accounts in standardised feature space, categories one-hot, amounts and counts as ``log1p``) and
``"gbm"`` (scikit-learn's ``HistGradientBoostingRegressor`` with quantile loss on ``log1p(spend)``; the
quantile of a monotone transform is the transform of the quantile). The benchmark ``bench/bench_wallet.py``
compares them on Online Retail: both beat the naive quantiles by far in pinball loss, but the boosted
model under-covers (0.757 at q = 0.8: it fits the training folds too closely), while kNN holds the
coverage (0.777) -- so ``"knn"`` is the default.

>>> rows = [{"country": "DE" if i % 2 else "FR", "past_spend": float(i)} for i in range(40)]
>>> spend = [float(i) * (3 if i % 2 else 1) for i in range(40)]
>>> fits = cross_fitted_wallets(rows, spend, q=0.8, folds=5, seed=1)
>>> len(fits), all(f.low <= f.wallet <= f.high for f in fits)
(40, True)
>>> 0.5 <= coverage(spend, [f.wallet for f in fits]) <= 1.0
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

#: the models to choose from (see the module docstring)
METHODS = ("gbm", "knn")
DEFAULT_Q = 0.8
DEFAULT_BAND = 0.1
DEFAULT_FOLDS = 5
#: the wallet is a yearly figure
YEAR_DAYS = 365
#: the model's version, stored with every estimate (change it when the model changes)
MODEL_VERSION = "wallet-knn-1"

Feature = float | int | str | None


@dataclass(frozen=True)
class WalletFit:
    """The cross-fitted wallet of one account: the ``q`` quantile and the band around it (same unit as the spend)."""

    wallet: float
    low: float
    high: float


@dataclass(frozen=True)
class Potential:
    """Share of wallet and potential of one account with their intervals, money in ``currency``.

    ``share`` is ``None`` when the wallet is zero (nothing to share); ``share_low`` belongs to the high
    wallet and ``share_high`` to the low one."""

    currency: str
    revenue: Decimal
    wallet: Decimal
    wallet_low: Decimal
    wallet_high: Decimal
    share: float | None
    share_low: float | None
    share_high: float | None
    potential: Decimal
    potential_low: Decimal
    potential_high: Decimal


def pinball_loss(actual: Sequence[float], predicted: Sequence[float], q: float) -> float:
    """Mean pinball (quantile) loss of ``predicted`` as the ``q`` quantile of ``actual``.

    >>> pinball_loss([10.0, 0.0], [5.0, 5.0], 0.8)
    2.5
    """
    _check_q(q)
    if len(actual) != len(predicted):
        raise ValueError("actual and predicted differ in length")
    if not actual:
        raise ValueError("no values")
    y = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    d = y - p
    return float(np.mean(np.maximum(q * d, (q - 1.0) * d)))


def coverage(actual: Sequence[float], predicted: Sequence[float]) -> float:
    """Share of the values whose actual is at most its predicted quantile (should be near ``q``).

    >>> coverage([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 5.0, 5.0])
    0.75
    """
    if len(actual) != len(predicted):
        raise ValueError("actual and predicted differ in length")
    if not actual:
        raise ValueError("no values")
    return float(np.mean(np.asarray(actual, dtype=float) <= np.asarray(predicted, dtype=float)))


def fold_of(n: int, folds: int, seed: int) -> np.ndarray:
    """The fold (0 .. folds-1) of each of ``n`` accounts: balanced, shuffled by ``seed``.

    >>> sorted(fold_of(7, 3, 0).tolist())
    [0, 0, 0, 1, 1, 2, 2]
    """
    if folds < 2:
        raise ValueError("at least 2 folds are needed for cross-fitting")
    rng = np.random.default_rng(seed)
    out = np.arange(n) % folds
    rng.shuffle(out)
    return out


def encode(rows: Sequence[Mapping[str, Feature]]) -> tuple[np.ndarray, list[bool], list[str]]:
    """The feature matrix of ``rows``: numbers as they are (missing: NaN), text as category codes
    (sorted, missing: NaN); returns the matrix, which columns are categorical, and the column names."""
    names = sorted({k for r in rows for k in r})
    cats: list[bool] = []
    cols: list[np.ndarray] = []
    for name in names:
        values = [r.get(name) for r in rows]
        if any(isinstance(v, str) for v in values):
            levels = sorted({str(v) for v in values if v not in (None, "")})
            index = {v: i for i, v in enumerate(levels)}
            cols.append(np.array([index.get(str(v), np.nan) if v not in (None, "") else np.nan for v in values]))
            cats.append(True)
        else:
            cols.append(np.array([np.nan if v is None else float(v) for v in values], dtype=float))
            cats.append(False)
    matrix = np.column_stack(cols) if cols else np.zeros((len(rows), 0))
    return matrix, cats, names


def _check_q(q: float) -> None:
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must lie strictly between 0 and 1, not {q}")


def _gbm_quantiles(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    cats: list[bool],
    qs: Sequence[float],
    seed: int,
    rounds: int,
) -> list[np.ndarray]:
    from sklearn.ensemble import HistGradientBoostingRegressor  # type: ignore[import-untyped]

    n = len(y_train)
    out = []
    target = np.log1p(np.maximum(y_train, 0.0))
    for q in qs:
        model = HistGradientBoostingRegressor(
            loss="quantile",
            quantile=q,
            learning_rate=0.1,
            max_iter=rounds,
            max_leaf_nodes=15,
            min_samples_leaf=max(3, min(20, n // 10)),
            categorical_features=np.array(cats, dtype=bool) if any(cats) else None,
            early_stopping=False,
            random_state=seed,
        )
        model.fit(x_train, target)
        out.append(np.expm1(model.predict(x_test)))
    return out


def _knn_quantiles(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, cats: list[bool], qs: Sequence[float], k: int
) -> list[np.ndarray]:
    # one-hot the categories, standardise the numbers (log1p of non-negative ones), NaN -> column mean
    parts_train, parts_test = [], []
    for j, is_cat in enumerate(cats):
        a, b = x_train[:, j], x_test[:, j]
        if is_cat:
            levels = np.unique(a[~np.isnan(a)])
            parts_train.append((a[:, None] == levels[None, :]).astype(float))
            parts_test.append((b[:, None] == levels[None, :]).astype(float))
            continue
        if np.nanmin(np.concatenate([a, b]), initial=0.0) >= 0:
            a, b = np.log1p(a), np.log1p(b)
        mean = float(np.nanmean(a)) if np.any(~np.isnan(a)) else 0.0
        std = float(np.nanstd(a)) if np.any(~np.isnan(a)) else 1.0
        std = std or 1.0
        parts_train.append(((np.where(np.isnan(a), mean, a) - mean) / std)[:, None])
        parts_test.append(((np.where(np.isnan(b), mean, b) - mean) / std)[:, None])
    xa = np.hstack(parts_train) if parts_train else np.zeros((len(x_train), 1))
    xb = np.hstack(parts_test) if parts_test else np.zeros((len(x_test), 1))
    k = max(1, min(k, len(xa)))
    # squared distances in blocks (no quadratic memory for large sets)
    out: list[list[np.ndarray]] = [[] for _ in qs]
    for start in range(0, len(xb), 512):
        block = xb[start : start + 512]
        d = (block**2).sum(1)[:, None] - 2 * block @ xa.T + (xa**2).sum(1)[None, :]
        idx = np.argsort(d, axis=1, kind="stable")[:, :k]
        neighbours = y_train[idx]
        for i, q in enumerate(qs):
            out[i].append(np.quantile(neighbours, q, axis=1))
    return [np.concatenate(o) if o else np.zeros(0) for o in out]


def cross_fitted_wallets(
    rows: Sequence[Mapping[str, Feature]],
    spend: Sequence[float],
    *,
    q: float = DEFAULT_Q,
    band: float = DEFAULT_BAND,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    method: str = "knn",
    k: int = 50,
    rounds: int = 100,
) -> list[WalletFit]:
    """The cross-fitted wallet of each account (see the module docstring), in the order of ``rows``.

    ``rows`` are the accounts' features (name -> number, text or ``None``), ``spend`` their spend in
    the period the wallet is for. With fewer than ``2 * folds`` accounts the folds shrink to
    ``len(rows) // 2`` (at least 2 accounts are needed). ``k`` (kNN) shrinks to a fifth of the training
    accounts when there are few (at least 5), so that small portfolios still compare with neighbours.
    ``rounds``: boosting rounds of ``"gbm"``. Deterministic for a given ``seed``.
    """
    _check_q(q)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    if len(rows) != len(spend):
        raise ValueError("rows and spend differ in length")
    n = len(rows)
    if n < 2:
        raise ValueError("at least 2 accounts are needed to estimate wallets of comparable accounts")
    qs = (max(q - band, 0.01), q, min(q + band, 0.99))
    folds = max(2, min(folds, n // 2))
    x, cats, _names = encode(rows)
    y = np.asarray(spend, dtype=float)
    fold = fold_of(n, folds, seed)
    result = np.zeros((3, n))
    for f in range(folds):
        test = fold == f
        train = ~test
        if method == "gbm":
            preds = _gbm_quantiles(x[train], y[train], x[test], cats, qs, seed, rounds)
        else:
            k_fold = min(k, max(5, int(train.sum()) // 5))
            preds = _knn_quantiles(x[train], y[train], x[test], cats, qs, k_fold)
        for i, p in enumerate(preds):
            result[i, test] = np.maximum(p, 0.0)
    low = np.minimum(result[0], result[1])
    high = np.maximum(result[2], result[1])
    return [WalletFit(float(w), float(lo), float(hi)) for lo, w, hi in zip(low, result[1], high, strict=True)]


def unconditional_quantile(train: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``train`` (the baseline that knows nothing about the account).

    >>> unconditional_quantile([0.0, 1.0, 2.0, 3.0, 4.0], 0.75)
    3.0
    """
    _check_q(q)
    return float(np.quantile(np.asarray(train, dtype=float), q))


def group_quantiles(groups: Sequence[str], spend: Sequence[float], q: float, *, min_size: int = 1) -> dict[str, float]:
    """The ``q`` quantile of the spend per group (e.g. per country), for groups with at least ``min_size`` members.

    >>> group_quantiles(["a", "a", "b"], [1.0, 3.0, 5.0], 0.5)
    {'a': 2.0, 'b': 5.0}
    """
    _check_q(q)
    by: dict[str, list[float]] = {}
    for g, s in zip(groups, spend, strict=True):
        by.setdefault(g, []).append(float(s))
    return {g: float(np.quantile(v, q)) for g, v in sorted(by.items()) if len(v) >= min_size}


def _money(value: float) -> Decimal:
    if not math.isfinite(value):
        raise ValueError("wallet is not a finite number")
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def potential_of(
    *, revenue: Decimal, wallet: Decimal, wallet_low: Decimal, wallet_high: Decimal, currency: str
) -> Potential:
    """Share of wallet and potential from an account's revenue and wallet (all in ``currency``).

    >>> p = potential_of(revenue=Decimal("50"), wallet=Decimal("200"), wallet_low=Decimal("100"),
    ...                  wallet_high=Decimal("400"), currency="EUR")
    >>> p.share, p.share_low, p.share_high, p.potential, p.potential_low, p.potential_high
    (0.25, 0.125, 0.5, Decimal('150'), Decimal('50'), Decimal('350'))
    """

    def share(w: Decimal) -> float | None:
        return float(revenue / w) if w > 0 else None

    zero = Decimal(0)
    return Potential(
        currency,
        revenue,
        wallet,
        wallet_low,
        wallet_high,
        share(wallet),
        share(wallet_high),
        share(wallet_low),
        max(wallet - revenue, zero),
        max(wallet_low - revenue, zero),
        max(wallet_high - revenue, zero),
    )


def floor_at_revenue(
    revenue: Decimal, wallet: Decimal, wallet_low: Decimal, wallet_high: Decimal
) -> tuple[Decimal, Decimal, Decimal, bool]:
    """The wallet and its band raised to at least ``revenue`` (what the account already buys from us is
    part of its wallet, so no share of wallet is above 100 %), and whether the wallet itself was raised
    (the account spends more than the quantile of its comparable accounts: "floored").

    >>> floor_at_revenue(Decimal("500"), Decimal("200"), Decimal("100"), Decimal("600"))
    (Decimal('500'), Decimal('500'), Decimal('600'), True)
    >>> floor_at_revenue(Decimal("50"), Decimal("200"), Decimal("100"), Decimal("400"))
    (Decimal('200'), Decimal('100'), Decimal('400'), False)
    """
    return max(wallet, revenue), max(wallet_low, revenue), max(wallet_high, revenue), wallet < revenue


def annualised(amount: Decimal, days: int) -> Decimal:
    """``amount`` earned in ``days`` days scaled to a year of 365 days (two decimals).

    >>> annualised(Decimal("100.00"), 73), annualised(Decimal("100.00"), 365)
    (Decimal('500.00'), Decimal('100.00'))
    """
    if days <= 0:
        raise ValueError("the period must have at least one day")
    if days == YEAR_DAYS:
        return amount
    return (amount * YEAR_DAYS / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def target_window_days(span_days: int) -> int:
    """The length of the period a wallet is learnt for, given the invoice history's span in days
    (``span_days`` = newest invoice day - oldest invoice day + 1): twelve months when the
    history has at least two years, else half of it (at least one day), so that as much history lies
    before the period (the accounts' features) as in it (their spend).

    >>> target_window_days(900), target_window_days(374), target_window_days(1)
    (365, 187, 1)
    """
    return max(1, min(YEAR_DAYS, span_days // 2))


def as_money(value: float) -> Decimal:
    """A model's float as an amount with two decimals (``Decimal``).

    >>> as_money(12.345)
    Decimal('12.35')
    """
    return _money(value)


def optimism(estimates: Sequence[tuple[Decimal, Decimal]]) -> float | None:
    """Mean relative optimism of a person's estimates against a reference (the model's wallet, or what
    later happened): mean of ``estimate / reference - 1`` over the pairs with a positive reference;
    positive = optimistic, negative = cautious, ``None`` without such pairs.

    >>> optimism([(Decimal("120"), Decimal("100")), (Decimal("90"), Decimal("100"))])
    0.05
    """
    ratios = [float(e / r) - 1.0 for e, r in estimates if r > 0]
    return round(sum(ratios) / len(ratios), 6) if ratios else None


__all__ = [
    "DEFAULT_BAND",
    "DEFAULT_FOLDS",
    "DEFAULT_Q",
    "METHODS",
    "MODEL_VERSION",
    "YEAR_DAYS",
    "Potential",
    "WalletFit",
    "annualised",
    "as_money",
    "coverage",
    "cross_fitted_wallets",
    "encode",
    "floor_at_revenue",
    "fold_of",
    "group_quantiles",
    "optimism",
    "pinball_loss",
    "potential_of",
    "target_window_days",
    "unconditional_quantile",
]
