"""Pages of the roadmap context: the roadmap of initiatives with their guardrails, and the improvement topics.

Thin views over forms, services and selectors; one view serves the page and the fragment HTMX asks for.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.concurrency import ConcurrentEdit, conflict_response
from kampass.common.htmx import (
    confirm_delete,
    is_fragment_request,
    redirect_to,
    render_form_page,
    render_page,
    submit_form,
)
from kampass.common.list_export import Column, export_format, export_response
from kampass.common.pagination import paginate
from kampass.common.permissions import authorize
from kampass.common.redirects import safe_next
from kampass.roadmap import catalogue, charts, selectors, services
from kampass.roadmap.forms import (
    InitiativeForm,
    InitiativeStatusForm,
    MeasurementForm,
    TopicForm,
    TopicLimitForm,
    TopicRatingForm,
    TopicStatusForm,
)
from kampass.roadmap.models import Initiative, InitiativeStatus, Quadrant, Topic, TopicStatus

# ---------------------------------------------------------------- roadmap


def _initiative_filters(request: HttpRequest) -> selectors.InitiativeFilters:
    g = request.GET
    owner = g.get("owner", "")
    return selectors.InitiativeFilters(
        q=g.get("q", "").strip(),
        logic=g.get("logic", ""),
        status=g.get("status", ""),
        owner=int(owner) if owner.isdigit() else None,
        warning=g.get("warning") == "1",
        sort=g.get("sort", "start"),
        descending=g.get("dir") == "desc",
    )


@login_required
def roadmap(request: HttpRequest) -> HttpResponseBase:
    """The roadmap: timeline per logic, guardrail warnings and histories, and the table of initiatives
    (``?export=csv|xlsx``: the filtered initiatives as a file)."""
    authorize(request.user, "roadmap.view_roadmap")
    filters = _initiative_filters(request)
    items = selectors.initiative_list(filters=filters)
    if export_format(request) is not None:
        return export_response(request, stem="initiatives", columns=_initiative_columns(), rows=items)
    page = paginate(request, items)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "sort_default": "start",
        "logics": catalogue.logic_choices(),
        "statuses": InitiativeStatus.choices,
        "owners": selectors.owner_choices(),
        "logic_names": dict(catalogue.logic_choices()),
        "can_add": request.user.has_perm("roadmap.add_initiative"),
        "can_measure": request.user.has_perm("roadmap.measure_guardrails"),
    }
    if is_fragment_request(request):
        return render_page(request, "roadmap/roadmap.html", context, fragment="roadmap/_initiative_table.html")
    everything = selectors.initiative_list()
    active = [i for i in everything if i.status == InitiativeStatus.ACTIVE]
    guardrails = []
    for i in active:
        guardrails.append(
            {
                "initiative": i,
                "metric": catalogue.metric_name(i.guardrail_key),
                "spec": charts.guardrail_chart(i, selectors.initiative_measurements(i)),
            }
        )
    stats = selectors.topic_stats()
    context.update(
        {
            "timeline_spec": charts.timeline_chart(everything),
            "undated": [i for i in everything if i.starts is None],
            "guardrails": guardrails,
            "warnings": [i for i in active if i.reading.warning],
            "without_owner": selectors.initiatives_without_owner(everything),
            "topic_stats": stats,
            "total": len(everything),
        }
    )
    return render_page(request, "roadmap/roadmap.html", context)


def _form_page(
    request: HttpRequest, form: Any, *, title: str, cancel_url: str, submit: str | None = None, **extra: Any
) -> HttpResponse:
    return render_form_page(
        request, form, template="roadmap/form_page.html", title=title, cancel_url=cancel_url, submit=submit,
        fragment="roadmap/_form.html", **extra,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "roadmap.add_initiative")
    initial: dict[str, str] = {"status": InitiativeStatus.PLANNED}
    if request.GET.get("logic") in dict(catalogue.logic_choices()):
        initial["logic"] = request.GET["logic"]
    form = InitiativeForm(request.POST or None, user=request.user, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.initiative_create(actor=request.user, **form.service_kwargs()),
        success=lambda i: _("Initiative “%(title)s” put on the roadmap.") % {"title": i.title},
        next_url=lambda i: reverse("roadmap-initiative", args=[i.pk]),
    )
    if done:
        return done
    return _form_page(
        request, form, title=_("New initiative"), cancel_url=reverse("roadmap"), submit=_("Create initiative")
    )


@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    authorize(request.user, "roadmap.view_roadmap")
    initiative = get_object_or_404(Initiative.objects.select_related("owner", "created_by"), pk=pk)
    measurements = selectors.initiative_measurements(initiative)
    user = request.user
    context = {
        "initiative": initiative,
        "logic_name": catalogue.logic_name(initiative.logic),
        "metric": catalogue.metric_name(initiative.guardrail_key),
        "reading": selectors.reading_of(initiative),
        "measurements": list(reversed(measurements)),
        "spec": charts.guardrail_chart(initiative, measurements),
        "accounts": list(initiative.accounts.order_by("name")),
        "history": list(initiative.history.select_related("history_user").order_by("-history_date")[:30]),
        "statuses": InitiativeStatus.choices,
        "can_edit": user.has_perm("roadmap.change_initiative", initiative),
        "can_delete": user.has_perm("roadmap.delete_initiative", initiative),
        "can_measure": user.has_perm("roadmap.measure_guardrails"),
        "measure_form": MeasurementForm(),
    }
    return render_page(request, "roadmap/initiative_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "roadmap.change_initiative", initiative)
    restricted = not request.user.has_perm("roadmap.manage_initiative", initiative)
    initial = {
        "logic": initiative.logic,
        "title": initiative.title,
        "description": initiative.description,
        "owner": initiative.owner_id,
        "starts": initiative.starts,
        "ends": initiative.ends,
        "status": initiative.status,
        "accounts": list(initiative.accounts.values_list("pk", flat=True)),
        "guardrail_key": initiative.guardrail_key,
        "guardrail_threshold": initiative.guardrail_threshold,
        "guardrail_direction": initiative.guardrail_direction,
        "version": initiative.version,
    }
    form = InitiativeForm(request.POST or None, user=request.user, restricted=restricted, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.initiative_update(actor=request.user, initiative=initiative, **form.service_kwargs()),
        success=_("Changes saved."),
        next_url=reverse("roadmap-initiative", args=[pk]),
    )
    if done:
        return done
    return _form_page(
        request,
        form,
        title=_("Edit “%(title)s”") % {"title": initiative.label},
        cancel_url=reverse("roadmap-initiative", args=[pk]),
        restricted=restricted,
    )


@login_required
@require_POST
def initiative_status(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "roadmap.change_initiative", initiative)
    form = InitiativeStatusForm(request.POST)
    back = safe_next(request, request.POST.get("next"), fallback=reverse("roadmap-initiative", args=[pk]))
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect_to(request, back)
    try:
        services.initiative_set_status(
            actor=request.user, initiative=initiative, status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
        )  # fmt: skip
    except ConcurrentEdit as exc:
        return conflict_response(request, form, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = dict(InitiativeStatus.choices)[form.cleaned_data["status"]]
        messages.success(request, _("Status changed to “%(status)s”.") % {"status": label})
    return redirect_to(request, back)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_delete(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "roadmap.delete_initiative", initiative)
    return confirm_delete(
        request,
        initiative,
        lambda version: services.initiative_delete(actor=request.user, initiative=initiative, version=version),
        success=_("Initiative “%(title)s” deleted.") % {"title": initiative.title},
        next_url=reverse("roadmap"),
        cancel_url=reverse("roadmap-initiative", args=[pk]),
        template="roadmap/confirm_delete.html",
    )


@login_required
@require_POST
def guardrails_measure(request: HttpRequest) -> HttpResponse:
    """Measure all guardrails now (button on the roadmap page)."""
    authorize(request.user, "roadmap.measure_guardrails")
    result = services.guardrails_measure(actor=request.user)
    if result.measured:
        messages.success(
            request,
            _("%(measured)s guardrail(s) measured, %(warnings)s beyond the threshold.")
            % {"measured": result.measured, "warnings": result.warnings},
        )
    else:
        messages.info(request, _("No active initiative with a computable guardrail metric; nothing measured."))
    if result.skipped:
        messages.warning(
            request,
            _("No current value for the metric of %(count)s initiative(s); they were not measured.")
            % {"count": len(result.skipped)},
        )
    return redirect_to(request, reverse("roadmap") + "#guardrails")


@login_required
@require_POST
def measurement_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a reading by hand (e.g. a metric kampass cannot compute)."""
    initiative = get_object_or_404(Initiative, pk=pk)
    authorize(request.user, "roadmap.measure_guardrails")
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            m = services.measurement_record(
                actor=request.user, initiative=initiative, value=data["value"], note=data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if m.warning:
                messages.warning(request, _("Measurement recorded: the value lies beyond the threshold."))
            else:
                messages.success(request, _("Measurement recorded."))
    else:
        messages.error(request, _("Give the value as a number."))
    return redirect_to(request, reverse("roadmap-initiative", args=[pk]) + "#measurements")


# ---------------------------------------------------------------- topics


def _initiative_columns() -> list[Column[Any]]:
    """The columns of the initiative table as a file, in the active language; the guardrail's reading
    and threshold as numbers in the metric's unit (a share as a fraction)."""
    return [
        Column(_("Initiative"), lambda i: i.label),
        Column(_("Logic"), lambda i: catalogue.logic_name(i.logic)),
        Column(_("Status"), lambda i: i.get_status_display()),
        Column(_("Owner"), lambda i: str(i.owner) if i.owner_id else None),
        Column(_("Start"), lambda i: i.starts),
        Column(_("End"), lambda i: i.ends),
        Column(_("Key accounts"), lambda i: i.account_count),
        Column(_("Guardrail"), lambda i: catalogue.metric_name(i.guardrail_key)),
        Column(_("Guardrail value"), lambda i: i.reading.value),
        Column(_("Threshold"), lambda i: i.guardrail_threshold),
        Column(_("Guardrail warning"), lambda i: i.reading.warning),
    ]


def _topic_columns() -> list[Column[Topic]]:
    """The columns of the topic list as a file, in the active language."""
    return [
        Column(_("Topic"), lambda t: t.label),
        Column(_("Field"), lambda t: catalogue.field_name(t.field)),
        Column(_("Priority"), lambda t: t.quadrant.label),
        Column(_("Impact"), lambda t: t.impact),
        Column(_("Effort"), lambda t: t.effort),
        Column(_("Status"), lambda t: t.get_status_display()),
        Column(_("Owner"), lambda t: str(t.owner) if t.owner_id else None),
        Column(_("Joint initiative with"), lambda t: t.account.name if t.account else None),
        Column(_("Partner contact"), lambda t: t.partner_contact),
    ]


def _topic_filters(request: HttpRequest) -> selectors.TopicFilters:
    g = request.GET
    owner = g.get("owner", "")
    return selectors.TopicFilters(
        q=g.get("q", "").strip(),
        field=g.get("field", ""),
        status=g.get("status", ""),
        quadrant=g.get("quadrant", ""),
        owner=int(owner) if owner.isdigit() else None,
        joint=g.get("joint") == "1",
        sort=g.get("sort", "priority"),
        descending=g.get("dir") == "desc",
    )


def _topics_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    filters = _topic_filters(request)
    topics = selectors.topic_list(filters=filters)
    user = request.user
    stats = selectors.topic_stats()
    page = paginate(request, topics)
    return {
        "filters": filters,
        "sort_default": "priority",
        "page": page,
        "editable_ids": {t.pk for t in page.object_list if user.has_perm("roadmap.change_topic", t)},
        "matrix_spec": charts.topic_matrix_chart(topics),
        "stats": stats,
        "fields": catalogue.field_choices(),
        "field_names": dict(catalogue.field_choices()),
        "statuses": TopicStatus.choices,
        "quadrants": Quadrant.choices,
        "owners": selectors.owner_choices(),
        "ratings": range(1, 6),
        "can_add": user.has_perm("roadmap.add_topic"),
        "can_manage": user.has_perm("roadmap.change_topic_status"),
        "can_settings": user.has_perm("roadmap.change_settings"),
        "limit_form": TopicLimitForm(initial={"topic_limit": stats.limit}),
        "limit_version": selectors.topic_limit_version(),
        "query": request.GET.urlencode(),
        **extra,
    }


@login_required
def topics(request: HttpRequest) -> HttpResponseBase:
    """Improvement topics: limit and completion rate, the impact x effort matrix and the prioritised list
    (``?export=csv|xlsx``: the filtered topics as a file)."""
    authorize(request.user, "roadmap.view_roadmap")
    if export_format(request) is not None:
        rows = selectors.topic_list(filters=_topic_filters(request))
        return export_response(request, stem="topics", columns=_topic_columns(), rows=rows)
    return render_page(request, "roadmap/topics.html", _topics_context(request), fragment="roadmap/_topics_body.html")


def _topics_result(
    request: HttpRequest, *, notice: str = "", error: str = "", refusal: Topic | None = None, status: int = 200
) -> HttpResponse:
    """After a change on the topics page: the refreshed fragment for HTMX, else a redirect back (or the page)."""
    if is_fragment_request(request):
        ctx = _topics_context(request, notice=notice, error=error, refusal=refusal)
        return render_page(request, "roadmap/topics.html", ctx, fragment="roadmap/_topics_body.html")
    if refusal is not None or (error and status != 200):
        ctx = _topics_context(request, notice=notice, error=error, refusal=refusal)
        return render_page(request, "roadmap/topics.html", ctx, status=status)
    if notice:
        messages.success(request, notice)
    if error:
        messages.error(request, error)
    query = request.GET.urlencode()
    return redirect_to(request, reverse("topics") + (f"?{query}" if query else ""))


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "roadmap.add_topic")
    initial: dict[str, Any] = {"impact": 3, "effort": 3}
    if request.GET.get("field") in dict(catalogue.field_choices()):
        initial["field"] = request.GET["field"]
    if getattr(request.user, "role", None) == "kam":
        initial["owner"] = request.user.pk
    form = TopicForm(request.POST or None, user=request.user, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.topic_create(actor=request.user, **data),
        success=lambda t: _("Topic “%(title)s” added.") % {"title": t.title},
        next_url=lambda t: reverse("topics") + f"#topic-{t.pk}",
    )
    if done:
        return done
    return _form_page(request, form, title=_("New topic"), cancel_url=reverse("topics"), submit=_("Add topic"))


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    authorize(request.user, "roadmap.change_topic", topic)
    initial = {
        "field": topic.field,
        "title": topic.title,
        "description": topic.description,
        "impact": topic.impact,
        "effort": topic.effort,
        "owner": topic.owner_id,
        "account": topic.account_id,
        "partner_contact": topic.partner_contact,
        "version": topic.version,
    }
    form = TopicForm(request.POST or None, user=request.user, initial=initial)
    done = submit_form(
        request,
        form,
        lambda data: services.topic_update(actor=request.user, topic=topic, **data),
        success=_("Changes saved."),
        next_url=reverse("topics") + f"#topic-{pk}",
    )
    if done:
        return done
    history = list(topic.history.select_related("history_user").order_by("-history_date")[:20])
    return _form_page(
        request,
        form,
        title=_("Edit topic “%(title)s”") % {"title": topic.label},
        cancel_url=reverse("topics"),
        history=history,
        can_delete=request.user.has_perm("roadmap.delete_topic", topic),
        topic=topic,
    )


