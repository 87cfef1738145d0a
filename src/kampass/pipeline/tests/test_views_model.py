"""The model report: active version, scores beside the baselines, reliability diagram, version
history, and retraining as a background task with progress (head of KAM and admin only)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from kampass.common.models import JobStatus
from kampass.pipeline.models import ModelVersion, TrainingJob

HX = {"HX-Request": "true"}


def _scores(brier, log_loss, ece, auc):
    return {"brier": brier, "log_loss": log_loss, "ece": ece, "auc": auc}


def make_version(version="wm-1a2b3c4d", *, active=True, days_ago=0):
    bins = [
        {"lower": 0.0, "upper": 0.1, "count": 40, "mean_predicted": 0.05, "observed_rate": 0.06},
        {"lower": 0.8, "upper": 0.9, "count": 12, "mean_predicted": 0.85, "observed_rate": 0.8},
        {"lower": 0.9, "upper": 1.0, "count": 0, "mean_predicted": 0.0, "observed_rate": 0.0},
    ]
    return ModelVersion.objects.create(
        version=version,
        trained_at=timezone.now() - dt.timedelta(days=days_ago),
        training_rows=120,
        base_rate=0.25,
        features=["amount", "industry", "stage_order"],
        metrics={
            "rows": 120,
            "folds": 5,
            "seed": 0,
            "kampass": _scores(0.071, 0.23, 0.011, 0.95),
            "base_rate": _scores(0.175, 0.55, 0.002, 0.5),
            "naive_bayes": _scores(0.137, 0.45, 0.05, 0.85),
        },
        reliability={"kampass": bins, "base_rate": bins[:1], "naive_bayes": bins[1:]},
        model=b"",
        active=active,
    )


def test_model_report_without_a_model_explains_what_is_needed(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("model-report"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="model-empty"' in body
    assert 'data-testid="retrain"' not in body  # viewers may not train


def test_model_report_shows_scores_reliability_and_versions(client, head):
    make_version("wm-old", active=False, days_ago=3)
    make_version("wm-new")
    client.force_login(head)
    response = client.get(reverse("model-report"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Active version wm-new" in body
    assert [s["key"] for s in response.context["scores"]] == ["kampass", "naive_bayes", "base_rate"]
    assert response.context["best"] == "kampass"
    assert "0.0710" in body
    assert "0.175" in body
    spec = response.context["reliability_spec"]
    points = spec["layer"][2]["data"]["values"]
    assert len(points) == 4  # empty bins left out
    assert 'data-testid="reliability-chart"' in body
    assert "vendor/vega/vega-embed.min.js" in body
    assert body.count("<code>wm-") == 2
    assert "Stage" in response.context["features"]
    assert 'data-testid="retrain"' in body


def test_retrain_queues_a_job_once_and_shows_its_progress(client, head, django_capture_on_commit_callbacks):
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("model-retrain"))
    assert response.status_code == 302
    assert response.url.endswith("#training")
    assert len(callbacks) == 1  # the background task is enqueued on commit
    job = TrainingJob.objects.get()
    assert job.created_by == head
    # a second click while it is queued does not queue another one
    client.post(reverse("model-retrain"))
    assert TrainingJob.objects.count() == 1
    # the page polls the job while it runs
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=0.4, message="Training the model")
    body = client.get(reverse("model-report")).content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'value="40"' in body
    assert "Training the model" in body
    response = client.get(reverse("training-job", args=[job.pk]) + "?poll=1", headers=HX)
    assert response.status_code == 200
    assert "HX-Refresh" not in response
    # when it is done the poll reloads the page once to show the new version
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=1.0, scored=7)
    response = client.get(reverse("training-job", args=[job.pk]) + "?poll=1", headers=HX)
    assert response["HX-Refresh"] == "true"
    assert "7 open opportunities scored" in response.content.decode()


def test_failed_training_shows_the_error(client, head):
    TrainingJob.objects.create(
        status=JobStatus.FAILED, error="Too few closed opportunities to train on", created_by=head
    )
    client.force_login(head)
    body = client.get(reverse("model-report")).content.decode()
    assert "The training failed" in body
    assert "Too few closed opportunities" in body


def test_only_head_and_admin_may_retrain(client, kam, viewer, controller, admin_user):
    for user in (kam, viewer, controller):
        client.force_login(user)
        assert client.post(reverse("model-retrain")).status_code == 403
    assert not TrainingJob.objects.exists()
    client.force_login(admin_user)
    assert client.post(reverse("model-retrain")).status_code == 302
    assert TrainingJob.objects.count() == 1


def test_an_active_model_without_a_retraining_job_says_where_it_came_from(client, viewer):
    # given: the active version was trained outside the app (demo or command line), no job ran
    make_version()
    client.force_login(viewer)

    # when
    body = client.get(reverse("model-report")).content.decode()

    # then: not "no training has run yet" beside the active version
    assert "No training has run yet." not in body
    assert 'data-testid="no-retraining-job"' in body
    assert "wm-1a2b3c4d" in body
    assert "outside the app" in body
