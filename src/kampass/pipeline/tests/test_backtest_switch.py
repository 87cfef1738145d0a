"""When the last backtest shows the model not better than the best baseline, the forecast and the board's
weighted figures use that baseline's probabilities, with a visible note; when a later backtest shows the
model better, they use the model again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.common.models import JobStatus
from kampass.pipeline import selectors
from kampass.pipeline.models import BacktestRun, Opportunity
from kampass.pipeline.services.backtests import verdict
from kampass.pipeline.tests.factories import make_opportunity


def finished_run(*, model_better: bool, probabilities: dict[int, float], default: float = 0.2, minutes_ago: int = 0):
    result = {
        "origins": [],
        "verdict": {
            "best_baseline": "stage_rate",
            "kampass_minus_best_brier": {"mean": 0.012, "ci95": [0.004, 0.021]},
            "model_better": model_better,
        },
    }
    by_pk = {str(k): v for k, v in probabilities.items()}
    switch = {} if model_better else {"scorer": "stage_rate", "probabilities": by_pk, "default": default}
    when = timezone.now() - dt.timedelta(minutes=minutes_ago)
    run = BacktestRun.objects.create(status=JobStatus.DONE, result=result, switch=switch, finished_at=when)
    return run


@pytest.fixture
def deals(group):
    a = make_opportunity(account=group, name="A", amount=Decimal("100000"), expected_close_date=dt.date(2030, 1, 15))
    b = make_opportunity(account=group, name="B", amount=Decimal("50000"), expected_close_date=dt.date(2030, 1, 20))
    Opportunity.objects.filter(pk=a.pk).update(probability=0.9)
    Opportunity.objects.filter(pk=b.pk).update(probability=0.9)
    return a, b


@pytest.mark.django_db
def test_the_forecast_uses_the_model_without_a_backtest(deals, head):
    report = selectors.forecast(user=head, period="month")
    assert report.scorer == "kampass"
    assert float(report.rows[0].expected or 0) == pytest.approx(135000)


@pytest.mark.django_db
def test_the_forecast_and_the_board_switch_to_the_better_baseline_with_a_note(deals, head, client):
    a, b = deals
    finished_run(model_better=False, probabilities={a.pk: 0.5, b.pk: 0.1})
    report = selectors.forecast(user=head, period="month")
    assert report.scorer == "stage_rate"
    assert float(report.rows[0].expected or 0) == pytest.approx(100000 * 0.5 + 50000 * 0.1)
    assert report.as_json()["scorer"] == "stage_rate"
    board = selectors.pipeline_board(user=head)
    weighted = sum(float(c.weighted.get("EUR", 0)) for c in board.columns)
    assert weighted == pytest.approx(55000)
    client.force_login(head)
    for url in (reverse("forecast"), reverse("pipeline-board")):
        body = client.get(url).content.decode()
        assert 'data-testid="scorer-switch"' in body
        assert "Stage win rate" in body
    assert "Expected (Stage win rate)" in client.get(reverse("forecast")).content.decode()


@pytest.mark.django_db
def test_a_deal_opened_after_the_backtest_gets_the_baselines_default(deals, head, group):
    a, b = deals
    finished_run(model_better=False, probabilities={a.pk: 0.5, b.pk: 0.1}, default=0.3)
    c = make_opportunity(account=group, name="C", amount=Decimal("10000"), expected_close_date=dt.date(2030, 1, 25))
    switch = selectors.forecast_scorer()
    assert switch is not None
    assert switch.probability(c.pk) == 0.3
    report = selectors.forecast(user=head, period="month")
    assert float(report.rows[0].expected or 0) == pytest.approx(55000 + 3000)


@pytest.mark.django_db
def test_a_later_backtest_with_the_model_better_switches_back(deals, head, client):
    a, b = deals
    finished_run(model_better=False, probabilities={a.pk: 0.5, b.pk: 0.1}, minutes_ago=60)
    finished_run(model_better=True, probabilities={})
    report = selectors.forecast(user=head, period="month")
    assert report.scorer == "kampass"
    assert float(report.rows[0].expected or 0) == pytest.approx(135000)
    client.force_login(head)
    assert 'data-testid="scorer-switch"' not in client.get(reverse("forecast")).content.decode()


class _Diff:
    def __init__(self, low, high):
        self.mean, self.low, self.high = (low + high) / 2, low, high

    def to_json(self):
        return {"mean": self.mean, "ci95": [self.low, self.high]}


class _Report:
    def __init__(self, low, high):
        self.asked = []
        self.low, self.high = low, high

    def difference(self, other):
        self.asked.append(other)
        return _Diff(self.low, self.high)


def test_the_verdict_compares_with_the_baseline_of_lowest_pooled_brier():
    pooled = {
        "kampass": {"brier": 0.20},
        "base_rate": {"brier": 0.22},
        "stage_rate": {"brier": 0.18},
        "naive_bayes": {"brier": 0.25},
    }
    worse = _Report(0.001, 0.03)
    v = verdict(worse, pooled)
    assert worse.asked == ["stage_rate"]
    assert v["best_baseline"] == "stage_rate"
    assert v["model_better"] is False
    # the upper end of the interval at or below 0: the model is better
    assert verdict(_Report(-0.03, -0.001), pooled)["model_better"] is True
    # an interval that holds 0 is not "better"
    assert verdict(_Report(-0.01, 0.002), pooled)["model_better"] is False


@pytest.mark.django_db
def test_a_retraining_queues_a_backtest_while_the_forecast_uses_a_baseline(
    deals, head, monkeypatch, django_capture_on_commit_callbacks
):
    from kampass.pipeline.models import TrainingJob
    from kampass.pipeline.services import training as training_module

    monkeypatch.setattr(training_module, "model_train", lambda **kw: None)
    monkeypatch.setattr(training_module, "opportunities_score", lambda **kw: 0)
    a, b = deals
    finished_run(model_better=False, probabilities={a.pk: 0.5, b.pk: 0.1})
    job = TrainingJob.objects.create(created_by=head)
    with django_capture_on_commit_callbacks(execute=False):
        training_module.training_job_run(str(job.pk))
    queued = BacktestRun.objects.filter(status=JobStatus.QUEUED)
    assert queued.count() == 1
    assert queued.get().created_by == head
    # with the model in use, a retraining queues none
    BacktestRun.objects.all().delete()
    finished_run(model_better=True, probabilities={})
    job = TrainingJob.objects.create(created_by=head)
    with django_capture_on_commit_callbacks(execute=False):
        training_module.training_job_run(str(job.pk))
    assert not BacktestRun.objects.filter(status=JobStatus.QUEUED).exists()
