"""API: a plan version as PDF, PPTX or XLSX (``GET /plans/{plan_id}/export``), in German or English."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, Id, InSchema
from kampass.common.api import actor as _actor
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.planning import export_jobs
from kampass.planning.exports import FORMATS, export_plan
from kampass.planning.models import AccountPlan, PlanExportJob

router = Router(tags=["planning"])


class PlanExportIn(InSchema):
    """What to export of a plan version."""

    format: str = Field(..., json_schema_extra={"enum": ["pdf", "pptx", "xlsx"]}, description="pdf, pptx or xlsx.")
    lang: str = Field("", json_schema_extra={"enum": ["", "en", "de"]}, description="Default: the user's language.")
    summary: bool = Field(False, description="PDF only: the one-page summary for the customer review.")


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/plans/{plan_id}/export",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The plan as a file (Content-Disposition names it after the account and version).",
                "content": {content_type: _BINARY for content_type, _ext in FORMATS.values()},
            }
        }
    },
)
def plan_export(request: HttpRequest, plan_id: Id, params: Query[PlanExportIn]) -> HttpResponse:
    """A plan version exported: PDF (the full plan, or with ``summary`` the one-pager for the customer
    review), PPTX (the one-pager as slides) or XLSX (a sheet per section and part), with charts.
    Needs ``planning.view_plan`` on the plan's account."""
    plan = get_object_or_404(AccountPlan.objects.select_related("account", "template", "approved_by"), pk=plan_id)
    authorize(_actor(request), "planning.view_plan", plan.account)
    f = export_plan(plan, fmt=params.format, lang=params.lang or ui_language(), summary=params.summary)
    response = HttpResponse(f.data, content_type=f.content_type)
    response["Content-Disposition"] = content_disposition_header(True, f.filename)
    return response


class PlanExportJobOut(Schema):
    id: str
    plan_id: int
    format: str
    lang: str
    summary: bool
    status: str = Field(description="queued, running, done or failed.")
    percent: int
    filename: str = Field(description="The file's name once it is written (empty before).")
    size: int
    file_url: str | None = Field(description="Where to download the file once it is written (null before).")
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _job_out(job: PlanExportJob) -> dict[str, Any]:
    done = job.status == "done"
    return {
        "id": str(job.pk), "plan_id": job.plan_id, "format": job.fmt, "lang": job.lang, "summary": job.summary,
        "status": job.status, "percent": job.percent, "filename": job.filename, "size": job.size,
        "file_url": f"/api/v1/plan-exports/{job.pk}/file" if done else None,
        "created_at": job.created_at, "finished_at": job.finished_at,
    }  # fmt: skip


@router.post("/plans/{plan_id}/exports", response={202: PlanExportJobOut, **ERRORS})
def plan_export_start(request: HttpRequest, plan_id: Id, payload: PlanExportIn) -> Status[Any]:
    """Ask for a plan version as a file written in the background (the same formats as
    ``GET /plans/{plan_id}/export``); poll ``GET /plan-exports/{id}`` and download ``file_url`` when done."""
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=plan_id)
    job = export_jobs.export_job_start(
        actor=_actor(request), plan=plan, fmt=payload.format, lang=payload.lang or ui_language(),
        summary=payload.summary,
    )  # fmt: skip
    return Status(202, _job_out(job))


def _job(request: HttpRequest, job_id: uuid.UUID) -> PlanExportJob:
    try:
        return export_jobs.export_job_for(_actor(request), job_id)
    except PlanExportJob.DoesNotExist as exc:
        raise Http404 from exc


@router.get("/plan-exports/{job_id}", response={200: PlanExportJobOut, **ERRORS})
def plan_export_job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    """The progress of one export you asked for."""
    return _job_out(_job(request, job_id))


@router.get(
    "/plan-exports/{job_id}/file",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The written file (Content-Disposition names it after the account and version).",
                "content": {content_type: _BINARY for content_type, _ext in FORMATS.values()},
            }
        }
    },
)
def plan_export_file(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The file of an export you asked for, once it is written (404 before, and after it was removed)."""
    _job(request, job_id)
    try:
        job, data = export_jobs.export_job_file(_actor(request), job_id)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    return response
