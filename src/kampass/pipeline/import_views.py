"""Pages of the pipeline's file imports: the stage-history upload with the list of pipeline imports, one
import's progress and outcome, and the targets upload of the targets page. Thin views over
:mod:`kampass.pipeline.services.imports`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import form_status, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.common.uploads import upload_refusal
from kampass.pipeline.forms import OpportunityUploadForm, StageHistoryUploadForm, TargetUploadForm
from kampass.pipeline.models import PipelineImport, PipelineImportKind
from kampass.pipeline.services.imports import pipeline_import_create

#: the ids of the opportunity upload's fields (the stage-history form on the same page has the default ``id_*``)
OPPORTUNITY_IDS = "id_opp_%s"


def _may_see_imports(user: Any) -> bool:
    return bool(user.has_perm("pipeline.import_opportunities") or user.has_perm("pipeline.add_target"))


def _queued(job: PipelineImport) -> str:
    return _("“%(name)s” is queued for import.") % {"name": job.original_name}


def _import_columns() -> list[Column[PipelineImport]]:
    """The columns of the import list as a file, in the active language."""
    return [
        Column(_("File"), lambda job: job.original_name),
        Column(_("Kind"), lambda job: job.get_kind_display()),
        Column(_("Started"), lambda job: job.created_at),
        Column(_("By"), lambda job: str(job.created_by) if job.created_by_id else None),
        Column(_("Status"), lambda job: job.get_status_display()),
        Column(_("Outcome"), lambda job: job.error if job.status == "failed" else job.message),
    ]


def _imports_page(
    request: HttpRequest,
    *,
    history_form: StageHistoryUploadForm | None = None,
    opportunity_form: OpportunityUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The imports page: the upload forms (for those who may import) and the list of imports."""
    jobs = paginate(request, PipelineImport.objects.select_related("created_by"))
    context = {
        "form": history_form or StageHistoryUploadForm(),
        "opportunity_form": opportunity_form or OpportunityUploadForm(auto_id=OPPORTUNITY_IDS),
        "page": jobs,
        "can_upload": request.user.has_perm("pipeline.import_opportunities"),
    }
    return render_page(
        request, "pipeline/import_list.html", context, fragment="pipeline/_import_table.html", status=status
    )


def _queue_upload(
    request: HttpRequest, form: Any, kind: str, *, opportunities: bool = False
) -> HttpResponseBase | None:
    """Queue the uploaded file of a valid ``form`` as a background import of ``kind`` (with the opportunity
    import's link and duplicate choices when ``opportunities``); ``None`` when the form is not valid."""

    def create(data: dict[str, Any]) -> Any:
        extra = {"link": data["link"], "prefer": data["prefer"] or ""} if opportunities else {}
        return pipeline_import_create(
            actor=request.user,
            kind=kind,
            source=data["file"],
            original_name=data["file"].name,
            mapping=data["mapping"],
            date_order=data["date_order"] or "",
            dry_run=data["dry_run"],
            strict=data["strict"],
            **extra,
        )

    return submit_form(
        request, form, create, success=_queued, next_url=lambda job: reverse("pipeline-import", args=[job.pk])
    )


@login_required
@require_http_methods(["GET", "POST"])
def pipeline_imports(request: HttpRequest) -> HttpResponseBase:
    """Upload a stage-history file (queued as a background import) and follow the pipeline's imports
    (``?export=csv|xlsx``: the list of imports as a file)."""
    if not _may_see_imports(request.user):
        raise PermissionDenied
    imports = PipelineImport.objects.select_related("created_by")
    if request.method == "GET" and export_format(request) is not None:
        return export_response(request, stem="pipeline-imports", columns=_import_columns(), rows=imports)
    form = StageHistoryUploadForm(request.POST or None, request.FILES or None, refusal=upload_refusal(request))
    if request.method == "POST":
        authorize(request.user, "pipeline.import_opportunities")
        done = _queue_upload(request, form, PipelineImportKind.STAGE_HISTORY)
        if done:
            return done
        return _imports_page(request, history_form=form, status=form_status(request, form))
    return _imports_page(request)


@login_required
@require_http_methods(["POST"])
def opportunity_import(request: HttpRequest) -> HttpResponseBase:
    """Upload a CRM export of opportunities, queued as a background import (how accounts are linked, deals
    without a matching account kept as unlinked opportunities included)."""
    authorize(request.user, "pipeline.import_opportunities")
    form = OpportunityUploadForm(
        request.POST or None, request.FILES or None, refusal=upload_refusal(request), auto_id=OPPORTUNITY_IDS
    )
    done = _queue_upload(request, form, PipelineImportKind.OPPORTUNITIES, opportunities=True)
    if done:
        return done
    return _imports_page(request, opportunity_form=form, status=form_status(request, form))


@login_required
def pipeline_import(request: HttpRequest, pk: Any) -> HttpResponse:
    """One pipeline import: progress while it runs (polled), then what was imported, derived and refused."""
    if not _may_see_imports(request.user):
        raise PermissionDenied
    job = get_object_or_404(PipelineImport.objects.select_related("created_by"), pk=pk)
    context = {"job": job, "rejects": (job.result.get("rejects") or [])[:200]}
    return render_page(request, "pipeline/import_detail.html", context, fragment="pipeline/_import_job.html")


@login_required
@require_http_methods(["POST"])
def target_import(request: HttpRequest) -> HttpResponse:
    """The targets page's upload: queue the file's import and show its progress and outcome."""
    authorize(request.user, "pipeline.add_target")
    form = TargetUploadForm(request.POST or None, request.FILES or None, refusal=upload_refusal(request))
    done = submit_form(
        request,
        form,
        lambda data: pipeline_import_create(
            actor=request.user,
            kind=PipelineImportKind.TARGETS,
            source=data["file"],
            original_name=data["file"].name,
            dry_run=data["dry_run"],
        ),
        success=_queued,
        next_url=lambda job: reverse("pipeline-import", args=[job.pk]),
    )
    if done:
        return done
    return render_page(
        request, "pipeline/target_import.html", {"form": form}, fragment="pipeline/_target_import_form.html", status=422
    )
