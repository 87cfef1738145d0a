"""Downloads of a plan version as PDF (full or one-page summary), PPTX or XLSX, in German or English.
Thin: the plan's account decides who may read it (``planning.view_plan``); ``exports`` builds the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.planning.exports import FORMATS, export_plan
from kampass.planning.models import AccountPlan


@login_required
@require_GET
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The plan ``pk`` as ``fmt`` (``?lang=de|en``, default the user's language; ``?summary=1`` the
    one-page PDF), as a download named after the account and version."""
    if fmt not in FORMATS:
        raise Http404
    plan = get_object_or_404(AccountPlan.objects.select_related("account", "template", "approved_by"), pk=pk)
    authorize(request.user, "planning.view_plan", plan.account)
    lang = request.GET.get("lang", "")
    lang = lang if lang in ("en", "de") else ui_language()
    summary = request.GET.get("summary", "") in ("1", "true", "yes")
    f = export_plan(plan, fmt=fmt, lang=lang, summary=summary)
    response = HttpResponse(f.data, content_type=f.content_type)
    response["Content-Disposition"] = content_disposition_header(True, f.filename)
    return response
