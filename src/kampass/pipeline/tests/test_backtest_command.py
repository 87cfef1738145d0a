"""``kampass forecast backtest FILE --mapping ...``: the JSON contract, origins, the leakage guard, text output."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation


def write_export(path, n=1500, *, final_amounts=False, seed=0):
    """A Salesforce-like export: deals opened over 2022-2023, closing 10-80 days later, some still open."""
    rng = np.random.default_rng(seed)
    lines = ["Id,Name,AccountId,Amount,CreatedDate,CloseDate,StageName,LeadSource,LossReason"]
    for i in range(n):
        opened = dt.date(2022, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
        closed = opened + dt.timedelta(days=int(rng.integers(10, 80)))
        source = ["Web", "Fair", "Partner"][i % 3]
        won = rng.random() < (0.5 if source == "Partner" else 0.2)
        stage = "Closed Won" if won else "Closed Lost"
        if closed > dt.date(2023, 12, 1):
            stage = "Negotiation/Review"
        amount = int(rng.integers(1, 50)) * 1000
        if final_amounts and stage == "Closed Lost":
            amount = 0
        reason = "Price" if stage == "Closed Lost" else ""
        lines.append(f"O{i},Deal {i},A{i % 40},{amount},{opened},{closed},{stage},{source},{reason}")
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast", "backtest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_contract_with_monthly_origins(tmp_path):
    path = write_export(tmp_path / "export.csv")
    out, _err = run(
        str(path),
        "--mapping",
        "generic",
        "--every",
        "month",
        "--from",
        "2023-01-01",
        "--to",
        "2023-03-01",
        "--horizon",
        "60",
        "--json",
    )
    doc = json.loads(out)
    assert [o["as_of"] for o in doc["origins"]] == ["2023-01-01", "2023-02-01", "2023-03-01"]
    for o in doc["origins"]:
        assert {"as_of", "open", "scorers", "forecast"} <= set(o)
        assert set(o["scorers"]) == {"kampass", "base_rate", "naive_bayes", "stage_rate"}
        for s in o["scorers"].values():
            assert {"brier", "auc", "ece"} <= set(s)
        assert {"actual", "p10", "p50", "p90"} <= set(o["forecast"])
        assert o["open"] > 0
    summary = doc["summary"]
    assert set(summary["kampass_minus_base_rate_brier"]) == {"mean", "ci95"}
    assert len(summary["kampass_minus_base_rate_brier"]["ci95"]) == 2
    assert 0.0 <= summary["band_coverage"] <= 1.0
    assert [f["column"] for f in doc["leakage"]] == ["LossReason"]  # filled in only for lost deals
    assert "LeadSource" in doc["features"]
    assert "Amount" in doc["features"]
    assert not {"Id", "Name", "CreatedDate", "CloseDate", "StageName"} & set(doc["features"])  # mapped fields


def test_as_of_origins_and_the_text_output_in_german(tmp_path):
    path = write_export(tmp_path / "export.csv")
    with translation.override("de"):
        out, _ = run(str(path), "--mapping", "generic", "--as-of", "2023-06-01", "--as-of", "2023-03-01")
    assert "Stand 2023-03-01" in out
    assert "Stand 2023-06-01" in out
    assert out.index("2023-03-01") < out.index("2023-06-01")
    assert "P10-P90-Band" in out


def test_a_flagged_column_is_left_out_unless_allowed(tmp_path):
    # given: the loss reason is filled in only for lost deals
    path = write_export(tmp_path / "export.csv")
    args = [str(path), "--mapping", "generic", "--as-of", "2023-06-01", "--json"]
    # when
    refused, err = run(*args)
    allowed, _ = run(*args, "--allow-feature", "LossReason")
    # then
    refused_doc, allowed_doc = json.loads(refused), json.loads(allowed)
    assert [f["column"] for f in refused_doc["leakage"]] == ["LossReason"]
    assert "LossReason" not in refused_doc["features"]
    assert "LossReason" in allowed_doc["features"]
    assert "LossReason" in err


def test_final_amounts_are_neither_learnt_nor_summed(tmp_path):
    path = write_export(tmp_path / "export.csv", final_amounts=True)
    out, _err = run(str(path), "--mapping", "generic", "--as-of", "2023-06-01", "--json")
    doc = json.loads(out)
    assert {(f["column"], f["reason"]) for f in doc["leakage"]} >= {("amount", "final_amount")}
    assert doc["unit"] == "deals"
    assert "Amount" not in doc["features"]


def test_clear_errors(tmp_path):
    path = write_export(tmp_path / "export.csv", n=200)
    with pytest.raises(CommandError, match="--as-of DATE"):
        run(str(path), "--mapping", "generic")
    with pytest.raises(CommandError, match="not a date"):
        run(str(path), "--mapping", "generic", "--as-of", "1.2.2023")
    with pytest.raises(CommandError, match="runs past the end of the data"):
        run(str(path), "--mapping", "generic", "--as-of", "2024-12-01")
    with pytest.raises(CommandError, match="no such mapping"):
        run(str(path), "--mapping", "nope.yaml", "--as-of", "2023-06-01")
