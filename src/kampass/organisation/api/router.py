"""The organisation router and how its endpoints read a request: the caller, ids sent in the
body, service errors under the API's field names."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from kampass.common.api import Id, api_field_names
from kampass.common.api import actor as _actor
from kampass.common.permissions import authorize
from kampass.organisation.models import Competence, ProfileRole, RaciCode
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


_api_field_names = partial(api_field_names, API_FIELD_NAMES)


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


def _profile_person(request: HttpRequest, user_id: Id) -> User:
    """The person with a competence profile, if the user may read it; else 403 (404 if there is none)."""
    person = get_object_or_404(User, pk=user_id, role__in=ProfileRole.values)
    authorize(_actor(request), "organisation.view_profile", person)
    return person
