"""JSON API of the organisation context: KAM process, function diagram (RACI),
workload and lead units, competence model, profiles, targets and development actions.

Endpoints only translate between JSON and the services/selectors, which check the
same permissions as the pages (see ``kampass.organisation.rules``): everybody reads the
structure and the competence model; head of KAM and administrators edit them, rate
and set targets; a profile is read by head of KAM, administrators and the person; a key
account manager proposes their own self-assessment and manages their own development
actions. Lists have the shape ``{"items": [...], "count": n}``; errors are 401, 403,
404 and 422 as everywhere in the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kampass.accounts.api import ERRORS, PageIn
from kampass.common.permissions import authorize
from kampass.organisation import facade, selectors, services
from kampass.organisation.models import (
    ActionStatus,
    BilingualCatalogueEntry,
    BlockedCause,
    Competence,
    CompetenceTarget,
    DevelopmentAction,
    FunctionRole,
    ProcessActivity,
    ProfileRole,
    RaciCode,
)
from kampass.users.models import User

router = Router(tags=["organisation"])

API_FIELD_NAMES = {
    "person": "person_id",
    "competence": "competence_id",
    "owner": "owner_id",
    "activity": "activity_id",
    "role": "role_id",
}
RACI_CODES = ["", *RaciCode.values]


@contextmanager
def _api_field_names() -> Iterator[None]:
    """Re-raise a service's ``ValidationError`` with the field names of the API."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({API_FIELD_NAMES.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's authentication


def _body_user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ValidationError({field: _("There is no user with id %(id)s.") % {"id": pk}})
    return user


def _body_competence(pk: int | None, field: str = "competence_id") -> Competence | None:
    if pk is None:
        return None
    competence = Competence.objects.filter(pk=pk).first()
    if competence is None:
        raise ValidationError({field: _("There is no competence with id %(id)s.") % {"id": pk}})
    return competence


def _profile_person(request: HttpRequest, user_id: int) -> User:
    """The person with a competence profile, if the user may read it; else 403 (404 if there is none)."""
    person = get_object_or_404(User, pk=user_id, role__in=ProfileRole.values)
    authorize(_actor(request), "organisation.view_profile", person)
    return person


# ---------------------------------------------------------------- schemas


class SignalsOut(Schema):
    kams_appointed: float | None = Field(description="Persons: users with role kam who are KAM on an account team.")
    accounts_per_kam: float | None = Field(description="Mean accounts per appointed KAM.")
    raci_conflicts: float | None = Field(description="Active activities with a RACI conflict.")
    blocked_actions_share: float | None = Field(description="Blocked / open development actions (0..1).")
    competence_gap: float | None = Field(description="Mean positive gap to target in rating points (0..4).")


class CatalogueOut(Schema):
    id: int
    key: str
    name_en: str
    name_de: str
    description_en: str
    description_de: str
    order: int
    active: bool
    label: str = Field(description="The name in the language of the request.")


class CataloguePageOut(Schema):
    items: list[CatalogueOut]
    count: int


class CatalogueIn(Schema):
    name_en: str
    name_de: str = ""
    key: str = Field("", description="Made from the English name when empty.")
    description_en: str = ""
    description_de: str = ""
    order: int = Field(100, ge=0, le=32767)
    active: bool = True


class CataloguePatchIn(Schema):
    name_en: str | None = None
    name_de: str | None = None
    key: str | None = None
    description_en: str | None = None
    description_de: str | None = None
    order: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None


class CatalogueFilterIn(Schema):
    q: str = Field("", description="Search in names and key.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) entries.")


class RefOut(Schema):
    id: int
    key: str
    label: str


class CellOut(Schema):
    activity_id: int
    role_id: int
    code: str = Field(json_schema_extra={"enum": [*RACI_CODES]})


class ActivityCheckOut(Schema):
    activity_id: int
    accountable: int
    responsible: int
    conflicts: list[str] = Field(description="no_accountable, several_accountable, no_responsible")


