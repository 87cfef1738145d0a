"""Pages of the master-data imports: upload, map the columns with a preview, follow the run, download the
rejected rows. Thin views over :mod:`kampass.common.imports.services`."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.htmx import apply_validation_error, form_status, render_page, submit_form
from kampass.common.imports.forms import ColumnsForm, DataUploadForm
from kampass.common.imports.registry import importer_for
from kampass.common.imports.services import (
    import_preview,
    import_run_create,
    import_run_start,
    importable_kinds,
    mapping_names,
    mapping_save,
)
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.models import ImportRun, UploadStatus
from kampass.common.pagination import paginate
from kampass.common.uploads import upload_refusal
from kampass.core.text_safety import neutralise_row


def _runs_of(user: Any) -> Any:
    runs = ImportRun.objects.select_related("created_by")
    return runs if user.has_perm("users.manage_users") else runs.filter(created_by=user)


def _run(request: HttpRequest, pk: Any) -> ImportRun:
    return get_object_or_404(_runs_of(request.user), pk=pk)


def _run_columns() -> list[Column[ImportRun]]:
    """The columns of the import list as a file, in the active language."""
    return [
        Column(_("File"), lambda run: run.original_name),
        Column(_("Kind"), lambda run: run.kind),
        Column(_("Started"), lambda run: run.created_at),
        Column(_("By"), lambda run: str(run.created_by) if run.created_by_id else None),
        Column(_("Status"), lambda run: run.get_status_display()),
        Column(_("dry run"), lambda run: run.dry_run),
        Column(_("Outcome"), lambda run: run.error if run.status == UploadStatus.FAILED else run.message),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def data_imports(request: HttpRequest) -> HttpResponseBase:
    """Upload a master-data file (it is kept as a draft to be mapped) and list the imports
    (``?export=csv|xlsx``: the listed imports as a file)."""
    importers = importable_kinds(request.user)
    if not importers:
        raise PermissionDenied
    if request.method == "GET" and export_format(request) is not None:
        return export_response(request, stem="data-imports", columns=_run_columns(), rows=_runs_of(request.user))
    form = DataUploadForm(
        request.POST or None, request.FILES or None, importers=importers, refusal=upload_refusal(request),
        initial={"kind": request.GET.get("kind", importers[0].kind)},
    )  # fmt: skip
    if request.method == "POST":
        done = submit_form(
            request,
            form,
            lambda data: import_run_create(
                actor=request.user,
                kind=data["kind"],
                source=data["file"],
                original_name=data["file"].name,
                mapping=data["mapping"].strip() or "generic",
            ),
            success=lambda run: _("“%(name)s” is uploaded: check the columns.") % {"name": run.original_name},
            next_url=lambda run: reverse("data-import-map", args=[run.pk]),
        )
        if done:
            return done
    context = {
        "form": form,
        "page": paginate(request, _runs_of(request.user)),
        "importers": importers,
        "mappings": {i.kind: mapping_names(i.kind) for i in importers},
    }
    return render_page(request, "common/data_imports.html", context, status=form_status(request, form))


@login_required
@require_http_methods(["GET", "POST"])
def data_import_map(request: HttpRequest, pk: Any) -> HttpResponse:
    """The mapping step: a column per field (suggested), the first rows as they will be stored; then check
    (dry run) or import, and optionally save the mapping under a name."""
    run = _run(request, pk)
    if run.status not in (UploadStatus.DRAFT, UploadStatus.DONE) or (
        run.status == UploadStatus.DONE and not run.dry_run
    ):
        return redirect("data-import", pk=run.pk)
    importer = importer_for(run.kind)
    try:
        preview = import_preview(actor=request.user, run=run)
    except (ValidationError, OSError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("data-imports")
    initial = {f"col_{name}": column for name, column in preview.columns.items()}
    form = ColumnsForm(request.POST or None, importer=importer, header=preview.header, initial=initial)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        if form.is_valid():
            columns = form.columns()
            try:
                if action == "save" or form.cleaned_data["mapping_name"]:
                    saved = mapping_save(
                        actor=request.user, kind=run.kind, name=form.cleaned_data["mapping_name"], columns=columns
                    )
                    messages.success(request, _("Mapping “%(name)s” saved.") % {"name": saved.name})
                if action in ("dry_run", "import"):
                    import_run_start(
                        actor=request.user, run=run, columns=columns, dry_run=action == "dry_run",
                        strict=form.cleaned_data["strict"],
                    )  # fmt: skip
                    return redirect("data-import", pk=run.pk)
                preview = import_preview(actor=request.user, run=run, columns=columns)
            except ValidationError as exc:
                apply_validation_error(form, exc)
                status = 422
        else:
            status = 422
    mapped = [i for i, spec in enumerate(preview.fields) if spec.name in preview.columns]
    context = {
        "run": run,
        "form": form,
        "preview": preview,
        "importer": importer,
        "field_rows": [(spec, form[f"col_{spec.name}"]) for spec in preview.fields],
        "mapped_specs": [preview.fields[i] for i in mapped],
        "preview_rows": [(line, [values[i] for i in mapped]) for line, values in preview.rows],
    }
    return render_page(request, "common/data_import_map.html", context, status=status)


@login_required
def data_import(request: HttpRequest, pk: Any) -> HttpResponse:
    """One import: progress while it runs (polled), then what was created, updated and rejected."""
    run = _run(request, pk)
    context = {
        "run": run,
        "rejects": (run.outcome.get("rejects") or [])[:200],
        "more_rejects": max(0, len(run.outcome.get("rejects") or []) - 200),
        "importer": importer_for(run.kind),
    }
    return render_page(request, "common/data_import.html", context, fragment="common/_data_import_run.html")


@login_required
def data_import_rejects(request: HttpRequest, pk: Any) -> HttpResponse:
    """The rejected rows of an import as CSV (row, column, value, reason; formulas neutralised)."""
    run = _run(request, pk)
    rejects = run.outcome.get("rejects") or []
    if not rejects:
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Reason")])
    for r in rejects:
        writer.writerow(neutralise_row([r["row"], r["column"], r["value"], r["reason"]]))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejects-{run.kind}-{run.created_at:%Y-%m-%d}.csv"'
    return response
