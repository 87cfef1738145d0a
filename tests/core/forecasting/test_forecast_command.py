"""``kampass forecast evaluate``: contract output on a small file, and clear errors."""

from __future__ import annotations

import csv
import gzip
import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command


def write_deals(path, n=120, *, gz=False, crlf=True):
    rng = np.random.default_rng(0)
    lines = ["Deal Number,Region,Amount,Result"]
    for i in range(n):
        region = ["West", "East", "None"][i % 3]
        amount = int(rng.integers(1, 100))
        won = rng.random() < (0.8 if region == "West" else 0.2)
        lines.append(f"{1000 + i},{region},{amount},{'Won' if won else 'Loss'}")
    text = ("\r\n" if crlf else "\n").join(lines) + "\r\n"
    if gz:
        with gzip.open(path, "wt", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, newline="")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_and_predictions_from_a_gzipped_crlf_file(tmp_path):
    # given a gzipped CSV with CRLF line ends and an id column named like "... Number"
    path = write_deals(tmp_path / "deals.csv.gz", gz=True)
    pred = tmp_path / "oof.csv"
    # when
    out, err = run(
        "evaluate",
        str(path),
        "--target",
        "Result",
        "--positive",
        "Won",
        "--json",
        "--folds",
        "3",
        "--predictions",
        str(pred),
    )
    # then
    doc = json.loads(out)
    assert (doc["rows"], doc["folds"], doc["seed"]) == (120, 3, 0)
    assert set(doc) == {"rows", "folds", "seed", "kampass", "base_rate", "naive_bayes", "leakage"}
    assert doc["leakage"] == []  # region and amount are honest columns
    assert "Deal Number" in err  # detected id, not learnt from
    with pred.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 120
    assert rows[0].keys() == {"row", "outcome", "kampass", "base_rate", "naive_bayes"}
    assert all(0 <= float(r["kampass"]) <= 1 for r in rows)


def test_table_output_names_every_scorer(tmp_path):
    path = write_deals(tmp_path / "deals.csv", crlf=False)
    out, err = run(
        "evaluate", str(path), "--target", "Result", "--positive", "Won", "--folds", "2", "--id", "Deal Number"
    )
    for name in ("kampass", "base_rate", "naive_bayes", "Brier", "ROC AUC"):
        assert name in out
    assert "fold 2/2" in err


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"File not found: .*nope\.csv"):
        run("evaluate", str(tmp_path / "nope.csv"), "--target", "Result", "--positive", "Won")


def test_missing_target_column_lists_the_columns(tmp_path):
    path = write_deals(tmp_path / "deals.csv")
    with pytest.raises(CommandError, match=r"'Outcome' is not in .*columns: Deal Number, Region, Amount, Result"):
        run("evaluate", str(path), "--target", "Outcome", "--positive", "Won")


def test_positive_value_never_present_lists_the_values(tmp_path):
    path = write_deals(tmp_path / "deals.csv")
    with pytest.raises(
        CommandError, match=r"'Closed Won' never occurs in column 'Result'; values: '(Loss|Won)' \(\d+\)"
    ):
        run("evaluate", str(path), "--target", "Result", "--positive", "Closed Won")


def test_positive_value_ignores_case_and_padding(tmp_path):
    # given the file says "Won" and the user types " WON "
    path = write_deals(tmp_path / "deals.csv")
    exact, _ = run("evaluate", str(path), "--target", "Result", "--positive", "Won", "--folds", "2", "--json")
    # when
    loose, _ = run("evaluate", str(path), "--target", "Result", "--positive", " WON ", "--folds", "2", "--json")
    # then the same rows count as won: the same figures
    assert json.loads(loose) == json.loads(exact)
    won = sum(1 for line in path.read_text().splitlines()[1:] if line.endswith(",Won"))
    assert 0 < won < 120
    assert json.loads(exact)["base_rate"]["brier"] == pytest.approx((won / 120) * (1 - won / 120), abs=0.02)


def test_fewer_rows_than_folds(tmp_path):
    path = write_deals(tmp_path / "deals.csv", n=4)
    with pytest.raises(CommandError, match="4 rows are fewer than the 5 folds"):
        run("evaluate", str(path), "--target", "Result", "--positive", "Won")


def test_too_few_won_rows_for_the_folds(tmp_path):
    path = write_deals(tmp_path / "deals.csv", n=30)
    with pytest.raises(CommandError, match="30 folds need at least 30 won and 30 lost rows"):
        run("evaluate", str(path), "--target", "Result", "--positive", "Won", "--folds", "30")


def test_unknown_excluded_column(tmp_path):
    path = write_deals(tmp_path / "deals.csv")
    with pytest.raises(CommandError, match="'Colour' not in"):
        run("evaluate", str(path), "--target", "Result", "--positive", "Won", "--exclude", "Colour")


def test_evaluate_reports_leakage_by_name_with_evidence(tmp_path):
    # given: the export carries the final amount (lost deals 0) -- the trap of issue 12
    rng = np.random.default_rng(1)
    lines = ["Deal Number,Region,Final Amount,Result"]
    for i in range(200):
        won = rng.random() < 0.6
        amount = int(rng.integers(1, 90)) * 1000 if won else 0
        lines.append(f"{1000 + i},{['West', 'East'][i % 2]},{amount},{'Won' if won else 'Loss'}")
    path = tmp_path / "final.csv"
    path.write_text("\n".join(lines) + "\n")
    args = ["evaluate", str(path), "--target", "Result", "--positive", "Won", "--folds", "3"]
    # when
    out, err = run(*args, "--json")
    text, _ = run(*args)
    # then
    leakage = json.loads(out)["leakage"]
    found = {(f["column"], f["reason"]) for f in leakage}
    assert found == {
        ("Final Amount", "separates_outcome"),
        ("Final Amount", "final_amount"),
        ("(score)", "near_perfect_score"),
    }
    assert all(f["evidence"] for f in leakage)
    assert "Warning, possible leakage: Final Amount" in text
    assert "Warning, possible leakage" in err
