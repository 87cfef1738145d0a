"""JSON API of the pipeline context: opportunities, stage changes, qualification, buying-centre
links, risks, scores, the forecast, the optimism analysis, model versions and retraining.

Endpoints only translate between JSON and the services/selectors, which check permissions and
validate: a key account manager reads and edits the opportunities of the accounts whose team
they are on (and of everything below them); head of KAM and administrators edit everything;
controllers and viewers read everything. Reading an opportunity one may not see is a 403.
Money is sent as decimal strings (``"1234.50"``); the owner's probability is a whole percent
(0-100), the calibrated probability a fraction (0-1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from kampass.accounts.models import Account, BuyingRole, Contact
from kampass.common import fx
from kampass.common.api import (
    ERRORS,
    UNCHANGED,
    DecimalString,
    Id,
    InSchema,
    PageIn,
    RemovalIn,
    api_field_names,
    model_field,
    page_of,
    refused,
)
from kampass.common.api import actor as _actor
from kampass.common.api import ref as _ref
from kampass.common.concurrency import api_delete, api_update, conflict_responses, set_etag, version_in, version_out
from kampass.common.permissions import authorize
from kampass.pipeline import selectors, services
from kampass.pipeline.models import (
    BacktestRun,
    ForecastCategory,
    ModelVersion,
    Opportunity,
    OpportunityContact,
    Outcome,
    QualificationElement,
    QualificationStatus,
    Risk,
    RiskCategory,
    RiskStatus,
    Stage,
    StageSet,
    TrainingJob,
)
from kampass.users.models import User

router = Router(tags=["pipeline"])

Money = Annotated[str, Field(description="Decimal string, e.g. “1234.50”.")]
AmountIn = Annotated[Decimal, DecimalString.of(Opportunity, "amount")]
CostIn = Annotated[Decimal, DecimalString.of(Risk, "cost")]
CENT = Decimal("0.01")
API_FIELD_NAMES = {"stage": "stage_id", "owner": "owner_id", "account": "account_id", "contact": "contact_id"}

_api_field_names = partial(api_field_names, API_FIELD_NAMES)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT))


def _opportunity(request: HttpRequest, opportunity_id: Id) -> Opportunity:
    """The opportunity if the user may see it: 404 if there is none, 403 if it is hidden."""
    return selectors.opportunity_get(user=_actor(request), pk=opportunity_id)


def _stage(stage_id: Id | None, field: str = "stage_id") -> Stage | None:
    return _ref(Stage, stage_id, field)


# ---------------------------------------------------------------- schemas


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int = Field(description="Default probability in percent.")
    kind: str
    late: bool
    is_late: bool


class StageSetOut(Schema):
    id: int
    name: str
    is_default: bool
    late_probability: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: StageSet) -> list[Stage]:
        return list(obj.stages.select_related("stage_set").order_by("order"))


class OpportunityOut(Schema):
    id: int
    version: int = version_out()
    account_id: Id
    account_name: str
    name: str
    description: str
    stage_set_id: Id
    stage_id: Id
    stage_name: str
    owner_id: Id | None
    owner_name: str = Field(description="The owner: a user's name, or the name from an imported file.")
    amount: Money
    currency: str
    expected_close_date: dt.date | None
    owner_probability: int | None = Field(description="The owner's probability in percent.")
    probability: float | None = Field(description="The model's calibrated win probability (0-1).")
    model_version: str | None
    scored_at: dt.datetime | None
    forecast_category: str
    competitors: list[str]
    products: list[str]
    lead_source: str
    opportunity_type: str
    outcome: str
    outcome_reason: str
    created_on: dt.date
    closed_on: dt.date | None
    source: str
    external_id: str
    qualification_flags: list[str] = Field(
        description="MEDDPICC elements flagged: economic buyer or champion not confirmed in a late stage."
    )
    updated_at: dt.datetime

    @staticmethod
    def resolve_account_name(obj: Opportunity) -> str:
        return obj.account.name

    @staticmethod
    def resolve_stage_name(obj: Opportunity) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_owner_name(obj: Opportunity) -> str:
        return obj.owner_display

    @staticmethod
    def resolve_amount(obj: Opportunity) -> str:
        return str(obj.amount.quantize(CENT))

    @staticmethod
    def resolve_model_version(obj: Opportunity) -> str | None:
        return obj.model_version.version if obj.model_version is not None else None

    @staticmethod
    def resolve_qualification_flags(obj: Opportunity) -> list[str]:
        return selectors.qualification_flags(obj) if obj.is_open and obj.stage.is_late else []


class OpportunityPageOut(Schema):
    items: list[OpportunityOut]
    count: int


class OpportunityFilterIn(InSchema):
    q: str = Field("", description="Search in name, account, owner name (and exact external id).")
    owner_id: Id | None = None
    owner_name: str = Field("", description="An imported owner without a user.")
    account_id: Id | None = None
    subtree: bool = Field(False, description="With account_id: the account and everything below it.")
    stage_id: Id | None = None
    outcome: str = Field("", json_schema_extra={"enum": ["", *Outcome.values]})
    forecast_category: str = Field("", json_schema_extra={"enum": ["", *ForecastCategory.values]})
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    sort: str = Field("close", json_schema_extra={"enum": list(selectors.SORTS)})
    descending: bool = False

    def filters(self) -> selectors.OpportunityFilters:
        return selectors.OpportunityFilters(
            q=self.q, owner=self.owner_id, owner_name=self.owner_name, account=self.account_id, subtree=self.subtree,
            stage=self.stage_id, outcome=self.outcome, forecast_category=self.forecast_category,
            close_from=self.close_from, close_to=self.close_to, sort=self.sort, descending=self.descending,
        )  # fmt: skip


class OpportunityIn(InSchema):
    account_id: Id
    name: str = model_field(Opportunity, "name")
    amount: AmountIn
    currency: str | None = model_field(Opportunity, "currency", None, description="Default: the account's currency.")
    stage_id: Id | None = Field(None, description="Default: the first open stage of the default sales process.")
    reason: str = Field("", description="Required when created in a lost stage.")
    description: str = ""
    owner_id: Id | None = Field(None, description="Default: the caller.")
    owner_name: str = model_field(Opportunity, "owner_name", "")
    expected_close_date: dt.date | None = None
    owner_probability: int | None = model_field(
        Opportunity,
        "owner_probability",
        None,
        description="Percent; omitted or null: the owner gives none (forecasts use the stage's default and "
        "count such deals).",
    )
    forecast_category: str = Field(
        ForecastCategory.PIPELINE.value, json_schema_extra={"enum": [*ForecastCategory.values]}
    )
    competitors: list[str] = []
    products: list[str] = []
    lead_source: str = model_field(Opportunity, "lead_source", "")
    opportunity_type: str = model_field(Opportunity, "opportunity_type", "")
    external_id: str = model_field(Opportunity, "external_id", "")
    source: str = model_field(Opportunity, "source", "")


class OpportunityPatchIn(InSchema):
    """Only the fields sent are changed; the stage changes through ``POST .../stage``. ``null``
    clears the owner, the expected close date and the owner's probability; the other fields
    cannot be ``null`` (send ``""`` or ``[]`` to empty one that may be empty)."""

    account_id: Id = UNCHANGED
    name: str = model_field(Opportunity, "name", UNCHANGED)
    description: str = UNCHANGED
    amount: AmountIn = UNCHANGED
    currency: str = model_field(Opportunity, "currency", UNCHANGED)
    owner_id: Id | None = UNCHANGED
    owner_name: str = model_field(Opportunity, "owner_name", UNCHANGED)
    expected_close_date: dt.date | None = UNCHANGED
    owner_probability: int | None = model_field(Opportunity, "owner_probability", UNCHANGED)
    forecast_category: str = Field(UNCHANGED, json_schema_extra={"enum": [*ForecastCategory.values]})
    competitors: list[str] = UNCHANGED
    products: list[str] = UNCHANGED
    lead_source: str = model_field(Opportunity, "lead_source", UNCHANGED)
    opportunity_type: str = model_field(Opportunity, "opportunity_type", UNCHANGED)
    outcome_reason: str = UNCHANGED
    external_id: str = model_field(Opportunity, "external_id", UNCHANGED)
    version: int | None = version_in()


class StageChangeIn(InSchema):
    stage_id: Id
    reason: str = Field("", description="Required for a lost stage.")
    note: str = ""
    version: int | None = version_in()


class StageChangeOut(Schema):
    id: int
    from_stage_id: Id | None
    from_stage: str | None
    to_stage_id: Id
    to_stage: str
    changed_at: dt.datetime | None
    amount: Decimal | None
    derived: bool
    changed_by_id: Id | None
    note: str

    @staticmethod
    def resolve_from_stage(obj: Any) -> str | None:
        return obj.from_stage.name if obj.from_stage_id else None

    @staticmethod
    def resolve_to_stage(obj: Any) -> str:
        return obj.to_stage.name


class QualificationOut(Schema):
    element: str
    label: str
    status: str
    evidence: str
    flagged: bool
    version: int | None = Field(
        description="Version of the element's entry (null while nothing was recorded); send it back to change it."
    )


class QualificationIn(InSchema):
    status: str = Field(json_schema_extra={"enum": [*QualificationStatus.values]})
    evidence: str = ""
    version: int | None = version_in()


class ContactLinkOut(Schema):
    id: int
    version: int = version_out()
    contact_id: Id
    contact_name: str
    roles: list[str]
    notes: str

    @staticmethod
    def resolve_contact_name(obj: OpportunityContact) -> str:
        return str(obj.contact)


class ContactLinkIn(InSchema):
    roles: list[str] = Field(
        min_length=1,
        description=f"Buying-centre roles: {', '.join(BuyingRole.values)}.",
        json_schema_extra={"items": {"enum": [*BuyingRole.values]}},
    )
    notes: str = ""
    version: int | None = Field(
        None,
        ge=0,
        description="The version of the link your change is based on (0: the contact was not linked). When it was "
        "added, changed or removed since, nothing is written and the answer is 409 with the link as saved. Clients "
        "should send it (or If-Match).",
    )


class RiskOut(Schema):
    id: int
    version: int = version_out()
    opportunity_id: Id
    title: str
    description: str
    category: str
    likelihood: int
    impact: int
    score: int = Field(description="Likelihood x impact (1-25).")
    cost: Money | None
    expected_cost: Money | None = Field(description="Likelihood probability (1..5 -> 0.1, 0.3, 0.5, 0.7, 0.9) x cost.")
    currency: str
    mitigation: str
    owner_id: Id | None
    due_date: dt.date | None
    status: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_cost(obj: Risk) -> str | None:
        return _money(obj.cost)

    @staticmethod
    def resolve_expected_cost(obj: Risk) -> str | None:
        return _money(obj.expected_cost)


class RiskPageOut(Schema):
    items: list[RiskOut]
    count: int


class RiskIn(InSchema):
    title: str = model_field(Risk, "title")
    category: str = Field(json_schema_extra={"enum": [*RiskCategory.values]})
    likelihood: int = model_field(Risk, "likelihood", description="1 (rare) .. 5 (almost certain)")
    impact: int = model_field(Risk, "impact", description="1 (minor) .. 5 (severe)")
    cost: CostIn | None = None
    currency: str | None = model_field(Risk, "currency", None, description="Default: the opportunity's currency.")
    description: str = ""
    mitigation: str = ""
    owner_id: Id | None = None
    due_date: dt.date | None = None
    status: str = Field(RiskStatus.OPEN.value, json_schema_extra={"enum": [*RiskStatus.values]})


class RiskPatchIn(InSchema):
    """Only the fields sent are changed; ``null`` clears the cost, the owner and the due date; the
    other fields cannot be ``null``."""

    title: str = model_field(Risk, "title", UNCHANGED)
    category: str = Field(UNCHANGED, json_schema_extra={"enum": [*RiskCategory.values]})
    likelihood: int = model_field(Risk, "likelihood", UNCHANGED)
    impact: int = model_field(Risk, "impact", UNCHANGED)
    cost: CostIn | None = UNCHANGED
    currency: str = model_field(Risk, "currency", UNCHANGED)
    description: str = UNCHANGED
    mitigation: str = UNCHANGED
    owner_id: Id | None = UNCHANGED
    due_date: dt.date | None = UNCHANGED
    status: str = Field(UNCHANGED, json_schema_extra={"enum": [*RiskStatus.values]})
    version: int | None = version_in()


class RiskScopeIn(InSchema):
    opportunity_id: Id | None = None
    account_id: Id | None = None
    subtree: bool = False
    active_only: bool = Field(False, description="Only open and mitigating risks.")


class RiskMatrixIn(RiskScopeIn):
    currency: str = Field(
        "",
        description="Currency of the consolidated expected cost; each risk's cost is converted at the rate of its "
        "opportunity's expected close date (today's for a future date or none). Default: the user's view currency, "
        "else the reporting currency.",
        json_schema_extra={"enum": ["", *fx.view_currency_choices()]},
    )


class RiskMatrixOut(Schema):
    cells: list[list[int]] = Field(description="cells[likelihood - 1][impact - 1]: number of risks.")
    total: int
    expected_cost: dict[str, Money] = Field(description="Expected cost of the risks per currency, as recorded.")
    currency: str = Field(description="Currency of ``expected_cost_total``.")
    expected_cost_total: Money = Field(description="The expected costs consolidated into ``currency``.")
    conversion: str = Field(
        description="How the total was converted (rate source, amounts, currencies; amounts without a rate are "
        "named); empty when nothing was converted."
    )


class FactorOut(Schema):
    feature: str
    value: str
    effect: float = Field(description="Change in probability (fraction) attributed to this value, signed.")
    direction: str


class ScoreOut(Schema):
    opportunity_id: Id
    probability: float | None
    owner_probability: int | None
    stage_probability: int
    model_version: str | None
    scored_at: dt.datetime | None
    explanation: list[FactorOut]


class ModelVersionOut(Schema):
    id: int
    version: str
    trained_at: dt.datetime
    training_rows: int
    base_rate: float
    features: list[str]
    metrics: dict[str, Any]
    reliability: dict[str, Any]
    active: bool


class TrainingJobOut(Schema):
    id: uuid.UUID
    status: str
    progress: float
    message: str
    model_version: str | None
    scored: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_model_version(obj: TrainingJob) -> str | None:
        return obj.model_version.version if obj.model_version is not None else None


class BacktestRunOut(Schema):
    """A backtest on kampass's own opportunities: its progress (origins done of all) and, once done, the
    document ``kampass forecast backtest --json`` prints (with ``pooled``, ``verdict`` and ``notes``)."""

    id: uuid.UUID
    status: str
    horizon: int
    origins_total: int
    origins_done: int
    message: str
    result: dict[str, Any]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class BacktestConflictOut(Schema):
    detail: str
    code: str


class TrainingConflictOut(Schema):
    detail: str
    code: str = Field(description="``training_running``: a retraining is already queued or running.")
    job_id: uuid.UUID = Field(description="The retraining queued or running.")


class ForecastIn(InSchema):
    period: str = Field("month", json_schema_extra={"enum": ["month", "quarter"]})
    group_by: str = Field("", json_schema_extra={"enum": ["", "owner", "account"]})
    currency: str = Field(
        "",
        description="Currency of the figures; deals in other currencies are converted at the rate of their expected "
        "close date (today's for a future date). Default: the user's view currency, else the reporting currency.",
    )
    owner_id: Id | None = None
    owner_name: str = ""
    account_id: Id | None = None
    subtree: bool = False
    simulations: int = Field(10_000, ge=100, le=100_000)
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed of the simulation (repeatable figures).")


class OptimismIn(InSchema):
    by: str = Field("owner", json_schema_extra={"enum": ["owner", "team", "account"]})
    account_id: Id | None = None
    subtree: bool = False


# ---------------------------------------------------------------- stages


@router.get("/stage-sets", response={200: list[StageSetOut], **ERRORS})
def stage_sets(request: HttpRequest) -> list[StageSet]:
    """The sales processes with their stages in order."""
    return list(StageSet.objects.all())


# ---------------------------------------------------------------- opportunities


def _opportunities() -> Any:
    return Opportunity.objects.select_related("account", "stage", "stage__stage_set", "owner", "model_version")


@router.get("/opportunities", response={200: OpportunityPageOut, **ERRORS})
def opportunity_list(request: HttpRequest, filters: Query[OpportunityFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    qs = selectors.opportunity_list(user=_actor(request), filters=filters.filters())
    qs = qs.select_related("stage__stage_set").prefetch_related("qualification")
    return page_of(qs, page)


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **ERRORS})
def opportunity_get(request: HttpRequest, response: HttpResponse, opportunity_id: Id) -> Opportunity:
    return set_etag(response, _opportunity(request, opportunity_id))


@router.post(
    "/opportunities",
    response={201: OpportunityOut, **ERRORS},
    openapi_extra=refused("an id that names no stored object", "the external id is taken"),
)
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[Any]:
    data = payload.model_dump()
    with transaction.atomic(), _api_field_names():
        account = _ref(Account, data.pop("account_id"), "account_id")
        assert account is not None  # account_id is required
        stage = _stage(data.pop("stage_id"))
        owner = _ref(User, data.pop("owner_id"), "owner_id")
        if owner is not None:
            data["owner"] = owner
        opportunity = services.opportunity_create(
            actor=_actor(request),
            account=account,
            stage=stage,
            **data,
        )
    return Status(201, _opportunities().get(pk=opportunity.pk))


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **ERRORS, **conflict_responses(OpportunityOut)},
    openapi_extra=refused("an id that names no stored object", "the external id is taken"),
)
def opportunity_update(
    request: HttpRequest, response: HttpResponse, opportunity_id: Id, payload: OpportunityPatchIn
) -> Any:
    """Change an opportunity; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    opportunity = _opportunity(request, opportunity_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic(), _api_field_names():
        if "account_id" in changes:
            changes["account"] = _ref(Account, changes.pop("account_id"), "account_id")
        if "owner_id" in changes:
            changes["owner"] = _ref(User, changes.pop("owner_id"), "owner_id")
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.opportunity_update(
                actor=_actor(request), opportunity=opportunity, version=version, **changes
            ),
            current=lambda: _opportunities().get(pk=opportunity.pk),
        )


