"""Pages of the pipeline's file imports: the stage-history upload with the list of pipeline imports, one
import's progress and outcome, and the targets upload of the targets page. Thin views over
:mod:`kampass.pipeline.services.imports`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import apply_validation_error, form_status, render_page, submit_form
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.models import JobStatus, UploadStatus
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.common.uploads import upload_refusal
from kampass.pipeline.forms import (
    OPPORTUNITY_FIELD_LABELS,
    OpportunityColumnsForm,
    OpportunityUploadForm,
    StageHistoryUploadForm,
    TargetUploadForm,
)
from kampass.pipeline.models import PipelineImport, PipelineImportKind
from kampass.pipeline.services.imports import (
    kept_for_import,
    opportunity_import_after_dry_run,
    opportunity_import_discard,
    opportunity_import_preview,
    opportunity_import_start,
    opportunity_mapping_save,
    pipeline_import_create,
)

#: the values the mapping step's preview shows of each row, as they will be stored
PREVIEW_COLUMNS = (
    ("external_id", gettext_lazy("Id")),
    ("name", gettext_lazy("Opportunity")),
    ("account", gettext_lazy("Account")),
    ("amount", gettext_lazy("Amount")),
    ("stage", gettext_lazy("Stage")),
    ("outcome", gettext_lazy("Outcome")),
    ("created_on", gettext_lazy("Opened")),
    ("close_date", gettext_lazy("Close date")),
    ("probability", gettext_lazy("Probability")),
    ("forecast_category", gettext_lazy("Forecast category")),
    ("owner", gettext_lazy("Owner")),
)
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
    """Queue the uploaded file of a valid ``form`` as a background import of ``kind``; ``None`` when the form
    is not valid. An opportunity file (``opportunities``, with the link and contradiction choices) is kept as a
    draft and the user goes on to its mapping step."""

    def create(data: dict[str, Any]) -> Any:
        extra = {"link": data["link"], "prefer": data["prefer"] or "", "draft": True} if opportunities else {}
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

    if opportunities:
        return submit_form(
            request, form, create,
            success=lambda job: _("“%(name)s” is uploaded: check the columns.") % {"name": job.original_name},
            next_url=lambda job: reverse("opportunity-import-map", args=[job.pk]),
        )  # fmt: skip
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
@require_http_methods(["GET", "POST"])
def opportunity_import_map(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """The mapping step of an opportunity upload: the file's column per field (suggested from the chosen
    mapping and the fields' English and German names), the first rows as they will be stored; then save the
    columns as a named mapping, or start the import (or its dry run) with them."""
    authorize(request.user, "pipeline.import_opportunities")
    job = get_object_or_404(PipelineImport, pk=pk, kind=PipelineImportKind.OPPORTUNITIES)
    if job.status != UploadStatus.DRAFT:
        return redirect("pipeline-import", pk=job.pk)
    options = {"link": job.link or "external_id", "prefer": job.prefer, "date_order": job.date_order}
    try:
        preview = opportunity_import_preview(
            actor=request.user, job=job, link=options["link"], prefer=options["prefer"], date_order=job.date_order
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pipeline-imports")
    initial = {
        **{f"col_{f}": c for f, c in preview.columns.items()}, **options, "strict": job.strict, "dry_run": job.dry_run,
    }  # fmt: skip
    form = OpportunityColumnsForm(request.POST or None, header=preview.header, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data, columns = form.cleaned_data, form.columns()
            chosen = {"link": data["link"], "prefer": data["prefer"] or "", "date_order": data["date_order"] or ""}
            action = request.POST.get("action", "preview")
            try:
                if action == "save":
                    saved = opportunity_mapping_save(
                        actor=request.user, name=data["mapping_name"], columns=columns, base=job.mapping
                    )
                    messages.success(request, _("Mapping “%(name)s” saved.") % {"name": saved.name})
                elif action == "discard":
                    opportunity_import_discard(actor=request.user, job=job)
                    messages.success(request, _("“%(name)s” is discarded.") % {"name": job.original_name})
                    return redirect("pipeline-imports")
                elif action == "start":
                    job = opportunity_import_start(
                        actor=request.user, job=job, columns=columns, dry_run=data["dry_run"], strict=data["strict"],
                        **chosen,
                    )  # fmt: skip
                    messages.success(request, _queued(job))
                    return redirect("pipeline-import", pk=job.pk)
                status = 200
            except ValidationError as exc:
                apply_validation_error(form, exc)
                _mark_missing(form, columns)
            try:
                preview = opportunity_import_preview(actor=request.user, job=job, columns=columns, **chosen)
            except ValidationError as exc:
                apply_validation_error(form, exc)
                status = 422
    context = {
        "job": job,
        "form": form,
        "preview": preview,
        "mapping_title": job.mapping,
        "missing_labels": [str(OPPORTUNITY_FIELD_LABELS[f]) for f in preview.missing],
        "preview_columns": PREVIEW_COLUMNS,
        "preview_rows": [
            (
                row.line,
                [row.values.get(key, "") for key, _label in PREVIEW_COLUMNS] if row.values else None,
                row.problems,
            )
            for row in preview.rows
        ],
    }
    return render_page(request, "pipeline/opportunity_import_map.html", context, status=status)


def _mark_missing(form: OpportunityColumnsForm, columns: dict[str, str]) -> None:
    """Put "choose a column" on the select of every required field left without one."""
    from kampass.pipeline.importing import REQUIRED

    for f in REQUIRED:
        if f not in columns and not form.has_error(f"col_{f}"):
            form.add_error(f"col_{f}", _("Choose the column that holds this field."))


@login_required
def pipeline_import(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """One pipeline import: progress while it runs (polled), then what was imported, derived and refused;
    an opportunity upload still being mapped goes to its mapping step."""
    if not _may_see_imports(request.user):
        raise PermissionDenied
    job = get_object_or_404(PipelineImport.objects.select_related("created_by"), pk=pk)
    if job.status == UploadStatus.DRAFT and request.user.has_perm("pipeline.import_opportunities"):
        return redirect("opportunity-import-map", pk=job.pk)
    context = {
        "job": job,
        "rejects": (job.result.get("rejects") or [])[:200],
        "may_import_now": bool(
            job.status == JobStatus.DONE
            and job.file_path
            and kept_for_import(job)
            and request.user.has_perm("pipeline.import_opportunities")
        ),
    }
    return render_page(request, "pipeline/import_detail.html", context, fragment="pipeline/_import_job.html")


@login_required
@require_http_methods(["POST"])
def opportunity_import_now(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """Import for real what a dry run of the mapping step checked (same file, columns and options)."""
    job = get_object_or_404(PipelineImport, pk=pk)
    try:
        new = opportunity_import_after_dry_run(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pipeline-import", pk=job.pk)
    messages.success(request, _queued(new))
    return redirect("pipeline-import", pk=new.pk)


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
