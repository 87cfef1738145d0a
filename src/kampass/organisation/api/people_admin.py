"""Users and org units, administered without the Django admin (administrators only): list and search
users, invite one (created without a password; the e-mail carries a one-time link to set it), change a
user's names, e-mail address, role, org unit, manager or deactivate them, send the invitation again;
list, create and change org units. The services refuse manager and parent cycles and an administrator
taking their own administrator role or deactivating themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema, Status

from kampass.common.api import (
    ERRORS,
    UNCHANGED,
    Id,
    InSchema,
    PageIn,
    api_field_names,
    model_field,
    page_of,
    ref,
    refused,
)
from kampass.common.permissions import authorize
from kampass.organisation.api.router import _actor, router
from kampass.organisation.views_people_admin import base_url
from kampass.users import selectors as user_selectors
from kampass.users import services as user_services
from kampass.users.models import OrgUnit, Role, User

MANAGE = "users.manage_users"
_NAMES = {"org_unit": "org_unit_id", "manager": "manager_id", "parent": "parent_id"}
_TAKEN = "a user name that is taken"
_EMAIL = "an e-mail address that is not valid"
#: what Django's user name validator accepts (the API: ASCII only)
USERNAME = r"^[-a-zA-Z0-9_.@+]+$"
_NO_OBJECT = "an id that names no stored object"


class UserAdminOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str = Field(json_schema_extra={"enum": [*Role.values]})
    org_unit_id: int | None
    manager_id: int | None
    external_id: str
    is_active: bool = Field(description="False: deactivated, cannot log in, their API tokens are refused.")
    has_password: bool = Field(description="False: invited, has not set a password yet.")
    last_login: dt.datetime | None
    date_joined: dt.datetime

    @staticmethod
    def resolve_has_password(obj: User) -> bool:
        return obj.has_usable_password()


class UserAdminPageOut(Schema):
    items: list[UserAdminOut]
    count: int


class UserAdminFilterIn(InSchema):
    q: str = Field("", max_length=200, description="Words in the name, user name or e-mail address.")
    role: str = Field("", json_schema_extra={"enum": ["", *Role.values]})
    org_unit_id: Id | None = None
    active: bool | None = None


class UserAdminIn(InSchema):
    username: str = model_field(User, "username", pattern=USERNAME)
    email: str = model_field(User, "email", "")
    first_name: str = model_field(User, "first_name", "")
    last_name: str = model_field(User, "last_name", "")
    role: str = model_field(User, "role", Role.VIEWER)
    org_unit_id: Id | None = None
    manager_id: Id | None = None
    external_id: str = model_field(User, "external_id", "")
    invite: bool = Field(
        True, description="E-mail the user the link to set their password (then an e-mail address is required)."
    )


class UserAdminPatchIn(InSchema):
    """Only the fields sent are changed; ``null`` clears the org unit or the manager."""

    username: str = model_field(User, "username", UNCHANGED, pattern=USERNAME)
    email: str = model_field(User, "email", UNCHANGED)
    first_name: str = model_field(User, "first_name", UNCHANGED)
    last_name: str = model_field(User, "last_name", UNCHANGED)
    role: str = model_field(User, "role", UNCHANGED)
    org_unit_id: Id | None = UNCHANGED
    manager_id: Id | None = UNCHANGED
    external_id: str = model_field(User, "external_id", UNCHANGED)
    is_active: bool = Field(UNCHANGED, description="false deactivates the user (no login, no API token).")


class UserInvitationOut(Schema):
    sent_to: str = Field(description="The e-mail address the invitation went to.")


class OrgUnitOut(Schema):
    id: int
    name: str
    code: str
    country: str
    parent_id: int | None
    team_size: int = Field(description="Active users of the unit.")


class OrgUnitPageOut(Schema):
    items: list[OrgUnitOut]
    count: int


class OrgUnitIn(InSchema):
    name: str = model_field(OrgUnit, "name")
    code: str = model_field(OrgUnit, "code", "")
    country: str = Field("", pattern=r"^([A-Z]{2})?$", description="Two-letter ISO code, e.g. CH.")
    parent_id: Id | None = None


class OrgUnitPatchIn(InSchema):
    """Only the fields sent are changed; ``null`` for ``parent_id`` makes it a top-level unit."""

    name: str = model_field(OrgUnit, "name", UNCHANGED)
    code: str = model_field(OrgUnit, "code", UNCHANGED)
    country: str = Field(UNCHANGED, pattern=r"^([A-Z]{2})?$", description="Two-letter ISO code, e.g. CH.")
    parent_id: Id | None = UNCHANGED


def _user(user_id: int) -> User:
    return get_object_or_404(user_selectors.user_admin_list(), pk=user_id)


def _unit(unit_id: int) -> OrgUnit:
    return get_object_or_404(user_selectors.org_unit_list(), pk=unit_id)


def _refs(data: dict[str, Any]) -> dict[str, Any]:
    """The body's ids as the objects the services take (an unknown id is a 422 on its field)."""
    if "org_unit_id" in data:
        data["org_unit"] = ref(OrgUnit, data.pop("org_unit_id"), "org_unit_id")
    if "manager_id" in data:
        data["manager"] = ref(User, data.pop("manager_id"), "manager_id")
    if "parent_id" in data:
        data["parent"] = ref(OrgUnit, data.pop("parent_id"), "parent_id")
    return data