class RaciOut(Schema):
    activities: list[RefOut]
    roles: list[RefOut]
    cells: list[CellOut]
    checks: list[ActivityCheckOut]
    conflict_count: int


class CellIn(Schema):
    code: str = Field(description="R, A, AR, C, I, or empty to clear.", json_schema_extra={"enum": [*RACI_CODES]})


class CellResultOut(Schema):
    cell: CellOut
    check: ActivityCheckOut
    conflict_count: int


class WorkloadOut(Schema):
    user_id: int
    name: str
    role: str
    accounts: int
    key_accounts: int
    over_threshold: bool


class WorkloadPageOut(Schema):
    items: list[WorkloadOut]
    count: int
    threshold: int


class InternationalOut(Schema):
    account_id: int
    name: str
    kam_status: str
    countries: list[str]
    accounts: int
    lead_unit_id: int | None
    lead_unit_name: str
    lead_unit_missing: bool


class InternationalPageOut(Schema):
    items: list[InternationalOut]
    count: int


class SettingsOut(Schema):
    max_accounts_per_kam: int


class SettingsIn(Schema):
    max_accounts_per_kam: int


class ProfileLineOut(Schema):
    competence_id: int
    competence: str
    level: int | None
    self_level: int | None
    target: int | None
    gap: int | None
    note: str


class ProfileSummaryOut(Schema):
    user_id: int
    name: str
    role: str
    rated: int
    competences: int
    mean_gap: float | None


class ProfileOut(ProfileSummaryOut):
    lines: list[ProfileLineOut]


class ProfilePageOut(Schema):
    items: list[ProfileSummaryOut]
    count: int


class RatingIn(Schema):
    """Send ``level`` (and ``note``) to rate (head of KAM, administrator), ``self_level`` to self-assess (own profile).
    ``null`` clears a level; leave a field out to keep it."""

    level: int | None = Field(None, description="Agreed rating 1-5.")
    self_level: int | None = Field(None, description="Self-assessment 1-5.")
    note: str | None = None


class TargetOut(Schema):
    competence_id: int
    role: str
    user_id: int | None
    level: int


class TargetPageOut(Schema):
    items: list[TargetOut]
    count: int


class TargetIn(Schema):
    competence_id: int
    role: str = Field(
        "",
        description="kam or head; or leave empty and send user_id.",
        json_schema_extra={"enum": ["", *ProfileRole.values]},
    )
    user_id: int | None = None
    level: int | None = Field(description="1-5, or null to remove the target.")


class ActionOut(Schema):
    id: int
    person_id: int
    person: str
    title: str
    competence_id: int | None
    due_date: dt.date | None
    status: str
    owner_id: int | None
    blocked: bool
    blocked_cause: str
    blocked_note: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_person(obj: DevelopmentAction) -> str:
        return str(obj.person)


class ActionPageOut(Schema):
    items: list[ActionOut]
    count: int


class ActionFilterIn(Schema):
    q: str = ""
    person_id: int | None = None
    status: str = Field("", json_schema_extra={"enum": ["", *ActionStatus.values]})
    open: bool = Field(False, description="Only planned and in-progress actions.")
    blocked: bool | None = None
    cause: str = Field("", json_schema_extra={"enum": ["", *BlockedCause.values]})
    competence_id: int | None = None


class ActionIn(Schema):
    person_id: int | None = Field(None, description="Default: the caller.")
    title: str
    competence_id: int | None = None
    due_date: dt.date | None = None
    status: str = Field(ActionStatus.PLANNED.value, json_schema_extra={"enum": [*ActionStatus.values]})
    owner_id: int | None = None
    blocked: bool = False
    blocked_cause: str = Field("", json_schema_extra={"enum": ["", *BlockedCause.values]})
    blocked_note: str = ""
    notes: str = ""


