"""API: a plan version as PDF, PPTX or XLSX (``GET /plans/{plan_id}/export``), in German or English."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router

from kampass.common.api import ERRORS, Id, InSchema
from kampass.common.api import actor as _actor
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.planning.exports import FORMATS, export_plan
from kampass.planning.models import AccountPlan

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
