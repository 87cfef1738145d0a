"""JSON API of the accounts context: accounts and their hierarchy, contacts,
positions, buying centres, account teams and coverage.

Endpoints only translate between JSON and the services/selectors: they parse
explicit input schemas, resolve ids to objects, call one service (which checks
the permission and validates) and return an output schema. Reading the details
of an account (people, team, status history) needs
``accounts.view_account_details`` on it, as on the account page.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kampass.accounts import selectors, services
from kampass.accounts.models import (
    Account,
    AccountStatusChange,
    BuyingCentreMember,
    BuyingRole,
    Contact,
    Coverage,
    KamStatus,
    PoliticalStatus,
    Position,
    RelationshipLevel,
    TeamMember,
    TeamRole,
)
from kampass.common.activity import KINDS as ACTIVITY_KINDS
from kampass.common.api import (
    ERRORS,
    UNCHANGED,
    Id,
    InSchema,
    PageIn,
    RemovalIn,
    api_field_names,
    model_field,
    refused,
)
from kampass.common.api import actor as _actor
from kampass.common.api import page_of as _page
from kampass.common.api import ref as _ref
from kampass.common.api import required_ref as _required_ref
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.users.models import OrgUnit, User

router = Router(tags=["accounts"])

M = TypeVar("M", bound=models.Model)

# Service argument -> API field, so that a 422 names the field the client sent.
API_FIELD_NAMES = {
    "parent": "parent_id",
    "lead_unit": "lead_unit_id",
    "status": "kam_status",
    "reason": "status_reason",
    "effective_date": "status_effective_date",
    "reports_to": "reports_to_id",
    "contact": "contact_id",
    "account": "account_id",
    "org_unit": "org_unit_id",
    "team_member": "team_user_id",
    "user": "user_id",
}

_api_field_names = partial(api_field_names, API_FIELD_NAMES)


# ---------------------------------------------------------------- helpers


def _account_with_details(request: HttpRequest, account_id: Id) -> Account:
    """The account, if the user may read its details (people, team, history); else 403."""
    account = get_object_or_404(Account, pk=account_id)
    authorize(_actor(request), "accounts.view_account_details", account)
    return account


# ---------------------------------------------------------------- schemas


class AccountRefOut(Schema):
    id: int
    name: str


class AccountOut(Schema):
    id: int
    name: str
    legal_name: str
    parent_id: Id | None
    path: list[int] = Field(description="Ids of the ancestors, from the root down to the parent.")
    depth: int
    kam_status: str
    industry: str
    country: str = Field(description="ISO 3166-1 alpha-2 code, or empty.")
    currency: str
    website: str
    external_id: str
    lead_unit_id: Id | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = version_out()

    @staticmethod
    def resolve_path(obj: Account) -> list[int]:
        return obj.ancestor_ids()

    @staticmethod
    def resolve_country(obj: Account) -> str:
        return obj.country.code or ""  # type: ignore[attr-defined]  # a Country at run time; the plugin types the CharField base (str)


class AccountDetailOut(AccountOut):
    notes: str
    children: list[AccountRefOut]

    @staticmethod
    def resolve_children(obj: Account) -> list[Account]:
        return list(obj.children.order_by(Lower("name"), "pk").only("id", "name"))


class AccountPageOut(Schema):
    items: list[AccountOut]
    count: int


class AccountFilterIn(InSchema):
    q: str = Field("", description="Search in name and legal name (and exact external id).")
    kam_status: str = Field("", json_schema_extra={"enum": ["", *KamStatus.values]})
    industry: str = ""
    country: str = Field("", description="ISO country code.")
    parent_id: Id | None = Field(None, description="Only the direct children of this account.")
    root: bool = Field(False, description="Only top-level accounts.")
    subtree_of: int | None = Field(None, description="Only this account and all accounts below it.")


class AccountIn(InSchema):
    name: str = model_field(Account, "name")
    legal_name: str = model_field(Account, "legal_name", "")
    parent_id: Id | None = None
    industry: str = model_field(Account, "industry", "")
    country: str = Field("", description="ISO 3166-1 alpha-2 code (checked by the service, which names the field).")
    currency: str = model_field(Account, "currency", "EUR")
    website: str = model_field(Account, "website", "")
    notes: str = ""
    external_id: str = model_field(Account, "external_id", "")
    lead_unit_id: Id | None = None
    kam_status: str = Field(KamStatus.PROSPECT.value, json_schema_extra={"enum": [*KamStatus.values]})
    status_reason: str = Field("", description="Why the account starts with this KAM status.")


class AccountPatchIn(InSchema):
    """Only the fields sent are changed; ``parent_id`` moves the account (``null``: to the top level),
    ``lead_unit_id: null`` removes the lead unit. Text fields cannot be ``null`` (send ``""`` to empty
    one that may be empty)."""

    name: str = model_field(Account, "name", UNCHANGED)
    legal_name: str = model_field(Account, "legal_name", UNCHANGED)
    parent_id: Id | None = UNCHANGED
    industry: str = model_field(Account, "industry", UNCHANGED)
    country: str = Field(UNCHANGED, description="ISO 3166-1 alpha-2 code, or empty.")
    currency: str = model_field(Account, "currency", UNCHANGED)
    website: str = model_field(Account, "website", UNCHANGED)
    notes: str = model_field(Account, "notes", UNCHANGED)
    external_id: str = model_field(Account, "external_id", UNCHANGED)
    lead_unit_id: Id | None = UNCHANGED
    kam_status: str = Field(UNCHANGED, json_schema_extra={"enum": [*KamStatus.values]})
    status_reason: str = model_field(
        AccountStatusChange, "reason", UNCHANGED, description="Required when kam_status changes."
    )
    status_effective_date: dt.date | None = Field(None, description="When the status change takes effect (today).")
    version: int | None = version_in()


class StatusChangeOut(Schema):
    id: int
    from_status: str
    to_status: str
    reason: str
    effective_date: dt.date
    changed_at: dt.datetime
    changed_by_id: Id | None
    changed_by: str | None

    @staticmethod
    def resolve_changed_by(obj: AccountStatusChange) -> str | None:
        return str(obj.changed_by) if obj.changed_by else None


class ContactPositionOut(Schema):
    id: int
    account_id: Id
    account_name: str
    title: str
    department: str
    reports_to_id: Id | None

    @staticmethod
    def resolve_account_name(obj: Position) -> str:
        return obj.account.name


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    notes: str
    created_at: dt.datetime
    positions: list[ContactPositionOut]
    version: int = version_out()

    @staticmethod
    def resolve_positions(obj: Contact) -> list[Position]:
        return list(obj.positions.all())


class ContactPageOut(Schema):
    items: list[ContactOut]
    count: int


class ContactFilterIn(InSchema):
    q: str = Field("", description="Search in name, email and the accounts the contact works at.")
    account_id: Id | None = Field(None, description="Only contacts holding a position at this account.")


class ContactIn(InSchema):
    last_name: str = model_field(Contact, "last_name")
    first_name: str = model_field(Contact, "first_name", "")
    email: str = model_field(Contact, "email", "")
    phone: str = model_field(Contact, "phone", "")
    notes: str = ""
    account_id: Id | None = Field(None, description="Create the contact's first position at this account.")
    title: str = ""
    department: str = ""
    reports_to_id: Id | None = Field(None, description="Contact the new position reports to (same account).")


class ContactPatchIn(InSchema):
    """Only the fields sent are changed; none can be ``null`` (send ``""`` to empty one that may be empty)."""

    first_name: str = model_field(Contact, "first_name", UNCHANGED)
    last_name: str = model_field(Contact, "last_name", UNCHANGED)
    email: str = model_field(Contact, "email", UNCHANGED)
    phone: str = model_field(Contact, "phone", UNCHANGED)
    notes: str = model_field(Contact, "notes", UNCHANGED)
    version: int | None = version_in()


class PositionOut(Schema):
    id: int
    contact_id: Id
    contact_name: str
    account_id: Id
    title: str
    department: str
    reports_to_id: Id | None
    version: int = version_out()

    @staticmethod
    def resolve_contact_name(obj: Position) -> str:
        return str(obj.contact)


class PositionIn(InSchema):
    contact_id: Id
    title: str = ""
    department: str = ""
    reports_to_id: Id | None = None


class BuyingCentreOut(Schema):
    id: int
    version: int = version_out()
    account_id: Id
    contact_id: Id
    contact_name: str
    roles: list[str]
    influence: int
    attitude: int
    political_status: str
    notes: str

    @staticmethod
    def resolve_contact_name(obj: BuyingCentreMember) -> str:
        return str(obj.contact)


class BuyingCentreIn(InSchema):
    roles: list[str] = Field(
        default_factory=list, json_schema_extra={"items": {"type": "string", "enum": [*BuyingRole.values]}}
    )
    influence: int = model_field(BuyingCentreMember, "influence", 5, description="0 (none) to 10 (decisive).")
    attitude: int = model_field(BuyingCentreMember, "attitude", 0, description="-2 (hostile) to +2 (supportive).")
    political_status: str = Field(PoliticalStatus.OUTSIDE.value, json_schema_extra={"enum": [*PoliticalStatus.values]})
    notes: str = ""
    version: int | None = version_in()


class TeamMemberOut(Schema):
    id: int
    version: int = version_out()
    account_id: Id
    user_id: Id
    user_name: str
    role: str
    org_unit_id: Id | None

    @staticmethod
    def resolve_user_name(obj: TeamMember) -> str:
        return str(obj.user)


class TeamMemberIn(InSchema):
    role: str = Field(TeamRole.KAM.value, json_schema_extra={"enum": [*TeamRole.values]})
    org_unit_id: Id | None = None
    version: int | None = version_in()


class CoverageOut(Schema):
    id: int
    version: int = version_out()
    team_member_id: Id
    team_user_id: Id
    team_user_name: str
    contact_id: Id
    contact_name: str
    level_now: int
    level_target: int

    @staticmethod
    def resolve_team_user_id(obj: Coverage) -> int:
        return obj.team_member.user_id

    @staticmethod
    def resolve_team_user_name(obj: Coverage) -> str:
        return str(obj.team_member.user)

    @staticmethod
    def resolve_contact_name(obj: Coverage) -> str:
        return str(obj.contact)


class CoverageIn(InSchema):
    team_user_id: Id = Field(description="User on the account team who covers the contact.")
    contact_id: Id
    level_now: int = Field(
        description="1 vendor, 2 credible source, 3 problem solver, 4 trusted advisor.",
        json_schema_extra={"enum": [*RelationshipLevel.values]},
    )
    level_target: int = Field(json_schema_extra={"enum": [*RelationshipLevel.values]})
    version: int | None = version_in()


# ---------------------------------------------------------------- accounts


@router.get("/accounts", response={200: AccountPageOut, **ERRORS})
def account_list(request: HttpRequest, filters: Query[AccountFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """List accounts (master data, readable by every user)."""
    qs = selectors.account_list(
        user=_actor(request),
        filters=selectors.AccountFilters(
            q=filters.q.strip(),
            status=filters.kam_status,
            industry=filters.industry,
            country=filters.country.upper(),
            top_level=filters.root,
        ),
    )
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    if filters.subtree_of is not None:
        root = Account.objects.filter(pk=filters.subtree_of).only("path").first()
        qs = qs.filter(path__startswith=root.path) if root else qs.none()
    return _page(qs, page)


@router.post(
    "/accounts",
    response={201: AccountDetailOut, **ERRORS},
    openapi_extra=refused("an account of that name exists under the same parent", "an id that names no stored object"),
)
def account_create(request: HttpRequest, payload: AccountIn) -> Status[Any]:
    with _api_field_names():
        account = services.account_create(
            actor=_actor(request),
            name=payload.name,
            parent=_ref(Account, payload.parent_id, "parent_id"),
            kam_status=payload.kam_status,
            status_reason=payload.status_reason,
            legal_name=payload.legal_name,
            industry=payload.industry,
            country=payload.country.upper(),
            currency=payload.currency,
            website=payload.website,
            notes=payload.notes,
            external_id=payload.external_id,
            lead_unit=_ref(OrgUnit, payload.lead_unit_id, "lead_unit_id"),
        )
    return Status(201, Account.objects.get(pk=account.pk))


@router.get("/accounts/{account_id}", response={200: AccountDetailOut, **ERRORS})
def account_detail(request: HttpRequest, response: HttpResponse, account_id: Id) -> Account:
    return set_etag(response, get_object_or_404(Account, pk=account_id))


@router.patch(
    "/accounts/{account_id}",
    response={200: AccountDetailOut, **ERRORS, **conflict_responses(AccountDetailOut)},
    openapi_extra=refused(
        "an account of that name exists under the same parent",
        "a move under its own subsidiary",
        "an id that names no stored object",
    ),
)
def account_update(request: HttpRequest, response: HttpResponse, account_id: Id, payload: AccountPatchIn) -> Any:
    """Change master data, move the account (``parent_id``) or change its KAM status (with ``status_reason``).

    Send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412) and changes nothing."""
    actor = _actor(request)
    account = get_object_or_404(Account, pk=account_id)
    changes = payload.model_dump(exclude_unset=True)
    changes.pop("version", None)
    status = changes.pop("kam_status", None)
    reason = changes.pop("status_reason", None) or ""
    effective_date = changes.pop("status_effective_date", None)
    with transaction.atomic(), _api_field_names():
        if "parent_id" in changes:
            changes["parent"] = _ref(Account, changes.pop("parent_id"), "parent_id")
        if "lead_unit_id" in changes:
            changes["lead_unit"] = _ref(OrgUnit, changes.pop("lead_unit_id"), "lead_unit_id")
        if isinstance(changes.get("country"), str):
            changes["country"] = changes["country"].upper()
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.account_change(
                actor=actor,
                account=account,
                status=status,
                reason=reason,
                effective_date=effective_date,
                version=version,
                **changes,
            ),
            current=lambda: Account.objects.get(pk=account.pk),
        )


@router.delete(
    "/accounts/{account_id}",
    response={204: None, **ERRORS, **conflict_responses(AccountDetailOut)},
    openapi_extra=refused("the account has subsidiaries"),
)
def account_delete(request: HttpRequest, response: HttpResponse, account_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete an account; send the ``version`` you read (or ``If-Match``): when it was changed since, nothing is
    deleted and the answer is 409 (412) with the account as saved."""
    account = get_object_or_404(Account, pk=account_id)
    with _api_field_names():
        return api_delete(
            request,
            response,
            version=removal.version,
            remove=lambda version: services.account_delete(actor=_actor(request), account=account, version=version),
            current=lambda: Account.objects.get(pk=account.pk),
        )