class ActionPatchIn(Schema):
    person_id: int | None = None
    title: str | None = None
    competence_id: int | None = None
    due_date: dt.date | None = None
    status: str | None = Field(None, json_schema_extra={"enum": [*ActionStatus.values]})
    owner_id: int | None = None
    blocked: bool | None = None
    blocked_cause: str | None = Field(None, json_schema_extra={"enum": ["", *BlockedCause.values]})
    blocked_note: str | None = None
    notes: str | None = None


# ---------------------------------------------------------------- signals


@router.get("/organisation/signals", response={200: SignalsOut, **ERRORS})
def signals(request: HttpRequest) -> dict[str, float | None]:
    """The organisation's data signals for the KAM programme (see ``kampass.organisation.facade``)."""
    authorize(_actor(request), "organisation.view_structure")
    return facade.programme_signals()


# ---------------------------------------------------------------- editable catalogues


def _entry_out(e: BilingualCatalogueEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "key": e.key,
        "name_en": e.name_en,
        "name_de": e.name_de,
        "description_en": e.description_en,
        "description_de": e.description_de,
        "order": e.order,
        "active": e.active,
        "label": e.label,
    }


def _register_catalogue(
    path: str,
    model: type[BilingualCatalogueEntry],
    view_perm: str,
    create: Callable[..., Any],
    update: Callable[..., Any],
    delete: Callable[..., Any],
    kwarg: str,
    label: str,
) -> None:
    """Register list, create, read, update and delete endpoints for one catalogue."""
    base = f"/organisation/{path}"
    op = path.replace("-", "_")

    @router.get(
        base,
        response={200: CataloguePageOut, **ERRORS},
        operation_id=f"organisation_{op}_list",
        summary=f"List {label}",
    )
    def list_entries(request: HttpRequest, filters: Query[CatalogueFilterIn], page: Query[PageIn]) -> dict[str, Any]:
        authorize(_actor(request), view_perm)
        qs = model._default_manager.all()
        if filters.q:
            qs = qs.filter(
                Q(name_en__icontains=filters.q) | Q(name_de__icontains=filters.q) | Q(key__icontains=filters.q)
            )
        if filters.active is not None:
            qs = qs.filter(active=filters.active)
        items = [_entry_out(e) for e in qs[page.offset : page.offset + page.limit]]
        return {"items": items, "count": qs.count()}

    @router.post(
        base,
        response={201: CatalogueOut, **ERRORS},
        operation_id=f"organisation_{op}_create",
        summary=f"Add to {label}",
    )
    def create_entry(request: HttpRequest, payload: CatalogueIn) -> Status[dict[str, Any]]:
        return Status(201, _entry_out(create(actor=_actor(request), **payload.dict())))

    @router.get(
        f"{base}/{{entry_id}}",
        response={200: CatalogueOut, **ERRORS},
        operation_id=f"organisation_{op}_get",
        summary=f"Read one of {label}",
    )
    def get_entry(request: HttpRequest, entry_id: int) -> dict[str, Any]:
        authorize(_actor(request), view_perm)
        return _entry_out(get_object_or_404(model, pk=entry_id))

    @router.patch(
        f"{base}/{{entry_id}}",
        response={200: CatalogueOut, **ERRORS},
        operation_id=f"organisation_{op}_update",
        summary=f"Change one of {label}",
    )
    def update_entry(request: HttpRequest, entry_id: int, payload: CataloguePatchIn) -> dict[str, Any]:
        entry = get_object_or_404(model, pk=entry_id)
        changes = payload.dict(exclude_unset=True)
        changes = {k: v for k, v in changes.items() if v is not None}
        return _entry_out(update(actor=_actor(request), **{kwarg: entry}, **changes))

    @router.delete(
        f"{base}/{{entry_id}}",
        response={204: None, **ERRORS},
        operation_id=f"organisation_{op}_delete",
        summary=f"Delete one of {label}",
    )
    def delete_entry(request: HttpRequest, entry_id: int) -> Status[None]:
        entry = get_object_or_404(model, pk=entry_id)
        delete(actor=_actor(request), **{kwarg: entry})
        return Status(204, None)


