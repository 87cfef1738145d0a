"""Competence profiles, ratings and self-assessments, role and personal targets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Status

from kampass.common.api import ERRORS, Id, PageIn, refused
from kampass.common.concurrency import api_update, conflict_responses
from kampass.common.permissions import authorize
from kampass.organisation import selectors, services
from kampass.organisation.api.router import (
    _actor,
    _api_field_names,
    _body_competence,
    _body_user,
    _profile_person,
    router,
)
from kampass.organisation.api.schemas import (
    ProfileLineOut,
    ProfileOut,
    ProfilePageOut,
    RatingIn,
    TargetIn,
    TargetOut,
    TargetPageOut,
)
from kampass.organisation.models import Competence, CompetenceTarget
from kampass.users.models import User


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
def profile_get(request: HttpRequest, user_id: Id) -> dict[str, Any]:
    return _profile_out(selectors.profile(_profile_person(request, user_id)))


@router.put(
    "/organisation/profiles/{user_id}/ratings/{competence_id}",
    response={200: ProfileLineOut, **ERRORS, **conflict_responses(ProfileLineOut)},
    openapi_extra=refused(
        "the competence is inactive",
        "the person is neither a key account manager nor a head of KAM",
    ),
)
def rating_put(request: HttpRequest, response: HttpResponse, user_id: Id, competence_id: Id, payload: RatingIn) -> Any:
    """Rate (``level``, ``note``) and/or self-assess (``self_level``) one competence of a profile. Send the line's
    ``version`` (or ``If-Match``): a stale one answers 409 (412) with the line as saved."""
    person = _profile_person(request, user_id)
    competence = get_object_or_404(Competence, pk=competence_id)
    if not competence.active:
        raise ValidationError({"competence_id": _("This competence is inactive.")})
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    if not sent:
        raise ValidationError(_("Send level, self_level or note."))
    rate = "level" in sent or "note" in sent

    def change(version: int | None) -> None:
        line = services.ProfileLineChange(
            competence,
            rate=rate,
            level=sent["level"] if "level" in sent else _line(person, competence).row.level,
            note=sent.get("note"),
            self_rate="self_level" in sent,
            self_level=sent.get("self_level"),
            version=version,
        )
        services.profile_update(actor=_actor(request), person=person, changes=[line])

    return api_update(
        request,
        response,
        version=payload.version,
        update=change,
        current=lambda: _line_out(_line(person, competence)),
        version_of=lambda out: out["version"],
    )


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
        "version": line.version,
    }


@router.get("/organisation/targets", response={200: TargetPageOut, **ERRORS})
def target_list(request: HttpRequest) -> dict[str, Any]:
    """Role targets (everybody) and personal targets (those the caller may read)."""
    actor = _actor(request)
    authorize(actor, "organisation.view_competences")
    qs = CompetenceTarget.objects.all().order_by("competence__order", "role", "user_id")
    if not actor.has_perm("organisation.view_all_profiles"):
        qs = qs.filter(Q(user__isnull=True) | Q(user=actor))
    items = [_target_out(t) for t in qs]
    return {"items": items, "count": len(items)}


def _target_out(t: CompetenceTarget) -> dict[str, Any]:
    return {
        "competence_id": t.competence_id,
        "role": t.role,
        "user_id": t.user_id,
        "level": t.level,
        "version": t.version,
    }


@router.put(
    "/organisation/targets",
    response={200: TargetOut, 204: None, **ERRORS, **conflict_responses(TargetOut)},
    openapi_extra=refused(
        "both or neither of role and user_id sent",
        "the person is neither a key account manager nor a head of KAM",
        "an id that names no stored object",
    ),
)
def target_put(request: HttpRequest, response: HttpResponse, payload: TargetIn) -> Any:
    """Set a role's or a person's target on a competence; ``level`` null removes it (answers 204). Send the
    target's ``version`` (0: none set; or ``If-Match``): a stale one answers 409 (412) with the target as saved."""
    actor = _actor(request)
    authorize(actor, "organisation.set_targets")
    competence = _body_competence(payload.competence_id)
    assert competence is not None
    person = _body_user(payload.user_id, "user_id")
    lookup = {"competence": competence, "role": payload.role, "user": person}

    def change(version: int | None) -> None:
        with _api_field_names():
            services.target_set(
                actor=actor,
                competence=competence,
                level=payload.level,
                role=payload.role,
                person=person,
                version=version,
            )

    def current() -> dict[str, Any]:
        saved = CompetenceTarget.objects.filter(**lookup).first()
        if saved is not None:
            return _target_out(saved)
        return {
            "competence_id": competence.pk,
            "role": payload.role,
            "user_id": payload.user_id,
            "level": None,
            "version": 0,
        }

    answer = api_update(
        request, response, version=payload.version, update=change, current=current, version_of=lambda o: o["version"]
    )
    if isinstance(answer, dict) and answer["level"] is None:
        return Status(204, None)
    return answer