@router.get("/accounts/{account_id}/status-history", response={200: list[StatusChangeOut], **ERRORS})
def account_status_history(request: HttpRequest, account_id: Id) -> list[AccountStatusChange]:
    account = _account_with_details(request, account_id)
    return list(account.status_changes.select_related("changed_by"))


class ActivityOut(Schema):
    when: dt.datetime
    who: str = Field(description="Who did it (“–”: unknown).")
    kind: str = Field(description="comment, opportunity, plan, action, team or account.")
    text: str = Field(description="What happened, in the caller's language.")
    link: str = Field(description="The page it concerns (a path of this site; empty: none).")
    account_id: int


class ActivityPageOut(Schema):
    items: list[ActivityOut]
    count: int


class ActivityFilterIn(InSchema):
    subtree: bool = Field(False, description="With the account's subsidiaries.")
    kind: list[str] = Field(
        [],
        description="Only these kinds (none: all).",
        json_schema_extra={"items": {"type": "string", "enum": list(ACTIVITY_KINDS)}},
    )


@router.get("/accounts/{account_id}/activity", response={200: ActivityPageOut, **ERRORS})
def account_activity(
    request: HttpRequest, account_id: Id, filters: Query[ActivityFilterIn], page: Query[PageIn]
) -> dict[str, Any]:
    """What happened on the account, from every context, newest first: comments, opportunities opened,
    moved, won or lost, plans and actions created or changing status, team and field changes (403 for a
    user who may not read the account's details)."""
    from kampass.accounts.activity import account_timeline

    account = _account_with_details(request, account_id)
    entries = account_timeline(
        user=_actor(request), account=account, with_subsidiaries=filters.subtree, kinds=filters.kind
    )
    return _page(entries, page)