_register_catalogue(
    "activities",
    ProcessActivity,
    "organisation.view_structure",
    services.activity_create,
    services.activity_update,
    services.activity_delete,
    "activity",
    "KAM process activities",
)
_register_catalogue(
    "roles",
    FunctionRole,
    "organisation.view_structure",
    services.role_create,
    services.role_update,
    services.role_delete,
    "role",
    "function-diagram roles",
)
_register_catalogue(
    "competences",
    Competence,
    "organisation.view_competences",
    services.competence_create,
    services.competence_update,
    services.competence_delete,
    "competence",
    "competences",
)


# ---------------------------------------------------------------- function diagram


def _check_out(check: Any) -> dict[str, Any]:
    return {
        "activity_id": check.activity_id,
        "accountable": check.accountable,
        "responsible": check.responsible,
        "conflicts": [c.value for c in check.conflicts],
    }


def _ref_out(e: BilingualCatalogueEntry) -> dict[str, Any]:
    return {"id": e.pk, "key": e.key, "label": e.label}


@router.get("/organisation/raci", response={200: RaciOut, **ERRORS})
def raci_get(request: HttpRequest) -> dict[str, Any]:
    """The function diagram of the active activities and roles, with the check of every activity."""
    authorize(_actor(request), "organisation.view_structure")
    m = selectors.raci_matrix()
    return {
        "activities": [_ref_out(a) for a in m.activities],
        "roles": [_ref_out(r) for r in m.roles],
        "cells": [{"activity_id": a, "role_id": r, "code": c} for (a, r), c in sorted(m.cells.items())],
        "checks": [_check_out(m.checks[a.pk]) for a in m.activities],
        "conflict_count": m.conflict_count,
    }


@router.put("/organisation/raci/{activity_id}/{role_id}", response={200: CellResultOut, **ERRORS})
def raci_set_cell(request: HttpRequest, activity_id: int, role_id: int, payload: CellIn) -> dict[str, Any]:
    """Set one cell (R, A, AR, C, I) or clear it (empty code); answers with the activity's check."""
    activity = get_object_or_404(ProcessActivity, pk=activity_id)
    role = get_object_or_404(FunctionRole, pk=role_id)
    cell = services.raci_set(actor=_actor(request), activity=activity, role=role, code=payload.code)
    return {
        "cell": {"activity_id": activity.pk, "role_id": role.pk, "code": cell.code if cell else ""},
        "check": _check_out(selectors.activity_check(activity)),
        "conflict_count": selectors.raci_matrix().conflict_count,
    }


# ---------------------------------------------------------------- workload and lead units


@router.get("/organisation/workload", response={200: WorkloadPageOut, **ERRORS})
def workload(request: HttpRequest) -> dict[str, Any]:
    """Accounts per key account manager (from the account teams), flagged above the threshold."""
    authorize(_actor(request), "organisation.view_structure")
    threshold = selectors.structure_settings().max_accounts_per_kam
    rows = selectors.workload(threshold=threshold)
    return {"items": rows, "count": len(rows), "threshold": threshold}


