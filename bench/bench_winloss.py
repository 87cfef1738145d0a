"""Win probabilities on the IBM "Sales Win Loss" data: the kampass model against its baselines.

Data: ``../shared/data/ibm-sales-win-loss`` (78,025 closed opportunities, 17,627 won). In the same run:

* 5-fold stratified cross-validation, seed 0, over all columns except "Opportunity Number" (the id)
  and "Opportunity Result" (the outcome, positive "Won"), via :func:`kampass.core.forecasting.evaluate`:
  the kampass model and, on the same folds, the base rate (``base_brier``) and the naive-Bayes
  frequency scorer (``nb_brier``, ``nb_ece``, ``nb_auc``);
* ``train_s``: training the kampass model on all 78,025 closed rows;
* ``score_100k_s``: scoring 100,000 rows (the file's rows repeated, as an Arrow table) with that model;
  ``nb_score_100k_s`` the naive-Bayes scorer on the same rows, as a baseline.

"Opportunity Number" is not unique: ``duplicate_ids`` rows share a number with another row, and
``duplicate_id_groups_split`` of those groups fall into more than one fold. They are treated as the
separate records they are in the file (the issue fixes plain stratified folds), not grouped.

Prints one JSON line ``{"bench": "winloss", "brier", "ece", "auc", "log_loss", "nb_brier", "nb_ece",
"nb_auc", "base_brier", "train_s", "score_100k_s", "nb_score_100k_s", "cv_s", "rows", ...}``.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

from kampass.core.forecasting import NaiveBayesScorer, evaluate, fold_assignment, train_win_model  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "ibm-sales-win-loss" / "WA_Fn-UseC_-Sales-Win-Loss.csv.gz"
ID, TARGET, POSITIVE = "Opportunity Number", "Opportunity Result", "Won"
FOLDS, SEED, SCORED = 5, 0, 100_000


def main() -> None:
    table = pacsv.read_csv(SOURCE, convert_options=pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True))
    y = np.asarray([1 if v == POSITIVE else 0 for v in table.column(TARGET).to_pylist()], dtype=np.int64)
    rows = table.drop_columns([ID, TARGET])

    folds = fold_assignment(y, folds=FOLDS, seed=SEED)
    groups: dict[int, set[int]] = defaultdict(set)
    members: dict[int, int] = defaultdict(int)
    for number, fold in zip(table.column(ID).to_pylist(), folds, strict=True):
        groups[number].add(int(fold))
        members[number] += 1
    duplicate_ids = sum(n for n in members.values() if n > 1)
    split = sum(1 for number, fs in groups.items() if members[number] > 1 and len(fs) > 1)

    t0 = time.perf_counter()
    report = evaluate(rows, y, folds=FOLDS, seed=SEED)
    cv_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = train_win_model(rows, y, seed=SEED)
    train_s = time.perf_counter() - t0
    nb = NaiveBayesScorer.fit(rows, y)

    repeat = -(-SCORED // table.num_rows)
    scored = pa.concat_tables([rows] * repeat).slice(0, SCORED)
    t0 = time.perf_counter()
    p = model.predict(scored)
    score_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    nb.predict(scored)
    nb_score_s = time.perf_counter() - t0
    assert p.shape == (SCORED,)

    k, b, n = report.scores["kampass"], report.scores["base_rate"], report.scores["naive_bayes"]
    print(
        json.dumps(
            {
                "bench": "winloss",
                "brier": round(k.brier, 5),
                "ece": round(k.ece, 5),
                "auc": round(k.auc, 5),
                "log_loss": round(k.log_loss, 5),
                "nb_brier": round(n.brier, 5),
                "nb_ece": round(n.ece, 5),
                "nb_auc": round(n.auc, 5),
                "base_brier": round(b.brier, 5),
                "train_s": round(train_s, 2),
                "score_100k_s": round(score_s, 2),
                "nb_score_100k_s": round(nb_score_s, 2),
                "cv_s": round(cv_s, 1),
                "rows": report.rows,
                "folds": FOLDS,
                "seed": SEED,
                "duplicate_ids": duplicate_ids,
                "duplicate_id_groups_split": split,
                "model_version": model.version,
            }
        )
    )


if __name__ == "__main__":
    main()