# ---------------------------------------------------------------- contacts


def _contacts() -> QuerySet[Contact]:
    return Contact.objects.prefetch_related(Prefetch("positions", Position.objects.select_related("account")))


@router.get("/contacts", response={200: ContactPageOut, **ERRORS})
def contact_list(request: HttpRequest, filters: Query[ContactFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """List the contacts the user may see (a key account manager: those at accounts of their teams)."""
    qs = selectors.contact_list(user=_actor(request), q=filters.q.strip()).prefetch_related(
        Prefetch("positions", Position.objects.select_related("account"))
    )
    if filters.account_id is not None:
        qs = qs.filter(pk__in=Position.objects.filter(account_id=filters.account_id).values("contact_id"))
    return _page(qs, page)


@router.post(
    "/contacts", response={201: ContactOut, **ERRORS}, openapi_extra=refused("an id that names no stored object")
)
def contact_create(request: HttpRequest, payload: ContactIn) -> Status[Any]:
    """Create a contact; with ``account_id`` also their first position there."""
    with _api_field_names():
        contact = services.contact_create(
            actor=_actor(request),
            last_name=payload.last_name,
            first_name=payload.first_name,
            email=payload.email,
            phone=payload.phone,
            notes=payload.notes,
            account=_ref(Account, payload.account_id, "account_id"),
            title=payload.title,
            department=payload.department,
            reports_to=_ref(Contact, payload.reports_to_id, "reports_to_id"),
        )
    return Status(201, _contacts().get(pk=contact.pk))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def contact_detail(request: HttpRequest, response: HttpResponse, contact_id: Id) -> Contact:
    contact = get_object_or_404(_contacts(), pk=contact_id)
    authorize(_actor(request), "accounts.view_contact", contact)
    set_etag(response, contact)
    return contact


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS, **conflict_responses(ContactOut)},
    openapi_extra=refused("an id that names no stored object"),
)
def contact_update(request: HttpRequest, response: HttpResponse, contact_id: Id, payload: ContactPatchIn) -> Any:
    """Change a contact; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    contact = get_object_or_404(Contact, pk=contact_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    with _api_field_names():
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.contact_update(
                actor=_actor(request), contact=contact, version=version, **changes
            ),
            current=lambda: _contacts().get(pk=contact.pk),
        )


@router.delete("/contacts/{contact_id}", response={204: None, **ERRORS, **conflict_responses(ContactOut)})
def contact_delete(request: HttpRequest, response: HttpResponse, contact_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete a contact; a stale ``version`` (``If-Match``) answers 409 (412) with the contact as saved."""
    contact = get_object_or_404(Contact, pk=contact_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.contact_delete(actor=_actor(request), contact=contact, version=version),
        current=lambda: _contacts().get(pk=contact.pk),
    )


