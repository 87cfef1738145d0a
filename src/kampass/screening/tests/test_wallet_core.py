"""The pure wallet model: loss and coverage helpers checked by hand, cross-fitting (an account's own
spend never moves its own estimate), determinism, the band, share of wallet and potential."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from kampass.core.screening import wallet as w


def _accounts(n: int = 120, seed: int = 3) -> tuple[list[dict[str, w.Feature]], list[float]]:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, w.Feature]] = []
    spend: list[float] = []
    for i in range(n):
        size = float(rng.integers(1, 10))
        country = "DE" if i % 3 else "FR"
        rows.append({"country": country, "size": size, "tenure_days": float(rng.integers(30, 900))})
        spend.append(float(size * 100 * rng.uniform(0.2, 1.0) * (2 if country == "DE" else 1)))
    return rows, spend


def test_pinball_loss_and_coverage_by_hand():
    # given actuals 10, 0, 4 and the 0.8 quantile estimates 5, 5, 4
    actual, predicted = [10.0, 0.0, 4.0], [5.0, 5.0, 4.0]
    # then pinball = mean(0.8*5, 0.2*5, 0) = 5/3 and coverage = 2/3
    assert w.pinball_loss(actual, predicted, 0.8) == pytest.approx((0.8 * 5 + 0.2 * 5 + 0) / 3)
    assert w.coverage(actual, predicted) == pytest.approx(2 / 3)


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.5])
def test_a_quantile_outside_0_and_1_is_refused(q):
    with pytest.raises(ValueError, match="q must lie"):
        w.pinball_loss([1.0], [1.0], q)


@pytest.mark.parametrize("method", w.METHODS)
def test_an_accounts_own_spend_does_not_move_its_own_wallet(method):
    # given accounts and their spend
    rows, spend = _accounts(60)
    before = w.cross_fitted_wallets(rows, spend, q=0.8, seed=5, method=method, rounds=5)
    # when one account's own spend changes a thousandfold
    changed = list(spend)
    changed[7] = spend[7] * 1000 + 1
    after = w.cross_fitted_wallets(rows, changed, q=0.8, seed=5, method=method, rounds=5)
    # then its own estimate stays exactly as it was (it was trained on the other folds only) ...
    assert after[7] == before[7]
    # ... while estimates of accounts in other folds, whose models saw it, may move
    fold = w.fold_of(len(rows), w.DEFAULT_FOLDS, 5)
    same_fold = [i for i in range(len(rows)) if fold[i] == fold[7]]
    assert all(after[i] == before[i] for i in same_fold)


def test_estimates_are_deterministic_and_the_band_holds_the_wallet():
    rows, spend = _accounts()
    first = w.cross_fitted_wallets(rows, spend, seed=2)
    assert first == w.cross_fitted_wallets(rows, spend, seed=2)
    assert all(f.low <= f.wallet <= f.high for f in first)
    assert all(f.wallet >= 0 for f in first)


def test_the_model_beats_the_unconditional_quantile_where_spend_depends_on_the_features():
    rows, spend = _accounts(400, seed=8)
    fits = w.cross_fitted_wallets(rows, spend, q=0.8, seed=1)
    fold = w.fold_of(len(rows), w.DEFAULT_FOLDS, 1)
    y = np.asarray(spend)
    naive = [w.unconditional_quantile(y[fold != fold[i]].tolist(), 0.8) for i in range(len(rows))]
    assert w.pinball_loss(spend, [f.wallet for f in fits], 0.8) < w.pinball_loss(spend, naive, 0.8)
    assert abs(w.coverage(spend, [f.wallet for f in fits]) - 0.8) < 0.1


def test_too_few_accounts_and_unknown_methods_are_refused():
    with pytest.raises(ValueError, match="at least 2 accounts"):
        w.cross_fitted_wallets([{"x": 1.0}], [1.0])
    with pytest.raises(ValueError, match="unknown method"):
        w.cross_fitted_wallets([{"x": 1.0}] * 4, [1.0] * 4, method="magic")


def test_share_of_wallet_and_potential_with_their_intervals():
    p = w.potential_of(
        revenue=Decimal("300"), wallet=Decimal("250"), wallet_low=Decimal("200"), wallet_high=Decimal("600"),
        currency="EUR",
    )  # fmt: skip
    # revenue above the wallet: share above 1, no potential; the high wallet still leaves potential
    assert p.share == pytest.approx(1.2)
    assert p.share_low == pytest.approx(0.5)
    assert p.share_high == pytest.approx(1.5)
    assert (p.potential, p.potential_low, p.potential_high) == (Decimal(0), Decimal(0), Decimal(300))
    zero = w.potential_of(
        revenue=Decimal(5), wallet=Decimal(0), wallet_low=Decimal(0), wallet_high=Decimal(0), currency="EUR"
    )
    assert zero.share is None


def test_optimism_is_the_mean_relative_excess_over_positive_references():
    assert w.optimism([(Decimal(150), Decimal(100)), (Decimal(100), Decimal(100)), (Decimal(9), Decimal(0))]) == 0.25
    assert w.optimism([]) is None
