"""The leakage guard names columns known only after closing, with evidence, and leaves honest ones alone."""

from __future__ import annotations

import numpy as np

from kampass.core.forecasting import detect_leakage, flagged_columns, score_leakage


def deals(n: int = 600, seed: int = 0) -> tuple[list[dict], np.ndarray]:
    rng = np.random.default_rng(seed)
    region = rng.choice(["West", "East", "North"], n)
    won = (rng.random(n) < np.where(region == "West", 0.6, 0.3)).astype(int)
    rows = [
        {
            "region": str(r),
            "estimate": float(rng.integers(1, 100) * 1000),
            "final": float(rng.integers(1, 100) * 1000) if w else 0.0,  # lost deals carry 0
            "won_seller": f"seller {rng.integers(0, 50)}" if w else None,  # filled in only after winning
            "opp_id": f"id-{i}",
        }
        for i, (r, w) in enumerate(zip(region, won, strict=True))
    ]
    return rows, won


def test_columns_known_only_after_closing_are_named_with_evidence():
    # given deals with a final amount (lost = 0) and a column filled in only for won deals
    rows, won = deals()
    # when
    findings = detect_leakage(rows, won)
    # then
    found = {(f.column, f.reason) for f in findings}
    assert ("final", "separates_outcome") in found
    assert ("final", "final_amount") in found
    assert ("won_seller", "separates_outcome") in found
    assert flagged_columns(findings) == ["final", "won_seller"]
    seller = next(f for f in findings if f.column == "won_seller")
    assert "empty in 0 % of won and 100 % of lost" in seller.evidence
    final = next(f for f in findings if f.reason == "final_amount")
    assert final.evidence.startswith("0 or empty for 100 % of lost and 0 % of won deals")


def test_honest_columns_and_ids_are_not_flagged():
    # given only columns known when a deal is opened (a strong but imperfect region, an id per deal)
    rows, won = deals()
    honest = [{k: r[k] for k in ("region", "estimate", "opp_id")} for r in rows]
    # when / then
    assert detect_leakage(honest, won) == []


def test_final_amount_needs_the_open_deals_to_differ():
    # given lost deals at 0 -- but open deals often at 0 too: then 0 is no final value
    rows, won = deals()
    amounts = [{"final": r["final"]} for r in rows]
    # when
    with_open_zero = detect_leakage(amounts, won, amount_columns=["final"], open_amounts={"final": [0.0] * 50})
    with_open_set = detect_leakage(amounts, won, amount_columns=["final"], open_amounts={"final": [5000.0] * 50})
    # then
    assert [f.reason for f in with_open_zero] == ["separates_outcome"]
    assert [f.reason for f in with_open_set] == ["separates_outcome", "final_amount"]
    assert "but only for 0 % of 50 open deals" in with_open_set[1].evidence


def test_a_near_perfect_score_is_a_finding():
    assert score_leakage(auc=1.0, brier=0.0)[0].column == "(score)"
    assert score_leakage(auc=0.995, brier=0.05)[0].reason == "near_perfect_score"
    assert score_leakage(auc=0.946, brier=0.073) == []