# ---------------------------------------------------------------- positions


@router.get("/accounts/{account_id}/positions", response={200: list[PositionOut], **ERRORS})
def position_list(request: HttpRequest, account_id: Id) -> list[Position]:
    account = _account_with_details(request, account_id)
    return list(
        account.positions.select_related("contact").order_by(
            Lower("contact__last_name"), Lower("contact__first_name"), "pk"
        )
    )


@router.post(
    "/accounts/{account_id}/positions",
    response={201: PositionOut, **ERRORS},
    openapi_extra=refused("an id that names no stored object"),
)
def position_set(request: HttpRequest, account_id: Id, payload: PositionIn) -> Status[Any]:
    """Give a contact a position at the account (or change the one they hold)."""
    account = get_object_or_404(Account, pk=account_id)
    with _api_field_names():
        position = services.position_set(
            actor=_actor(request),
            contact=_required_ref(Contact, payload.contact_id, "contact_id"),
            account=account,
            title=payload.title,
            department=payload.department,
            reports_to=_ref(Contact, payload.reports_to_id, "reports_to_id"),
        )
    return Status(201, position)


@router.delete("/positions/{position_id}", response={204: None, **ERRORS, **conflict_responses(PositionOut)})
def position_delete(request: HttpRequest, response: HttpResponse, position_id: Id, removal: Query[RemovalIn]) -> Any:
    """Remove a contact from an account (and from its buying centre and coverage); a stale ``version``
    (``If-Match``) answers 409 (412) with the position as saved."""
    position = get_object_or_404(Position.objects.select_related("account", "contact"), pk=position_id)
    authorize(_actor(request), "accounts.view_account_details", position.account)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.position_delete(actor=_actor(request), position=position, version=version),
        current=lambda: Position.objects.select_related("contact").get(pk=position.pk),
    )


