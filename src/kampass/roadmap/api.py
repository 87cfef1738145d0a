"""JSON API of the roadmap context: initiatives per logic, guardrails and improvement topics.

Endpoints only translate between JSON and the services/selectors; the services check the
permissions (head of KAM and administrators manage the roadmap and the topics; a key
account manager updates the initiatives they own and proposes topics; controllers and
viewers read). Lists have the shape ``{"items": [...], "count": n}``. Guardrail values
of metrics in the unit ``share`` are floats between 0 and 1.

Activating a topic when the limit on active topics is reached is refused with 409 and
the code ``topic_limit`` unless the request says ``"force": true``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import (
    ERRORS,
    NOT_BLANK,
    UNCHANGED,
    Id,
    InSchema,
    PageIn,
    RemovalIn,
    api_field_names,
    model_field,
    page_of,
    refused,
)
from kampass.common.api import actor as _actor
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.roadmap import catalogue, selectors, services
from kampass.roadmap.facade import roadmap_summary
from kampass.roadmap.models import Direction, Initiative, InitiativeStatus, Topic, TopicStatus
from kampass.users.models import User

router = Router(tags=["roadmap"])

API_FIELD_NAMES = {"owner": "owner_id", "account": "account_id", "accounts": "account_ids"}

_api_field_names = partial(api_field_names, API_FIELD_NAMES)


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({field: _("There is no active user with id %(id)s.") % {"id": pk}})
    return user


def _accounts(ids: list[int] | None, *, actor: User, field: str) -> list[Any] | None:
    """Key accounts by id (read through the accounts selectors); unknown or non-key accounts are a 422."""
    if ids is None:
        return None
    found = {a.pk: a for a in selectors.key_account_choices(user=actor).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {field: _("No key account with id %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)}}
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _account(pk: int | None, *, actor: User, field: str) -> Any:
    found = _accounts(None if pk is None else [pk], actor=actor, field=field)
    return found[0] if found else None


# ---------------------------------------------------------------- schemas


class ReadingOut(Schema):
    value: float | None
    measured_at: dt.datetime | None
    warning: bool = Field(description="The latest value lies beyond the threshold (active initiatives only).")


class InitiativeOut(Schema):
    id: int
    version: int = version_out()
    logic: str
    logic_name: str
    title: str
    name: str = Field(description="The title in the user's language (a title that is just the logic's name).")
    description: str
    owner_id: Id | None
    owner: str | None
    starts: dt.date | None
    ends: dt.date | None
    status: str = Field(json_schema_extra={"enum": [*InitiativeStatus.values]})
    account_ids: list[Id]
    round_id: Id | None
    timing: str
    guardrail_key: str
    guardrail_name: str
    guardrail_unit: str
    guardrail_threshold: float
    guardrail_direction: str = Field(json_schema_extra={"enum": [*Direction.values]})
    latest: ReadingOut
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_logic_name(obj: Initiative) -> str:
        return catalogue.logic_name(obj.logic)

    @staticmethod
    def resolve_name(obj: Initiative) -> str:
        return obj.label

    @staticmethod
    def resolve_owner(obj: Initiative) -> str | None:
        return str(obj.owner) if obj.owner_id else None

    @staticmethod
    def resolve_account_ids(obj: Initiative) -> list[int]:
        return sorted(obj.accounts.values_list("pk", flat=True))

    @staticmethod
    def resolve_guardrail_name(obj: Initiative) -> str:
        return catalogue.metric_name(obj.guardrail_key)

    @staticmethod
    def resolve_latest(obj: Initiative) -> dict[str, Any]:
        reading = getattr(obj, "reading", None) or selectors.reading_of(obj)
        return asdict(reading)


class InitiativePageOut(Schema):
    items: list[InitiativeOut]
    count: int


class InitiativeFilterIn(InSchema):
    q: str = Field("", description="Search in title and description.")
    logic: str = Field("", json_schema_extra={"enum": ["", *catalogue.LOGICS]})
    status: str = Field("", json_schema_extra={"enum": ["", *InitiativeStatus.values]})
    owner_id: Id | None = None
    warning: bool = Field(False, description="Only active initiatives whose latest guardrail value is a warning.")


class InitiativeIn(InSchema):
    logic: str = Field(
        description="Catalogue logic key, e.g. facts_strategy.", json_schema_extra={"enum": [*catalogue.LOGICS]}
    )
    title: str = Field("", description="Empty: the name of the logic.")
    description: str = ""
    owner_id: Id | None = None
    starts: dt.date | None = None
    ends: dt.date | None = None
    status: str = Field(InitiativeStatus.PLANNED, json_schema_extra={"enum": [*InitiativeStatus.values]})
    account_ids: list[Id] = Field(default_factory=list, description="Key accounts involved.")
    guardrail_key: str = Field("", description="Empty: the logic's guardrail from the catalogue.")
    guardrail_threshold: float | None = Field(None, description="Empty: the catalogue's default threshold.")
    guardrail_direction: str = Field("", json_schema_extra={"enum": ["", *Direction.values]})


class InitiativePatchIn(InSchema):
    """Only the fields sent are changed; ``null`` clears the owner and the dates, the other fields
    cannot be ``null``."""

    logic: str = model_field(Initiative, "logic", UNCHANGED, json_schema_extra={"enum": [*catalogue.LOGICS]})
    title: str = model_field(Initiative, "title", UNCHANGED, pattern=NOT_BLANK)
    description: str = UNCHANGED
    owner_id: Id | None = UNCHANGED
    starts: dt.date | None = UNCHANGED
    ends: dt.date | None = UNCHANGED
    status: str = Field(UNCHANGED, json_schema_extra={"enum": [*InitiativeStatus.values]})
    account_ids: list[Id] = UNCHANGED
    guardrail_key: str = model_field(Initiative, "guardrail_key", UNCHANGED, pattern=NOT_BLANK)
    guardrail_threshold: float = UNCHANGED
    guardrail_direction: str = Field(UNCHANGED, json_schema_extra={"enum": [*Direction.values]})
    version: int | None = version_in()


class StatusIn(InSchema):
    status: str = Field(json_schema_extra={"enum": [*InitiativeStatus.values]})
    version: int | None = version_in()


class MeasurementOut(Schema):
    id: int
    initiative_id: Id
    key: str
    value: float
    threshold: float
    direction: str
    warning: bool
    measured_at: dt.datetime
    measured_by: str | None
    note: str

    @staticmethod
    def resolve_measured_by(obj: Any) -> str | None:
        return str(obj.measured_by) if obj.measured_by_id else None


class MeasurementPageOut(Schema):
    items: list[MeasurementOut]
    count: int


class MeasurementIn(InSchema):
    value: float
    measured_at: dt.datetime | None = Field(None, description="Default: now. With time zone; not in the future.")
    note: str = ""


class MeasureOut(Schema):
    measured: int
    warnings: int
    skipped: list[int] = Field(description="Active initiatives whose metric has no current value.")
    measured_at: dt.datetime


class TopicOut(Schema):
    id: int
    version: int = version_out()
    template_key: str
    field: str
    field_name: str
    title: str
    name: str = Field(description="The title in the user's language (catalogue topics whose title is unchanged).")
    description: str
    impact: int
    effort: int
    quadrant: str
    status: str = Field(json_schema_extra={"enum": [*TopicStatus.values]})
    owner_id: Id | None
    owner: str | None
    account_id: Id | None
    partner_contact: str
    activated_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_field_name(obj: Topic) -> str:
        return catalogue.field_name(obj.field)

    @staticmethod
    def resolve_name(obj: Topic) -> str:
        return obj.label

    @staticmethod
    def resolve_quadrant(obj: Topic) -> str:
        return str(obj.quadrant.value)

    @staticmethod
    def resolve_owner(obj: Topic) -> str | None:
        return str(obj.owner) if obj.owner_id else None


class TopicPageOut(Schema):
    items: list[TopicOut]
    count: int


class TopicFilterIn(InSchema):
    q: str = ""
    field: str = Field("", json_schema_extra={"enum": ["", *catalogue.FIELDS]})
    status: str = Field("", json_schema_extra={"enum": ["", *TopicStatus.values]})
    quadrant: str = Field("", json_schema_extra={"enum": ["", "quick_win", "major_project", "fill_in", "thankless"]})
    owner_id: Id | None = None
    joint: bool = Field(False, description="Only joint initiatives with a key account.")


class TopicIn(InSchema):
    field: str = Field(json_schema_extra={"enum": list(catalogue.FIELDS)})
    title: str = model_field(Topic, "title", pattern=NOT_BLANK)
    description: str = ""
    impact: int = model_field(Topic, "impact", 3, description="1 (low) .. 5 (high)")
    effort: int = model_field(Topic, "effort", 3, description="1 (low) .. 5 (high)")
    owner_id: Id | None = None
    account_id: Id | None = Field(None, description="Key account of a joint initiative.")
    partner_contact: str = ""


class TopicPatchIn(InSchema):
    """Only the fields sent are changed; ``null`` clears the owner and the key account, the other
    fields cannot be ``null``."""

    field: str = Field(UNCHANGED, json_schema_extra={"enum": list(catalogue.FIELDS)})
    title: str = model_field(Topic, "title", UNCHANGED, pattern=NOT_BLANK)
    description: str = UNCHANGED
    impact: int = model_field(Topic, "impact", UNCHANGED, description="1 (low) .. 5 (high)")
    effort: int = model_field(Topic, "effort", UNCHANGED, description="1 (low) .. 5 (high)")
    owner_id: Id | None = UNCHANGED
    account_id: Id | None = UNCHANGED
    partner_contact: str = model_field(Topic, "partner_contact", UNCHANGED)
    version: int | None = version_in()


class TopicStatusIn(InSchema):
    status: str = Field(json_schema_extra={"enum": [*TopicStatus.values]})
    force: bool = Field(False, description="Activate even when the limit on active topics is reached.")
    version: int | None = version_in()


class LimitErrorOut(Schema):
    detail: str
    code: str
    active: int
    limit: int


class TopicLimitOut(Schema):
    topic_limit: int
    active: int
    over_limit: bool
    completion_rate: float | None
    version: int | None = Field(
        description="Version of the limit (null before it was first set); send it back to change it."
    )


class TopicLimitIn(InSchema):
    topic_limit: int = Field(ge=1, le=50, description="1 .. 50")
    version: int | None = version_in()


class InitiativeRefOut(Schema):
    id: int
    logic: str
    title: str
    owner: str | None
    starts: dt.date | None
    ends: dt.date | None
    status: str
    accounts: int


class GuardrailStatusOut(Schema):
    initiative_id: Id
    logic: str
    key: str
    value: float | None
    threshold: float
    direction: str
    warning: bool
    measured_at: dt.datetime | None


class SummaryOut(Schema):
    initiatives: list[InitiativeRefOut]
    guardrails: list[GuardrailStatusOut]
    topics_active: int
    topics_limit: int
    topics_over_limit: bool


# ---------------------------------------------------------------- initiatives


def _initiative(request: HttpRequest, initiative_id: Id) -> Initiative:
    authorize(_actor(request), "roadmap.view_roadmap")
    return get_object_or_404(Initiative, pk=initiative_id)


def _initiative_out(pk: int) -> Initiative:
    return selectors.reading_attached(Initiative.objects.select_related("owner").get(pk=pk))


@router.get("/roadmap/initiatives", response={200: InitiativePageOut, **ERRORS})
def initiative_list(request: HttpRequest, filters: Query[InitiativeFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    authorize(_actor(request), "roadmap.view_roadmap")
    items = selectors.initiative_list(
        filters=selectors.InitiativeFilters(
            q=filters.q,
            logic=filters.logic,
            status=filters.status,
            owner=filters.owner_id,
            warning=filters.warning,
        )
    )
    return page_of(items, page)


@router.post(
    "/roadmap/initiatives",
    response={201: InitiativeOut, **ERRORS},
    openapi_extra=refused(
        "the end does not lie after the start",
        "an active initiative without a start",
        "an id that names no stored object",
    ),
)
def initiative_create(request: HttpRequest, payload: InitiativeIn) -> Status[Any]:
    actor = _actor(request)
    authorize(actor, "roadmap.add_initiative")
    with _api_field_names():
        initiative = services.initiative_create(
            actor=actor,
            logic=payload.logic,
            title=payload.title,
            description=payload.description,
            owner=_user(payload.owner_id, "owner_id"),
            starts=payload.starts,
            ends=payload.ends,
            status=payload.status,
            accounts=_accounts(payload.account_ids, actor=actor, field="account_ids") or [],
            guardrail_key=payload.guardrail_key,
            guardrail_threshold=payload.guardrail_threshold,
            guardrail_direction=payload.guardrail_direction,
        )
    return Status(201, _initiative_out(initiative.pk))


@router.get("/roadmap/initiatives/{initiative_id}", response={200: InitiativeOut, **ERRORS})
def initiative_get(request: HttpRequest, response: HttpResponse, initiative_id: Id) -> Initiative:
    return set_etag(response, _initiative_out(_initiative(request, initiative_id).pk))


@router.patch(
    "/roadmap/initiatives/{initiative_id}",
    response={200: InitiativeOut, **ERRORS, **conflict_responses(InitiativeOut)},
    openapi_extra=refused(
        "the end does not lie after the start",
        "an active initiative without a start",
        "an id that names no stored object",
    ),
)
def initiative_patch(
    request: HttpRequest, response: HttpResponse, initiative_id: Id, payload: InitiativePatchIn
) -> Any:
    """Change an initiative; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    initiative = _initiative(request, initiative_id)
    actor = _actor(request)
    authorize(actor, "roadmap.change_initiative", initiative)
    sent = payload.model_dump(exclude_unset=True, exclude={"version"})
    changes: dict[str, Any] = {}
    for key, value in sent.items():
        if key == "owner_id":
            changes["owner"] = _user(value, "owner_id")
        elif key == "account_ids":
            changes["accounts"] = _accounts(value or [], actor=actor, field="account_ids")
        elif value is None and key not in ("starts", "ends"):
            raise ValidationError({key: _("This field cannot be null.")})
        else:
            changes[key] = value
    with _api_field_names():
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.initiative_update(
                actor=actor, initiative=initiative, version=version, **changes
            ),
            current=lambda: _initiative_out(initiative.pk),
        )


