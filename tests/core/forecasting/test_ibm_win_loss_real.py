"""The IBM win/loss file through ``kampass forecast evaluate``, scores recomputed independently.

The command writes the out-of-fold probabilities of every scorer; this test recomputes Brier, ECE
(10 equal-width bins) and ROC AUC from that file with scikit-learn and plain numpy, compares them with
the printed JSON, and checks the targets of issue 4 (5-fold stratified, seed 0, all columns but the id
and the outcome). Outcomes are counted again from the raw gzipped CSV with the ``csv`` module.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

DATA = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "ibm-sales-win-loss"
    / "WA_Fn-UseC_-Sales-Win-Loss.csv.gz"
)


def ece_10_bins(p: np.ndarray, y: np.ndarray) -> float:
    total = 0.0
    for k in range(10):
        lo, hi = k / 10, (k + 1) / 10
        members = (p >= lo) & ((p < hi) if k < 9 else (p <= hi))
        if members.any():
            total += members.sum() * abs(p[members].mean() - y[members].mean())
    return total / len(p)


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    if not DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"real data missing in CI: {DATA}")
        pytest.skip(f"real data not available: {DATA}")
    out = tmp_path_factory.mktemp("ibm") / "oof.csv"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "forecast",
        "evaluate",
        str(DATA),
        "--target",
        "Opportunity Result",
        "--positive",
        "Won",
        "--json",
        "--predictions",
        str(out),
        stdout=stdout,
        stderr=stderr,
    )
    with out.open(newline="") as fh:
        table = list(csv.DictReader(fh))
    return json.loads(stdout.getvalue()), table, stderr.getvalue()


def test_contract_document_and_predictions_file(evaluated):
    doc, table, stderr = evaluated
    assert (doc["rows"], doc["folds"], doc["seed"]) == (78_025, 5, 0)
    assert "Opportunity Number" in stderr  # detected as the id column and left out
    assert list(table[0]) == ["row", "outcome", "kampass", "base_rate", "naive_bayes"]
    assert [int(r["row"]) for r in table] == list(range(1, 78_026))
    with gzip.open(DATA, "rt", newline="") as fh:
        raw = list(csv.DictReader(fh))
    won = [1 if r["Opportunity Result"] == "Won" else 0 for r in raw]
    assert sum(won) == 17_627
    assert [int(r["outcome"]) for r in table] == won


def test_scores_recomputed_independently_meet_the_targets(evaluated):
    doc, table, _ = evaluated
    y = np.array([int(r["outcome"]) for r in table])
    for name in ("kampass", "base_rate", "naive_bayes"):
        p = np.array([float(r[name]) for r in table])
        assert doc[name]["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
        assert doc[name]["log_loss"] == pytest.approx(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15)), abs=1e-9)
        assert doc[name]["ece"] == pytest.approx(ece_10_bins(p, y), abs=1e-9)
        if name != "base_rate":  # a constant per fold: AUC is not meaningful beyond the check below
            assert doc[name]["auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-9)
    kampass = doc["kampass"]
    assert kampass["brier"] <= 0.075
    assert kampass["ece"] <= 0.012
    assert kampass["auc"] >= 0.942
    # the comparison scorers as published for this data
    assert doc["base_rate"]["brier"] == pytest.approx(0.175, abs=0.002)
    assert 0.12 < doc["naive_bayes"]["brier"] < 0.15
    assert kampass["brier"] < doc["naive_bayes"]["brier"] < doc["base_rate"]["brier"]
