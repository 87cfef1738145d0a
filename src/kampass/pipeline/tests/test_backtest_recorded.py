"""``kampass forecast backtest`` without a file: the temporal backtest on kampass's own opportunities.

Given a small generated history (opportunities created through the service, then closed on known
days), the per-origin figures (open deals, deals won within the horizon, the actual total) are
computed independently from the generated list and compared with the command's JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from kampass.accounts.tests.factories import AccountFactory
from kampass.core.forecasting.backtest import backtest, snapshot
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome
from kampass.pipeline.recorded_history import recorded_deal_history
from kampass.pipeline.services.opportunities import opportunity_change_stage
from kampass.pipeline.tests.factories import admin_actor, make_opportunity, stage

HORIZON = 60


def backdate(pk: int, opened: dt.date) -> None:
    """As if the opportunity had been created in kampass on ``opened``: its first history record and
    first stage change carry that day."""
    when = timezone.make_aware(dt.datetime.combine(opened, dt.time(10)))
    first = Opportunity.history.filter(id=pk).order_by("history_date", "history_id").first()
    assert first is not None
    Opportunity.history.filter(history_id=first.history_id).update(history_date=when)
    OpportunityStageChange.objects.filter(opportunity_id=pk).update(changed_at=when)


def generate(n: int = 90, seed: int = 3) -> list[dict]:
    """Deals opened over the last 400 days, closing 5-90 days later (those closing after yesterday
    are still open); the lead source 'Partner' wins more often."""
    rng = random.Random(seed)
    today = timezone.localdate()
    accounts = [AccountFactory(industry=i, country="DE") for i in ("Machinery", "Chemicals", "Food")]
    deals = []
    for i in range(n):
        opened = today - dt.timedelta(days=rng.randint(20, 400))
        closes = opened + dt.timedelta(days=rng.randint(5, 90))
        source = ["Web", "Fair", "Partner"][i % 3]
        won = rng.random() < (0.6 if source == "Partner" else 0.2)
        amount = Decimal(rng.randint(1, 40) * 1000)
        first_stage = {"Web": "Prospecting", "Fair": "Qualification", "Partner": "Needs Analysis"}[source]
        o = make_opportunity(
            account=accounts[i % 3], name=f"Deal {i}", amount=amount, lead_source=source, stage_name=first_stage
        )
        is_closed = closes < today
        outcome = (Outcome.WON if won else Outcome.LOST) if is_closed else Outcome.OPEN
        Opportunity.objects.filter(pk=o.pk).update(
            created_on=opened, closed_on=closes if is_closed else None, outcome=outcome
        )
        backdate(o.pk, opened)
        closed = closes if is_closed else None
        deals.append({"pk": o.pk, "opened": opened, "closed": closed, "won": won, "amount": amount})
    return deals


def expected_at(deals: list[dict], origin: dt.date) -> dict:
    """Independently: the deals open at ``origin`` and those of them won within the horizon."""
    open_ = [d for d in deals if d["opened"] < origin and not (d["closed"] is not None and d["closed"] < origin)]
    end = origin + dt.timedelta(days=HORIZON)
    won = [d for d in open_ if d["closed"] is not None and d["won"] and origin <= d["closed"] < end]
    return {"open": len(open_), "won": len(won), "actual": float(sum(d["amount"] for d in won))}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast", "backtest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_each_origin_scores_what_was_open_then_and_compares_with_what_happened():
    deals = generate()
    today = timezone.localdate()
    origins = [today - dt.timedelta(days=d) for d in (200, 150, 100)]
    args = [a for d in origins for a in ("--as-of", d.isoformat())]
    out, _err = run(*args, "--horizon", str(HORIZON), "--json")
    doc = json.loads(out)
    assert [o["as_of"] for o in doc["origins"]] == [d.isoformat() for d in origins]
    for o, origin in zip(doc["origins"], origins, strict=True):
        expected = expected_at(deals, origin)
        assert (o["open"], o["won"]) == (expected["open"], expected["won"])
        assert o["forecast"]["actual"] == pytest.approx(expected["actual"])
        assert set(o["scorers"]) >= {"kampass", "base_rate", "naive_bayes", "stage_rate"}
        for s in o["scorers"].values():
            assert {"brier", "auc", "ece"} <= set(s)
        assert {"actual", "p10", "p50", "p90"} <= set(o["forecast"])
    summary = doc["summary"]
    assert set(summary["kampass_minus_base_rate_brier"]) == {"mean", "ci95"}
    assert 0.0 <= summary["band_coverage"] <= 1.0
    assert doc["unit"] == "EUR"
    assert doc["verdict"]["best_baseline"] in {"base_rate", "stage_rate", "naive_bayes", "owner"}
    # the pooled Brier of a scorer is the mean over all origins' deals, weighted by their number
    pooled = doc["pooled"]["base_rate"]["brier"]
    weighted = sum(o["scorers"]["base_rate"]["brier"] * o["open"] for o in doc["origins"]) / sum(
        o["open"] for o in doc["origins"]
    )
    assert pooled == pytest.approx(weighted)


@pytest.mark.django_db
def test_values_are_taken_as_first_recorded_not_as_they_are_now(kam):
    # given: a deal opened with 30 % by its owner, won later, reassigned and its amount changed at the close
    today = timezone.localdate()
    o = make_opportunity(amount=Decimal("50000"), owner_probability=30, lead_source="Fair")
    o.refresh_from_db()
    o.amount, o.owner_probability, o.owner, o.outcome = Decimal("80000"), 100, kam, Outcome.WON
    o.closed_on, o.created_on = today - dt.timedelta(days=3), today - dt.timedelta(days=40)
    o.save()
    backdate(o.pk, today - dt.timedelta(days=40))
    # and an opportunity imported today that was opened a month ago: stage and probability recorded later
    imported = make_opportunity(amount=Decimal("20000"), owner_probability=60, stage_name="Negotiation/Review")
    Opportunity.objects.filter(pk=imported.pk).update(created_on=today - dt.timedelta(days=30))
    # when
    recorded = recorded_deal_history()
    h = recorded.history
    # then: the first recorded amount, owner and probability; the open stage it started in
    assert recorded.pks == (o.pk, imported.pk)
    assert h.amount is not None
    assert h.owner_probability is not None
    assert float(h.amount[0]) == 50000.0
    assert float(h.owner_probability[0]) == pytest.approx(0.30)
    assert h.features.column("owner").to_pylist() != [kam.username]
    assert h.stage == ("Prospecting", None)
    assert np.isnan(h.owner_probability[1])
    assert str(h.opened[0]) == (today - dt.timedelta(days=40)).isoformat()
    assert str(h.closed[0]) == (today - dt.timedelta(days=3)).isoformat()
    assert bool(h.won[0]) is True
    assert h.end == np.datetime64(today, "D")


@pytest.mark.django_db
def test_the_stage_rate_baseline_reads_the_stage_a_deal_was_in_at_each_snapshot():
    # given: a deal opened in Prospecting 100 days ago, moved to Negotiation/Review 50 days ago, and a deal
    # opened in Qualification 80 days ago that never moved
    today = timezone.localdate()
    moved = make_opportunity(name="Moved", stage_name="Prospecting")
    Opportunity.objects.filter(pk=moved.pk).update(created_on=today - dt.timedelta(days=100))
    backdate(moved.pk, today - dt.timedelta(days=100))
    moved.refresh_from_db()
    when = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=50), dt.time(11)))
    opportunity_change_stage(actor=admin_actor(), opportunity=moved, stage=stage("Negotiation/Review"), at=when)
    still = make_opportunity(name="Still", stage_name="Qualification")
    Opportunity.objects.filter(pk=still.pk).update(created_on=today - dt.timedelta(days=80))
    backdate(still.pk, today - dt.timedelta(days=80))
    # when
    h = recorded_deal_history().history
    # then: each snapshot carries the stage as of its day, not the first recorded one
    at_70, at_50, at_20 = (np.datetime64(today - dt.timedelta(days=d), "D") for d in (70, 50, 20))
    assert h.stage == ("Prospecting", "Qualification")
    assert snapshot(h, at_70, 30)[0].stage == ("Prospecting", "Qualification")
    assert snapshot(h, at_50, 30)[0].stage == ("Prospecting", "Qualification")  # moved during that day
    assert snapshot(h, at_20, 30)[0].stage == ("Negotiation/Review", "Qualification")
    assert snapshot(h, np.datetime64(today - dt.timedelta(days=90), "D"), 30)[0].stage == ("Prospecting",)


@pytest.mark.django_db
def test_the_backtest_stage_rate_learns_from_the_stage_at_the_origin():
    # given: deals that all open in Prospecting; half move to Negotiation/Review ten days later and all of
    # those are won 40 days after opening, the others lost then
    today = timezone.localdate()
    for i in range(40):
        opened = today - dt.timedelta(days=300 - 5 * i)
        o = make_opportunity(name=f"Deal {i}", stage_name="Prospecting")
        Opportunity.objects.filter(pk=o.pk).update(created_on=opened)
        backdate(o.pk, opened)
        o.refresh_from_db()
        won = i % 2 == 0
        if won:
            at = timezone.make_aware(dt.datetime.combine(opened + dt.timedelta(days=10), dt.time(11)))
            opportunity_change_stage(actor=admin_actor(), opportunity=o, stage=stage("Negotiation/Review"), at=at)
        Opportunity.objects.filter(pk=o.pk).update(
            closed_on=opened + dt.timedelta(days=40), outcome=Outcome.WON if won else Outcome.LOST
        )
    h = recorded_deal_history().history
    origin = np.datetime64(today - dt.timedelta(days=100), "D")
    # when
    report = backtest(h, [origin], horizon=30)
    # then: the deals open at the origin in Negotiation/Review score above those still in Prospecting
    result = report.origins[0]
    target, _ = snapshot(h, origin, 30)
    p = result.probabilities["stage_rate"]
    later = np.array([s == "Negotiation/Review" for s in target.stage])
    assert later.any()
    assert (~later).any()
    assert p[later].min() > p[~later].max()


@pytest.mark.django_db
def test_default_origins_are_monthly_and_the_text_output_is_german():
    generate(60)
    with translation.override("de"):
        out, err = run("--horizon", str(HORIZON))
    assert "Zeitlicher Backtest" in out
    assert "Stand " in out
    assert "Bester Vergleichsmaßstab" in out
    assert "Stichtag 1 von" in err


@pytest.mark.django_db
def test_a_file_still_needs_its_mapping(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Id,CloseDate\n")
    with pytest.raises(CommandError, match="--mapping"):
        run(str(path), "--as-of", "2024-01-01")


@pytest.mark.django_db
def test_without_enough_history_the_command_says_why():
    with pytest.raises(CommandError, match="origin"):
        run("--horizon", "90")
