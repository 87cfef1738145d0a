"""The pure segmentation rule (kampass.core.screening.segments) on synthetic accounts with known clusters."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score  # type: ignore[import-untyped]

from kampass.core.screening import segments as core

# three kinds of customer: product-group mix, revenue, growth, buying centre, industry
KINDS = {
    "gift shops": ({"CANDLES": 0.7, "MUGS": 0.2, "BAGS": 0.1}, 20_000.0, 0.30, 2, "Retail"),
    "wholesalers": ({"CANDLES": 0.1, "MUGS": 0.1, "BAGS": 0.8}, 400_000.0, 0.02, 9, "Wholesale"),
    "caterers": ({"CANDLES": 0.1, "MUGS": 0.8, "BAGS": 0.1}, 90_000.0, -0.10, 5, "Hospitality"),
}


def synthetic(n_per_kind: int = 15, seed: int = 7) -> tuple[list[core.AccountFacts], dict[int, str]]:
    rnd = random.Random(seed)
    facts, truth = [], {}
    account_id = 100
    for kind, (mix, revenue, growth, centre, industry) in KINDS.items():
        for _ in range(n_per_kind):
            account_id += 1
            size = revenue * rnd.uniform(0.8, 1.25)
            shares = {g: max(s + rnd.uniform(-0.05, 0.05), 0.0) for g, s in mix.items()}
            facts.append(
                core.AccountFacts(
                    account_id,
                    {g: s * size for g, s in shares.items()},
                    {
                        "revenue": size,
                        "growth": growth + rnd.uniform(-0.03, 0.03),
                        "buying_centre": float(centre + rnd.choice((-1, 0, 1))),
                    },
                    {"industry": industry, "country": rnd.choice(("DE", "GB"))},
                )
            )
            truth[account_id] = kind
    rnd.shuffle(facts)  # the input order must not matter
    return facts, truth


def test_recovers_known_clusters_and_chooses_k_by_silhouette():
    # given three kinds of 15 accounts each
    facts, truth = synthetic()
    # when
    result = core.segment_accounts(facts, k_min=2, k_max=6)
    # then the three kinds are found exactly
    found = result.segment_of()
    ids = sorted(truth)
    assert result.k == 3
    assert adjusted_rand_score([truth[i] for i in ids], [found[i] for i in ids]) == 1.0
    assert [len(s.members) for s in result.segments] == [15, 15, 15]
    # and k=3 has the best silhouette of the k tried (2..6)
    assert set(result.silhouettes) == {2, 3, 4, 5, 6}
    assert max(result.silhouettes, key=lambda k: result.silhouettes[k]) == 3


def test_silhouette_matches_an_independent_computation():
    # given
    facts, truth = synthetic()
    result = core.segment_accounts(facts, k_max=6)
    # when the features are built and standardised here, by hand
    ordered = sorted(facts, key=lambda f: f.account_id)
    groups = ["BAGS", "CANDLES", "MUGS"]  # all three are in the top groups
    rows = []
    for f in ordered:
        total = sum(f.mix.values())
        row = [f.mix.get(g, 0.0) / total for g in groups]
        revenue, growth, centre = (float(f.numeric[k] or 0.0) for k in ("revenue", "growth", "buying_centre"))
        row += [math.log10(1 + revenue), growth, centre]
        row += [1.0 if f.categories["industry"] == v else 0.0 for v in ("Hospitality", "Retail", "Wholesale")]
        row += [1.0 if f.categories["country"] == v else 0.0 for v in ("DE", "GB")]
        rows.append(row)
    x = np.array(rows)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    # the three industry indicators weigh 0.5 together, the two country indicators too
    z[:, 6:9] *= math.sqrt(0.5 / 3)
    z[:, 9:11] *= math.sqrt(0.5 / 2)
    expected = silhouette_score(z, [truth[f.account_id] for f in ordered])
    # then
    assert result.silhouette == pytest.approx(expected, abs=1e-9)
    assert sorted(result.features) == sorted(
        ["group:" + g for g in groups]
        + ["revenue", "growth", "buying_centre"]
        + ["industry:Hospitality", "industry:Retail", "industry:Wholesale", "country:DE", "country:GB"]
    )


def test_profiles_explain_what_sets_each_segment_apart():
    # given
    facts, truth = synthetic()
    result = core.segment_accounts(facts, k_max=6)
    # when
    by_kind = {truth[s.members[0]]: s for s in result.segments}
    wholesalers, shops = by_kind["wholesalers"], by_kind["gift shops"]
    # then the features named are those with the largest mean z-score, and they say the right thing
    assert len(wholesalers.profile) == core.PROFILE_SIZE
    assert all(abs(d.z) >= core.NOTABLE_Z for d in wholesalers.profile)
    assert [abs(d.z) for d in wholesalers.profile] == sorted((abs(d.z) for d in wholesalers.profile), reverse=True)
    words = core.describe(wholesalers, "en")
    assert "buys much BAGS" in words or "industry Wholesale" in words or "large revenue" in words
    shop_features = {d.feature: d for d in shops.profile}
    assert any(f in shop_features for f in ("group:CANDLES", "industry:Retail", "buying_centre", "revenue"))
    if "group:CANDLES" in shop_features:
        assert shop_features["group:CANDLES"].z > 0
        assert 0.6 < shop_features["group:CANDLES"].mean < 0.8
    # the German profile names the same features
    assert len(core.describe(wholesalers, "de").split(", ")) == len(words.split(", "))


def test_is_deterministic_and_independent_of_input_order():
    facts, _ = synthetic()
    first = core.segment_accounts(facts, k_max=6)
    second = core.segment_accounts(list(reversed(facts)), k_max=6)
    assert first == second


def test_unknown_values_take_the_mean_and_identical_accounts_form_one_segment():
    # given three identical accounts but for an unknown growth
    facts = [
        core.AccountFacts(1, {"A": 10.0}, {"revenue": 10.0, "growth": 0.2}, {"industry": "X"}),
        core.AccountFacts(2, {"A": 10.0}, {"revenue": 10.0, "growth": None}, {"industry": "X"}),
        core.AccountFacts(3, {"A": 10.0}, {"revenue": 10.0, "growth": 0.2}, {"industry": "X"}),
    ]
    # when
    result = core.segment_accounts(facts)
    # then nothing sets them apart: one segment, no silhouette, an empty profile
    assert (result.k, result.silhouette, result.silhouettes) == (1, None, {})
    assert result.segments[0].members == (1, 2, 3)
    assert core.describe(result.segments[0], "de") == "kein Merkmal hebt sie ab"


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="no accounts"):
        core.segment_accounts([])
    with pytest.raises(ValueError, match="k range"):
        core.segment_accounts([core.AccountFacts(1)], k_min=4, k_max=3)


def test_dispersion_and_combined_heterogeneity():
    assert core.dispersion(["a", "b", "c", "d"]) == pytest.approx(0.75)
    assert core.dispersion([1, 1, 2]) == pytest.approx(1 - (4 / 9 + 1 / 9))
    assert core.dispersion([]) is None
    assert core.combined_heterogeneity({"segments": 0.75, "portfolio": None}) == 0.75


def test_product_group_of_a_stock_code():
    assert core.normalise_product_group("85123A") == "85123"
    assert core.normalise_product_group("85123") == "85123"
    assert core.normalise_product_group("gift_0001_10") == "GIFT_0001_10"
    assert core.normalise_product_group("DCGS0003") == "DCGS0003"