@router.post(
    "/roadmap/initiatives/{initiative_id}/status",
    response={200: InitiativeOut, **ERRORS, **conflict_responses(InitiativeOut)},
    openapi_extra=refused("the initiative has this status already"),
)
def initiative_status(request: HttpRequest, response: HttpResponse, initiative_id: Id, payload: StatusIn) -> Any:
    """Change the status; a stale ``version`` (``If-Match``) answers 409 (412)."""
    initiative = _initiative(request, initiative_id)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.initiative_set_status(
            actor=_actor(request), initiative=initiative, status=payload.status, version=version
        ),
        current=lambda: _initiative_out(initiative.pk),
    )


@router.delete(
    "/roadmap/initiatives/{initiative_id}", response={204: None, **ERRORS, **conflict_responses(InitiativeOut)}
)
def initiative_delete(
    request: HttpRequest, response: HttpResponse, initiative_id: Id, removal: Query[RemovalIn]
) -> Any:
    """Delete an initiative; a stale ``version`` (``If-Match``) answers 409 (412) with the initiative as saved."""
    initiative = _initiative(request, initiative_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.initiative_delete(
            actor=_actor(request), initiative=initiative, version=version
        ),
        current=lambda: _initiative_out(initiative.pk),
    )


@router.get("/roadmap/initiatives/{initiative_id}/measurements", response={200: MeasurementPageOut, **ERRORS})
def measurement_list(request: HttpRequest, initiative_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    initiative = _initiative(request, initiative_id)
    qs = initiative.measurements.select_related("measured_by").order_by("-measured_at", "-pk")
    return page_of(qs, page)


@router.post(
    "/roadmap/initiatives/{initiative_id}/measurements",
    response={201: MeasurementOut, **ERRORS},
    openapi_extra=refused(
        "a value outside the range of the initiative's metric (a share lies between 0 and 1)", "a time in the future"
    ),
)
def measurement_create(request: HttpRequest, initiative_id: Id, payload: MeasurementIn) -> Status[Any]:
    initiative = _initiative(request, initiative_id)
    actor = _actor(request)
    authorize(actor, "roadmap.measure_guardrails")
    m = services.measurement_record(
        actor=actor, initiative=initiative, value=payload.value, measured_at=payload.measured_at, note=payload.note
    )
    return Status(201, m)


@router.post("/roadmap/measure", response={200: MeasureOut, **ERRORS})
def measure(request: HttpRequest) -> dict[str, Any]:
    """Measure the guardrails of all active initiatives now (values from the programme's current signals)."""
    result = services.guardrails_measure(actor=_actor(request))
    return {
        "measured": result.measured,
        "warnings": result.warnings,
        "skipped": list(result.skipped),
        "measured_at": result.measured_at,
    }


@router.get("/roadmap/summary", response={200: SummaryOut, **ERRORS})
def summary(request: HttpRequest) -> dict[str, Any]:
    """Initiatives, the latest guardrail reading of the active ones, and the topic limit (as the facade gives it)."""
    authorize(_actor(request), "roadmap.view_roadmap")
    return asdict(roadmap_summary())


# ---------------------------------------------------------------- topics


def _topic(request: HttpRequest, topic_id: Id) -> Topic:
    authorize(_actor(request), "roadmap.view_roadmap")
    return get_object_or_404(Topic, pk=topic_id)


@router.get("/roadmap/topics", response={200: TopicPageOut, **ERRORS})
def topic_list(request: HttpRequest, filters: Query[TopicFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """Topics in priority order (quick wins first; highest impact and lowest effort first within a quadrant)."""
    authorize(_actor(request), "roadmap.view_roadmap")
    items = selectors.topic_list(
        filters=selectors.TopicFilters(
            q=filters.q,
            field=filters.field,
            status=filters.status,
            quadrant=filters.quadrant,
            owner=filters.owner_id,
            joint=filters.joint,
        )
    )
    return page_of(items, page)


@router.post(
    "/roadmap/topics",
    response={201: TopicOut, **ERRORS},
    openapi_extra=refused("the account is not a key account", "an id that names no stored object"),
)
def topic_create(request: HttpRequest, payload: TopicIn) -> Status[Any]:
    actor = _actor(request)
    authorize(actor, "roadmap.add_topic")
    with _api_field_names():
        topic = services.topic_create(
            actor=actor,
            field=payload.field,
            title=payload.title,
            description=payload.description,
            impact=payload.impact,
            effort=payload.effort,
            owner=_user(payload.owner_id, "owner_id"),
            account=_account(payload.account_id, actor=actor, field="account_id"),
            partner_contact=payload.partner_contact,
        )
    return Status(201, topic)


@router.get("/roadmap/topics/{topic_id}", response={200: TopicOut, **ERRORS})
def topic_get(request: HttpRequest, response: HttpResponse, topic_id: Id) -> Topic:
    return set_etag(response, _topic(request, topic_id))


@router.patch(
    "/roadmap/topics/{topic_id}",
    response={200: TopicOut, **ERRORS, **conflict_responses(TopicOut)},
    openapi_extra=refused("the account is not a key account", "an id that names no stored object"),
)
def topic_patch(request: HttpRequest, response: HttpResponse, topic_id: Id, payload: TopicPatchIn) -> Any:
    """Change a topic; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    topic = _topic(request, topic_id)
    actor = _actor(request)
    authorize(actor, "roadmap.change_topic", topic)
    changes: dict[str, Any] = {}
    for key, value in payload.model_dump(exclude_unset=True, exclude={"version"}).items():
        if key == "owner_id":
            changes["owner"] = _user(value, "owner_id")
        elif key == "account_id":
            changes["account"] = _account(value, actor=actor, field="account_id")
        elif value is None:
            raise ValidationError({key: _("This field cannot be null.")})
        else:
            changes[key] = value
    with _api_field_names():
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.topic_update(actor=actor, topic=topic, version=version, **changes),
            current=lambda: Topic.objects.get(pk=topic.pk),
        )


@router.post(
    "/roadmap/topics/{topic_id}/status",
    response={200: TopicOut, 409: LimitErrorOut | TopicOut, 412: TopicOut, **ERRORS},
    openapi_extra=refused("the topic has this status already"),
)
def topic_status(request: HttpRequest, response: HttpResponse, topic_id: Id, payload: TopicStatusIn) -> Any:
    """Change the status; activating beyond the limit is refused with 409 (``code`` ``topic_limit``) unless
    ``force`` is true. A stale ``version`` answers 409 with the topic as saved, a stale ``If-Match`` 412."""
    topic = _topic(request, topic_id)
    try:
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.topic_set_status(
                actor=_actor(request), topic=topic, status=payload.status, force=payload.force, version=version
            ),
            current=lambda: Topic.objects.get(pk=topic.pk),
        )
    except ValidationError as exc:
        codes = [e.code for errs in getattr(exc, "error_dict", {}).values() for e in errs]
        if "topic_limit" not in codes:
            raise
        stats = selectors.topic_stats()
        return Status(
            409, {"detail": " ".join(exc.messages), "code": "topic_limit", "active": stats.active, "limit": stats.limit}
        )


@router.delete("/roadmap/topics/{topic_id}", response={204: None, **ERRORS, **conflict_responses(TopicOut)})
def topic_delete(request: HttpRequest, response: HttpResponse, topic_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete a topic; a stale ``version`` (``If-Match``) answers 409 (412) with the topic as saved."""
    topic = _topic(request, topic_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.topic_delete(actor=_actor(request), topic=topic, version=version),
        current=lambda: Topic.objects.get(pk=topic.pk),
    )


def _limit_out() -> dict[str, Any]:
    stats = selectors.topic_stats()
    return {
        "topic_limit": stats.limit,
        "active": stats.active,
        "over_limit": stats.over_limit,
        "completion_rate": stats.completion_rate,
        "version": selectors.topic_limit_version(),
    }


@router.get("/roadmap/topic-limit", response={200: TopicLimitOut, **ERRORS})
def topic_limit_get(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    authorize(_actor(request), "roadmap.view_roadmap")
    out = _limit_out()
    if out["version"] is not None:
        set_etag(response, None, version=out["version"])
    return out


@router.put("/roadmap/topic-limit", response={200: TopicLimitOut, **ERRORS, **conflict_responses(TopicLimitOut)})
def topic_limit_put(request: HttpRequest, response: HttpResponse, payload: TopicLimitIn) -> Any:
    """Set the limit; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.topic_limit_set(
            actor=_actor(request), limit=payload.topic_limit, version=version
        ),
        current=_limit_out,
        version_of=lambda out: out["version"],
    )
