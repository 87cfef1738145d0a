"""The programme report PDF is rendered by the worker, at most ``KAMPASS_REPORT_RENDERS_PER_USER`` renders
per user at a time (further requests join the running one or get 429 with Retry-After), and kept in the
report cache by the fingerprint of its inputs: unchanged inputs are served without rendering, a changed
input renders anew, old files are pruned."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kampass.common.models import JobStatus
from kampass.programme import report, report_cache, services
from kampass.programme.models import ReportJob
from kampass.programme.tests.conftest import closed_round
from kampass.roadmap.services import initiative_create, measurement_record


class Renderer:
    """Stands in for the PDF renderer (``report.report_pdf``): counts the renders and returns a small
    PDF naming the inputs it was given."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, *, inputs: report.ReportInputs, progress: Any = None, **_: Any) -> bytes:
        self.calls.append(inputs.fingerprint)
        if progress is not None:
            progress(0.5)
        return f"%PDF-1.7 fake {inputs.lang} {inputs.fingerprint}".encode()


@pytest.fixture
def renderer(monkeypatch) -> Renderer:
    fake = Renderer()
    monkeypatch.setattr(report, "report_pdf", fake)
    return fake


class Reads:
    """Counts the reads of the report's inputs (``report.report_inputs``), the costly part of a request."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        real = report.report_inputs

        def counting(**kwargs: Any) -> report.ReportInputs:
            self.count += 1
            return real(**kwargs)

        monkeypatch.setattr(report, "report_inputs", counting)


@pytest.fixture
def reads(monkeypatch) -> Reads:
    return Reads(monkeypatch)


@pytest.fixture
def round_(head, catalogue):
    return closed_round(head, catalogue)


def run_queued_tasks() -> int:
    """Run the queued renders as the worker would, synchronously (the task of each queued job; tests
    run in a transaction, so the task is enqueued only where a test runs the on-commit callbacks)."""
    from kampass.programme.tasks import render_report

    DBTaskResult.objects.filter(task_path__endswith="render_report").delete()
    queued = [str(pk) for pk in ReportJob.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True)]
    for job_id in queued:
        render_report.call(job_id)
    return len(queued)


def ask_pdf(api, user, lang="en", **params: Any) -> Any:
    query = "&".join([f"lang={lang}", *(f"{k}={v}" for k, v in params.items())])
    return api(user, "get", f"/programme/report.pdf?{query}")


# ---------------------------------------------------------------- rendered in the worker


def test_the_ui_queues_a_render_that_the_worker_runs_and_offers_the_pdf(
    client, viewer, round_, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    # when the viewer asks for the PDF
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programme-report-create"), {"lang": "de"})
    # then the answer comes at once: a job is queued for the worker, nothing is rendered yet
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programme-report", args=[job.pk])
    assert job.status == JobStatus.QUEUED
    assert DBTaskResult.objects.filter(task_path__endswith="render_report").count() == 1
    assert not report_cache.cache_dir().exists() or not list(report_cache.cache_dir().iterdir())
    # and the status page polls (HTMX) and reloads itself without JavaScript
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert 'data-testid="report-progress"' in page
    # when the worker runs the task (the real renderer)
    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.cached) == (JobStatus.DONE, 1.0, False)
    # then the page offers the download and stops polling
    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="download-pdf"' in page
    assert "hx-trigger" not in page
    pdf = client.get(reverse("programme-report-download", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # kept in the data directory, readable by owner and group only
    path = report_cache.path_of(job.fingerprint)
    assert path.read_bytes() == pdf.content
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.parent == Path(report_cache.cache_dir())


def test_the_api_answers_202_with_the_job_then_the_file(
    api, viewer, round_, renderer, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_pdf(api, viewer)
    # then
    assert response.status_code == 202
    doc = response.json()
    assert doc["status"] == "queued"
    assert doc["download_url"] is None
    assert response["Location"] == doc["url"] == f"/api/v1/programme/report-jobs/{doc['id']}"
    assert api(viewer, "get", f"/programme/report-jobs/{doc['id']}/pdf").status_code == 404
    # when the worker has run it
    assert run_queued_tasks() == 1
    done = api(viewer, "get", doc["url"].removeprefix("/api/v1")).json()
    assert (done["status"], done["progress"], done["cached"]) == ("done", 1.0, False)
    pdf = api(viewer, "get", done["download_url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert renderer.calls == [ReportJob.objects.get().fingerprint]


def test_someone_elses_job_is_not_shown(api, client, viewer, kam, round_, renderer):
    job_id = ask_pdf(api, viewer).json()["id"]
    run_queued_tasks()
    assert api(kam, "get", f"/programme/report-jobs/{job_id}").status_code == 403
    assert api(kam, "get", f"/programme/report-jobs/{job_id}/pdf").status_code == 403
    client.force_login(kam)
    assert client.get(reverse("programme-report-download", args=[job_id])).status_code == 403


# ---------------------------------------------------------------- the per-user limit


def test_a_second_render_of_the_same_user_is_refused_with_429_and_retry_after(api, viewer, kam, round_, renderer):
    # given a render of the viewer queued (the worker has not run it yet)
    first = ask_pdf(api, viewer, "en")
    assert first.status_code == 202
    # when the viewer asks for the same report again, it joins the running render
    again = ask_pdf(api, viewer, "en")
    assert again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    # when the viewer asks for another report (other inputs: German)
    refused = ask_pdf(api, viewer, "de")
    # then it is refused, saying when to ask again, and nothing is queued
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "report_render_limit"
    assert int(refused["Retry-After"]) == body["retry_after"] >= 1
    assert "being rendered already" in body["detail"]
    assert body["job_ids"] == [first.json()["id"]]
    assert ReportJob.objects.count() == 1
    # another user is not held up by the viewer's render
    assert ask_pdf(api, kam, "de").status_code == 202
    # once the renders are done, the viewer may ask again: the German report is the one the KAM had rendered
    assert run_queued_tasks() == 2
    assert ask_pdf(api, viewer, "de").status_code == 200
    assert len(renderer.calls) == 2


def test_the_ui_answers_429_with_retry_after_and_a_clear_message(client, viewer, round_, renderer):
    client.force_login(viewer)
    client.post(reverse("programme-report-create"), {"lang": "en"})
    response = client.post(reverse("programme-report-create"), {"lang": "de"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert 'data-testid="report-busy"' in page
    assert "You have 1 report being rendered already" in page
    assert reverse("programme-report", args=[ReportJob.objects.get().pk]) in page
    # in German too
    viewer.language = "de"
    viewer.save()
    german = client.post(reverse("programme-report-create"), {"lang": "de"})
    assert german.status_code == 429
    assert "Sie haben bereits 1 Bericht in Arbeit" in german.content.decode()


def test_the_limit_is_configurable(api, viewer, head, round_, renderer, settings):
    settings.KAMPASS_REPORT_RENDERS_PER_USER = 2
    assert ask_pdf(api, viewer, "en").status_code == 202
    assert ask_pdf(api, viewer, "de").status_code == 202
    # a third one (another round's report) is refused
    other = closed_round(head, report.active_catalogue(), title="Another")
    assert ask_pdf(api, viewer, "en", round_id=other.pk).status_code == 429
    assert sorted(slot or 0 for slot in ReportJob.objects.values_list("slot", flat=True)) == [0, 1]
    assert None not in ReportJob.objects.values_list("slot", flat=True)


def test_retry_after_follows_the_running_render(api, viewer, round_, renderer):
    # given a request of the viewer that is still reading the report's inputs (no fingerprint yet)
    job = ReportJob.objects.create(round=round_, lang="en", created_by=viewer, slot=0)
    # then another request is asked to retry in a second (the first may well be served from the cache)
    assert ask_pdf(api, viewer, "de")["Retry-After"] == "1"
    # given renders timed at 20 s and the viewer's render queued for 5 s
    for seconds in (18.0, 22.0):
        ReportJob.objects.create(round=round_, status=JobStatus.DONE, seconds=seconds, finished_at=timezone.now())
    ReportJob.objects.filter(pk=job.pk).update(
        fingerprint="f" * 64, created_at=timezone.now() - dt.timedelta(seconds=5)
    )
    # then about 15 s
    assert 14 <= int(ask_pdf(api, viewer, "de")["Retry-After"]) <= 15


def test_the_database_holds_one_render_per_slot(viewer, round_):
    ReportJob.objects.create(round=round_, created_by=viewer, slot=0)
    with pytest.raises(IntegrityError):
        ReportJob.objects.create(round=round_, created_by=viewer, slot=0, lang="de")


def test_a_render_lost_by_its_worker_frees_its_place(api, viewer, round_, renderer, settings):
    assert ask_pdf(api, viewer, "en").status_code == 202
    lost = ReportJob.objects.get()
    ReportJob.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.KAMPASS_REPORT_RENDER_TIMEOUT + 1)
    )
    assert ask_pdf(api, viewer, "de").status_code == 202
    lost.refresh_from_db()
    assert lost.status == JobStatus.FAILED
    assert "Not rendered within" in lost.error


# ---------------------------------------------------------------- the cache


def test_unchanged_inputs_are_served_from_the_cache_without_rendering(api, client, viewer, kam, round_, renderer):
    # given a report rendered once
    ask_pdf(api, viewer)
    run_queued_tasks()
    assert len(renderer.calls) == 1
    rendered = report_cache.path_of(ReportJob.objects.get().fingerprint).read_bytes()
    # when it is asked for again, by the API (another user) and the UI
    second = ask_pdf(api, kam)
    client.force_login(viewer)
    page = client.post(reverse("programme-report-create"), {"lang": "en"}, follow=True)
    # then the API answers with the PDF itself, the UI offers it at once, and nothing was rendered or queued
    assert second.status_code == 200
    assert second["Content-Type"] == "application/pdf"
    assert second.content == rendered
    assert 'data-testid="download-pdf"' in page.content.decode()
    assert "served from the cache" in page.content.decode()
    assert run_queued_tasks() == 0
    assert len(renderer.calls) == 1
    assert ReportJob.objects.filter(cached=True).count() == 2


def _change_roadmap(head: Any, round_: Any) -> None:
    initiative_create(actor=head, logic="topics", starts=timezone.localdate())


def _record_guardrail(head: Any, round_: Any) -> None:
    today = timezone.localdate()
    initiative = initiative_create(
        actor=head, logic="commercialisation", owner=head, status="active", starts=today,
        ends=today + dt.timedelta(days=30),
    )  # fmt: skip
    measurement_record(actor=head, initiative=initiative, value=0.05)


def _confirm_phase(head: Any, round_: Any) -> None:
    services.phase_confirm(actor=head, assessment_round=round_, phase="focus", note="Board decision")


def _change_an_answer(head: Any, round_: Any) -> None:
    answer = round_.respondents.filter(submitted_at__isnull=False).first().answers.exclude(rating=None).first()
    answer.rating = 1 if answer.rating != 1 else 5
    answer.save()


def _new_code_version(head: Any, round_: Any) -> None:
    report.code_version.cache_clear()
    report._LIBRARIES = (*report._LIBRARIES, "pytest")


@pytest.mark.parametrize(
    "change", [_change_roadmap, _record_guardrail, _confirm_phase, _change_an_answer, _new_code_version]
)
def test_a_changed_input_renders_anew(api, viewer, head, round_, renderer, reads, change, monkeypatch):
    monkeypatch.setattr(report, "_LIBRARIES", report._LIBRARIES)
    # given a report rendered once and served from the cache the second time, found by the inputs' stamp
    # without reading them
    ask_pdf(api, viewer)
    run_queued_tasks()
    read_before = reads.count
    assert ask_pdf(api, viewer).status_code == 200
    assert len(renderer.calls) == 1
    assert reads.count == read_before
    # when an input changes
    change(head, round_)
    # then the next request reads the inputs and renders anew, and the new PDF is served afterwards
    response = ask_pdf(api, viewer)
    assert response.status_code == 202
    assert reads.count > read_before
    assert run_queued_tasks() == 1
    assert len(renderer.calls) == 2
    assert renderer.calls[0] != renderer.calls[1]
    read_before = reads.count
    assert ask_pdf(api, viewer).content == report_cache.path_of(renderer.calls[1]).read_bytes()
    assert reads.count == read_before
    report.code_version.cache_clear()


def test_an_unchanged_report_is_served_without_reading_its_inputs(api, client, viewer, kam, round_, renderer, reads):
    # given a report rendered once by the worker
    ask_pdf(api, viewer)
    run_queued_tasks()
    assert reads.count == 2  # the request, then the worker
    # when it is asked for again, by another user in the API and in the UI, in the same language
    second = ask_pdf(api, kam)
    client.force_login(viewer)
    page = client.post(reverse("programme-report-create"), {"lang": "en"}, follow=True)
    # then the PDF is served from the cache and the inputs were not read again (their stamp found it)
    assert second.status_code == 200
    assert second.content == report_cache.read(renderer.calls[0])
    assert "served from the cache" in page.content.decode()
    assert reads.count == 2
    assert len(renderer.calls) == 1
    # and another language is another report
    assert ask_pdf(api, viewer, "de").status_code == 202
    assert reads.count == 3


def _rename_a_stage(head: Any) -> None:
    from kampass.pipeline.models import Stage

    stage = Stage.objects.order_by("pk").first()
    assert stage is not None
    Stage.objects.filter(pk=stage.pk).update(name=stage.name + " (renamed)")  # not even a save


def _rename_a_user(head: Any) -> None:
    head.first_name = head.first_name + "x"
    head.save()


def _publish_analytics(head: Any) -> None:
    from kampass.common.analytics import analytics_store

    with analytics_store(write=True):
        pass


@pytest.mark.parametrize("change", [_rename_a_stage, _rename_a_user, _publish_analytics])
def test_the_stamp_of_the_inputs_follows_tables_without_versions_and_the_analytics_store(head, round_, change):
    # given the stamp of the inputs (the analytics store published once)
    report.report_inputs(lang="en")
    before = report.report_inputs_stamp(lang="en")
    assert before is not None
    assert report.report_inputs_stamp(lang="en") == before
    # when
    change(head)
    # then
    assert report.report_inputs_stamp(lang="en") != before


def test_the_stamp_ignores_logins_tokens_and_report_jobs(api, client, head, viewer, round_, renderer):
    report.report_inputs(lang="en")
    before = report.report_inputs_stamp(lang="en")
    # when a user logs in, a token is made and used, a report job is made
    client.force_login(head)
    ask_pdf(api, viewer)
    # then
    assert report.report_inputs_stamp(lang="en") == before


def test_the_language_and_the_round_are_inputs(api, viewer, head, round_, renderer, catalogue):
    older = closed_round(head, catalogue, title="Older round", seed=3)
    for lang, r in (("en", round_), ("de", round_), ("en", older)):
        assert ask_pdf(api, viewer, lang, round_id=r.pk).status_code == 202
        run_queued_tasks()
    assert len(set(renderer.calls)) == 3


def test_the_worker_renders_what_the_inputs_are_when_it_runs(api, viewer, kam, head, round_, renderer):
    # given two users asking for the same report: two jobs, one render
    ask_pdf(api, viewer)
    ask_pdf(api, kam)
    assert run_queued_tasks() == 2
    assert len(renderer.calls) == 1
    assert set(ReportJob.objects.values_list("cached", flat=True)) == {False, True}
    # given a job queued, then an input changes before the worker runs it
    _change_roadmap(head, round_)
    ask_pdf(api, viewer, "de")
    job = ReportJob.objects.get(lang="de")
    _record_guardrail(head, round_)
    run_queued_tasks()
    # then the PDF is kept under the fingerprint of what it was rendered from
    job.refresh_from_db()
    assert job.fingerprint == renderer.calls[-1] == report.report_inputs(lang="de").fingerprint
    assert report_cache.read(job.fingerprint) is not None


def test_a_failed_render_is_reported(api, viewer, round_, monkeypatch):
    def broken(**_: Any) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(report, "report_pdf", broken)
    job_url = ask_pdf(api, viewer).json()["url"].removeprefix("/api/v1")
    run_queued_tasks()
    doc = api(viewer, "get", job_url).json()
    assert (doc["status"], doc["error"], doc["download_url"]) == ("failed", "RuntimeError: no fonts", None)
    assert not list(report_cache.cache_dir().glob("*.pdf"))


def test_a_pruned_pdf_is_asked_for_again(client, viewer, round_, renderer):
    client.force_login(viewer)
    url = client.post(reverse("programme-report-create"), {"lang": "en"})["Location"]
    run_queued_tasks()
    job = ReportJob.objects.get()
    report_cache.path_of(job.fingerprint).unlink()
    page = client.get(url).content.decode()
    assert "no longer kept" in page
    assert 'data-testid="pdf-en"' in page
    assert client.get(reverse("programme-report-download", args=[job.pk])).status_code == 404


# ---------------------------------------------------------------- the cache files


def test_the_cache_prunes_old_and_surplus_files(settings):
    settings.KAMPASS_REPORT_CACHE_DAYS = 30
    settings.KAMPASS_REPORT_CACHE_FILES = 3
    now = time.time()
    fingerprints = [f"{i:064x}" for i in range(6)]
    report_cache.cache_dir().mkdir(parents=True)
    for age_days, fp in zip([0, 1, 2, 3, 40, 50], fingerprints, strict=True):
        path = report_cache.path_of(fp)
        path.write_bytes(b"%PDF")
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))
    stale_temp = report_cache.cache_dir() / ".x.tmp"
    stale_temp.write_bytes(b"")
    os.utime(stale_temp, (now - 7200, now - 7200))
    # when
    removed = report_cache.prune(now=now)
    # then the files older than 30 days go, then the least recently used beyond 3, and dead temporary files
    left = sorted(p.stem for p in report_cache.cache_dir().iterdir())
    assert left == fingerprints[:3]
    assert len(removed) == 4
    # a file read counts as used
    os.utime(report_cache.path_of(fingerprints[0]), (now - 5 * 86400, now - 5 * 86400))
    assert report_cache.read(fingerprints[0]) == b"%PDF"
    assert report_cache.prune(now=now + 1, keep=set()) == []
    report_cache.store(fingerprints[5], b"%PDF")
    assert sorted(p.stem for p in report_cache.cache_dir().iterdir()) == sorted(
        [fingerprints[0], fingerprints[1], fingerprints[5]]
    )


def test_the_cache_files_are_private_and_written_whole(tmp_path, settings):
    settings.KAMPASS_REPORT_CACHE_DIR = str(tmp_path / "cache")
    old = os.umask(0)
    try:
        path = report_cache.store("a" * 64, b"%PDF-1.7")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o750
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    with pytest.raises(ValueError):
        report_cache.path_of("../../etc/passwd")


def test_the_fingerprint_of_unchanged_inputs_is_stable(head, round_, catalogue):
    # given an active initiative of every logic: guardrail readings measured live from the data (read
    # anew, with the time of reading, every time the inputs are read) and stored ones
    today = timezone.localdate()
    for logic in catalogue.logics:
        initiative_create(
            actor=head, logic=logic.key, owner=head, status="active", starts=today,
            ends=today + dt.timedelta(days=90),
        )  # fmt: skip
    first = report.report_inputs(lang="de")
    assert any(g.reading is not None and g.reading.source == "live" for g in first.roadmap.guardrails)
    # when the inputs are read again, nothing changed
    time.sleep(0.01)
    second = report.report_inputs(lang="de")
    # then the fingerprint is the same (else no request would ever be served from the cache)
    assert second.fingerprint == first.fingerprint
    assert report.report_inputs(lang="en").fingerprint != first.fingerprint
