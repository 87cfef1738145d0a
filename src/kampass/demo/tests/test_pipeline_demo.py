"""The demo opportunities: the shipped extract matches the real export, and loading works.

(Here, not in pipeline/tests: it loads the whole demo data set, which sits above the contexts.)
"""

from __future__ import annotations

import csv
import itertools
import os
from pathlib import Path

import pytest

from kampass.demo.services import demo_data
from kampass.pipeline.demo import COLUMNS, EXTRACT, build_demo_extract


@pytest.fixture(autouse=True)
def _data_directory_per_test(settings, tmp_path):
    """As in pipeline/tests/conftest.py: the trained model files go to a fresh data directory."""
    settings.KAMPASS_HOME = tmp_path / "home"


DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "salesforce-sample" / "Opportunity_export.csv"


def test_the_extract_is_the_demo_accounts_rows_of_the_real_export(tmp_path):
    if not DATA.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DATA} is missing (CI=true: the real-data tests must run)")
        pytest.skip(f"{DATA} is missing")
    # independent: the demo accounts' Salesforce ids, and the export's rows on them
    import json

    demo = json.loads((Path(__file__).resolve().parents[2] / "demo" / "data" / "demo.json").read_text("utf-8"))
    ids = {a["external_id"] for a in demo["accounts"] if a["external_id"]}
    with DATA.open(newline="", encoding="utf-8") as fh:
        expected = [[r[c] for c in COLUMNS] for r in csv.DictReader(fh) if r["AccountId"] in ids]
    with EXTRACT.open(newline="", encoding="utf-8") as fh:
        shipped = list(csv.reader(fh))
    assert shipped[0] == list(COLUMNS)
    assert shipped[1:] == expected
    assert len(expected) == 1008
    # and the builder writes the same bytes
    out = tmp_path / "x.csv"
    demo_ids = [a["external_id"] for a in demo_data()["accounts"] if a["external_id"]]
    assert build_demo_extract(DATA, out, account_ids=demo_ids) == 1008
    assert out.read_bytes() == EXTRACT.read_bytes()


@pytest.mark.django_db
def test_demo_loads_scores_and_is_idempotent(settings):
    from kampass.demo.services import demo_load
    from kampass.pipeline.demo import demo_pipeline_load
    from kampass.pipeline.models import ModelVersion, Opportunity, Qualification, Risk
    from kampass.users.models import User

    # given the demo accounts (with a fast password hasher for the demo logins)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load()
    # when
    created = demo_pipeline_load()
    # then every row of the extract is an opportunity on a demo account
    with EXTRACT.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert created == len(rows) == Opportunity.objects.count()
    won = sum(1 for r in rows if r["StageName"] == "Closed Won")  # --prefer stage
    assert Opportunity.objects.filter(outcome="won").count() == won
    # the open deals close in the future, are scored by the active model, and kam owns some
    version = ModelVersion.objects.get(active=True)
    open_deals = Opportunity.objects.filter(outcome="open")
    assert not open_deals.filter(probability__isnull=True).exists()
    assert not open_deals.exclude(model_version=version).exists()
    assert Opportunity.objects.filter(owner=User.objects.get(username="kam")).exists()
    assert Risk.objects.exists()
    assert Qualification.objects.exists()
    # the training rows are snapshots of the closed deals at the points in time they passed
    assert version.training_rows > len(rows) - open_deals.count()
    _the_stage_matters(open_deals)
    # loading again adds nothing
    assert demo_pipeline_load() == 0
    assert Opportunity.objects.count() == created


def _the_stage_matters(open_deals):
    """The demo history shows that deals which got further were won more often; the open deals'
    scores rise with their stage accordingly, and so do the board's weighted shares."""
    from collections import defaultdict
    from statistics import mean

    from kampass.pipeline.models import Opportunity, OpportunityStageChange
    from kampass.pipeline.selectors import pipeline_board
    from kampass.users.models import User

    # independent: the win rate of the closed deals by the furthest open stage they reached
    furthest: dict[int, int] = {}
    for pk, order in OpportunityStageChange.objects.filter(
        opportunity__outcome__in=["won", "lost"], to_stage__kind="open"
    ).values_list("opportunity_id", "to_stage__order"):
        furthest[pk] = max(order, furthest.get(pk, 0))
    won = set(Opportunity.objects.filter(outcome="won").values_list("pk", flat=True))
    reached: dict[int, list[int]] = defaultdict(list)
    for pk, order in furthest.items():
        for k in {o for o in furthest.values() if o <= order}:
            reached[k].append(int(pk in won))
    rate = {k: mean(v) for k, v in reached.items()}
    stages = sorted(rate)
    assert all(rate[a] < rate[b] for a, b in itertools.pairwise(stages))  # history shows it
    # the model scores each open deal higher the further its stage (the same deals, placed at each open stage)
    import numpy as np

    from kampass.core.forecasting import WinModel
    from kampass.pipeline.features import feature_rows
    from kampass.pipeline.models import ModelVersion

    model = WinModel.from_bytes(bytes(ModelVersion.objects.get(active=True).model))
    deals = list(open_deals.select_related("account", "stage", "owner"))
    rows = [{f: r.get(f) for f in model.features} for r in feature_rows(deals)]
    placed = [float(np.mean(model.predict([{**r, "stage_order": k} for r in rows]))) for k in stages]
    assert all(a < b for a, b in itertools.pairwise(placed)), placed
    assert placed[-1] > 2 * placed[0], placed
    # the stored scores: the latest stages score highest
    by_stage: dict[int, list[float]] = defaultdict(list)
    for d in deals:
        by_stage[d.stage.order].append(d.probability)
    means = [mean(by_stage[k]) for k in sorted(by_stage)]
    assert len(means) >= 4
    assert means[-1] > means[-2] > max(means[:-2]), means
    # and the board's weighted share of each column rises with the stage
    board = pipeline_board(user=User.objects.get(username="admin"))
    shares = []
    for column in board.columns:
        total = sum(column.amounts.values())
        if total:
            shares.append(float(sum(column.weighted.values()) / total))
    assert len(shares) >= 4
    assert shares == sorted(shares), shares
    assert shares[-1] > 2 * shares[0], shares