@router.delete("/opportunities/{opportunity_id}", response={204: None, **ERRORS, **conflict_responses(OpportunityOut)})
def opportunity_delete(
    request: HttpRequest, response: HttpResponse, opportunity_id: Id, removal: Query[RemovalIn]
) -> Any:
    """Delete an opportunity; a stale ``version`` (``If-Match``) answers 409 (412) with the opportunity as saved."""
    opportunity = _opportunity(request, opportunity_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.opportunity_delete(
            actor=_actor(request), opportunity=opportunity, version=version
        ),
        current=lambda: _opportunities().get(pk=opportunity.pk),
    )


@router.post(
    "/opportunities/{opportunity_id}/stage",
    response={200: OpportunityOut, **ERRORS, **conflict_responses(OpportunityOut)},
    openapi_extra=refused("the opportunity is already in this stage", "a stage change the stage rules refuse"),
)
def opportunity_stage(request: HttpRequest, response: HttpResponse, opportunity_id: Id, payload: StageChangeIn) -> Any:
    """Move the opportunity to another stage of its sales process (won/lost close it; lost needs a reason).
    With ``version`` (or ``If-Match``) a move based on a stale version answers 409 (412)."""
    opportunity = _opportunity(request, opportunity_id)
    with _api_field_names():
        stage = _stage(payload.stage_id)
        assert stage is not None
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.opportunity_change_stage(
                actor=_actor(request),
                opportunity=opportunity,
                stage=stage,
                reason=payload.reason,
                note=payload.note,
                version=version,
            ),
            current=lambda: _opportunities().get(pk=opportunity.pk),
        )