@login_required
@require_POST
def topic_rating(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a topic in the matrix (new impact and effort); for HTMX the changed parts out of band (the form stays)."""
    topic = get_object_or_404(Topic, pk=pk)
    authorize(request.user, "roadmap.change_topic", topic)
    form = TopicRatingForm(request.POST)
    if not form.is_valid():
        return _topics_result(request, error=_("Rate impact and effort from 1 to 5."), status=422)
    try:
        topic = services.topic_update(actor=request.user, topic=topic, **form.cleaned_data)
    except ConcurrentEdit as exc:
        return conflict_response(request, form, exc)
    except ValidationError as exc:
        return _topics_result(request, error=" ".join(exc.messages), status=422)
    notice = _("“%(title)s” re-rated.") % {"title": topic.label}
    if not is_fragment_request(request):
        return _topics_result(request, notice=notice)
    # HTMX: leave the row's form in the page (a change made while this request was on its way is queued
    # and sent next, with the values the form shows then): only the new version, the quadrant, the matrix
    # and the notice, out of band. The list keeps its order until the next load.
    context = {
        "t": topic,
        "notice": notice,
        "matrix_spec": charts.topic_matrix_chart(selectors.topic_list(filters=_topic_filters(request))),
        "can_manage": request.user.has_perm("roadmap.change_topic_status"),
    }
    response = render_page(request, "roadmap/_topic_rating_result.html", context)
    response["HX-Reswap"] = "none"  # errors and conflicts still swap into the form's target (#results)
    return response


@login_required
@require_POST
def topic_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a topic's status; activating beyond the limit needs ``force``."""
    topic = get_object_or_404(Topic, pk=pk)
    authorize(request.user, "roadmap.change_topic_status", topic)
    form = TopicStatusForm(request.POST)
    if not form.is_valid():
        return _topics_result(request, error=_("Choose a valid status."), status=422)
    status, force = form.cleaned_data["status"], form.cleaned_data["force"]
    try:
        services.topic_set_status(
            actor=request.user, topic=topic, status=status, force=force, version=form.cleaned_data["version"]
        )
    except ConcurrentEdit as exc:
        return conflict_response(request, form, exc)
    except ValidationError as exc:
        codes = [e.code for errs in getattr(exc, "error_dict", {}).values() for e in errs]
        if "topic_limit" in codes:
            return _topics_result(request, error=" ".join(exc.messages), refusal=topic, status=409)
        return _topics_result(request, error=" ".join(exc.messages), status=422)
    label = dict(TopicStatus.choices)[status]
    notice = _("“%(title)s” is now %(status)s.") % {"title": topic.label, "status": label}
    stats = selectors.topic_stats()
    if status == TopicStatus.ACTIVE and stats.over_limit:
        notice += " " + _("%(active)s topics are active, more than the limit of %(limit)s.") % {
            "active": stats.active,
            "limit": stats.limit,
        }
    return _topics_result(request, notice=notice)


@login_required
@require_http_methods(["GET", "POST"])
def topic_delete(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    authorize(request.user, "roadmap.delete_topic", topic)
    return confirm_delete(
        request,
        topic,
        lambda version: services.topic_delete(actor=request.user, topic=topic, version=version),
        success=_("Topic “%(title)s” deleted.") % {"title": topic.label},
        next_url=reverse("topics"),
        cancel_url=reverse("topics"),
        template="roadmap/confirm_delete.html",
    )


@login_required
@require_POST
def topic_limit(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "roadmap.change_settings")
    form = TopicLimitForm(request.POST)
    if not form.is_valid():
        return _topics_result(request, error=_("The limit must be a whole number from 1 to 50."), status=422)
    try:
        services.topic_limit_set(
            actor=request.user, limit=form.cleaned_data["topic_limit"], version=form.cleaned_data["version"]
        )
    except ConcurrentEdit as exc:
        return conflict_response(request, form, exc)
    return _topics_result(
        request, notice=_("At most %(limit)s topics may now be active.") % {"limit": form.cleaned_data["topic_limit"]}
    )


@login_required
@require_POST
def topics_seed(request: HttpRequest) -> HttpResponse:
    """Take over the catalogue's improvement topics that are not on the list yet."""
    authorize(request.user, "roadmap.change_settings")
    created = services.topics_seed(actor=request.user)
    if created:
        notice = ngettext(
            "%(count)s topic taken over from the catalogue.",
            "%(count)s topics taken over from the catalogue.",
            len(created),
        ) % {"count": len(created)}
    else:
        notice = _("All catalogue topics are on the list already.")
    return _topics_result(request, notice=notice)
