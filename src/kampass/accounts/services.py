"""Write operations of the accounts context.

Every function is one transaction, takes keyword arguments only, checks the
actor's permission itself (so the UI, the API and the CLI enforce the same
rules) and validates before it writes: on any error nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kampass.accounts.models import (
    Account,
    AccountStatusChange,
    BuyingCentreMember,
    BuyingRole,
    Contact,
    Coverage,
    KamStatus,
    Position,
    TeamMember,
    TeamRole,
)
from kampass.common.concurrency import expect_row_version, expect_saved_version, expect_version
from kampass.common.notifications import TEAM_MEMBER_ADDED, notify_assigned
from kampass.common.permissions import authorize
from kampass.core.hierarchy import HierarchyCycleError, check_move, node_path, rebase
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save
from kampass.users.models import OrgUnit, User

ACCOUNT_FIELDS = (
    "name",
    "legal_name",
    "industry",
    "country",
    "currency",
    "website",
    "notes",
    "external_id",
    "lead_unit",
)


def _full_clean(account: Account) -> None:
    """Validate the account's fields; a country that is not a code says which codes are expected."""
    try:
        account.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict({})
        if "country" in errors:
            msg = _("“%(value)s” is not a country code. Expected an ISO 3166-1 alpha-2 country code such as DE or CH.")
            errors["country"] = [ValidationError(msg % {"value": account.country})]
        raise ValidationError(errors) from None


def _check_unique_name(*, name: str, parent: Account | None, exclude_pk: int | None = None) -> None:
    qs = Account.objects.annotate(lname=Lower("name")).filter(lname=name.strip().lower(), parent=parent)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        if parent is None:
            msg = _("A top-level account named “%(name)s” already exists.") % {"name": name}
        else:
            msg = _("An account named “%(name)s” already exists under “%(parent)s”.") % {
                "name": name,
                "parent": parent.name,
            }
        raise ValidationError({"name": msg})


# ---------------------------------------------------------------- accounts


@transaction.atomic
def account_create(
    *,
    actor: Actor,
    name: str,
    parent: Account | None = None,
    kam_status: str = KamStatus.PROSPECT,
    status_reason: str = "",
    **fields: Any,
) -> Account:
    """Create an account, optionally below ``parent``.

    A key account manager may create top-level accounts (and joins their team
    as key account manager) and children of accounts they work on.
    """
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    if parent is None:
        authorize(actor, "accounts.add_account")
    else:
        authorize(actor, "accounts.add_child_account", parent)
    name = (name or "").strip()
    if kam_status not in KamStatus.values:
        raise ValidationError({"kam_status": _("Unknown KAM status “%(value)s”.") % {"value": kam_status}})
    account = Account(name=name, parent=parent, kam_status=kam_status, **fields)
    _full_clean(account)
    _check_unique_name(name=name, parent=parent)
    _save(account, actor)
    account.path = node_path(parent.path if parent else "", account.pk)
    account.depth = parent.depth + 1 if parent else 0
    Account.objects.filter(pk=account.pk).update(path=account.path, depth=account.depth)
    AccountStatusChange.objects.create(
        account=account,
        from_status="",
        to_status=kam_status,
        # stored as the message id, shown in the reader's language (template filter stored_text)
        reason=status_reason or gettext_noop("Account created"),
        effective_date=timezone.localdate(),
        changed_by=actor if _is_user(actor) else None,
    )
    if parent is None and _is_user(actor) and actor.role == "kam":
        TeamMember.objects.create(account=account, user=actor, role=TeamRole.KAM)
    return account


