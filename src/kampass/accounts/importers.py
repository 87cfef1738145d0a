"""What the accounts context imports: accounts with their hierarchy, contacts with their positions and
buying-centre roles, and account teams (see :mod:`kampass.common.imports`). Every row is written
through the context's services, so permissions, validation and the change history are the same as
in the UI."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kampass.accounts import services
from kampass.accounts.models import Account, BuyingRole, Contact, KamStatus, Position, TeamMember, TeamRole
from kampass.common.imports.framework import FieldSpec, Importer, Row, RowRejected, referenced_first
from kampass.common.imports.registry import register
from kampass.common.imports.values import choice, country_code
from kampass.users.facade import find_org_unit, find_user

F = FieldSpec
_BUYING_ROLE_ALIASES = {
    "Decision maker": BuyingRole.DECIDER,
    "Entscheider": BuyingRole.DECIDER,
    "Economic Decision Maker": BuyingRole.DECIDER,
    "Evaluator": BuyingRole.INFLUENCER,
    "Business User": BuyingRole.USER,
    "Technical Buyer": BuyingRole.TECHNICAL_BUYER,
    "Executive Sponsor": BuyingRole.APPROVER,
    "Champion": BuyingRole.COACH,
    "Einkäufer": BuyingRole.BUYER,
    "Beeinflusser": BuyingRole.INFLUENCER,
    "Anwender": BuyingRole.USER,
    "Genehmiger": BuyingRole.APPROVER,
}


def find_account(ref: str, *, field: str) -> Account:
    """The account a file names by external id, else by name (case ignored); a name that several
    accounts share is refused with a request for the external id."""
    matches = list(Account.objects.filter(external_id=ref)[:2])
    if not matches:
        matches = list(Account.objects.annotate(lname=Lower("name")).filter(lname=ref.strip().lower())[:2])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise RowRejected((field, _("no account has the external id or name “%(ref)s”") % {"ref": ref}))
    raise RowRejected(
        (field, _("several accounts are named “%(ref)s”; give the account's external id instead") % {"ref": ref})
    )


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if getattr(obj, k) != v}


@register
class AccountImporter(Importer):
    """Accounts; the parent by external id or name (also of a row further down the file), the country
    by ISO code or English/German name, the lead unit by org unit name or code. A row updates the
    account with its external id (or, without one, the account with its name under the same parent)."""

    kind = "accounts"
    label = gettext_lazy("Accounts")
    permission = "accounts.add_account"
    fields = (
        F(
            "external_id",
            gettext_lazy("external id"),
            (
                "Id",
                "Account ID",
                "External ID",
                "Externe ID",
                "Record ID",
                "Kundennummer",
                "Customer number",
                "Customer ID",
            ),
        ),
        F(
            "name",
            gettext_lazy("name"),
            ("Account Name", "Company", "Company name", "Firma", "Firmenname", "Kunde", "Customer"),
            required=True,
        ),
        F(
            "parent",
            gettext_lazy("parent account"),
            (
                "Parent",
                "Parent ID",
                "ParentId",
                "Parent External ID",
                "Parent Account ID",
                "Parent Account Name",
                "Parent Name",
                "Parent Customer Number",
                "Parent Account",
                "Parent Company",
                "Übergeordnetes Konto",
                "Übergeordneter Account",
                "Übergeordnet",
                "Übergeordnete Kundennummer",
                "Muttergesellschaft",
                "Mutter",
                "Konzern",
            ),
        ),
        F("legal_name", gettext_lazy("legal name"), ("Legal name", "Rechtlicher Name", "Firmierung")),
        F("industry", gettext_lazy("industry"), ("Branche", "Sector")),
        F(
            "country",
            gettext_lazy("country"),
            ("Land", "BillingCountry", "Billing Country", "Country/Region", "Country Code", "Ländercode"),
        ),
        F("currency", gettext_lazy("currency"), ("Währung", "CurrencyIsoCode", "Currency code")),
        F("website", gettext_lazy("website"), ("Webseite", "Homepage", "Website URL")),
        F("kam_status", gettext_lazy("KAM status"), ("KAM-Status", "Status")),
        F("lead_unit", gettext_lazy("lead unit"), ("Führende Einheit", "Lead org unit", "Org unit")),
        F("notes", gettext_lazy("notes"), ("Notizen", "Description", "Beschreibung"), multiline=True),
    )
    mappings = {
        "salesforce": {
            "external_id": "Id",
            "name": "Name",
            "parent": "ParentId",
            "industry": "Industry",
            "country": ["BillingCountryCode", "BillingCountry"],
            "currency": "CurrencyIsoCode",
            "website": "Website",
            "notes": "Description",
        },
        "hubspot": {
            "external_id": "Record ID",
            "name": "Company name",
            "parent": ["Parent Company", "Parent Company ID"],
            "industry": "Industry",
            "country": "Country/Region",
            "website": ["Website URL", "Company Domain Name"],
            "notes": "Description",
        },
    }

    def order(self, rows: list[Row]) -> list[Row]:
        return referenced_first(rows, keys=("external_id", "name"), reference="parent")

    def apply(self, row: Row) -> str:
        problems: list[tuple[str, str]] = []
        name = row["name"]
        if not name:
            problems.append(("name", _("the name is empty")))
        values: dict[str, Any] = {}
        for key in ("legal_name", "industry", "website", "notes", "external_id"):
            if row.has(key):
                values[key] = row[key]
        if row.has("currency") and row["currency"]:
            values["currency"] = row["currency"].upper()
        if row.has("country"):
            code = country_code(row["country"])
            if code is None:
                problems.append(("country", _("not a country code or a country name in English or German")))
            else:
                values["country"] = code
        status = ""
        if row["kam_status"]:
            status = choice(row["kam_status"], KamStatus.choices) or ""
            if not status:
                problems.append(
                    ("kam_status", _("unknown KAM status; known: %(known)s") % {"known": ", ".join(KamStatus.values)})
                )
        if row["lead_unit"]:
            unit = find_org_unit(row["lead_unit"])
            if unit is None:
                problems.append(("lead_unit", _("no org unit has this name or code")))
            values["lead_unit"] = unit
        parent = None
        if row["parent"]:
            try:
                parent = find_account(row["parent"], field="parent")
            except RowRejected as exc:
                problems.extend(exc.problems)
        if problems:
            raise RowRejected(*problems)
        existing = self._existing(row, parent)
        if existing is None:
            services.account_create(
                actor=self.actor, name=name, parent=parent, kam_status=status or KamStatus.PROSPECT,
                status_reason=_("Imported") if status else "", **values,
            )  # fmt: skip
            return "created"
        changes = _changes(existing, {"name": name, **values})
        if row.has("parent") and existing.parent_id != (parent.pk if parent else None):
            changes["parent"] = parent
        status_change = status if status and status != existing.kam_status else None
        if not changes and status_change is None:
            return "unchanged"
        services.account_change(
            actor=self.actor, account=existing, status=status_change, reason=_("Imported"), **changes
        )
        return "updated"

    @staticmethod
    def _existing(row: Row, parent: Account | None) -> Account | None:
        if row["external_id"]:
            found = list(Account.objects.filter(external_id=row["external_id"])[:2])
            if len(found) > 1:
                raise RowRejected(("external_id", _("several accounts have this external id")))
            return found[0] if found else None
        return Account.objects.annotate(lname=Lower("name")).filter(lname=row["name"].lower(), parent=parent).first()


def _split_name(row: Row) -> tuple[str, str]:
    first, last = row["first_name"], row["last_name"]
    if not last and row["full_name"]:
        parts = row["full_name"].rsplit(" ", 1)
        first, last = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    return first, last


@register
class ContactImporter(Importer):
    """Contacts with their position at an account (title, department) and their buying-centre roles
    (codes or English/German names, separated by commas or semicolons). A row updates the contact with
    its external id, else the one with its e-mail address, else the one with its name at the account."""

    kind = "contacts"
    label = gettext_lazy("Contacts")
    permission = "accounts.add_contact"
    fields = (
        F("external_id", gettext_lazy("external id"), ("Id", "Contact ID", "External ID", "Externe ID", "Record ID")),
        F("first_name", gettext_lazy("first name"), ("FirstName", "Vorname", "Given name")),
        F("last_name", gettext_lazy("last name"), ("LastName", "Nachname", "Surname", "Family name")),
        F("full_name", gettext_lazy("full name"), ("Name", "Contact name", "Kontakt")),
        F("email", gettext_lazy("email"), ("E-Mail", "Email address", "E-Mail-Adresse", "Mail")),
        F("phone", gettext_lazy("phone"), ("Telefon", "Phone number", "Telefonnummer", "Mobile")),
        F(
            "account",
            gettext_lazy("account"),
            ("AccountId", "Account ID", "Account Name", "Company", "Firma", "Associated Company ID", "Company name"),
        ),
        F("title", gettext_lazy("title"), ("Job title", "Position", "Funktion", "Jobtitel")),
        F("department", gettext_lazy("department"), ("Abteilung",)),
        F(
            "roles",
            gettext_lazy("buying-centre roles"),
            ("Buying roles", "Buying centre roles", "Buying center roles", "Rollen", "Buying-Center-Rollen", "Role"),
        ),
        F("notes", gettext_lazy("notes"), ("Notizen", "Description", "Beschreibung"), multiline=True),
    )
    mappings = {
        "salesforce": {
            "external_id": "Id",
            "first_name": "FirstName",
            "last_name": "LastName",
            "email": "Email",
            "phone": "Phone",
            "account": "AccountId",
            "title": "Title",
            "department": "Department",
            "notes": "Description",
        },
        "hubspot": {
            "external_id": "Record ID",
            "first_name": "First Name",
            "last_name": "Last Name",
            "email": "Email",
            "phone": "Phone Number",
            "account": ["Associated Company ID", "Company Name"],
            "title": "Job Title",
        },
    }

    def apply(self, row: Row) -> str:
        problems: list[tuple[str, str]] = []
        first, last = _split_name(row)
        if not last:
            problems.append(("last_name" if row.has("last_name") else "full_name", _("the last name is empty")))
        account = None
        if row["account"]:
            try:
                account = find_account(row["account"], field="account")
            except RowRejected as exc:
                problems.extend(exc.problems)
        roles = []
        for part in row["roles"].replace(";", ",").split(","):
            if part.strip():
                code = choice(part, BuyingRole.choices, _BUYING_ROLE_ALIASES)
                if code is None:
                    problems.append(("roles", _("unknown buying-centre role “%(role)s”") % {"role": part.strip()}))
                else:
                    roles.append(code)
        if roles and account is None and not problems:
            problems.append(("account", _("buying-centre roles need the account they are played at")))
        if problems:
            raise RowRejected(*problems)
        values: dict[str, Any] = {"first_name": first, "last_name": last}
        for key in ("email", "phone", "notes", "external_id"):
            if row.has(key):
                values[key] = row[key]
        contact = self._existing(row, first, last, account)
        verb = "unchanged"
        if contact is None:
            contact = services.contact_create(
                actor=self.actor, account=account, title=row["title"], department=row["department"],
                **{k: v for k, v in values.items() if k != "external_id"},
            )  # fmt: skip
            if values.get("external_id"):
                services.contact_update(actor=self.actor, contact=contact, external_id=values["external_id"])
            verb = "created"
        else:
            changes = _changes(contact, values)
            if changes:
                services.contact_update(actor=self.actor, contact=contact, **changes)
                verb = "updated"
        if account is not None and verb != "created":
            position = Position.objects.filter(contact=contact, account=account).first()
            title, department = row["title"], row["department"]
            if (
                position is None
                or (row.has("title") and position.title != title)
                or (row.has("department") and position.department != department)
            ):
                services.position_set(
                    actor=self.actor, contact=contact, account=account, title=title, department=department
                )
                verb = "updated"
        if roles and account is not None:
            member = contact.buying_centre_memberships.filter(account=account).first()
            if member is None or sorted(member.roles) != sorted(roles):
                keep: dict[str, Any] = {}
                if member is not None:  # the import sets the roles; the rest stays as it was
                    keep = {
                        "influence": member.influence, "attitude": member.attitude, "notes": member.notes,
                        "political_status": member.political_status, "version": member.version,
                    }  # fmt: skip
                services.buying_centre_set(actor=self.actor, account=account, contact=contact, roles=roles, **keep)
                verb = "updated" if verb == "unchanged" else verb
        return verb

    @staticmethod
    def _existing(row: Row, first: str, last: str, account: Account | None) -> Contact | None:
        if row["external_id"]:
            found = Contact.objects.filter(external_id=row["external_id"]).first()
            if found is not None:
                return found
        if row["email"]:
            found = Contact.objects.filter(email__iexact=row["email"]).order_by("pk").first()
            if found is not None:
                return found
        if account is not None:
            return (
                Contact.objects.filter(positions__account=account)
                .annotate(lfirst=Lower("first_name"), llast=Lower("last_name"))
                .filter(lfirst=first.lower(), llast=last.lower())
                .order_by("pk")
                .first()
            )
        return None


@register
class TeamImporter(Importer):
    """Account team memberships: account (external id or name), user (username, e-mail or full name),
    team role (code or English/German name; default key account manager), org unit."""

    kind = "teams"
    label = gettext_lazy("Account teams")
    permission = "accounts.import_teams"
    fields = (
        F(
            "account",
            gettext_lazy("account"),
            ("AccountId", "Account ID", "Account Name", "Firma", "Kunde"),
            required=True,
        ),
        F(
            "user",
            gettext_lazy("user"),
            ("UserId", "User ID", "Username", "Benutzer", "Team member", "Teammitglied", "Owner", "E-Mail", "Email"),
            required=True,
        ),
        F("role", gettext_lazy("team role"), ("TeamMemberRole", "Role", "Rolle", "Teamrolle")),
        F("org_unit", gettext_lazy("org unit"), ("Org unit", "Organisationseinheit", "Office", "Niederlassung")),
    )
    mappings = {
        "salesforce": {
            "account": "AccountId",
            "user": ["UserId", "User.Username", "User.Email"],
            "role": "TeamMemberRole",
        },
    }

    def apply(self, row: Row) -> str:
        problems: list[tuple[str, str]] = []
        account = None
        try:
            account = find_account(row["account"], field="account")
        except RowRejected as exc:
            problems.extend(exc.problems)
        user = find_user(row["user"])
        if user is None:
            problems.append(("user", _("no active user has this username, e-mail address or name")))
        role = TeamRole.KAM
        if row["role"]:
            role = choice(row["role"], TeamRole.choices, {"KAM": TeamRole.KAM, "Account Manager": TeamRole.KAM}) or ""  # type: ignore[assignment]
            if not role:
                problems.append(
                    ("role", _("unknown team role; known: %(known)s") % {"known": ", ".join(TeamRole.values)})
                )
        unit = None
        if row["org_unit"]:
            unit = find_org_unit(row["org_unit"])
            if unit is None:
                problems.append(("org_unit", _("no org unit has this name or code")))
        if problems or account is None or user is None:
            raise RowRejected(*problems)
        saved = TeamMember.objects.filter(account=account, user=user).first()
        if (
            saved is not None
            and saved.role == role
            and (not row.has("org_unit") or saved.org_unit_id == (unit.pk if unit else None))
        ):
            return "unchanged"
        if saved is not None and not row.has("org_unit"):
            unit = saved.org_unit
        services.team_member_set(
            actor=self.actor, account=account, user=user, role=role, org_unit=unit,
            version=saved.version if saved else 0,
        )  # fmt: skip
        return "updated" if saved else "created"
