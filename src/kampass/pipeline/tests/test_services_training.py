"""Training jobs: one retraining at a time, in the service, so the UI, the API and the CLI obey it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kampass.common.models import JobStatus
from kampass.pipeline.models import TrainingJob
from kampass.pipeline.services import TrainingAlreadyQueued, training_job_create

pytestmark = pytest.mark.django_db


def test_a_second_retraining_is_refused_while_one_is_queued(head):
    # given: a queued retraining
    first = training_job_create(actor=head, enqueue=False)
    # when: another one is asked for
    with pytest.raises(TrainingAlreadyQueued) as refusal:
        training_job_create(actor=head, enqueue=False)
    # then: nothing more is queued and the refusal names the queued job
    assert refusal.value.job == first
    assert refusal.value.code == "training_running"
    assert TrainingJob.objects.count() == 1


def test_a_running_retraining_blocks_and_a_finished_one_does_not(head):
    # given: a running job
    job = training_job_create(actor=head, enqueue=False)
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    with pytest.raises(TrainingAlreadyQueued):
        training_job_create(actor=head, enqueue=False)
    # when: it has failed (or finished)
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    # then: a new one may be queued
    assert training_job_create(actor=head, enqueue=False).status == JobStatus.QUEUED
    assert TrainingJob.objects.count() == 2


def test_the_api_answers_409_with_the_queued_job(api, head, django_capture_on_commit_callbacks):
    # given: a retraining queued through the UI
    client_job = training_job_create(actor=head, enqueue=False)
    # when: the API asks for another one
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(head, "post", "/model/train")
    # then: 409, with the code and the job; nothing queued or enqueued
    assert response.status_code == 409
    body = response.json()
    assert body == {
        "detail": "A retraining is already queued or running.",
        "code": "training_running",
        "job_id": str(client_job.pk),
    }
    assert TrainingJob.objects.count() == 1
    assert callbacks == []


def test_the_api_refusal_is_translated(api, head):
    head.language = "de"
    head.save()
    training_job_create(actor=head, enqueue=False)
    response = api(head, "post", "/model/train")
    assert response.status_code == 409
    assert response.json()["detail"] == "Ein Training ist bereits eingeplant oder läuft."


def test_the_page_obeys_the_same_rule_as_the_api(client, head):
    # given: a retraining queued through the API
    training_job_create(actor=head, enqueue=False)
    client.force_login(head)
    # when: the page asks for another one
    response = client.post(reverse("model-retrain"), follow=True)
    # then: it says so and queues nothing
    assert "A retraining is already queued or running." in response.content.decode()
    assert TrainingJob.objects.count() == 1


def test_the_command_line_obeys_the_same_rule(head):
    # given: a retraining queued through the UI
    from django.core.management import CommandError, call_command

    training_job_create(actor=head, enqueue=False)
    # when / then: the command refuses with the message and queues nothing
    with pytest.raises(CommandError, match="A retraining is already queued or running"):
        call_command("forecast", "train", "--quiet")
    assert TrainingJob.objects.count() == 1


def test_a_stored_model_is_deserialised_once_per_process(db, monkeypatch):
    # given: a stored version and a counting deserialiser
    from django.utils import timezone

    from kampass.core.forecasting import WinModel
    from kampass.pipeline.models import ModelVersion
    from kampass.pipeline.services import model as model_services

    loads = []

    def from_bytes(blob):
        loads.append(blob)
        return object()

    monkeypatch.setattr(WinModel, "from_bytes", staticmethod(from_bytes))
    version = ModelVersion.objects.create(version="wm-cache", trained_at=timezone.now(), training_rows=1, model=b"x")

    # when: the model is asked for twice, then the version is stored again (a retraining)
    first = model_services._loaded_model(version.pk)
    again = model_services._loaded_model(version.pk)
    ModelVersion.objects.filter(pk=version.pk).update(trained_at=timezone.now() + dt.timedelta(seconds=1), model=b"y")
    fresh = model_services._loaded_model(version.pk)

    # then
    assert first is again
    assert fresh is not first
    assert loads == [b"x", b"y"]
    assert model_services._loaded_model(version.pk + 999) is None
