"""Downloads of a plan version as PDF (full or one-page summary), PPTX or XLSX, in German or English.
Thin: the plan's account decides who may read it (``planning.view_plan``); ``exports`` builds the file.

The plan page's buttons ask for the file as a background job (:mod:`kampass.planning.export_jobs`):
the page shows its progress and the download when it is written. The direct download (``GET``) stays
for links and scripts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kampass.common.htmx import is_fragment_request, redirect_to, render_page
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.planning import export_jobs
from kampass.planning.exports import FORMATS, export_plan
from kampass.planning.models import AccountPlan, PlanExportJob


def _lang(data: QueryDict) -> str:
    lang = data.get("lang", "")
    return lang if lang in export_jobs.LANGUAGES else ui_language()


def _summary(data: QueryDict) -> bool:
    return data.get("summary", "") in ("1", "true", "yes", "on")


@login_required
@require_GET
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The plan ``pk`` as ``fmt`` (``?lang=de|en``, default the user's language; ``?summary=1`` the
    one-page PDF), as a download named after the account and version, written in this request."""
    if fmt not in FORMATS:
        raise Http404
    plan = get_object_or_404(AccountPlan.objects.select_related("account", "template", "approved_by"), pk=pk)
    authorize(request.user, "planning.view_plan", plan.account)
    f = export_plan(plan, fmt=fmt, lang=_lang(request.GET), summary=_summary(request.GET))
    response = HttpResponse(f.data, content_type=f.content_type)
    response["Content-Disposition"] = content_disposition_header(True, f.filename)
    return response


def _job_context(job: PlanExportJob) -> dict[str, object]:
    return {"job": job, "plan": job.plan}


@login_required
@require_POST
def plan_export_start(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Ask for the plan ``pk`` as ``fmt`` (form fields ``lang`` and ``summary``): the worker writes it;
    HTMX gets the job's progress in place, a plain form the job's page."""
    if fmt not in FORMATS:
        raise Http404
    plan = get_object_or_404(AccountPlan.objects.select_related("account"), pk=pk)
    try:
        job = export_jobs.export_job_start(
            actor=request.user, plan=plan, fmt=fmt, lang=_lang(request.POST), summary=_summary(request.POST)
        )
    except ValidationError as exc:  # the form's choices are fixed: only a hand-made request gets here
        return HttpResponse(" ".join(exc.messages), status=422, content_type="text/plain; charset=utf-8")
    if is_fragment_request(request):
        return render_page(request, "planning/export_job.html", _job_context(job))
    return redirect_to(request, reverse("plan-export-job", args=[job.pk]))


def _job(request: HttpRequest, job_id: str) -> PlanExportJob:
    try:
        return export_jobs.export_job_for(request.user, job_id)
    except PlanExportJob.DoesNotExist as exc:
        raise Http404(_("No such export.")) from exc


@login_required
@require_GET
def plan_export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """An export's progress (polled by the plan page while it runs) and, once written, its download."""
    job = _job(request, job_id)
    return render_page(request, "planning/export_job_page.html", _job_context(job), fragment="planning/export_job.html")


@login_required
@require_GET
def plan_export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    """The written file of an export, for the user who asked for it."""
    _job(request, job_id)
    try:
        job, data = export_jobs.export_job_file(request.user, job_id)
    except FileNotFoundError as exc:
        raise Http404(_("This export is not ready or no longer kept; ask for it again.")) from exc
    response = HttpResponse(data, content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    return response
