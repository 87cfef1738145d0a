"""Load, and reload, the demo data set shipped with kampass.

The data set (``data/demo.json``, built by ``scripts/build_demo_data.py``) holds
accounts with real names and industries from the Salesforce analytics demo-data
export, arranged into group hierarchies, with fictitious contacts, buying
centres, account teams and coverage. Loading writes through the services of the
accounts context, so the demo data obeys the same rules as data entered by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kampass.accounts.models import (
    Account,
    AccountStatusChange,
    BuyingCentreMember,
    Contact,
    Coverage,
    Position,
    TeamMember,
)
from kampass.accounts.services import (
    account_create,
    account_set_status,
    buying_centre_set,
    contact_create,
    coverage_set,
    position_set,
    team_member_set,
)
from kampass.users.models import OrgUnit, Role, User
from kampass.users.services import user_create

DEMO_JSON = Path(__file__).resolve().parent / "data" / "demo.json"
PASSWORD_ENV = "KAMPASS_DEMO_PASSWORD"
DEFAULT_PASSWORD = "kampass-demo"
#: the e-mail domain of the demo logins (how a demo login is told from a real user of the same name)
DEMO_EMAIL_DOMAIN = "kampass.example"


class DemoRefused(Exception):
    """The database holds data the demo did not create; loading (or resetting) could mix or destroy it."""

    def __init__(self, foreign: ForeignData) -> None:
        self.foreign = foreign
        super().__init__(
            f"This database holds data not created by the demo ({foreign.describe()}). "
            "`kampass demo` is for trying kampass out on an empty installation: it would mix demo records "
            "into real ones (and --reset would delete them). Use an empty database (KAMPASS_HOME, DATABASE_URL) "
            "or pass --force if you really mean it."
        )


@dataclass(frozen=True)
class ForeignData:
    """What the database holds that the demo did not create."""

    accounts: int
    opportunities: int
    users: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.accounts or self.opportunities or self.users)

    def describe(self) -> str:
        parts = []
        if self.accounts:
            parts.append(f"{self.accounts} account(s)")
        if self.opportunities:
            parts.append(f"{self.opportunities} opportunit{'y' if self.opportunities == 1 else 'ies'}")
        if self.users:
            shown = ", ".join(self.users[:5]) + (", …" if len(self.users) > 5 else "")
            parts.append(f"{len(self.users)} user(s): {shown}")
        return "; ".join(parts)


@dataclass(frozen=True)
class DemoLogin:
    """A user to log in with when trying kampass out."""

    username: str
    role: str
    first_name: str
    last_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", Role.ADMIN, "Sandra", "Vogel"),
    DemoLogin("head", Role.HEAD, "Martin", "Berger"),
    DemoLogin("kam", Role.KAM, "Julia", "Brunner"),
    DemoLogin("kam2", Role.KAM, "Thomas", "Meier"),
    DemoLogin("controller", Role.CONTROLLER, "Petra", "Koch"),
    DemoLogin("viewer", Role.VIEWER, "Daniel", "Frei"),
)


@dataclass(frozen=True)
class DemoSummary:
    """What the database holds after loading (``loaded`` says whether this run wrote the data set)."""

    loaded: bool
    users: int
    org_units: int
    accounts: int
    groups: int
    max_depth: int
    status_changes: int
    contacts: int
    positions: int
    buying_centre_members: int
    team_members: int
    coverage: int
    #: administrators whose changed password the demo left alone
    kept_passwords: tuple[str, ...] = ()


def demo_password() -> str:
    """The password of the demo logins: ``$KAMPASS_DEMO_PASSWORD`` or ``kampass-demo``."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def demo_data() -> dict[str, Any]:
    """The demo data set as stored in ``data/demo.json``."""
    with DEMO_JSON.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _demo_usernames(data: dict[str, Any]) -> list[str]:
    return [login.username for login in DEMO_LOGINS] + [u["username"] for u in data["users"]]


def demo_summary(*, loaded: bool = False, kept_passwords: tuple[str, ...] = ()) -> DemoSummary:
    """Count what the database holds (all accounts, contacts, ... and the demo users)."""
    data = demo_data()
    return DemoSummary(
        loaded=loaded,
        users=User.objects.filter(username__in=_demo_usernames(data)).count(),
        org_units=OrgUnit.objects.count(),
        accounts=Account.objects.count(),
        groups=Account.objects.filter(parent__isnull=True, children__isnull=False).distinct().count(),
        max_depth=Account.objects.aggregate(m=Max("depth"))["m"] or 0,
        status_changes=AccountStatusChange.objects.count(),
        contacts=Contact.objects.count(),
        positions=Position.objects.count(),
        buying_centre_members=BuyingCentreMember.objects.count(),
        team_members=TeamMember.objects.count(),
        coverage=Coverage.objects.count(),
        kept_passwords=kept_passwords,
    )


