"""What every piece of background work shares (:class:`kampass.common.models.BackgroundRun`): the run moves
on with ``mark`` and ``report``, each one UPDATE of the fields it names, so what another writer stored
meanwhile stays; a finished run gets its end time; every job model of kampass is one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from kampass.common.models import BackgroundRun, ImportRun, JobStatus, ProgressRun, UploadStatus

pytestmark = pytest.mark.django_db


def _run() -> ImportRun:
    return ImportRun.objects.create(kind="accounts", original_name="accounts.csv", status=UploadStatus.QUEUED)


def test_mark_stores_only_the_named_fields_and_leaves_what_others_wrote():
    # given a queued run whose outcome another writer stores after this object was read
    run = _run()
    ImportRun.objects.filter(pk=run.pk).update(outcome={"created": 3})
    # when the run is marked running
    run.mark(JobStatus.RUNNING, progress=0.0)
    # then the status is stored and on the object, the other writer's outcome is kept, no end time yet
    stored = ImportRun.objects.get(pk=run.pk)
    assert (stored.status, run.status, stored.outcome, stored.finished_at) == (
        "running",
        "running",
        {"created": 3},
        None,
    )
    assert (run.active, run.finished) == (True, False)


def test_a_finished_run_gets_its_end_time_and_a_message_fits_its_column():
    # given a running run
    run = _run()
    run.mark(JobStatus.RUNNING)
    before = timezone.now()
    # when it fails with a long message
    run.mark(JobStatus.FAILED, error="x" * 3000, message="m" * 700)
    # then the whole error, the message cut to 500 characters and the end time are stored
    stored = ImportRun.objects.get(pk=run.pk)
    assert (len(stored.error), len(stored.message), stored.status) == (3000, 500, "failed")
    assert stored.finished_at is not None
    assert stored.finished_at >= before
    assert (run.active, run.finished) == (False, True)
    # and an end time given is kept
    day = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    run.mark(JobStatus.DONE, finished_at=day)
    assert ImportRun.objects.get(pk=run.pk).finished_at == day


@pytest.mark.parametrize(("fraction", "stored"), [(-0.5, 0.0), (0.25, 0.25), (1.7, 1.0)])
def test_report_keeps_progress_between_0_and_1(fraction: float, stored: float):
    run = _run()
    run.report(fraction, "reading rows")
    row = ImportRun.objects.get(pk=run.pk)
    assert (row.progress, row.message, run.progress, run.percent) == (
        stored,
        "reading rows",
        stored,
        round(stored * 100),
    )
    # a report without a message keeps the last one
    run.report(0.5)
    assert ImportRun.objects.get(pk=run.pk).message == "reading rows"


def test_every_job_model_is_a_background_run():
    # the models that follow background work (the pages poll them) share the base: by their fields
    jobs = {
        model._meta.label
        for model in apps.get_models()
        if {"status", "finished_at", "created_by"} <= {f.name for f in model._meta.get_fields()}
    }
    assert jobs == {m._meta.label for m in apps.get_models() if issubclass(m, BackgroundRun)}, (
        "a job model that does not inherit BackgroundRun"
    )
    assert {m._meta.label for m in apps.get_models() if issubclass(m, BackgroundRun)} >= {
        "common.ImportRun", "commercial.ImportJob", "programme.ReportJob", "planning.PlanExportJob",
        "planning.HealthRun", "pipeline.TrainingJob", "pipeline.BacktestRun", "pipeline.PipelineImport",
    }  # fmt: skip
    assert issubclass(ImportRun, ProgressRun)
