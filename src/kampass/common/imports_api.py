"""JSON API of the master-data imports: upload a file of accounts, contacts, users, org units or account
teams (multipart) and poll its background run; list the mappings an upload may name. Each kind needs its
own right (accounts and contacts: head of KAM, administrators, key account managers; users and org
units: administrators; account teams: head of KAM and administrators); others get 403."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from kampass.common.api import ERRORS, InSchema, actor, refused
from kampass.common.import_limits import limit_message
from kampass.common.imports.registry import kinds
from kampass.common.imports.services import import_run_create, import_run_start, importable_kinds, mapping_names
from kampass.common.models import ImportRun
from kampass.common.uploads import upload_refusal

router = Router(tags=["data imports"])


class DataImportOut(Schema):
    """A master-data import: progress (0..1) and message while it runs; once done the ``outcome``
    (``created``, ``updated``, ``unchanged``, ``rejected`` rows and ``rejects`` with row, column, value and
    reason; the same keys as ``kampass import KIND FILE --json``)."""

    id: uuid.UUID
    kind: str
    status: str = Field(description="draft, queued, running, done or failed.")
    progress: float
    message: str
    file: str
    mapping: str
    columns: dict[str, str] = Field(description="The file's column per field.")
    dry_run: bool
    strict: bool
    outcome: dict[str, Any]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_file(obj: ImportRun) -> str:
        return obj.original_name


class DataImportIn(InSchema):
    kind: str = Field(description="What the file holds.", json_schema_extra={"enum": [*kinds()]})
    mapping: str = Field(
        "generic", max_length=100,
        description="generic (columns suggested from their names), salesforce, hubspot, or a saved mapping's name.",
    )  # fmt: skip
    dry_run: bool = Field(False, description="Check everything the import checks; store nothing.")
    strict: bool = Field(False, description="Store nothing if any row is rejected.")


class MappingsIn(InSchema):
    kind: str = Field(description="The kind of import.", json_schema_extra={"enum": [*kinds()]})


class MappingsOut(Schema):
    kind: str
    names: list[str]


@router.post(
    "/data-imports",
    response={202: DataImportOut, **ERRORS},
    openapi_extra=refused(
        "a file over the configured import limits or no readable table; a mapping of that name does not exist; "
        "a required field has no column"
    ),
)
def data_import_create(request: HttpRequest, file: File[UploadedFile], options: Form[DataImportIn]) -> Status[Any]:
    """Upload a CSV or XLSX file of ``kind`` and queue its import (or dry run) with the columns of ``mapping``;
    poll ``GET /data-imports/{id}``."""
    refusal = upload_refusal(request)
    if refusal is not None:
        raise ValidationError({"file": limit_message(refusal)})
    user = actor(request)
    run = import_run_create(
        actor=user, kind=options.kind, source=file, original_name=file.name or "upload.csv", mapping=options.mapping
    )
    run = import_run_start(actor=user, run=run, dry_run=options.dry_run, strict=options.strict)
    return Status(202, run)


@router.get("/data-imports/{run_id}", response={200: DataImportOut, **ERRORS})
def data_import_detail(request: HttpRequest, run_id: uuid.UUID) -> ImportRun:
    """Status, progress and outcome of one master-data import (your own; administrators see all)."""
    user = actor(request)
    runs = ImportRun.objects.all() if user.has_perm("users.manage_users") else ImportRun.objects.filter(created_by=user)
    return get_object_or_404(runs, pk=run_id)


@router.get("/import-mappings", response={200: MappingsOut, **ERRORS})
def import_mappings(request: HttpRequest, filters: Query[MappingsIn]) -> dict[str, Any]:
    """The mappings an upload of ``kind`` may name: generic, the built-in ones and the saved ones."""
    if filters.kind not in {i.kind for i in importable_kinds(actor(request))}:
        raise PermissionDenied
    return {"kind": filters.kind, "names": mapping_names(filters.kind)}