@router.get("/opportunities/{opportunity_id}/stage-history", response={200: list[StageChangeOut], **ERRORS})
def opportunity_stage_history(request: HttpRequest, opportunity_id: Id) -> list[Any]:
    opportunity = _opportunity(request, opportunity_id)
    return list(opportunity.stage_changes.select_related("from_stage", "to_stage"))


# ---------------------------------------------------------------- qualification


@router.get("/opportunities/{opportunity_id}/qualification", response={200: list[QualificationOut], **ERRORS})
def qualification_list(request: HttpRequest, opportunity_id: Id) -> list[dict[str, Any]]:
    """The eight MEDDPICC elements in order, missing ones included, with the late-stage flags."""
    opportunity = _opportunity(request, opportunity_id)
    return [
        {
            "element": r.element,
            "label": r.label,
            "status": r.status,
            "evidence": r.evidence,
            "flagged": r.flagged,
            "version": r.item.version if r.item is not None else None,
        }
        for r in selectors.qualification_rows(opportunity)
    ]


@router.put(
    "/opportunities/{opportunity_id}/qualification/{element}",
    response={200: list[QualificationOut], **ERRORS, **conflict_responses(list[QualificationOut])},
    openapi_extra=refused("evidence is required for a partial or confirmed element"),
)
def qualification_put(
    request: HttpRequest,
    response: HttpResponse,
    opportunity_id: Id,
    element: QualificationElement,
    payload: QualificationIn,
) -> Any:
    """Record one element; the answer is the whole checklist, its ``ETag`` the version of this element. A stale
    ``version`` (``If-Match``) answers 409 (412) with the checklist as saved."""
    opportunity = _opportunity(request, opportunity_id)
    key = str(element.value)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.qualification_set(
            actor=_actor(request),
            opportunity=opportunity,
            element=key,
            status=payload.status,
            evidence=payload.evidence,
            version=version,
        ),
        current=lambda: qualification_list(request, opportunity.pk),
        version_of=lambda rows: next(r["version"] for r in rows if r["element"] == key),
    )


