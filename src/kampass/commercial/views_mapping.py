"""The mapping step of a transactions upload (thin view over :mod:`kampass.commercial.services_mapping`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kampass.commercial.forms import InvoiceColumnsForm
from kampass.commercial.models import ImportJob
from kampass.commercial.services_mapping import (
    PERMISSION,
    import_job_discard,
    import_job_preview,
    import_job_start,
    invoice_mapping_save,
    reason_text,
)
from kampass.common.htmx import apply_validation_error, render_page
from kampass.common.models import UploadStatus
from kampass.common.permissions import authorize

#: the values the preview shows of each line, as they will be stored
PREVIEW_COLUMNS = (
    ("invoice_no", gettext_lazy("Invoice number")),
    ("invoice_date", gettext_lazy("Invoice date")),
    ("customer_id", gettext_lazy("Customer number")),
    ("stock_code", gettext_lazy("Stock code")),
    ("description", gettext_lazy("Description")),
    ("quantity", gettext_lazy("Quantity")),
    ("unit_price", gettext_lazy("Unit price")),
    ("amount", gettext_lazy("Amount")),
    ("currency", gettext_lazy("Currency")),
    ("category", gettext_lazy("Category")),
)
_NUMBERS = ("quantity", "unit_price", "amount")


def _shown(name: str, value: Any, categories: dict[str, str]) -> str:
    """A stored value as the preview shows it, in the reader's language."""
    if value is None or value == "":
        return ""
    if name == "invoice_date":
        with_time = value.hour or value.minute
        return formats.date_format(value, "SHORT_DATETIME_FORMAT" if with_time else "SHORT_DATE_FORMAT")
    if name in _NUMBERS:  # as many decimals as the value has (stored with four)
        exact = value.normalize()
        return formats.number_format(exact if exact != exact.to_integral_value() else value.quantize(1), use_l10n=True)
    if name == "category":
        return categories.get(value, value)
    return str(value)


def _preview_rows(preview: Any) -> list[tuple[int, list[str], tuple[str, ...]]]:
    from kampass.commercial.views import category_labels

    categories = category_labels()
    return [
        (line.row, [_shown(k, line.values.get(k), categories) for k, _label in PREVIEW_COLUMNS] if line.values else [],
         tuple(reason_text(r) for r in line.reasons))
        for line in preview.lines
    ]  # fmt: skip


def _mark_missing(form: InvoiceColumnsForm, preview: Any) -> None:
    for spec in preview.missing:
        form.add_error(f"col_{spec.name}", _("Choose the column of this required field."))


@login_required
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """The mapping step of a transactions upload: the file's column per field (suggested from the chosen
    mapping and the fields' English and German names), the first lines as they will be stored; then save the
    columns as a named mapping, or start the import (or its dry run) with them."""
    authorize(request.user, PERMISSION)
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status != UploadStatus.DRAFT:
        return redirect("import-detail", pk=job.pk)
    try:
        preview = import_job_preview(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("import-list")
    initial = {
        **{f"col_{f}": c for f, c in preview.columns.items()},
        "date_order": job.date_order, "strict": job.strict, "dry_run": job.dry_run,
    }  # fmt: skip
    form = InvoiceColumnsForm(request.POST or None, header=preview.header, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data, columns = form.cleaned_data, form.columns()
            order = data["date_order"] or ""
            action = request.POST.get("action", "preview")
            try:
                if action == "save":
                    saved = invoice_mapping_save(
                        actor=request.user, name=data["mapping_name"], columns=columns, base=job.mapping
                    )
                    messages.success(request, _("Mapping “%(name)s” saved.") % {"name": saved.name})
                elif action == "discard":
                    import_job_discard(actor=request.user, job=job)
                    messages.success(request, _("“%(name)s” is discarded.") % {"name": job.original_name})
                    return redirect("import-list")
                elif action == "start":
                    job = import_job_start(
                        actor=request.user, job=job, columns=columns, dry_run=data["dry_run"], strict=data["strict"],
                        date_order=order,
                    )  # fmt: skip
                    messages.success(request, _("“%(name)s” is queued for import.") % {"name": job.original_name})
                    return redirect("import-detail", pk=job.pk)
                status = 200
            except ValidationError as exc:
                apply_validation_error(form, exc)
            try:
                preview = import_job_preview(actor=request.user, job=job, columns=columns, date_order=order)
            except ValidationError as exc:
                apply_validation_error(form, exc)
                status = 422
            if preview.missing and action == "start":
                _mark_missing(form, preview)
    context = {
        "job": job,
        "form": form,
        "preview": preview,
        "mapping_title": job.mapping_title,
        "missing_labels": [str(f.label) for f in preview.missing],
        "preview_columns": PREVIEW_COLUMNS,
        "preview_rows": _preview_rows(preview),
    }
    return render_page(request, "commercial/import_map.html", context, status=status)
