"""Training and scoring the win-probability model, the training job, and their permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import AccountFactory
from kampass.common.models import JobStatus
from kampass.pipeline.features import FEATURES
from kampass.pipeline.models import ModelVersion, Opportunity, OpportunityStageChange
from kampass.pipeline.services import (
    model_train,
    opportunities_score,
    score_explanation,
    training_job_create,
    training_job_run,
)
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(group):
    """40 closed deals (machinery mostly won, retail mostly lost) and 3 open ones."""
    retail = AccountFactory(name="Retail Co", industry="Retail", country="DE")
    for i in range(40):
        won = i % 4 != 0 if i < 20 else i % 4 == 0
        make_opportunity(
            account=group if i < 20 else retail,
            name=f"Deal {i}",
            amount=10000 + 1000 * i,
            stage_name="Closed Won" if won else "Closed Lost",
            lead_source="Fair" if i % 2 else "Web",
        )
    return [
        make_opportunity(account=group, name="Open A", amount=50000, stage_name="Negotiation/Review",
                         expected_close_date=dt.date(2030, 1, 15)),
        make_opportunity(account=retail, name="Open B", amount=20000, stage_name="Qualification",
                         expected_close_date=dt.date(2030, 2, 10)),
        make_opportunity(account=group, name="Open C", amount=30000, expected_close_date=dt.date(2030, 4, 1)),
    ]  # fmt: skip


def test_head_trains_an_active_version_with_metrics_and_out_of_fold_scores(head, history):
    # when
    version = model_train(actor=head, folds=3)
    # then
    assert version.active
    assert version.training_rows == 40
    assert set(version.features) <= set(FEATURES)
    assert "currency" not in version.features  # one value only: carries no information
    assert {"kampass", "base_rate", "naive_bayes"} <= set(version.metrics)
    assert version.metrics["folds"] == 3
    assert set(version.metrics["kampass"]) == {"brier", "log_loss", "ece", "auc"}
    bins = version.reliability["kampass"]  # the non-empty ones of 10 equal-width bins
    assert len(bins) <= 10
    assert sum(b["count"] for b in bins) == 40
    assert len(version.holdout) == 40
    assert all(0 <= p <= 1 for p in version.holdout.values())
    # training again on the same data gives the same version, still one active
    again = model_train(actor=head, folds=3)
    assert again.version == version.version
    assert ModelVersion.objects.filter(active=True).count() == 1


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_and_admin_train_and_score(request, role, history):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        model_train(actor=actor)
    with pytest.raises(PermissionDenied):
        opportunities_score(actor=actor)


def test_too_few_closed_deals_are_refused_with_the_counts(head, group):
    make_opportunity(account=group, stage_name="Closed Won")
    with pytest.raises(ValidationError, match="1 closed, 1 won, 0 lost"):
        model_train(actor=head)


def test_scoring_stores_probability_version_and_time_and_explains(head, history):
    version = model_train(actor=head, folds=3)
    assert opportunities_score(actor=head) == 3
    for o in Opportunity.objects.filter(outcome="open"):
        assert o.probability is not None
        assert 0.0 <= o.probability <= 1.0
        assert o.model_version == version
        assert o.scored_at is not None
    closed = Opportunity.objects.exclude(outcome="open")
    assert not closed.filter(probability__isnull=False).exists()  # closed deals are not rescored
    factors = score_explanation(Opportunity.objects.get(name="Open A"), top=2)
    assert len(factors) <= 2
    assert all(f.feature in version.features and f.direction in ("raises", "lowers") for f in factors)


def test_closed_deals_train_on_the_stage_they_were_in_before_closing(head, group):
    # as-of features: a closed deal's stage order is its last open stage, not the closed stage
    from kampass.pipeline.features import training_snapshots
    from kampass.pipeline.services import opportunity_change_stage

    o = make_opportunity(account=group, stage_name="Qualification")
    opportunity_change_stage(actor=head, opportunity=o, stage=stage("Proposal/Price Quote"))
    opportunity_change_stage(actor=head, opportunity=o, stage=stage("Closed Won"))
    o = Opportunity.objects.select_related("account", "stage", "owner").get(pk=o.pk)
    _snapshots, rows = training_snapshots([o])
    # one snapshot when it was opened (in Qualification), one when it entered Proposal
    assert [r["stage_order"] for r in rows] == [stage("Qualification").order, stage("Proposal/Price Quote").order]
    row = rows[-1]
    assert "outcome" not in row
    assert "closed_on" not in row
    assert OpportunityStageChange.objects.filter(opportunity=o).count() == 3


def test_training_job_runs_trains_and_scores(head, history):
    job = training_job_create(actor=head, enqueue=False)
    assert job.status == JobStatus.QUEUED
    seen = []
    job = training_job_run(str(job.pk), progress=lambda f, m: seen.append(f))
    assert job.status == JobStatus.DONE
    assert job.progress == 1.0
    assert job.scored == 3
    assert job.model_version is not None
    assert job.model_version.active
    assert seen == sorted(seen)


def test_a_failing_training_job_records_the_error(head, group):
    job = training_job_create(actor=head, enqueue=False)
    with pytest.raises(ValidationError):
        training_job_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Too few closed opportunities" in job.error


def test_training_job_needs_the_right(kam):
    with pytest.raises(PermissionDenied):
        training_job_create(actor=kam, enqueue=False)


def test_api_train_score_and_versions(api, head, kam, viewer, history):
    assert api(kam, "post", "/model/train").status_code == 403
    response = api(head, "post", "/model/train")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert api(viewer, "get", f"/model/jobs/{job_id}").json()["status"] == "queued"
    training_job_run(job_id)
    assert api(viewer, "get", f"/model/jobs/{job_id}").json()["status"] == "done"
    versions = api(viewer, "get", "/model-versions").json()
    assert len(versions) == 1
    assert versions[0]["active"] is True
    assert "kampass" in versions[0]["metrics"]
    open_a = Opportunity.objects.get(name="Open A")
    score = api(kam, "get", f"/opportunities/{open_a.pk}/score").json()
    assert score["model_version"] == versions[0]["version"]
    assert score["probability"] == pytest.approx(open_a.probability if open_a.probability else score["probability"])
    assert 0 <= score["probability"] <= 1
    assert score["stage_probability"] == 90
    assert isinstance(score["explanation"], list)
    assert api(kam, "get", f"/opportunities/{Opportunity.objects.get(name='Open B').pk}/score").status_code == 403
    assert Decimal(api(head, "get", "/forecast").json()["rows"][0]["pipeline"]) == Decimal("50000.00")