# ---------------------------------------------------------------- buying-centre links


@router.get("/opportunities/{opportunity_id}/contacts", response={200: list[ContactLinkOut], **ERRORS})
def contact_links(request: HttpRequest, opportunity_id: Id) -> list[OpportunityContact]:
    opportunity = _opportunity(request, opportunity_id)
    return list(opportunity.contacts.select_related("contact"))


@router.put(
    "/opportunities/{opportunity_id}/contacts/{contact_id}",
    response={200: ContactLinkOut, **ERRORS, **conflict_responses(ContactLinkOut)},
    openapi_extra=refused("the contact holds no position at the opportunity's account or in its hierarchy"),
)
def contact_link_put(
    request: HttpRequest, response: HttpResponse, opportunity_id: Id, contact_id: Id, payload: ContactLinkIn
) -> Any:
    """Link a contact (with a position at the account, above or below it) in buying-centre roles. Send the
    link's ``version`` (0: not linked; or ``If-Match``): a stale one answers 409 (412) with the link as saved
    (404 when it was removed meanwhile)."""
    opportunity = _opportunity(request, opportunity_id)
    contact = get_object_or_404(Contact, pk=contact_id)
    with _api_field_names():
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.opportunity_contact_set(
                actor=_actor(request),
                opportunity=opportunity,
                contact=contact,
                roles=payload.roles,
                notes=payload.notes,
                version=version,
            ),
            current=lambda: get_object_or_404(
                OpportunityContact.objects.select_related("contact"), opportunity=opportunity, contact=contact
            ),
        )


