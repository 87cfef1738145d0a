"""The plan templates' pages: the list and the editor (sections and their fields: key, English and
German label, required flag; add, remove and reorder with buttons; problems shown next to the inputs
they concern). Only the head of KAM and administrators reach them (``planning.manage_templates``).
Saving goes through ``services.template_save``: a new version of the template."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kampass.common.concurrency import ConcurrentEdit
from kampass.common.htmx import redirect_to, render_page
from kampass.common.permissions import authorize
from kampass.planning import services
from kampass.planning.forms_templates import apply_step, sections_from_post, step_from_post
from kampass.planning.models import PlanTemplate


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "planning.manage_templates")
    services.default_template()
    templates = PlanTemplate.objects.order_by("name")
    return render_page(request, "planning/plan_templates.html", {"templates": templates})


def _rows(sections: list[dict[str, Any]], problems: dict[str, str]) -> list[dict[str, Any]]:
    """The sections as the editor shows them: each input's name (also its id), the ids of the
    buttons, and the problem messages of each input (``errors``: attribute -> message)."""
    rows = []
    for i, s in enumerate(sections):
        prefix = f"sections.{i}."
        fields = []
        for j, f in enumerate(s["fields"]):
            at = f"{prefix}fields.{j}."
            ids = {a: f"s-{i}-f-{j}-{a}" for a in ("key", "label_en", "label_de", "required")}
            ids |= {op: f"op-{op}_field-{i}-{j}" for op in ("up", "down", "remove")}
            errors = {a: problems[at + a] for a in ("key", "label_en", "label_de") if at + a in problems}
            fields.append({**f, "ids": ids, "errors": errors, "number": j + 1})
        ids = {a: f"s-{i}-{a}" for a in ("key", "label_en", "label_de")} | {"fcount": f"s-{i}-f-count"}
        ids |= {op: f"op-{op}_section-{i}" for op in ("up", "down", "remove")} | {"add_field": f"op-add_field-{i}"}
        errors = {a: problems[prefix + a] for a in ("key", "label_en", "label_de") if prefix + a in problems}
        rows.append({**s, "fields": fields, "ids": ids, "errors": errors, "number": i + 1})
    return rows


def _summary(problems: dict[str, str]) -> list[dict[str, str]]:
    """The problems for the summary at the top, each with the id of its input."""
    out = []
    for path, message in problems.items():
        parts = path.split(".")
        if len(parts) == 3:
            anchor = f"s-{parts[1]}-{parts[2]}"
        elif len(parts) == 5:
            anchor = f"s-{parts[1]}-f-{parts[3]}-{parts[4]}"
        else:
            anchor = "op-add_section"
        out.append({"anchor": anchor, "message": message})
    return out


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The template editor. A GET shows the template (a new one starts from the default template's
    sections); each button posts the form: an editing step re-shows the editor with the change
    (nothing saved), "Save" validates and saves a new version or shows every problem in place."""
    authorize(request.user, "planning.manage_templates")
    template = get_object_or_404(PlanTemplate, pk=pk) if pk is not None else None
    cancel_url = reverse("plan-templates")
    problems: dict[str, str] = {}
    name_error = ""
    conflict = ""
    focus = ""
    status = 200
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:200]
        is_default = request.POST.get("is_default") == "on"
        raw_version = request.POST.get("version", "")
        version = int(raw_version) if raw_version.isdigit() and len(raw_version) < 10 else None
        sections = sections_from_post(request.POST)
        step = step_from_post(request.POST)
        if step is not None:
            applied = apply_step(sections, step)
            sections, focus = applied.sections, applied.focus
        else:
            try:
                saved = services.template_save(
                    actor=request.user,
                    name=name,
                    sections=sections,
                    is_default=is_default,
                    template=template,
                    version=version if template is not None else None,
                )
            except ValidationError as exc:
                problems = services.template_problems(sections)
                errors = exc.message_dict
                name_error = " ".join(errors.get("name", []))
                if not problems and "sections" in errors:
                    problems = {"sections": " ".join(errors["sections"])}
                status = 422
            except ConcurrentEdit:
                assert template is not None
                current = PlanTemplate.objects.get(pk=template.pk)
                conflict = _(
                    "Someone else saved this template meanwhile (now version %(version)s). Your entries are "
                    "below, not saved: open the template again to see the saved version, then repeat your changes."
                ) % {"version": current.version}
                status = 409
            else:
                messages.success(
                    request,
                    _("Template “%(name)s” saved as version %(version)s.")
                    % {"name": saved.name, "version": saved.version},
                )
                return redirect_to(request, cancel_url)
    elif template is not None:
        name, is_default, version = template.name, template.is_default, template.version
        sections = [dict(s) for s in template.sections]
    else:
        base = services.default_template()
        name, is_default, version, sections = "", False, None, [dict(s) for s in base.sections]
    history = list(template.history.select_related("history_user").order_by("-history_date")[:20]) if template else []
    context = {
        "template_obj": template,
        "title": _("Edit plan template") if template else _("New plan template"),
        "name": name,
        "is_default": is_default,
        "version": version,
        "sections": _rows(sections, problems),
        "problems": _summary(problems),
        "name_error": name_error,
        "conflict": conflict,
        "focus": focus,
        "cancel_url": cancel_url,
        "history": history,
    }
    return TemplateResponse(request, "planning/plan_template_editor.html", context, status=status)