@transaction.atomic
def account_update(*, actor: Actor, account: Account, version: int | None = None, **changes: Any) -> Account:
    """Change master data of an account; ``parent`` moves it (with its subtree) in the hierarchy.

    ``version``: the version the change is based on (``ConcurrentEdit`` when it was saved since)."""
    authorize(actor, "accounts.change_account", account)
    account = Account.objects.select_for_update().get(pk=account.pk)
    expect_version(account, version)
    allowed = set(ACCOUNT_FIELDS) | {"parent"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    old_path = account.path
    new_parent = changes.pop("parent", account.parent) if "parent" in changes else account.parent
    moved = (new_parent.pk if new_parent else None) != account.parent_id
    if moved:
        if new_parent is not None:
            try:
                check_move(account.pk, new_parent.path)
            except HierarchyCycleError:
                raise ValidationError(
                    {
                        "parent": _("“%(parent)s” is part of this account's own subtree; that would make a cycle.")
                        % {"parent": new_parent.name}
                    }
                ) from None
            authorize(actor, "accounts.add_child_account", new_parent)
        else:
            authorize(actor, "accounts.add_account")
    for key, value in changes.items():
        setattr(account, key, value.strip() if isinstance(value, str) and key == "name" else value)
    account.parent = new_parent
    _full_clean(account)
    _check_unique_name(name=account.name, parent=new_parent, exclude_pk=account.pk)
    _save(account, actor)
    if moved:
        new_path = node_path(new_parent.path if new_parent else "", account.pk)
        depth_shift = (new_parent.depth + 1 if new_parent else 0) - account.depth
        for d in Account.objects.filter(path__startswith=old_path).only("pk", "path", "depth"):
            Account.objects.filter(pk=d.pk).update(path=rebase(d.path, old_path, new_path), depth=d.depth + depth_shift)
        account.refresh_from_db()
    return account


@transaction.atomic
def account_set_status(
    *,
    actor: Actor,
    account: Account,
    status: str,
    reason: str,
    effective_date: dt.date | None = None,
    version: int | None = None,
) -> AccountStatusChange:
    """Change the KAM status of an account and record the dated reason for it."""
    authorize(actor, "accounts.change_account_status", account)
    expect_version(account, version)
    if status not in KamStatus.values:
        raise ValidationError({"status": _("Unknown KAM status “%(value)s”.") % {"value": status}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the status changes.")})
    if status == account.kam_status:
        raise ValidationError({"status": _("The account already has this status.")})
    change = AccountStatusChange(
        account=account,
        from_status=account.kam_status,
        to_status=status,
        reason=reason.strip(),
        effective_date=effective_date or timezone.localdate(),
        changed_by=actor if _is_user(actor) else None,
    )
    change.full_clean()
    change.save()
    account.kam_status = status
    _save(account, actor)
    return change


@transaction.atomic
def account_change(
    *,
    actor: Actor,
    account: Account,
    status: str | None = None,
    reason: str = "",
    effective_date: dt.date | None = None,
    version: int | None = None,
    **changes: Any,
) -> Account:
    """Change master data (``account_update``) and, when ``status`` differs from the current one,
    the KAM status with its dated ``reason`` (``account_set_status``), in one transaction: if the
    status change is refused the master data stay as they were. ``version``: as for ``account_update``."""
    expect_version(Account.objects.get(pk=account.pk), version)
    if changes:
        account = account_update(actor=actor, account=account, version=version, **changes)
    if status is not None and status != account.kam_status:
        account_set_status(actor=actor, account=account, status=status, reason=reason, effective_date=effective_date)
    return account


@transaction.atomic
def account_delete(*, actor: Actor, account: Account, version: int | None = None) -> None:
    """Delete an account without children (move or delete the children first)."""
    authorize(actor, "accounts.delete_account", account)
    expect_saved_version(account, version)
    if account.children.exists():
        raise ValidationError(_("“%(name)s” has subsidiaries; move or delete them first.") % {"name": account.name})
    _delete(account, actor)


# ---------------------------------------------------------------- contacts


def contact_link_authorize(*, actor: Actor, contact: Contact) -> None:
    """Refuse to link ``contact`` to anything unless ``actor`` may edit the contact itself.

    Every service that attaches a contact to an account or a project calls this, so that a
    key account manager cannot take over the contact of an account they do not work on by
    linking it to their own (after which they could read and edit it).
    """
    authorize(
        actor,
        "accounts.link_contact",
        contact,
        message=_("You may not use contact %(id)s: they work only at accounts you are not on.") % {"id": contact.pk},
    )


def _check_reports_to(*, account: Account, contact: Contact | None, reports_to: Contact | None) -> None:
    if reports_to is None:
        return
    if contact is not None and reports_to.pk == contact.pk:
        raise ValidationError({"reports_to": _("A contact cannot report to themselves.")})
    if not Position.objects.filter(account=account, contact=reports_to).exists():
        raise ValidationError(
            {
                "reports_to": _("%(person)s holds no position at %(account)s.")
                % {"person": reports_to, "account": account.name}
            }
        )
    # no loops along reports-to at this account
    seen = {contact.pk} if contact is not None else set()
    node: Contact | None = reports_to
    while node is not None:
        if node.pk in seen:
            raise ValidationError({"reports_to": _("This reporting line would form a loop.")})
        seen.add(node.pk)
        pos = Position.objects.filter(account=account, contact=node).select_related("reports_to").first()
        node = pos.reports_to if pos else None


@transaction.atomic
def contact_create(
    *,
    actor: Actor,
    last_name: str,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
    account: Account | None = None,
    title: str = "",
    department: str = "",
    reports_to: Contact | None = None,
) -> Contact:
    """Create a contact, with a first position at ``account`` when given."""
    if account is not None:
        authorize(actor, "accounts.change_account", account)
    else:
        authorize(actor, "accounts.add_contact")
    contact = Contact(first_name=first_name.strip(), last_name=last_name.strip(), email=email, phone=phone, notes=notes)
    _save(contact, actor)
    if account is not None:
        position_set(
            actor=actor, contact=contact, account=account, title=title, department=department, reports_to=reports_to
        )
    return contact


@transaction.atomic
def contact_update(*, actor: Actor, contact: Contact, version: int | None = None, **changes: Any) -> Contact:
    """Change a contact's details; ``version``: the version the change is based on."""
    authorize(actor, "accounts.change_contact", contact)
    expect_version(contact, version)
    allowed = {"first_name", "last_name", "email", "phone", "notes", "external_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    for k, v in changes.items():
        setattr(contact, k, v)
    _save(contact, actor)
    return contact


@transaction.atomic
def contact_delete(*, actor: Actor, contact: Contact, version: int | None = None) -> None:
    authorize(actor, "accounts.delete_contact", contact)
    expect_saved_version(contact, version)
    _delete(contact, actor)


@transaction.atomic
def position_set(
    *,
    actor: Actor,
    contact: Contact,
    account: Account,
    title: str = "",
    department: str = "",
    reports_to: Contact | None = None,
    version: int | None = None,
) -> Position:
    """Create or update the position ``contact`` holds at ``account`` (``version``: of the existing position)."""
    authorize(actor, "accounts.change_account", account)
    contact_link_authorize(actor=actor, contact=contact)
    if reports_to is not None:
        contact_link_authorize(actor=actor, contact=reports_to)
    _check_reports_to(account=account, contact=contact, reports_to=reports_to)
    position = Position.objects.filter(contact=contact, account=account).first() or Position(
        contact=contact, account=account
    )
    expect_version(position, version)
    position.title, position.department, position.reports_to = title, department, reports_to
    _save(position, actor)
    return position


@transaction.atomic
def position_delete(*, actor: Actor, position: Position, version: int | None = None) -> None:
    """Remove a contact from an account (also from its buying centre and the team's coverage there)."""
    authorize(actor, "accounts.change_account", position.account)
    expect_saved_version(position, version)
    BuyingCentreMember.objects.filter(account=position.account, contact=position.contact).delete()
    Coverage.objects.filter(team_member__account=position.account, contact=position.contact).delete()
    Position.objects.filter(account=position.account, reports_to=position.contact).update(
        reports_to=None, version=F("version") + 1
    )
    _delete(position, actor)


# ---------------------------------------------------------------- buying centre


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    bad = [r for r in roles if r not in BuyingRole.values]
    if bad:
        raise ValidationError(
            {
                "roles": _("Unknown buying-centre role “%(role)s”. Known roles: %(known)s.")
                % {"role": bad[0], "known": ", ".join(BuyingRole.values)}
            }
        )
    return roles


@transaction.atomic
def buying_centre_set(
    *,
    actor: Actor,
    account: Account,
    contact: Contact,
    roles: Iterable[str],
    influence: int = 5,
    attitude: int = 0,
    political_status: str = "outside",
    notes: str = "",
    version: int | None = None,
) -> BuyingCentreMember:
    """Put ``contact`` into the buying centre of ``account`` (or update their entry, based on ``version``)."""
    authorize(actor, "accounts.change_account", account)
    contact_link_authorize(actor=actor, contact=contact)
    errors: dict[str, list[str]] = {}
    try:
        clean_roles = _clean_roles(roles)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean_roles = []
    if not Position.objects.filter(account=account, contact=contact).exists():
        raise ValidationError(
            {
                "contact": _("%(person)s holds no position at %(account)s; add the position first.")
                % {"person": contact, "account": account.name}
            }
        )
    member = BuyingCentreMember.objects.filter(account=account, contact=contact).first() or BuyingCentreMember(
        account=account, contact=contact
    )
    expect_version(member, version)
    member.roles = clean_roles
    member.influence, member.attitude = influence, attitude
    member.political_status, member.notes = political_status, notes
    try:
        member.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:  # report every bad field at once
        raise ValidationError(errors)
    _save(member, actor)
    return member


@transaction.atomic
def buying_centre_remove(*, actor: Actor, member: BuyingCentreMember, version: int | None = None) -> None:
    authorize(actor, "accounts.change_account", member.account)
    expect_saved_version(member, version)
    _delete(member, actor)


# ---------------------------------------------------------------- team and coverage


@transaction.atomic
def team_member_set(
    *,
    actor: Actor,
    account: Account,
    user: User,
    role: str = TeamRole.KAM,
    org_unit: OrgUnit | None = None,
    version: int | None = None,
) -> TeamMember:
    """Add ``user`` to the account team in ``role`` (or change their role), based on ``version``: of
    the membership as the caller saw it (0: not on the team; ``ConcurrentEdit`` when it was added,
    changed or removed since)."""
    authorize(actor, "accounts.manage_team", account)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Unknown team role “%(value)s”.") % {"value": role}})
    saved = TeamMember.objects.select_for_update().filter(account=account, user=user).first()
    expect_row_version(TeamMember, saved, version)
    member = saved or TeamMember(account=account, user=user)
    member.role, member.org_unit = role, org_unit
    _save(member, actor)
    if saved is None:
        notify_assigned(
            actor=actor,
            before_id=None,
            after=user,
            message=TEAM_MEMBER_ADDED,
            params={"account": account.name},
            link=reverse("account-detail", args=[account.pk]),
        )
    return member


@transaction.atomic
def team_member_remove(*, actor: Actor, member: TeamMember, version: int | None = None) -> None:
    authorize(actor, "accounts.manage_team", member.account)
    expect_saved_version(member, version)
    _delete(member, actor)


@transaction.atomic
def coverage_set(
    *,
    actor: Actor,
    team_member: TeamMember,
    contact: Contact,
    level_now: int,
    level_target: int,
    version: int | None = None,
) -> Coverage:
    """Record that ``team_member`` covers ``contact`` at ``level_now``, aiming for ``level_target``
    (``version``: of the coverage the change is based on; 0: there was none)."""
    account = team_member.account
    authorize(actor, "accounts.manage_team", account)
    contact_link_authorize(actor=actor, contact=contact)
    if not Position.objects.filter(account=account, contact=contact).exists():
        raise ValidationError(
            {
                "contact": _("%(person)s holds no position at %(account)s.")
                % {"person": contact, "account": account.name}
            }
        )
    saved = Coverage.objects.select_for_update().filter(team_member=team_member, contact=contact).first()
    expect_row_version(Coverage, saved, version)
    cov = saved or Coverage(team_member=team_member, contact=contact)
    cov.level_now, cov.level_target = level_now, level_target
    _save(cov, actor)
    return cov


@transaction.atomic
def coverage_remove(*, actor: Actor, coverage: Coverage, version: int | None = None) -> None:
    authorize(actor, "accounts.manage_team", coverage.team_member.account)
    expect_saved_version(coverage, version)
    _delete(coverage, actor)


@transaction.atomic
def account_contact_add(
    *,
    actor: Actor,
    account: Account,
    last_name: str,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    title: str = "",
    department: str = "",
    reports_to: Contact | None = None,
    in_buying_centre: bool = False,
    roles: Iterable[str] = (),
    influence: int = 5,
    attitude: int = 0,
    political_status: str = "outside",
    notes: str = "",
) -> Contact:
    """Create a contact with a position at ``account`` and, if asked, an entry in its buying centre."""
    contact = contact_create(
        actor=actor, first_name=first_name, last_name=last_name, email=email, phone=phone, account=account,
        title=title, department=department, reports_to=reports_to,
    )  # fmt: skip
    if in_buying_centre:
        buying_centre_set(
            actor=actor, account=account, contact=contact, roles=roles, influence=influence, attitude=attitude,
            political_status=political_status, notes=notes,
        )  # fmt: skip
    return contact


@transaction.atomic
def account_person_update(
    *,
    actor: Actor,
    account: Account,
    contact: Contact,
    title: str = "",
    department: str = "",
    reports_to: Contact | None = None,
    in_buying_centre: bool = False,
    roles: Iterable[str] = (),
    influence: int = 5,
    attitude: int = 0,
    political_status: str = "outside",
    notes: str = "",
    version: int | None = None,
) -> Position:
    """Update a contact's position at ``account`` and put them into (or take them out of) its buying centre.

    ``version`` is the position's: every save of this form raises it, so it guards the whole entry."""
    position = position_set(
        actor=actor, contact=contact, account=account, title=title, department=department, reports_to=reports_to,
        version=version,
    )  # fmt: skip
    member = BuyingCentreMember.objects.filter(account=account, contact=contact).first()
    if in_buying_centre:
        buying_centre_set(
            actor=actor, account=account, contact=contact, roles=roles, influence=influence, attitude=attitude,
            political_status=political_status, notes=notes,
        )  # fmt: skip
    elif member is not None:
        buying_centre_remove(actor=actor, member=member)
    return position