@router.delete(
    "/opportunities/{opportunity_id}/contacts/{contact_id}",
    response={204: None, **ERRORS, **conflict_responses(ContactLinkOut)},
)
def contact_link_delete(
    request: HttpRequest, response: HttpResponse, opportunity_id: Id, contact_id: Id, removal: Query[RemovalIn]
) -> Any:
    """Take a contact out of the opportunity's buying centre; a stale ``version`` (``If-Match``) answers 409
    (412) with the link as saved."""
    opportunity = _opportunity(request, opportunity_id)
    link = get_object_or_404(OpportunityContact, opportunity=opportunity, contact_id=contact_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.opportunity_contact_remove(actor=_actor(request), link=link, version=version),
        current=lambda: OpportunityContact.objects.select_related("contact").get(pk=link.pk),
    )


# ---------------------------------------------------------------- risks


def _risk(request: HttpRequest, risk_id: Id) -> Risk:
    risk = get_object_or_404(Risk.objects.select_related("opportunity__account"), pk=risk_id)
    authorize(_actor(request), "pipeline.view_opportunity", risk.opportunity)
    return risk


@router.get("/risks", response={200: RiskPageOut, **ERRORS})
def risk_list(request: HttpRequest, scope: Query[RiskScopeIn], page: Query[PageIn]) -> dict[str, Any]:
    opportunity = _opportunity(request, scope.opportunity_id) if scope.opportunity_id else None
    qs = selectors.risk_list(
        user=_actor(request), opportunity=opportunity, account=scope.account_id, subtree=scope.subtree,
        active_only=scope.active_only,
    ).order_by("-likelihood", "-impact", "pk")  # fmt: skip
    return page_of(qs, page)