# ---------------------------------------------------------------- buying centre


@router.get("/accounts/{account_id}/buying-centre", response={200: list[BuyingCentreOut], **ERRORS})
def buying_centre_list(request: HttpRequest, account_id: Id) -> list[BuyingCentreMember]:
    account = _account_with_details(request, account_id)
    return list(account.buying_centre.select_related("contact"))


@router.put(
    "/accounts/{account_id}/buying-centre/{contact_id}",
    response={200: BuyingCentreOut, **ERRORS, **conflict_responses(BuyingCentreOut)},
    openapi_extra=refused("the contact holds no position at the account"),
)
def buying_centre_set(
    request: HttpRequest, response: HttpResponse, account_id: Id, contact_id: Id, payload: BuyingCentreIn
) -> Any:
    """Put a contact (who holds a position at the account) into its buying centre, or update their entry
    (send its ``version`` or ``If-Match``: a stale one answers 409 or 412)."""
    account = get_object_or_404(Account, pk=account_id)
    contact = get_object_or_404(Contact, pk=contact_id)
    with _api_field_names():
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.buying_centre_set(
                actor=_actor(request),
                account=account,
                contact=contact,
                roles=payload.roles,
                influence=payload.influence,
                attitude=payload.attitude,
                political_status=payload.political_status,
                notes=payload.notes,
                version=version,
            ),
            current=lambda: BuyingCentreMember.objects.get(account=account, contact=contact),
        )


