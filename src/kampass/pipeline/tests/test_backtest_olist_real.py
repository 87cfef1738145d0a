"""``kampass forecast backtest`` on the Olist marketing funnel (../shared/data/olist-funnel): one origin's
open leads and actual wins against an independent pandas computation from the two raw files."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT.parent / "shared" / "data" / "olist-funnel"
MAPPING = ROOT / "bench" / "mappings" / "olist_funnel.yaml"


@pytest.fixture(scope="module")
def leads_file() -> Path:
    if not (DATA / "marketing_qualified_leads.csv").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"real data missing in CI: {DATA}")
        pytest.skip(f"real data not available: {DATA}")
    return DATA / "marketing_qualified_leads.csv"


def test_one_origin_open_leads_and_actual_match_pandas(leads_file):
    # given: the README's definition, computed with pandas from the raw files
    origin, horizon = pd.Timestamp("2018-03-01"), 90
    leads = pd.read_csv(leads_file, parse_dates=["first_contact_date"])
    deals = pd.read_csv(DATA / "closed_deals.csv")
    deals["won_day"] = pd.to_datetime(deals["won_date"], format="%m/%d/%Y %H:%M").dt.normalize()
    joined = leads.merge(deals[["mql_id", "won_day"]], on="mql_id", how="left")
    open_ = joined[(joined.first_contact_date < origin) & ~(joined.won_day < origin)]
    won = open_[(open_.won_day >= origin) & (open_.won_day < origin + pd.Timedelta(days=horizon))]
    # when
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "forecast",
        "backtest",
        str(leads_file),
        "--mapping",
        str(MAPPING),
        "--as-of",
        "2018-03-01",
        "--horizon",
        str(horizon),
        "--json",
        stdout=out,
        stderr=err,
    )
    doc = json.loads(out.getvalue())
    # then
    (o,) = doc["origins"]
    assert o["as_of"] == "2018-03-01"
    assert o["open"] == len(open_) == 3982
    assert o["won"] == len(won) == 110
    assert o["forecast"]["actual"] == len(won)  # no amounts: the total counts deals
    assert doc["unit"] == "deals"
    # the won seller's columns are never learnt from
    assert not {"business_segment", "lead_type", "seller_id"} & set(doc["features"])
    assert "business_segment" in err.getvalue()