@router.get("/risks/matrix", response={200: RiskMatrixOut, **ERRORS})
def risk_matrix(request: HttpRequest, scope: Query[RiskMatrixIn]) -> dict[str, Any]:
    """The 5x5 risk matrix (likelihood x impact) of the visible risks in scope (default: active only), with
    their expected cost per currency and consolidated into one currency (the conversion named)."""
    opportunity = _opportunity(request, scope.opportunity_id) if scope.opportunity_id else None
    matrix = selectors.risk_matrix(
        user=_actor(request), opportunity=opportunity, account=scope.account_id, subtree=scope.subtree,
        active_only=True if "active_only" not in request.GET else scope.active_only, currency=scope.currency,
    )  # fmt: skip
    return {
        "cells": matrix.cells,
        "total": matrix.total,
        "expected_cost": {k: str(v.quantize(CENT)) for k, v in matrix.expected_cost.items()},
        "currency": matrix.cost.currency,
        "expected_cost_total": str(matrix.cost.total.quantize(CENT)),
        "conversion": matrix.cost.conversion,
    }


@router.post(
    "/opportunities/{opportunity_id}/risks",
    response={201: RiskOut, **ERRORS},
    openapi_extra=refused("an id that names no stored object"),
)
def risk_create(request: HttpRequest, opportunity_id: Id, payload: RiskIn) -> Status[Any]:
    opportunity = _opportunity(request, opportunity_id)
    data = payload.model_dump()
    with transaction.atomic(), _api_field_names():
        owner = _ref(User, data.pop("owner_id"), "owner_id")
        risk = services.risk_create(actor=_actor(request), opportunity=opportunity, owner=owner, **data)
    return Status(201, risk)


@router.get("/risks/{risk_id}", response={200: RiskOut, **ERRORS})
def risk_get(request: HttpRequest, response: HttpResponse, risk_id: Id) -> Risk:
    return set_etag(response, _risk(request, risk_id))