@router.delete(
    "/accounts/{account_id}/buying-centre/{contact_id}",
    response={204: None, **ERRORS, **conflict_responses(BuyingCentreOut)},
)
def buying_centre_remove(
    request: HttpRequest, response: HttpResponse, account_id: Id, contact_id: Id, removal: Query[RemovalIn]
) -> Any:
    """Take a contact out of the buying centre; a stale ``version`` (``If-Match``) answers 409 (412) with the
    entry as saved."""
    account = _account_with_details(request, account_id)
    member = get_object_or_404(
        BuyingCentreMember.objects.select_related("account"), account=account, contact_id=contact_id
    )
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.buying_centre_remove(actor=_actor(request), member=member, version=version),
        current=lambda: BuyingCentreMember.objects.get(pk=member.pk),
    )


# ---------------------------------------------------------------- team


@router.get("/accounts/{account_id}/team", response={200: list[TeamMemberOut], **ERRORS})
def team_list(request: HttpRequest, account_id: Id) -> list[TeamMember]:
    account = _account_with_details(request, account_id)
    return list(account.team.select_related("user").order_by("role", "pk"))


@router.put(
    "/accounts/{account_id}/team/{user_id}",
    response={200: TeamMemberOut, **ERRORS, **conflict_responses(TeamMemberOut)},
    openapi_extra=refused("an id that names no stored object"),
)
def team_member_set(
    request: HttpRequest, response: HttpResponse, account_id: Id, user_id: Id, payload: TeamMemberIn
) -> Any:
    """Put a user on the account team in a role (or change their role; send the membership's ``version`` or
    ``If-Match``: a stale one answers 409 or 412)."""
    account = get_object_or_404(Account, pk=account_id)
    user = get_object_or_404(User, pk=user_id)
    with _api_field_names():
        org_unit = _ref(OrgUnit, payload.org_unit_id, "org_unit_id")
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.team_member_set(
                actor=_actor(request),
                account=account,
                user=user,
                role=payload.role,
                org_unit=org_unit,
                version=version,
            ),
            current=lambda: TeamMember.objects.get(account=account, user=user),
        )


