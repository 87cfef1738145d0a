"""Temporal backtest of the win model against its baselines on two real CRM histories (issue 12).

Runs ``kampass forecast backtest FILE --mapping ... --json`` (a fresh data directory; nothing is written
to a database) and prints one JSON line per data set; the baselines -- trailing base rate, naive Bayes,
stage rate -- are scored on the same origins and deals in the same run:

* ``olist``: ``../shared/data/olist-funnel`` with ``bench/mappings/olist_funnel.yaml``, monthly origins
  2017-12-01 .. 2018-05-01, horizon 90 days;
* ``salesforce``: ``../shared/data/salesforce-sample/Opportunity_export.csv`` with the built-in
  ``salesforce`` mapping (opened = CloseDate - OpportunityAge), quarterly origins 2017-10-01 .. 2019-04-01,
  horizon 90 days.

Each line: ``{"bench": "backtest", "data", "origins", "deals", "brier": {scorer: pooled Brier},
"kampass_minus_base_rate_brier": {"mean", "ci95"}, "kampass_minus_naive_bayes_brier": {...},
"band_coverage", "bar": {"not_worse_than_base_rate", "better_than_naive_bayes", "coverage_70_90"},
"per_origin": [[as_of, open, won, kampass Brier, base-rate Brier, naive-Bayes Brier, kampass AUC,
actual, p10, p90, band, past errors the band rests on, kampass's level window in days, kampass's blend
weight of the model against the trailing base rate]...], "leakage":
[columns], "seconds"}``. The band is kampass's own: the prediction interval of its past forecast errors
at inner origins known at each origin (``"empirical"``), else the Bernoulli band; the level window is
chosen by an inner backtest (drift), and so is the weight of the model against the trailing base rate in
kampass's probabilities, see :mod:`kampass.core.forecasting.backtest`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
RUNS = {
    "olist": (
        DATA / "olist-funnel" / "marketing_qualified_leads.csv",
        str(ROOT / "bench" / "mappings" / "olist_funnel.yaml"),
        ["--every", "month", "--from", "2017-12-01", "--to", "2018-05-01", "--horizon", "90"],
    ),
    "salesforce": (
        DATA / "salesforce-sample" / "Opportunity_export.csv",
        "salesforce",
        ["--every", "quarter", "--from", "2017-10-01", "--to", "2019-04-01", "--horizon", "90"],
    ),
}


def _r(x: float | None, digits: int = 5) -> float | None:
    return None if x is None else round(x, digits)


def run(name: str) -> dict:
    path, mapping, options = RUNS[name]
    kampass = Path(sys.executable).with_name("kampass")
    env = dict(os.environ, KAMPASS_HOME=tempfile.mkdtemp(prefix="kampass-bench-backtest-"))
    started = time.perf_counter()
    done = subprocess.run(
        [str(kampass), "forecast", "backtest", str(path), "--mapping", mapping, *options, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"backtest on {name} failed:\n{done.stderr}")
    doc = json.loads(done.stdout)
    s = doc["summary"]
    base, nb = s["kampass_minus_base_rate_brier"], s["kampass_minus_naive_bayes_brier"]
    return {
        "bench": "backtest",
        "data": name,
        "origins": s["origins"],
        "deals": s["deals_scored"],
        "horizon": doc["horizon"],
        "unit": doc["unit"],
        "brier": {k: _r(v) for k, v in s["brier"].items()},
        "kampass_minus_base_rate_brier": {"mean": _r(base["mean"], 6), "ci95": [_r(x, 6) for x in base["ci95"]]},
        "kampass_minus_naive_bayes_brier": {"mean": _r(nb["mean"], 6), "ci95": [_r(x, 6) for x in nb["ci95"]]},
        "band_coverage": _r(s["band_coverage"], 3),
        "bar": {
            "not_worse_than_base_rate": base["ci95"][1] <= 0,
            "better_than_naive_bayes": s["brier"]["kampass"] < s["brier"]["naive_bayes"],
            "coverage_70_90": s["band_coverage"] is not None and 0.7 <= s["band_coverage"] <= 0.9,
        },
        "per_origin": [
            [
                o["as_of"],
                o["open"],
                o["won"],
                _r(o["scorers"]["kampass"]["brier"]),
                _r(o["scorers"]["base_rate"]["brier"]),
                _r(o["scorers"]["naive_bayes"]["brier"]),
                _r(o["scorers"]["kampass"]["auc"], 3),
                round(o["forecast"]["actual"]),
                round(o["forecast"]["p10"]),
                round(o["forecast"]["p90"]),
                o["forecast"]["band"],
                o["forecast"].get("band_errors"),
                o.get("level_window_days"),
                o.get("blend_weight"),
            ]
            for o in doc["origins"]
        ],
        "leakage": sorted({f["column"] for f in doc["leakage"]}),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    for name in RUNS:
        print(json.dumps(run(name)), flush=True)


if __name__ == "__main__":
    main()
