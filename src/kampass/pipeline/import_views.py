"""Pages of the pipeline's file imports: the stage-history upload with the list of pipeline imports, one
import's progress and outcome, and the targets upload of the targets page. Thin views over
:mod:`kampass.pipeline.services.imports`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import form_status, render_page, submit_form
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.common.uploads import upload_refusal
from kampass.pipeline.forms import StageHistoryUploadForm, TargetUploadForm
from kampass.pipeline.models import PipelineImport, PipelineImportKind
from kampass.pipeline.services.imports import pipeline_import_create


def _may_see_imports(user: Any) -> bool:
    return bool(user.has_perm("pipeline.import_opportunities") or user.has_perm("pipeline.add_target"))


def _queued(job: PipelineImport) -> str:
    return _("“%(name)s” is queued for import.") % {"name": job.original_name}


@login_required
@require_http_methods(["GET", "POST"])
def pipeline_imports(request: HttpRequest) -> HttpResponse:
    """Upload a stage-history file (queued as a background import) and follow the pipeline's imports."""
    if not _may_see_imports(request.user):
        raise PermissionDenied
    can_upload = request.user.has_perm("pipeline.import_opportunities")
    form = StageHistoryUploadForm(request.POST or None, request.FILES or None, refusal=upload_refusal(request))
    if request.method == "POST":
        authorize(request.user, "pipeline.import_opportunities")
        done = submit_form(
            request,
            form,
            lambda data: pipeline_import_create(
                actor=request.user,
                kind=PipelineImportKind.STAGE_HISTORY,
                source=data["file"],
                original_name=data["file"].name,
                mapping=data["mapping"],
                date_order=data["date_order"] or "",
                dry_run=data["dry_run"],
                strict=data["strict"],
            ),
            success=_queued,
            next_url=lambda job: reverse("pipeline-import", args=[job.pk]),
        )
        if done:
            return done
    jobs = paginate(request, PipelineImport.objects.select_related("created_by"))
    context = {"form": form, "page": jobs, "can_upload": can_upload}
    return render_page(
        request,
        "pipeline/import_list.html",
        context,
        fragment="pipeline/_import_table.html",
        status=form_status(request, form),
    )


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
