"""Request and response schemas of the organisation API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kampass.common.api import NOT_BLANK, UNCHANGED, Id, InSchema, Level, input_json_schema, model_field
from kampass.common.concurrency import version_in, version_out
from kampass.organisation.api.router import RACI_CODES
from kampass.organisation.models import (
    ActionStatus,
    BilingualCatalogueEntry,
    BlockedCause,
    DevelopmentAction,
    ProfileRole,
    StructureSettings,
)


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
    version: int = version_out()


class CataloguePageOut(Schema):
    items: list[CatalogueOut]
    count: int


class CatalogueIn(InSchema):
    name_en: str = model_field(BilingualCatalogueEntry, "name_en", pattern=NOT_BLANK)
    name_de: str = model_field(BilingualCatalogueEntry, "name_de", "")
    key: str = model_field(
        BilingualCatalogueEntry, "key", "", min_length=0, description="Made from the English name when empty."
    )
    description_en: str = ""
    description_de: str = ""
    order: int = Field(100, ge=0, le=32767)
    active: bool = True


class CataloguePatchIn(InSchema):
    """Only the fields sent are changed (``null``: unchanged)."""

    name_en: str | None = model_field(BilingualCatalogueEntry, "name_en", None, pattern=NOT_BLANK)
    name_de: str | None = model_field(BilingualCatalogueEntry, "name_de", None)
    key: str | None = model_field(
        BilingualCatalogueEntry, "key", None, min_length=0, description="Empty: made from the English name."
    )
    description_en: str | None = None
    description_de: str | None = None
    order: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None
    version: int | None = version_in()


class CatalogueFilterIn(InSchema):
    q: str = Field("", description="Search in names and key.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) entries.")


class RefOut(Schema):
    id: int
    key: str
    label: str


class CellOut(Schema):
    activity_id: Id
    role_id: Id
    code: str = Field(json_schema_extra={"enum": [*RACI_CODES]})
    version: int = Field(description="Version of the cell (0 while it is empty); send it back to change it.")


class ActivityCheckOut(Schema):
    activity_id: Id
    accountable: int
    responsible: int
    conflicts: list[str] = Field(description="no_accountable, several_accountable, no_responsible")


class RaciOut(Schema):
    activities: list[RefOut]
    roles: list[RefOut]
    cells: list[CellOut]
    checks: list[ActivityCheckOut]
    conflict_count: int


class CellIn(InSchema):
    code: str = Field(description="R, A, AR, C, I, or empty to clear.", json_schema_extra={"enum": [*RACI_CODES]})
    version: int | None = Field(
        None,
        ge=0,
        description="The version of the cell your change is based on (0: it was empty). When it was changed since, "
        "nothing is written and the answer is 409 with the cell as saved. Clients should send it (or If-Match).",
    )


class CellResultOut(Schema):
    cell: CellOut
    check: ActivityCheckOut
    conflict_count: int


class WorkloadOut(Schema):
    user_id: Id
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
    account_id: Id
    name: str
    kam_status: str
    countries: list[str]
    accounts: int
    lead_unit_id: Id | None
    lead_unit_name: str
    lead_unit_missing: bool


class InternationalPageOut(Schema):
    items: list[InternationalOut]
    count: int


class SettingsOut(Schema):
    max_accounts_per_kam: int
    version: int = Field(description="Version of the settings (0 while none are stored); send it back to change them.")


class SettingsIn(InSchema):
    max_accounts_per_kam: int = model_field(StructureSettings, "max_accounts_per_kam")
    version: int | None = Field(
        None,
        ge=0,
        description="The version of the settings your change is based on (0: none stored yet). When they were "
        "saved since, nothing is written and the answer is 409 with the settings as saved. Clients should send it "
        "(or If-Match).",
    )


class ProfileLineOut(Schema):
    competence_id: Id
    competence: str
    level: int | None
    self_level: int | None
    target: int | None
    gap: int | None
    note: str
    version: int = Field(description="Version of the rating (0 while there is none); send it back to change it.")


class ProfileSummaryOut(Schema):
    user_id: Id
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


def _one_of_the_changes_sent(schema: dict[str, Any]) -> None:
    """A rating body sends at least one of ``level``, ``self_level`` and ``note`` (else it is a 422)."""
    input_json_schema(schema)
    schema["anyOf"] = [{"required": [name]} for name in ("level", "self_level", "note")]


class RatingIn(InSchema):
    """Send ``level`` (and ``note``) to rate (head of KAM, administrator), ``self_level`` to self-assess (own profile).
    ``null`` clears a level; leave a field out to keep it. At least one of the three is sent."""

    model_config = ConfigDict(json_schema_extra=_one_of_the_changes_sent)

    level: Level | None = Field(None, description="Agreed rating 1-5.")
    self_level: Level | None = Field(None, description="Self-assessment 1-5.")
    note: str | None = None
    version: int | None = Field(
        None,
        ge=0,
        description="The version of the rating your change is based on (0: none yet). When it was saved since, "
        "nothing is written and the answer is 409 with the line as saved. Clients should send it (or If-Match).",
    )


class TargetOut(Schema):
    competence_id: Id
    role: str
    user_id: Id | None
    level: int | None = Field(description="1-5; null only in a 409/412 answer when no such target is set now.")
    version: int = Field(description="Version of the target (0 while none is set); send it back to change it.")


class TargetPageOut(Schema):
    items: list[TargetOut]
    count: int


class TargetIn(InSchema):
    competence_id: Id
    role: str = Field(
        "",
        description="kam or head; or leave empty and send user_id.",
        json_schema_extra={"enum": ["", *ProfileRole.values]},
    )
    user_id: Id | None = None
    level: Level | None = Field(description="1-5, or null to remove the target.")
    version: int | None = Field(
        None,
        ge=0,
        description="The version of the target your change is based on (0: none set). When it was set, changed or "
        "removed since, nothing is written and the answer is 409 with the target as saved. Clients should send it "
        "(or If-Match).",
    )


class ActionOut(Schema):
    id: int
    version: int = version_out()
    person_id: Id
    person: str
    title: str
    competence_id: Id | None
    due_date: dt.date | None
    status: str
    owner_id: Id | None
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


class ActionFilterIn(InSchema):
    q: str = ""
    person_id: Id | None = None
    status: str = Field("", json_schema_extra={"enum": ["", *ActionStatus.values]})
    open: bool = Field(False, description="Only planned and in-progress actions.")
    blocked: bool | None = None
    cause: str = Field("", json_schema_extra={"enum": ["", *BlockedCause.values]})
    competence_id: Id | None = None


class ActionIn(InSchema):
    person_id: Id | None = Field(None, description="Default: the caller.")
    title: str = model_field(DevelopmentAction, "title", pattern=NOT_BLANK)
    competence_id: Id | None = None
    due_date: dt.date | None = None
    status: str = Field(ActionStatus.PLANNED.value, json_schema_extra={"enum": [*ActionStatus.values]})
    owner_id: Id | None = None
    blocked: bool = False
    blocked_cause: str = Field("", json_schema_extra={"enum": ["", *BlockedCause.values]})
    blocked_note: str = ""
    notes: str = ""


class ActionPatchIn(InSchema):
    """Only the fields sent are changed; ``null`` clears the competence, the due date, the owner and
    the texts that may be empty; ``person_id``, ``title``, ``status`` and ``blocked`` cannot be ``null``."""

    person_id: Id = UNCHANGED
    title: str = model_field(DevelopmentAction, "title", UNCHANGED, pattern=NOT_BLANK)
    competence_id: Id | None = None
    due_date: dt.date | None = None
    status: str = Field(UNCHANGED, json_schema_extra={"enum": [*ActionStatus.values]})
    owner_id: Id | None = None
    blocked: bool = UNCHANGED
    blocked_cause: str | None = Field(None, json_schema_extra={"enum": ["", *BlockedCause.values]})
    blocked_note: str | None = None
    notes: str | None = None
    version: int | None = version_in()