@router.patch(
    "/risks/{risk_id}",
    response={200: RiskOut, **ERRORS, **conflict_responses(RiskOut)},
    openapi_extra=refused("an id that names no stored object"),
)
def risk_update(request: HttpRequest, response: HttpResponse, risk_id: Id, payload: RiskPatchIn) -> Any:
    """Change a risk; send the ``version`` you read (or ``If-Match``): a stale one answers 409 (412)."""
    risk = _risk(request, risk_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic(), _api_field_names():
        if "owner_id" in changes:
            changes["owner"] = _ref(User, changes.pop("owner_id"), "owner_id")
        return api_update(
            request,
            response,
            version=payload.version,
            update=lambda version: services.risk_update(actor=_actor(request), risk=risk, version=version, **changes),
            current=lambda: Risk.objects.get(pk=risk.pk),
        )


@router.delete("/risks/{risk_id}", response={204: None, **ERRORS, **conflict_responses(RiskOut)})
def risk_delete(request: HttpRequest, response: HttpResponse, risk_id: Id, removal: Query[RemovalIn]) -> Any:
    """Delete a risk; a stale ``version`` (``If-Match``) answers 409 (412) with the risk as saved."""
    risk = _risk(request, risk_id)
    return api_delete(
        request,
        response,
        version=removal.version,
        remove=lambda version: services.risk_delete(actor=_actor(request), risk=risk, version=version),
        current=lambda: Risk.objects.get(pk=risk.pk),
    )


# ---------------------------------------------------------------- scores, forecast, optimism


@router.get("/opportunities/{opportunity_id}/score", response={200: ScoreOut, **ERRORS})
def opportunity_score(request: HttpRequest, opportunity_id: Id) -> dict[str, Any]:
    """The stored calibrated probability, the model version that produced it and the main factors behind it."""
    o = _opportunity(request, opportunity_id)
    factors = services.score_explanation(o) if o.is_open else []
    return {
        "opportunity_id": o.pk,
        "probability": o.probability,
        "owner_probability": o.owner_probability,
        "stage_probability": o.stage.probability,
        "model_version": o.model_version.version if o.model_version is not None else None,
        "scored_at": o.scored_at,
        "explanation": [dataclasses.asdict(f) for f in factors],
    }


@router.get("/forecast", response={200: dict[str, Any], **ERRORS})
def forecast(request: HttpRequest, params: Query[ForecastIn]) -> dict[str, Any]:
    """Expected revenue per month or quarter with P10/P50/P90 from the calibrated probabilities, the
    owners' forecast beside it, optionally per owner or account (the same figures as the forecast page)."""
    filters = selectors.OpportunityFilters(
        owner=params.owner_id, owner_name=params.owner_name, account=params.account_id, subtree=params.subtree
    )
    if params.account_id:
        get_object_or_404(Account, pk=params.account_id)
    if params.currency and params.currency.upper() not in fx.view_currency_choices():
        raise ValidationError(
            {"currency": f"Unknown currency {params.currency!r}; known: {', '.join(fx.view_currency_choices())}."}
        )
    report = selectors.forecast(
        user=_actor(request), filters=filters, period=params.period, group_by=params.group_by,
        currency=params.currency.upper(), simulations=params.simulations, seed=params.seed,
    )  # fmt: skip
    return report.as_json()


@router.get("/forecast/optimism", response={200: dict[str, Any], **ERRORS})
def optimism(request: HttpRequest, params: Query[OptimismIn]) -> dict[str, Any]:
    """Owners' probabilities vs outcomes (and the model's) per owner, team or account, over closed deals."""
    filters = selectors.OpportunityFilters(account=params.account_id, subtree=params.subtree)
    return selectors.optimism(user=_actor(request), by=params.by, filters=filters).as_json()


# ---------------------------------------------------------------- model versions and training


@router.get("/model-versions", response={200: list[ModelVersionOut], **ERRORS})
def model_versions(request: HttpRequest) -> list[ModelVersion]:
    """Trained model versions, newest first, with their cross-validation metrics and reliability bins."""
    authorize(_actor(request), "pipeline.view_model")
    return list(selectors.model_versions()[:50])


@router.post("/model/train", response={202: TrainingJobOut, 409: TrainingConflictOut, **ERRORS})
def model_train(request: HttpRequest) -> Status[Any]:
    """Queue a retraining as a background task (train on closed opportunities, score all open ones).

    One retraining at a time: while one is queued or running the answer is 409 with the code
    ``training_running`` and the id of that job, and nothing is queued."""
    try:
        job = services.training_job_create(actor=_actor(request))
    except services.TrainingAlreadyQueued as refusal:
        return Status(409, {"detail": " ".join(refusal.messages), "code": refusal.code, "job_id": refusal.job.pk})
    return Status(202, job)


@router.post("/model/backtest", response={202: BacktestRunOut, 409: BacktestConflictOut, **ERRORS})
def model_backtest(request: HttpRequest) -> Status[Any]:
    """Queue a temporal backtest of the model and its baselines on kampass's own opportunities (background
    task; monthly origins over the last year, horizon 90 days). One at a time: while one is queued or
    running the answer is 409 with the code ``backtest_running``."""
    try:
        run = services.backtest_run_create(actor=_actor(request))
    except services.BacktestRefused as refusal:
        return Status(409, {"detail": " ".join(refusal.messages), "code": refusal.code or "backtest_refused"})
    return Status(202, run)


@router.get("/model/backtests/{run_id}", response={200: BacktestRunOut, **ERRORS})
def backtest_run(request: HttpRequest, run_id: uuid.UUID) -> BacktestRun:
    authorize(_actor(request), "pipeline.view_model")
    return get_object_or_404(BacktestRun, pk=run_id)


@router.get("/model/jobs/{job_id}", response={200: TrainingJobOut, **ERRORS})
def training_job(request: HttpRequest, job_id: uuid.UUID) -> TrainingJob:
    authorize(_actor(request), "pipeline.view_model")
    return get_object_or_404(TrainingJob.objects.select_related("model_version"), pk=job_id)


# ---------------------------------------------------------------- opportunities without an account


class SuggestionOut(Schema):
    account_id: int
    name: str
    exact: bool = Field(description="True for the company's external id or the same normalised name.")


class UnlinkedOut(Schema):
    """An opportunity without an account (kept by ``kampass import opportunities --link keep``): in no
    forecast, board or account view until it is linked."""

    id: int
    company_name: str
    company_external_id: str
    country: str
    parent_company: str
    name: str
    source: str
    external_id: str
    amount: Money
    currency: str
    stage_id: int | None
    stage_name: str
    outcome: str
    created_on: dt.date
    expected_close_date: dt.date | None
    closed_on: dt.date | None
    owner_id: int | None
    owner_name: str
    import_file: str
    suggestions: list[SuggestionOut] = Field(description="Existing accounts that may be the company, best first.")

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return str(obj.country or "")

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return str(obj.amount.quantize(CENT))

    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return str(obj.owner_display)

    @staticmethod
    def resolve_suggestions(obj: Any) -> list[Any]:
        return list(getattr(obj, "suggested", []))


class UnlinkedPageOut(Schema):
    items: list[UnlinkedOut]
    count: int


class UnlinkedFilterIn(InSchema):
    q: str = Field("", description="Search in company and opportunity names (and exact external ids).")
    owner_id: Id | None = None


class UnlinkedLinkIn(InSchema):
    ids: list[Id] = Field(min_length=1, max_length=1000, description="The opportunities without an account.")
    account_id: Id


class UnlinkedConvertIn(InSchema):
    ids: list[Id] = Field(min_length=1, max_length=1000, description="The opportunities without an account.")


class UnlinkedLinkOut(Schema):
    account_id: int
    opportunity_ids: list[int]


class AccountCreatedOut(Schema):
    id: int
    name: str


class UnlinkedConvertOut(Schema):
    accounts_created: list[AccountCreatedOut]
    accounts_used: list[AccountCreatedOut] = Field(description="Existing accounts with the company's external id.")
    opportunity_ids: list[int]


def _unlinked_selected(request: HttpRequest, ids: list[int]) -> list[Any]:
    from kampass.pipeline.selectors.unlinked import unlinked_visible

    found = list(unlinked_visible(_actor(request)).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"ids": "Some ids name no opportunity without an account you may see."})
    return found