def _is_demo_login(user: User) -> bool:
    return user.email == f"{user.username}@{DEMO_EMAIL_DOMAIN}"


def demo_foreign_data() -> ForeignData:
    """Count the accounts, opportunities and users that the demo did not create.

    Demo accounts carry the data set's external ids, demo opportunities the extract's Salesforce ids;
    demo logins have the demo's user names and e-mail addresses, the demo's account owners its user
    names and no usable password.
    """
    from kampass.pipeline.demo import demo_foreign_opportunities

    data = demo_data()
    accounts = Account.objects.exclude(external_id__in=[a["external_id"] for a in data["accounts"]]).count()
    logins = {login.username for login in DEMO_LOGINS}
    opportunities = demo_foreign_opportunities(demo_owners=tuple(sorted(logins)))
    owners = {u["username"] for u in data["users"]}
    users = []
    for user in User.objects.order_by("username"):
        if user.username in logins and _is_demo_login(user):
            continue
        if user.username in owners and not user.has_usable_password():
            continue
        users.append(user.username)
    return ForeignData(accounts=accounts, opportunities=opportunities, users=tuple(users))


def demo_check(*, force: bool = False) -> ForeignData:
    """Raise ``DemoRefused`` when the database holds data the demo did not create (unless ``force``);
    returns what was found."""
    foreign = demo_foreign_data()
    if foreign and not force:
        raise DemoRefused(foreign)
    return foreign


def _changed_admin_passwords(password: str) -> set[str]:
    """The demo logins with the administrator role whose password is no longer the demo password:
    someone changed it, and the demo leaves it (and the login) alone."""
    return {
        user.username
        for user in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])
        if user.is_admin_role and user.has_usable_password() and not user.check_password(password)
    }


@transaction.atomic
def demo_load(*, reset: bool = False, password: str | None = None, force: bool = False) -> DemoSummary:
    """Load the demo data set and make sure the demo logins exist with the demo password.

    Refused (``DemoRefused``) when the database holds accounts, opportunities or users that the
    demo did not create, unless ``force``. When the demo accounts are already there (and ``reset``
    is false) only the logins are refreshed, so running this twice changes nothing else. The
    password of an administrator that was changed from the demo password is never reset.
    ``reset`` first deletes all accounts, contacts, org units and account teams, their
    change history, and the demo users, then loads afresh. One transaction: on
    any error nothing is written.
    """
    demo_check(force=force)
    data = demo_data()
    password = password or demo_password()
    keep = _changed_admin_passwords(password)
    if reset:
        _delete_all(data, keep=keep)
    external_ids = [a["external_id"] for a in data["accounts"]]
    present = Account.objects.filter(external_id__in=external_ids).exists()
    users = _ensure_logins(password, keep=keep)
    if not present:
        users |= _ensure_team_users(data)
        _load(data, users)
    return demo_summary(loaded=not present, kept_passwords=tuple(sorted(keep)))


def _delete_all(data: dict[str, Any], *, keep: set[str]) -> None:
    Coverage.objects.all().delete()
    TeamMember.objects.all().delete()
    BuyingCentreMember.objects.all().delete()
    Position.objects.all().delete()
    Contact.objects.all().delete()
    AccountStatusChange.objects.all().delete()
    Account.objects.update(parent=None)  # parents are protected; flatten before deleting
    Account.objects.all().delete()
    OrgUnit.objects.update(parent=None)
    OrgUnit.objects.all().delete()
    User.objects.filter(username__in=_demo_usernames(data)).exclude(username__in=keep).delete()
    for model in (Account, Contact, Position, BuyingCentreMember, TeamMember, Coverage):
        model.history.all().delete()


def _ensure_logins(password: str, *, keep: set[str]) -> dict[str, User]:
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = user_create(
                username=login.username,
                password=password,
                role=login.role,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@{DEMO_EMAIL_DOMAIN}",
                validate=False,
            )
        elif login.username not in keep:
            user.role, user.first_name, user.last_name = login.role, login.first_name, login.last_name
            user.is_staff = user.is_superuser = login.role == Role.ADMIN
            user.is_active = True
            user.set_password(password)
            user.save()
        users[login.username] = user
    return users


