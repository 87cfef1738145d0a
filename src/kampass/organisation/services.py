"""Write operations of the organisation context.

Every function is one transaction, takes keyword arguments only, checks the
actor's permission itself (see ``rules.py``: the UI, the API and the CLI enforce
the same rules) and validates before it writes: on any error nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_row_version, expect_saved_version, expect_version
from kampass.common.permissions import authorize
from kampass.organisation.models import (
    OPEN_STATUSES,
    ActionStatus,
    BilingualCatalogueEntry,
    BlockedCause,
    Competence,
    CompetenceRating,
    CompetenceTarget,
    DevelopmentAction,
    FunctionRole,
    ProcessActivity,
    ProfileRole,
    RaciAssignment,
    RaciCode,
    StructureSettings,
)
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save
from kampass.users.models import User

C = TypeVar("C", bound=BilingualCatalogueEntry)

CATALOGUE_FIELDS = ("key", "name_en", "name_de", "description_en", "description_de", "order", "active")
ACTION_FIELDS = (
    "person",
    "title",
    "competence",
    "due_date",
    "status",
    "owner",
    "blocked",
    "blocked_cause",
    "blocked_note",
    "notes",
)


# ---------------------------------------------------------------- editable catalogues


def _catalogue_save(model: type[C], entry: C, changes: dict[str, Any], actor: Actor, version: int | None = None) -> C:
    reject_unknown_fields(changes, CATALOGUE_FIELDS)
    expect_version(entry, version)
    for field, value in changes.items():
        setattr(entry, field, value.strip() if isinstance(value, str) else value)
    if not entry.name_en:
        raise ValidationError({"name_en": _("Give the name in English.")})
    if not entry.key:
        entry.key = slugify(entry.name_en)[:60] or "entry"
    entry.key = entry.key.lower()
    if model._default_manager.filter(name_en__iexact=entry.name_en).exclude(pk=entry.pk).exists():
        raise ValidationError({"name_en": _("“%(name)s” exists already.") % {"name": entry.name_en}})
    if model._default_manager.filter(key=entry.key).exclude(pk=entry.pk).exists():
        raise ValidationError(
            {"key": _("The key “%(key)s” is taken; choose another one.") % {"key": entry.key}},
        )
    _save(entry, actor)
    return entry


@transaction.atomic
def activity_create(*, actor: Actor, name_en: str, **fields: Any) -> ProcessActivity:
    """Add an activity to the KAM process (head of KAM, administrator)."""
    authorize(actor, "organisation.change_structure")
    return _catalogue_save(ProcessActivity, ProcessActivity(), {"name_en": name_en, **fields}, actor)


@transaction.atomic
def activity_update(
    *, actor: Actor, activity: ProcessActivity, version: int | None = None, **changes: Any
) -> ProcessActivity:
    """Rename, re-order, describe or (de)activate an activity (``version``: the one the change is based on)."""
    authorize(actor, "organisation.change_structure")
    return _catalogue_save(ProcessActivity, activity, changes, actor, version)


@transaction.atomic
def activity_delete(*, actor: Actor, activity: ProcessActivity, version: int | None = None) -> None:
    """Delete an activity together with its row of the function diagram."""
    authorize(actor, "organisation.change_structure")
    expect_saved_version(activity, version)
    for cell in activity.assignments.all():
        _delete(cell, actor)
    _delete(activity, actor)


@transaction.atomic
def role_create(*, actor: Actor, name_en: str, **fields: Any) -> FunctionRole:
    """Add a role (column) to the function diagram."""
    authorize(actor, "organisation.change_structure")
    return _catalogue_save(FunctionRole, FunctionRole(), {"name_en": name_en, **fields}, actor)


@transaction.atomic
def role_update(*, actor: Actor, role: FunctionRole, version: int | None = None, **changes: Any) -> FunctionRole:
    """Change a role (``version``: the one the change is based on)."""
    authorize(actor, "organisation.change_structure")
    return _catalogue_save(FunctionRole, role, changes, actor, version)


@transaction.atomic
def role_delete(*, actor: Actor, role: FunctionRole, version: int | None = None) -> None:
    """Delete a role together with its column of the function diagram."""
    authorize(actor, "organisation.change_structure")
    expect_saved_version(role, version)
    for cell in role.assignments.all():
        _delete(cell, actor)
    _delete(role, actor)


@transaction.atomic
def competence_create(*, actor: Actor, name_en: str, **fields: Any) -> Competence:
    """Add a competence to the competence model (head of KAM, administrator)."""
    authorize(actor, "organisation.change_competences")
    return _catalogue_save(Competence, Competence(), {"name_en": name_en, **fields}, actor)


@transaction.atomic
def competence_update(
    *, actor: Actor, competence: Competence, version: int | None = None, **changes: Any
) -> Competence:
    """Change a competence (``version``: the one the change is based on)."""
    authorize(actor, "organisation.change_competences")
    return _catalogue_save(Competence, competence, changes, actor, version)


@transaction.atomic
def competence_delete(*, actor: Actor, competence: Competence, version: int | None = None) -> None:
    """Delete a competence nobody has been rated on yet (otherwise deactivate it)."""
    authorize(actor, "organisation.change_competences")
    expect_saved_version(competence, version)
    if competence.ratings.exists():
        raise ValidationError(
            _("People have been rated on “%(name)s”; deactivate it instead of deleting it.")
            % {"name": competence.label}
        )
    for target in competence.targets.all():
        _delete(target, actor)
    _delete(competence, actor)


# ---------------------------------------------------------------- function diagram


@transaction.atomic
def raci_set(
    *, actor: Actor, activity: ProcessActivity, role: FunctionRole, code: str, version: int | None = None
) -> RaciAssignment | None:
    """Set one cell of the function diagram to R, A, AR, C or I; an empty ``code`` clears the cell.

    ``version``: of the cell the change is based on (0: it was empty; ``ConcurrentEdit`` when it
    was changed since). Returns the cell, or ``None`` when it was cleared.
    """
    authorize(actor, "organisation.change_structure")
    code = (code or "").strip().upper()
    if code == "RA":
        code = RaciCode.ACCOUNTABLE_RESPONSIBLE
    if code and code not in RaciCode.values:
        raise ValidationError(
            {"code": _("“%(code)s” is not a RACI code; use R, A, AR, C, I or nothing.") % {"code": code}}
        )
    cell = RaciAssignment.objects.select_for_update().filter(activity=activity, role=role).first()
    expect_row_version(RaciAssignment, cell, version)
    if not code:
        if cell is not None:
            _delete(cell, actor)
        return None
    if cell is None:
        cell = RaciAssignment(activity=activity, role=role)
    elif cell.code == code:
        return cell
    cell.code = code
    _save(cell, actor)
    return cell


@transaction.atomic
def raci_set_many(
    *,
    actor: Actor,
    cells: Iterable[tuple[ProcessActivity, FunctionRole, str]],
    versions: Mapping[tuple[int, int], int | None] | None = None,
) -> list[RaciAssignment | None]:
    """Set several cells of the function diagram at once (``raci_set`` for each ``(activity, role,
    code)``): all or nothing, a bad code or a cell changed since (``versions``: per ``(activity id,
    role id)`` the version the change is based on) leaves every cell as it was."""
    authorize(actor, "organisation.change_structure")
    seen = versions or {}
    return [
        raci_set(actor=actor, activity=activity, role=role, code=code, version=seen.get((activity.pk, role.pk)))
        for activity, role, code in cells
    ]


@transaction.atomic
def structure_settings_update(
    *, actor: Actor, max_accounts_per_kam: int, version: int | None = None
) -> StructureSettings:
    """Change the workload threshold (accounts per key account manager); ``version``: of the
    settings the change is based on (0: none saved yet)."""
    authorize(actor, "organisation.change_structure")
    current = StructureSettings.objects.select_for_update().order_by("pk").first()
    expect_row_version(StructureSettings, current, version)
    current = current or StructureSettings()
    current.max_accounts_per_kam = max_accounts_per_kam
    _save(current, actor)
    return current


# ---------------------------------------------------------------- targets and ratings


def _check_level(value: int | None, field: str) -> None:
    if value is not None and not 1 <= value <= 5:
        raise ValidationError({field: _("Use a level from 1 to 5.")})


def _check_profile_person(person: User | None, field: str = "person") -> None:
    if person is None or getattr(person, "role", None) not in ProfileRole.values:
        raise ValidationError({field: _("Only key account managers and heads of KAM have a competence profile.")})


@transaction.atomic
def target_set(
    *,
    actor: Actor,
    competence: Competence,
    level: int | None,
    role: str = "",
    person: User | None = None,
    version: int | None = None,
) -> CompetenceTarget | None:
    """Set the target level of a competence for a role (``role``) or one person (``person``).

    ``level`` ``None`` removes the target (a person then falls back to their role's target).
    ``version``: of the target the change is based on (0: there was none; ``ConcurrentEdit`` when
    it was set, changed or removed since).
    """
    authorize(actor, "organisation.set_targets")
    if bool(role) == (person is not None):
        raise ValidationError(_("Set a target either for a role or for one person."))
    if role and role not in ProfileRole.values:
        raise ValidationError({"role": _("Targets are set for key account managers or heads of KAM.")})
    if person is not None:
        _check_profile_person(person)
    _check_level(level, "level")
    lookup = {"competence": competence, "role": role, "user": person}
    target = CompetenceTarget.objects.select_for_update().filter(**lookup).first()
    expect_row_version(CompetenceTarget, target, version)
    if level is None:
        if target is not None:
            _delete(target, actor)
        return None
    target = target or CompetenceTarget(**lookup)
    target.level = level
    _save(target, actor)
    return target


def _rating(person: User, competence: Competence) -> CompetenceRating:
    rating = CompetenceRating.objects.select_for_update().filter(user=person, competence=competence).first()
    return rating or CompetenceRating(user=person, competence=competence)


@transaction.atomic
def rating_set(
    *,
    actor: Actor,
    person: User,
    competence: Competence,
    level: int | None,
    note: str | None = None,
    version: int | None = None,
) -> CompetenceRating:
    """Record the agreed rating (1-5, ``None`` to clear) of ``person`` on a competence (head of KAM, administrator).
    ``version``: of the rating the change is based on (0: there was none yet)."""
    authorize(actor, "organisation.rate_profile", person)
    _check_profile_person(person)
    _check_level(level, "level")
    rating = _rating(person, competence)
    expect_version(rating, version)
    rating.level = level
    if note is not None:
        rating.note = note.strip()
    rating.rated_by = actor if _is_user(actor) else None
    _save(rating, actor)
    return rating


@transaction.atomic
def self_rating_set(
    *, actor: Actor, competence: Competence, self_level: int | None, version: int | None = None
) -> CompetenceRating:
    """Propose one's own rating on a competence (key account managers and heads of KAM, own profile only).
    ``version``: of the rating the change is based on (0: there was none yet)."""
    authorize(actor, "organisation.self_rate", actor)
    _check_level(self_level, "self_level")
    rating = _rating(cast(User, actor), competence)  # authorized to rate their own profile: a user
    expect_version(rating, version)
    rating.self_level = self_level
    _save(rating, actor)
    return rating


@dataclass(frozen=True)
class ProfileLineChange:
    """What changes on one competence of a profile; only the parts flagged change.

    ``rate``: record the agreed ``level`` (``None`` clears it) and ``note`` (``None`` keeps it);
    ``set_target``: the person's own ``target`` (``None`` removes it, the role's target applies);
    ``self_rate``: the person's own proposal ``self_level``; ``version``: of the competence's rating
    as the change's author saw it (0: none yet; ``None``: not checked); ``target_version``: the same
    for the personal target."""

    competence: Competence
    rate: bool = False
    level: int | None = None
    note: str | None = None
    set_target: bool = False
    target: int | None = None
    self_rate: bool = False
    self_level: int | None = None
    version: int | None = None
    target_version: int | None = None


@transaction.atomic
def profile_update(*, actor: Actor, person: User, changes: Iterable[ProfileLineChange]) -> None:
    """Change a competence profile in one step: agreed ratings and personal targets (head of KAM,
    administrators) and the person's self-assessment (the person), competence by competence.
    All or nothing: a refused or invalid part leaves the whole profile as it was."""
    for change in changes:
        c = change.competence
        if change.rate:
            rating_set(
                actor=actor, person=person, competence=c, level=change.level, note=change.note, version=change.version
            )
        if change.set_target:
            target_set(actor=actor, competence=c, level=change.target, person=person, version=change.target_version)
        if change.self_rate:
            if getattr(person, "pk", None) != getattr(actor, "pk", None):
                authorize(actor, "organisation.self_rate", person)
            # after the agreed rating of the same line the version moved on: it was checked there
            self_rating_set(
                actor=actor, competence=c, self_level=change.self_level, version=None if change.rate else change.version
            )


@transaction.atomic
def role_targets_set(
    *,
    actor: Actor,
    targets: Mapping[tuple[str, Competence], int | None],
    versions: Mapping[tuple[str, Competence], int | None] | None = None,
) -> None:
    """Set the role-wide targets ``{(role, competence): level}`` at once (``None`` removes one);
    all or nothing. ``versions``: per target the version the change is based on (0: none)."""
    authorize(actor, "organisation.set_targets")
    for (role, competence), level in targets.items():
        version = (versions or {}).get((role, competence))
        target_set(actor=actor, competence=competence, level=level, role=role, version=version)


# ---------------------------------------------------------------- development actions


def _validate_action(action: DevelopmentAction) -> None:
    _check_profile_person(action.person if action.person_id else None)
    action.title = (action.title or "").strip()
    if not action.title:
        raise ValidationError({"title": _("Give the action a title.")})
    if action.blocked:
        if action.status not in OPEN_STATUSES:
            raise ValidationError(
                {
                    "blocked": _(
                        "Only open actions can be blocked; a done or cancelled action is not waiting for anything."
                    )
                }
            )
        if action.blocked_cause not in BlockedCause.values:
            raise ValidationError(
                {"blocked_cause": _("Say what blocks the action: structure, process, resources or management.")}
            )
    else:
        action.blocked_cause = ""
        action.blocked_note = ""


@transaction.atomic
def action_create(
    *,
    actor: Actor,
    person: User,
    title: str,
    competence: Competence | None = None,
    due_date: dt.date | None = None,
    status: str = ActionStatus.PLANNED,
    owner: User | None = None,
    blocked: bool = False,
    blocked_cause: str = "",
    blocked_note: str = "",
    notes: str = "",
) -> DevelopmentAction:
    """Plan a development action for ``person`` (a key account manager plans their own ones)."""
    authorize(actor, "organisation.add_action", person)
    action = DevelopmentAction(
        person=person,
        title=title,
        competence=competence,
        due_date=due_date,
        status=status,
        owner=owner,
        blocked=blocked,
        blocked_cause=blocked_cause or "",
        blocked_note=(blocked_note or "").strip(),
        notes=(notes or "").strip(),
    )
    _validate_action(action)
    _save(action, actor)
    return action


@transaction.atomic
def action_update(
    *, actor: Actor, action: DevelopmentAction, version: int | None = None, **changes: Any
) -> DevelopmentAction:
    """Change a development action; only head of KAM and administrators move it to another person.
    ``version``: the version the change is based on (``ConcurrentEdit`` when it was saved since)."""
    authorize(actor, "organisation.change_action", action)
    reject_unknown_fields(changes, ACTION_FIELDS, what="action")
    action = DevelopmentAction.objects.select_for_update().get(pk=action.pk)
    expect_version(action, version)
    if "person" in changes and changes["person"] is not None and changes["person"].pk != action.person_id:
        authorize(actor, "organisation.change_structure")  # managers only
        authorize(actor, "organisation.add_action", changes["person"])
    for field, value in changes.items():
        if field in ("blocked_cause",) and value is None:
            value = ""
        setattr(action, field, value.strip() if isinstance(value, str) and field != "blocked_cause" else value)
    _validate_action(action)
    _save(action, actor)
    return action


@transaction.atomic
def action_delete(*, actor: Actor, action: DevelopmentAction, version: int | None = None) -> None:
    authorize(actor, "organisation.delete_action", action)
    expect_saved_version(action, version)
    _delete(action, actor)