@router.get("/organisation/international-accounts", response={200: InternationalPageOut, **ERRORS})
def international_accounts(request: HttpRequest, missing: bool = False) -> dict[str, Any]:
    """Top-level accounts spanning several countries, with their lead unit (``missing``: only those without)."""
    authorize(_actor(request), "organisation.view_structure")
    rows = selectors.international_accounts(only_missing=missing)
    items = [
        {
            "account_id": r.account_id,
            "name": r.name,
            "kam_status": r.kam_status,
            "countries": list(r.countries),
            "accounts": r.accounts,
            "lead_unit_id": r.lead_unit_id,
            "lead_unit_name": r.lead_unit_name,
            "lead_unit_missing": r.lead_unit_missing,
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}


@router.get("/organisation/settings", response={200: SettingsOut, **ERRORS})
def settings_get(request: HttpRequest) -> dict[str, Any]:
    authorize(_actor(request), "organisation.view_structure")
    return {"max_accounts_per_kam": selectors.structure_settings().max_accounts_per_kam}


@router.put("/organisation/settings", response={200: SettingsOut, **ERRORS})
def settings_put(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    """Change the workload threshold (head of KAM, administrator)."""
    saved = services.structure_settings_update(actor=_actor(request), max_accounts_per_kam=payload.max_accounts_per_kam)
    return {"max_accounts_per_kam": saved.max_accounts_per_kam}


# ---------------------------------------------------------------- profiles, ratings, targets


def _summary_out(p: selectors.Profile) -> dict[str, Any]:
    return {
        "user_id": p.person.pk,
        "name": str(p.person),
        "role": p.person.role,
        "rated": p.rated,
        "competences": len(p.lines),
        "mean_gap": p.mean_gap,
    }


def _profile_out(p: selectors.Profile) -> dict[str, Any]:
    return {**_summary_out(p), "lines": [_line_out(line) for line in p.lines]}


@router.get("/organisation/profiles", response={200: ProfilePageOut, **ERRORS})
def profile_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """The competence profiles the caller may read (head of KAM and administrators: all; others: their own)."""
    people = selectors.visible_profile_people(user=_actor(request))
    chunk = list(people[page.offset : page.offset + page.limit])
    return {"items": [_summary_out(p) for p in selectors.profiles(chunk)], "count": people.count()}


@router.get("/organisation/profiles/{user_id}", response={200: ProfileOut, **ERRORS})
def profile_get(request: HttpRequest, user_id: int) -> dict[str, Any]:
    return _profile_out(selectors.profile(_profile_person(request, user_id)))


@router.put("/organisation/profiles/{user_id}/ratings/{competence_id}", response={200: ProfileLineOut, **ERRORS})
def rating_put(request: HttpRequest, user_id: int, competence_id: int, payload: RatingIn) -> dict[str, Any]:
    """Rate (``level``, ``note``) and/or self-assess (``self_level``) one competence of a profile."""
    person = _profile_person(request, user_id)
    competence = get_object_or_404(Competence, pk=competence_id)
    if not competence.active:
        raise ValidationError({"competence_id": _("This competence is inactive.")})
    sent = payload.dict(exclude_unset=True)
    if not sent:
        raise ValidationError(_("Send level, self_level or note."))
    actor = _actor(request)
    with transaction.atomic():
        if "level" in sent or "note" in sent:
            level = sent["level"] if "level" in sent else _line(person, competence).row.level
            services.rating_set(actor=actor, person=person, competence=competence, level=level, note=sent.get("note"))
        if "self_level" in sent:
            if person.pk != actor.pk:
                authorize(actor, "organisation.self_rate", person)
            services.self_rating_set(actor=actor, competence=competence, self_level=sent["self_level"])
    return _line_out(_line(person, competence))


def _line(person: User, competence: Competence) -> selectors.ProfileLine:
    return next(line for line in selectors.profile(person).lines if line.competence.pk == competence.pk)


def _line_out(line: selectors.ProfileLine) -> dict[str, Any]:
    return {
        "competence_id": line.competence.pk,
        "competence": line.competence.label,
        "level": line.row.level,
        "self_level": line.row.self_level,
        "target": line.row.target,
        "gap": line.row.gap,
        "note": line.note,
    }


@router.get("/organisation/targets", response={200: TargetPageOut, **ERRORS})
def target_list(request: HttpRequest) -> dict[str, Any]:
    """Role targets (everybody) and personal targets (those the caller may read)."""
    actor = _actor(request)
    authorize(actor, "organisation.view_competences")
    qs = CompetenceTarget.objects.all().order_by("competence__order", "role", "user_id")
    if not actor.has_perm("organisation.view_all_profiles"):
        qs = qs.filter(Q(user__isnull=True) | Q(user=actor))
    items = [{"competence_id": t.competence_id, "role": t.role, "user_id": t.user_id, "level": t.level} for t in qs]
    return {"items": items, "count": len(items)}


@router.put("/organisation/targets", response={200: TargetOut, 204: None, **ERRORS})
def target_put(request: HttpRequest, payload: TargetIn) -> Any:
    """Set a role's or a person's target on a competence; ``level`` null removes it (answers 204)."""
    actor = _actor(request)
    authorize(actor, "organisation.set_targets")
    competence = _body_competence(payload.competence_id)
    assert competence is not None
    person = _body_user(payload.user_id, "user_id")
    with _api_field_names():
        target = services.target_set(
            actor=actor, competence=competence, level=payload.level, role=payload.role, person=person
        )
    if target is None:
        return Status(204, None)
    return {
        "competence_id": target.competence_id,
        "role": target.role,
        "user_id": target.user_id,
        "level": target.level,
    }


# ---------------------------------------------------------------- development actions


@router.get("/organisation/development-actions", response={200: ActionPageOut, **ERRORS})
def action_list(request: HttpRequest, filters: Query[ActionFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The development actions the caller may read (head of KAM and administrators: all; others: their own
    and those they own)."""
    qs = selectors.action_list(
        user=_actor(request),
        filters=selectors.ActionFilters(
            q=filters.q.strip(),
            person=filters.person_id,
            status=filters.status,
            open_only=filters.open,
            blocked=filters.blocked,
            cause=filters.cause,
            competence=filters.competence_id,
        ),
    )
    return {"items": list(qs[page.offset : page.offset + page.limit]), "count": qs.count()}


@router.post("/organisation/development-actions", response={201: ActionOut, **ERRORS})
def action_create(request: HttpRequest, payload: ActionIn) -> Status[DevelopmentAction]:
    actor = _actor(request)
    data = payload.dict()
    person = _body_user(data.pop("person_id"), "person_id") or actor
    competence = _body_competence(data.pop("competence_id"))
    owner = _body_user(data.pop("owner_id"), "owner_id")
    with _api_field_names():
        action = services.action_create(actor=actor, person=person, competence=competence, owner=owner, **data)
    return Status(201, action)


def _readable_action(request: HttpRequest, action_id: int) -> DevelopmentAction:
    action = get_object_or_404(DevelopmentAction.objects.select_related("person"), pk=action_id)
    authorize(_actor(request), "organisation.view_action", action)
    return action


@router.get("/organisation/development-actions/{action_id}", response={200: ActionOut, **ERRORS})
def action_get(request: HttpRequest, action_id: int) -> DevelopmentAction:
    return _readable_action(request, action_id)


@router.patch("/organisation/development-actions/{action_id}", response={200: ActionOut, **ERRORS})
def action_update(request: HttpRequest, action_id: int, payload: ActionPatchIn) -> DevelopmentAction:
    """Change an action; only the fields sent change (null ``competence_id``, ``owner_id``, ``due_date`` clear)."""
    action = _readable_action(request, action_id)
    sent = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key, value in sent.items():
        if key == "person_id":
            if value is None:
                raise ValidationError({"person_id": _("An action belongs to a person.")})
            changes["person"] = _body_user(value, "person_id")
        elif key == "competence_id":
            changes["competence"] = _body_competence(value)
        elif key == "owner_id":
            changes["owner"] = _body_user(value, "owner_id")
        elif value is None and key in ("title", "status", "blocked"):
            raise ValidationError({key: _("This field cannot be null.")})
        else:
            changes[key] = "" if value is None and key in ("blocked_cause", "blocked_note", "notes") else value
    with _api_field_names():
        return services.action_update(actor=_actor(request), action=action, **changes)


@router.delete("/organisation/development-actions/{action_id}", response={204: None, **ERRORS})
def action_delete(request: HttpRequest, action_id: int) -> Status[None]:
    action = _readable_action(request, action_id)
    services.action_delete(actor=_actor(request), action=action)
    return Status(204, None)