@router.delete(
    "/accounts/{account_id}/team/{user_id}", response={204: None, **ERRORS, **conflict_responses(TeamMemberOut)}
)
def team_member_remove(
    request: HttpRequest, response: HttpResponse, account_id: Id, user_id: Id, removal: Query[RemovalIn]
) -> Any:
    """Take a user off the account team; a stale ``version`` (``If-Match``) answers 409 (412) with the
    membership as saved."""
    account = _account_with_details(request, account_id)
    member = get_object_or_404(TeamMember.objects.select_related("account"), account=account, user_id=user_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.team_member_remove(actor=_actor(request), member=member, version=version),
        current=lambda: TeamMember.objects.select_related("user").get(pk=member.pk),
    )


# ---------------------------------------------------------------- coverage


@router.get("/accounts/{account_id}/coverage", response={200: list[CoverageOut], **ERRORS})
def coverage_list(request: HttpRequest, account_id: Id) -> list[Coverage]:
    account = _account_with_details(request, account_id)
    return list(
        Coverage.objects.filter(team_member__account=account)
        .select_related("team_member__user", "contact")
        .order_by("pk")
    )


@router.put(
    "/accounts/{account_id}/coverage",
    response={200: CoverageOut, **ERRORS, **conflict_responses(CoverageOut)},
    openapi_extra=refused(
        "the user is not on the account's team",
        "the contact holds no position at the account",
        "an id that names no stored object",
    ),
)
def coverage_set(request: HttpRequest, response: HttpResponse, account_id: Id, payload: CoverageIn) -> Any:
    """Record that a team member covers a contact of the account, now and as target level (send the coverage's
    ``version`` or ``If-Match`` when you change one: a stale one answers 409 or 412)."""
    account = get_object_or_404(Account, pk=account_id)
    team_member = TeamMember.objects.filter(account=account, user_id=payload.team_user_id).first()
    with _api_field_names():
        if team_member is None:
            raise ValidationError(
                {
                    "team_user_id": _("User %(id)s is not on the team of %(account)s.")
                    % {"id": payload.team_user_id, "account": account.name}
                }
            )
        contact = _required_ref(Contact, payload.contact_id, "contact_id")
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.coverage_set(
                actor=_actor(request),
                team_member=team_member,
                contact=contact,
                level_now=payload.level_now,
                level_target=payload.level_target,
                version=version,
            ),
            current=lambda: Coverage.objects.select_related("team_member__user", "contact").get(
                team_member=team_member, contact=contact
            ),
        )


@router.delete("/coverage/{coverage_id}", response={204: None, **ERRORS, **conflict_responses(CoverageOut)})
def coverage_remove(request: HttpRequest, response: HttpResponse, coverage_id: Id, removal: Query[RemovalIn]) -> Any:
    """Remove a coverage; a stale ``version`` (``If-Match``) answers 409 (412) with the coverage as saved."""
    coverage = get_object_or_404(Coverage.objects.select_related("team_member__account"), pk=coverage_id)
    authorize(_actor(request), "accounts.view_account_details", coverage.team_member.account)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.coverage_remove(actor=_actor(request), coverage=coverage, version=version),
        current=lambda: Coverage.objects.select_related("team_member__user", "contact").get(pk=coverage.pk),
    )