@router.get("/unlinked-opportunities", response={200: UnlinkedPageOut, **ERRORS})
def unlinked_list(request: HttpRequest, filters: Query[UnlinkedFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The opportunities without an account the user sees (all for head of KAM, administrators, controllers and
    viewers; a key account manager their own), by company, with the suggested accounts."""
    from kampass.pipeline.selectors import unlinked as unlinked_selectors

    wanted = unlinked_selectors.UnlinkedFilters(q=filters.q.strip(), owner=filters.owner_id)
    result = page_of(unlinked_selectors.unlinked_list(user=_actor(request), filters=wanted), page)
    found = unlinked_selectors.suggestions(result["items"])
    for item in result["items"]:
        item.suggested = [dataclasses.asdict(s) for s in found.get(item.pk, [])]
    return result


@router.post(
    "/unlinked-opportunities/link",
    response={200: UnlinkedLinkOut, **ERRORS},
    openapi_extra=refused(
        "an id that names no stored object (or none you may see)",
        "an external id imported as an opportunity meanwhile",
        "an opportunity without a stage of the sales process",
    ),
)
def unlinked_link(request: HttpRequest, payload: UnlinkedLinkIn) -> dict[str, Any]:
    """Turn the opportunities into opportunities of the account (head of KAM and administrators)."""
    authorize(_actor(request), "pipeline.link_unlinked")
    with transaction.atomic(), _api_field_names():
        account = _ref(Account, payload.account_id, "account_id")
        assert account is not None
        done = services.unlinked_link(
            actor=_actor(request), items=_unlinked_selected(request, payload.ids), account=account
        )
    return {"account_id": account.pk, "opportunity_ids": [o.pk for o in done]}


@router.post(
    "/unlinked-opportunities/convert",
    response={200: UnlinkedConvertOut, **ERRORS},
    openapi_extra=refused(
        "an id that names no stored object (or none you may see)",
        "an account of the company's name exists at its level",
        "an external id imported as an opportunity meanwhile",
        "an opportunity without a stage of the sales process",
    ),
)
def unlinked_convert(request: HttpRequest, payload: UnlinkedConvertIn) -> dict[str, Any]:
    """Create one account per company of the opportunities (with country and parent) and link them to it (head
    of KAM and administrators)."""
    authorize(_actor(request), "pipeline.link_unlinked")
    with transaction.atomic():
        result = services.unlinked_convert(actor=_actor(request), items=_unlinked_selected(request, payload.ids))
    return {
        "accounts_created": [{"id": a.id, "name": a.name} for a in result.accounts_created],
        "accounts_used": [{"id": a.id, "name": a.name} for a in result.accounts_used],
        "opportunity_ids": [o.pk for o in result.opportunities],
    }


# the targets' operations live in their own module and register themselves on this router
from kampass.pipeline import import_api as _import_api  # noqa: E402, F401
from kampass.pipeline import target_api as _target_api  # noqa: E402, F401
