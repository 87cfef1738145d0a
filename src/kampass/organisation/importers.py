"""What the organisation context imports of the supplier's own organisation: users (name, e-mail,
role, org unit, manager) and org units (see :mod:`kampass.common.imports`). Imported users have no
password: they set one through an invitation."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kampass.common.imports.framework import FieldSpec, Importer, Row, RowRejected, referenced_first
from kampass.common.imports.registry import register
from kampass.common.imports.values import choice, country_code, yes_no
from kampass.users import services
from kampass.users.models import OrgUnit, Role, User
from kampass.users.selectors import org_unit_by_reference, user_by_reference

F = FieldSpec
_ROLE_ALIASES = {
    "Key Account Manager": Role.KAM,
    "KAM": Role.KAM,
    "Account Manager": Role.KAM,
    "Head": Role.HEAD,
    "Head of Key Account Management": Role.HEAD,
    "Leiter KAM": Role.HEAD,
    "Leiterin KAM": Role.HEAD,
    "Admin": Role.ADMIN,
    "System Administrator": Role.ADMIN,
    "Read only": Role.VIEWER,
    "Nur lesen": Role.VIEWER,
}


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if getattr(obj, k) != v}


@register
class UserImporter(Importer):
    """Users; the role by code or English/German name (default viewer), the org unit by name or code,
    the manager by username, e-mail, external id or name (also a user further down the file). A row
    updates the user with its username (else its e-mail address, else its external id)."""

    kind = "users"
    label = gettext_lazy("Users")
    permission = "users.manage_users"
    fields = (
        F("username", gettext_lazy("username"), ("User name", "Login", "Benutzername", "Benutzer")),
        F("external_id", gettext_lazy("external id"), ("Id", "User ID", "External ID", "Externe ID")),
        F("email", gettext_lazy("email"), ("E-Mail", "Email address", "E-Mail-Adresse", "Mail")),
        F("first_name", gettext_lazy("first name"), ("FirstName", "Vorname")),
        F("last_name", gettext_lazy("last name"), ("LastName", "Nachname")),
        F("full_name", gettext_lazy("full name"), ("Name", "Full name", "Mitarbeiter", "Employee")),
        F("role", gettext_lazy("role"), ("Rolle", "Profile", "Kampass role")),
        F(
            "org_unit",
            gettext_lazy("org unit"),
            ("Org unit", "Organisationseinheit", "Office", "Region", "Niederlassung", "Team"),
        ),
        F(
            "manager",
            gettext_lazy("manager"),
            ("ManagerId", "Manager ID", "Vorgesetzter", "Vorgesetzte", "Reports to", "Manager email"),
        ),
        F("is_active", gettext_lazy("active"), ("IsActive", "Active", "Aktiv")),
    )
    mappings = {
        "salesforce": {
            "username": "Username",
            "external_id": "Id",
            "email": "Email",
            "first_name": "FirstName",
            "last_name": "LastName",
            "full_name": "Name",
            "manager": "ManagerId",
            "is_active": "IsActive",
            "org_unit": ["Division", "Department"],
        },
        "hubspot": {
            "email": "Email",
            "first_name": "First Name",
            "last_name": "Last Name",
            "external_id": "User ID",
            "org_unit": "Team",
        },
    }

    def order(self, rows: list[Row]) -> list[Row]:
        for row in rows:  # the username the row will get, for managers named by it
            row.values.setdefault("_key", row["username"] or row["email"])
        return referenced_first(rows, keys=("_key", "email", "external_id", "full_name"), reference="manager")

    def apply(self, row: Row) -> str:
        problems: list[tuple[str, str]] = []
        username = row["username"] or row["email"]
        if not username:
            problems.append(
                ("username" if row.has("username") else "email", _("a user needs a username or an e-mail address"))
            )
        first, last = row["first_name"], row["last_name"]
        if not (first or last) and row["full_name"]:
            parts = row["full_name"].rsplit(" ", 1)
            first, last = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        values: dict[str, Any] = {"first_name": first, "last_name": last}
        for key in ("email", "external_id"):
            if row.has(key):
                values[key] = row[key]
        if row["role"]:
            role = choice(row["role"], Role.choices, _ROLE_ALIASES)
            if role is None:
                problems.append(("role", _("unknown role; known: %(known)s") % {"known": ", ".join(Role.values)}))
            values["role"] = role
        if row.has("org_unit"):
            unit = org_unit_by_reference(row["org_unit"]) if row["org_unit"] else None
            if row["org_unit"] and unit is None:
                problems.append(("org_unit", _("no org unit has this name or code")))
            values["org_unit"] = unit
        if row.has("manager"):
            manager = user_by_reference(row["manager"], active_only=False) if row["manager"] else None
            if row["manager"] and manager is None:
                problems.append(
                    (
                        "manager",
                        _("no user (in kampass or earlier in the file) has this username, e-mail address, id or name"),
                    )
                )
            values["manager"] = manager
        if row["is_active"]:
            active = yes_no(row["is_active"])
            if active is None:
                problems.append(("is_active", _("not yes or no")))
            values["is_active"] = active
        if problems:
            raise RowRejected(*problems)
        existing = self._existing(row, username)
        if existing is None:
            services.user_create(
                actor=self.actor, username=username, password=None, role=values.pop("role", Role.VIEWER), **values
            )
            return "created"
        changes = _changes(existing, values)
        if existing.pk == getattr(self.actor, "pk", None):
            changes.pop("role", None)
            changes.pop("is_active", None)
        if not changes:
            return "unchanged"
        services.user_update(actor=self.actor, user=existing, **changes)
        return "updated"

    @staticmethod
    def _existing(row: Row, username: str) -> User | None:
        found = User.objects.filter(username__iexact=username).first()
        if found is None and row["email"]:
            found = User.objects.filter(email__iexact=row["email"]).order_by("pk").first()
        if found is None and row["external_id"]:
            found = User.objects.filter(external_id=row["external_id"]).first()
        return found


@register
class OrgUnitImporter(Importer):
    """Org units (country companies, regions, offices): name, code, country (ISO code or English/German
    name) and the parent unit by name or code (also a unit further down the file). A row updates the
    unit with its name (else its code)."""

    kind = "org-units"
    label = gettext_lazy("Org units")
    permission = "users.manage_users"
    fields = (
        F(
            "name",
            gettext_lazy("name"),
            ("Unit", "Org unit", "Organisationseinheit", "Einheit", "Office"),
            required=True,
        ),
        F("code", gettext_lazy("code"), ("Kürzel", "Unit code", "Short name")),
        F("country", gettext_lazy("country"), ("Land", "Country code")),
        F("parent", gettext_lazy("parent unit"), ("Parent", "Parent unit", "Übergeordnete Einheit", "Region")),
    )

    def order(self, rows: list[Row]) -> list[Row]:
        return referenced_first(rows, keys=("name", "code"), reference="parent")

    def apply(self, row: Row) -> str:
        problems: list[tuple[str, str]] = []
        if not row["name"]:
            problems.append(("name", _("the name is empty")))
        country = country_code(row["country"])
        if country is None:
            problems.append(("country", _("not a country code or a country name in English or German")))
        parent = None
        if row["parent"]:
            parent = org_unit_by_reference(row["parent"])
            if parent is None:
                problems.append(("parent", _("no org unit (in kampass or earlier in the file) has this name or code")))
        if problems:
            raise RowRejected(*problems)
        unit = OrgUnit.objects.filter(name__iexact=row["name"]).first()
        if unit is None and row["code"]:
            unit = OrgUnit.objects.filter(code__iexact=row["code"]).first()
        values: dict[str, Any] = {
            "name": row["name"],
            "code": row["code"] if row.has("code") or unit is None else unit.code,
            "country": country if row.has("country") or unit is None else unit.country,
            "parent": parent if row.has("parent") or unit is None else unit.parent,
        }
        if unit is not None and not _changes(unit, values):
            return "unchanged"
        services.org_unit_save(actor=self.actor, unit=unit, **values)
        return "updated" if unit is not None else "created"