@router.get("/organisation/users", response={200: UserAdminPageOut, **ERRORS}, summary="List users")
def user_list(request: HttpRequest, filters: Query[UserAdminFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """Users by name, with role, org unit, manager and whether they are active or still invited."""
    authorize(_actor(request), MANAGE)
    f = user_selectors.UserFilters(
        q=filters.q.strip(), role=filters.role, org_unit=filters.org_unit_id, active=filters.active
    )
    return page_of(user_selectors.user_admin_list(f), page)


@router.post(
    "/organisation/users",
    response={201: UserAdminOut, **ERRORS},
    summary="Invite a user",
    openapi_extra=refused(_TAKEN, _EMAIL, _NO_OBJECT, "an invitation without an e-mail address"),
)
def user_create(request: HttpRequest, payload: UserAdminIn) -> Status[User]:
    """Create a user without a password; with ``invite`` (default) they get the e-mail with the link to set it."""
    authorize(_actor(request), MANAGE)
    data = payload.model_dump()
    invite = data.pop("invite")
    with api_field_names(_NAMES):
        data = _refs(data)
        if invite:
            user = user_services.user_create_invited(actor=_actor(request), base_url=base_url(request), **data)
        else:
            user = user_services.user_create(actor=_actor(request), password=None, **data)
    return Status(201, _user(user.pk))


@router.get("/organisation/users/{user_id}", response={200: UserAdminOut, **ERRORS}, summary="Read a user")
def user_get(request: HttpRequest, user_id: Id) -> User:
    authorize(_actor(request), MANAGE)
    return _user(user_id)


@router.patch(
    "/organisation/users/{user_id}",
    response={200: UserAdminOut, **ERRORS},
    summary="Change a user",
    openapi_extra=refused(
        _TAKEN,
        _EMAIL,
        _NO_OBJECT,
        "a manager who reports to the user already",
        "an administrator taking their own administrator role or deactivating themselves",
    ),
)
def user_update(request: HttpRequest, user_id: Id, payload: UserAdminPatchIn) -> User:
    authorize(_actor(request), MANAGE)
    user = _user(user_id)
    with api_field_names(_NAMES):
        changes = _refs(payload.model_dump(exclude_unset=True))
        user_services.user_update(actor=_actor(request), user=user, **changes)
    return _user(user.pk)


@router.post(
    "/organisation/users/{user_id}/invitation",
    response={200: UserInvitationOut, **ERRORS},
    summary="Send the invitation again",
    openapi_extra=refused("the user has set a password already, is deactivated or has no e-mail address"),
)
def user_invite(request: HttpRequest, user_id: Id) -> dict[str, str]:
    """E-mail the user a new link to set their password (the old one keeps working until it expires or is used)."""
    authorize(_actor(request), MANAGE)
    user = _user(user_id)
    user_services.user_invite(actor=_actor(request), user=user, base_url=base_url(request))
    return {"sent_to": user.email}


@router.get("/organisation/org-units", response={200: OrgUnitPageOut, **ERRORS}, summary="List org units")
def org_unit_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """Org units by name, with their parent and team size."""
    authorize(_actor(request), MANAGE)
    return page_of(user_selectors.org_unit_list(), page)


@router.post(
    "/organisation/org-units",
    response={201: OrgUnitOut, **ERRORS},
    summary="Create an org unit",
    openapi_extra=refused("an org unit of that name exists", _NO_OBJECT),
)
def org_unit_create(request: HttpRequest, payload: OrgUnitIn) -> Status[OrgUnit]:
    authorize(_actor(request), MANAGE)
    with api_field_names(_NAMES):
        unit = user_services.org_unit_save(actor=_actor(request), **_refs(payload.model_dump()))
    return Status(201, _unit(unit.pk))


@router.patch(
    "/organisation/org-units/{unit_id}",
    response={200: OrgUnitOut, **ERRORS},
    summary="Change an org unit",
    openapi_extra=refused("an org unit of that name exists", _NO_OBJECT, "a parent that lies below the unit"),
)
def org_unit_update(request: HttpRequest, unit_id: Id, payload: OrgUnitPatchIn) -> OrgUnit:
    authorize(_actor(request), MANAGE)
    unit = _unit(unit_id)
    current = {"name": unit.name, "code": unit.code, "country": unit.country, "parent": unit.parent}
    with api_field_names(_NAMES):
        changes = _refs(payload.model_dump(exclude_unset=True))
        user_services.org_unit_save(actor=_actor(request), unit=unit, **{**current, **changes})
    return _unit(unit.pk)
