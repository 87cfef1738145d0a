"""``kampass forecast backtest`` without a file on the demo data: it runs with its default origins (the
first of each month over the last year), every origin has open deals, and the figures per origin agree
with the demo opportunities counted independently."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from kampass.pipeline.models import Opportunity, Outcome

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from kampass.demo.services import demo_load
    from kampass.pipeline.demo import demo_pipeline_load

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_load()
            demo_pipeline_load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.compute
def test_the_backtest_runs_on_the_demo_and_every_origin_has_open_deals(demo: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast", "backtest", "--horizon", "90", "--json", stdout=out, stderr=err)
    doc = json.loads(out.getvalue())
    origins = doc["origins"]
    assert len(origins) == 12
    assert all(dt.date.fromisoformat(o["as_of"]).day == 1 for o in origins)
    deals = list(Opportunity.objects.values("created_on", "closed_on", "outcome"))
    for o in origins:
        day = dt.date.fromisoformat(o["as_of"])
        end = day + dt.timedelta(days=90)
        # independently: opened before the origin, not closed before it
        open_ = [d for d in deals if d["created_on"] < day and not (d["closed_on"] and d["closed_on"] < day)]
        won = [d for d in open_ if d["outcome"] == Outcome.WON and d["closed_on"] and day <= d["closed_on"] < end]
        assert o["open"] == len(open_) > 0
        assert o["won"] == len(won)
        assert {"kampass", "base_rate", "naive_bayes", "stage_rate"} <= set(o["scorers"])
    assert "origin 12 of 12 done" in err.getvalue()
    assert doc["verdict"]["best_baseline"] in doc["pooled"]