def _ensure_team_users(data: dict[str, Any]) -> dict[str, User]:
    """Key account managers named after the account owners of the export; they cannot log in."""
    users: dict[str, User] = {}
    for spec in data["users"]:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                role=spec["role"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
            )
            user.set_unusable_password()
            user.full_clean()
            user.save()
        users[spec["username"]] = user
    return users


def _date_people_from_first_status(first_day: dict[int, dt.date]) -> None:
    """Date the creation records of the demo's positions, buying centre, team and coverage on the day each
    account's story begins (its first status), not on the day the demo was loaded: the data set's people were
    known from then, so the health the demo computes as of a past day finds its decision makers covered as
    they were (:func:`kampass.accounts.selectors.contact_nodes_on`)."""
    team = dict(TeamMember.objects.values_list("pk", "account_id"))
    for account_id, day in first_day.items():
        since = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        for model in (Position, BuyingCentreMember, TeamMember):
            model.history.filter(account_id=account_id, history_type="+").update(history_date=since)
        members = [pk for pk, a in team.items() if a == account_id]
        Coverage.history.filter(team_member_id__in=members, history_type="+").update(history_date=since)


def _load(data: dict[str, Any], users: dict[str, User]) -> None:
    admin = users["admin"]
    units: dict[str, OrgUnit] = {}
    for spec in data["org_units"]:
        units[spec["key"]], _ = OrgUnit.objects.get_or_create(
            name=spec["name"],
            defaults={"code": spec["code"], "country": spec["country"], "parent": units.get(spec["parent"] or "")},
        )

    accounts: dict[str, Account] = {}
    for spec in data["accounts"]:  # parents come before their children
        history = spec["status_history"]
        account = account_create(
            actor=admin,
            name=spec["name"],
            parent=accounts[spec["parent"]] if spec["parent"] else None,
            kam_status=history[0]["to"],
            status_reason=history[0]["reason"],
            legal_name=spec["legal_name"],
            industry=spec["industry"],
            country=spec["country"],
            currency=spec["currency"],
            website=spec["website"],
            external_id=spec["external_id"],
            lead_unit=units[spec["lead_unit"]] if spec["lead_unit"] else None,
        )
        # account_create dates the first status today; the data set knows when it was
        AccountStatusChange.objects.filter(account=account).update(
            effective_date=dt.date.fromisoformat(history[0]["date"])
        )
        for step in history[1:]:
            account_set_status(
                actor=admin,
                account=account,
                status=step["to"],
                reason=step["reason"],
                effective_date=dt.date.fromisoformat(step["date"]),
            )
        accounts[spec["external_id"]] = account

    contacts: dict[str, Contact] = {}
    for spec in data["contacts"]:
        contacts[spec["key"]] = contact_create(
            actor=admin,
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            email=spec["email"],
            phone=spec["phone"],
        )
    for spec in data["positions"]:  # a boss's position comes before their reports'
        position_set(
            actor=admin,
            contact=contacts[spec["contact"]],
            account=accounts[spec["account"]],
            title=spec["title"],
            department=spec["department"],
            reports_to=contacts[spec["reports_to"]] if spec["reports_to"] else None,
        )
    for spec in data["buying_centre"]:
        buying_centre_set(
            actor=admin,
            account=accounts[spec["account"]],
            contact=contacts[spec["contact"]],
            roles=spec["roles"],
            influence=spec["influence"],
            attitude=spec["attitude"],
            political_status=spec["political_status"],
            notes=spec["notes"],
        )

    members: dict[tuple[str, str], TeamMember] = {}
    for spec in data["team"]:
        members[(spec["account"], spec["user"])] = team_member_set(
            actor=admin,
            account=accounts[spec["account"]],
            user=users[spec["user"]],
            role=spec["role"],
            org_unit=units[spec["org_unit"]] if spec["org_unit"] else None,
        )
    for spec in data["coverage"]:
        coverage_set(
            actor=admin,
            team_member=members[(spec["account"], spec["user"])],
            contact=contacts[spec["contact"]],
            level_now=spec["level_now"],
            level_target=spec["level_target"],
        )
    _date_people_from_first_status(
        {accounts[s["external_id"]].pk: dt.date.fromisoformat(s["status_history"][0]["date"]) for s in data["accounts"]}
    )
