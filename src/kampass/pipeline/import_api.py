"""JSON API of the pipeline's file imports: upload a stage-history export or a targets file (multipart)
and poll the background import. Stage histories need the right to import opportunities (head of KAM,
administrators), targets the right to set targets; others get 403.

The operations are registered on the pipeline router (``kampass.pipeline.api`` imports this module)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Schema, Status, UploadedFile

from kampass.common.api import ERRORS, InSchema, refused
from kampass.common.api import actor as _actor
from kampass.common.uploads import upload_refusal
from kampass.pipeline.api import router
from kampass.pipeline.importing import LINK_MODES, PREFER
from kampass.pipeline.models import PipelineImport, PipelineImportKind
from kampass.pipeline.services.imports import HISTORY_MAPPINGS, pipeline_import_create


class PipelineImportOut(Schema):
    """A pipeline import: its progress (0..1) and message while it runs; once done the ``result`` (what was
    imported and derived, and the rejected rows with row, column, value and reason)."""

    id: uuid.UUID
    kind: str = Field(description="stage_history, targets or opportunities (uploaded on Pipeline › Imports).")
    status: str
    progress: float
    message: str
    file: str
    mapping: str
    dry_run: bool
    strict: bool
    result: dict[str, Any]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_file(obj: PipelineImport) -> str:
        return obj.original_name


class StageHistoryImportIn(InSchema):
    mapping: str = Field(
        "salesforce",
        description="The built-in mapping the opportunities were imported with: salesforce or generic.",
        json_schema_extra={"enum": list(HISTORY_MAPPINGS)},
    )
    date_order: str = Field(
        "", description="Day/month order of slash dates.", json_schema_extra={"enum": ["", "dmy", "mdy"]}
    )
    strict: bool = Field(False, description="Store nothing if any row is rejected.")
    dry_run: bool = Field(False, description="Read and check, store nothing.")


class OpportunityImportIn(InSchema):
    mapping: str = Field(
        "salesforce",
        description="The column mapping: a built-in one (salesforce, generic) or the name of a mapping saved on "
        "the mapping step of Pipeline › Imports.",
        max_length=100,
    )
    link: str = Field(
        "external_id",
        description="How accounts are found: external_id, name (external id, then name), create (create the "
        "missing ones) or keep (external id, then name; deals without a matching account are kept as "
        "opportunities without an account, GET /unlinked-opportunities).",
        json_schema_extra={"enum": list(LINK_MODES)},
    )
    prefer: str = Field(
        "",
        description="Which field wins where the stage and IsClosed/IsWon contradict (empty: refuse and report).",
        json_schema_extra={"enum": ["", *PREFER]},
    )
    date_order: str = Field(
        "", description="Day/month order of slash dates.", json_schema_extra={"enum": ["", "dmy", "mdy"]}
    )
    strict: bool = Field(False, description="Store nothing if any row is rejected.")
    dry_run: bool = Field(False, description="Read and check, store nothing.")


class TargetImportIn(InSchema):
    dry_run: bool = Field(False, description="Read and check, store nothing.")


def _file_refused(request: HttpRequest) -> None:
    refusal = upload_refusal(request)
    if refusal is not None:
        from django.core.exceptions import ValidationError

        from kampass.common.import_limits import limit_message

        raise ValidationError({"file": limit_message(refusal)})


@router.post(
    "/stage-history-imports",
    response={202: PipelineImportOut, **ERRORS},
    openapi_extra=refused("a file over the configured import limits"),
)
def stage_history_import_create(
    request: HttpRequest, file: File[UploadedFile], options: Form[StageHistoryImportIn]
) -> Status[Any]:
    """Upload a stage-history export (CSV, e.g. Salesforce OpportunityHistory: OpportunityId, StageName,
    CreatedDate, Amount, CloseDate, Probability) of opportunities already imported and queue its import;
    poll ``GET /pipeline-imports/{id}``. The result says what was recorded and what was derived."""
    _file_refused(request)
    job = pipeline_import_create(
        actor=_actor(request), kind=PipelineImportKind.STAGE_HISTORY, source=file,
        original_name=file.name or "history.csv", mapping=options.mapping, date_order=options.date_order,
        dry_run=options.dry_run, strict=options.strict,
    )  # fmt: skip
    return Status(202, job)


@router.post(
    "/opportunity-imports",
    response={202: PipelineImportOut, **ERRORS},
    openapi_extra=refused("a file over the configured import limits"),
)
def opportunity_import_create(
    request: HttpRequest, file: File[UploadedFile], options: Form[OpportunityImportIn]
) -> Status[Any]:
    """Upload a CRM export of opportunities (CSV, as ``kampass import opportunities``) and queue its import;
    poll ``GET /pipeline-imports/{id}``. The result counts what was created, updated, rejected and (``link=keep``)
    kept as opportunities without an account (``unlinked``)."""
    _file_refused(request)
    job = pipeline_import_create(
        actor=_actor(request), kind=PipelineImportKind.OPPORTUNITIES, source=file,
        original_name=file.name or "opportunities.csv", mapping=options.mapping, link=options.link,
        prefer=options.prefer, date_order=options.date_order, dry_run=options.dry_run, strict=options.strict,
    )  # fmt: skip
    return Status(202, job)


@router.post(
    "/targets/imports",
    response={202: PipelineImportOut, **ERRORS},
    openapi_extra=refused("a file over the configured import limits"),
)
def target_import_create(request: HttpRequest, file: File[UploadedFile], options: Form[TargetImportIn]) -> Status[Any]:
    """Upload a targets file (CSV: owner, team or account, period, amount, currency, category) and queue its
    import; poll ``GET /pipeline-imports/{id}``. Atomic; a target for the same subject and period is updated."""
    _file_refused(request)
    job = pipeline_import_create(
        actor=_actor(request), kind=PipelineImportKind.TARGETS, source=file,
        original_name=file.name or "targets.csv", dry_run=options.dry_run,
    )  # fmt: skip
    return Status(202, job)


@router.get("/pipeline-imports/{job_id}", response={200: PipelineImportOut, **ERRORS})
def pipeline_import_detail(request: HttpRequest, job_id: uuid.UUID) -> PipelineImport:
    """Status, progress and outcome of one stage-history or targets import."""
    user = _actor(request)
    if not (user.has_perm("pipeline.import_opportunities") or user.has_perm("pipeline.add_target")):
        raise PermissionDenied
    return get_object_or_404(PipelineImport, pk=job_id)
