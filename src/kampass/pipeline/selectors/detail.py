"""One opportunity: qualification (MEDDPICC) rows and flags, everything its page shows, its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404

from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.pipeline.models import (
    ACTIVE_RISK_STATUSES,
    LATE_STAGE_ELEMENTS,
    Opportunity,
    OpportunityContact,
    OpportunityStageChange,
    Qualification,
    QualificationElement,
    QualificationStatus,
    Risk,
    Stage,
    StageKind,
)
from kampass.pipeline.selectors.lists import MODEL_BLOBS
from kampass.pipeline.selectors.risks import RiskCost, RiskRow, risk_cost, risk_severity
from kampass.users.actors import Actor


def stage_needs_reason(stage: Stage) -> bool:
    """Whether moving an opportunity to ``stage`` (or creating it there) needs a reason: a lost stage does."""
    return stage.kind == StageKind.LOST


@dataclass(frozen=True)
class QualificationRow:
    element: str
    label: str
    status: str
    status_label: str
    evidence: str
    flagged: bool  # economic buyer / champion not confirmed in a late stage
    item: Qualification | None


def qualification_rows(opportunity: Opportunity) -> list[QualificationRow]:
    """The eight MEDDPICC elements in order (missing ones included), with the late-stage flags."""
    items = {q.element: q for q in opportunity.qualification.all()}
    late = opportunity.is_open and opportunity.stage.is_late
    labels = dict(QualificationStatus.choices)
    rows = []
    for element, label in QualificationElement.choices:
        item = items.get(element)
        status = item.status if item else QualificationStatus.MISSING
        rows.append(
            QualificationRow(
                element=element,
                label=str(label),
                status=status,
                status_label=str(labels[status]),
                evidence=item.evidence if item else "",
                flagged=late and element in LATE_STAGE_ELEMENTS and status != QualificationStatus.CONFIRMED,
                item=item,
            )
        )
    return rows


def qualification_flags(opportunity: Opportunity) -> list[str]:
    """Elements flagged on this opportunity: economic buyer or champion not confirmed in a late stage."""
    return [r.element for r in qualification_rows(opportunity) if r.flagged]


@dataclass(frozen=True)
class OpportunityDetail:
    opportunity: Opportunity
    stages: list[Stage]  # of its sales process, in order
    history: list[OpportunityStageChange]
    qualification: list[QualificationRow]
    flags: list[str]
    contacts: list[OpportunityContact]
    risks: list[Risk]
    expected_risk_cost: dict[str, Decimal]  # active risks, per currency
    explanation: list[Any]  # core ``Factor`` list (empty without a score)
    can_edit: bool
    #: the active risks' expected cost per currency and consolidated into the user's view currency
    risk_cost: RiskCost = field(default_factory=RiskCost)

    @property
    def active_risks(self) -> list[Risk]:
        """The risks still to watch (open or being mitigated)."""
        return [r for r in self.risks if r.status in ACTIVE_RISK_STATUSES]

    @property
    def risk_rows(self) -> list[RiskRow]:
        """Every risk with the severity band of its score."""
        return [RiskRow(r, risk_severity(r.score)) for r in self.risks]

    @property
    def confirmed_count(self) -> int:
        """How many MEDDPICC elements are confirmed."""
        return sum(1 for r in self.qualification if r.status == QualificationStatus.CONFIRMED)

    @property
    def probability_gap(self) -> int | None:
        """The owner's probability minus the calibrated one, in whole percentage points
        (``None`` unless both are known)."""
        o = self.opportunity
        if o.probability is None or o.owner_probability is None:
            return None
        return o.owner_probability - round(o.probability * 100)


def opportunity_get(*, user: Actor, pk: int) -> Opportunity:
    """The opportunity if ``user`` may see it (404 if there is none, ``PermissionDenied`` if hidden)."""
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("account", "stage", "stage__stage_set", "owner", "model_version").defer(
            *MODEL_BLOBS
        ),
        pk=pk,
    )
    authorize(user, "pipeline.view_opportunity", opportunity)
    return opportunity


def opportunity_detail(*, user: Actor, pk: int, explain: bool = True) -> OpportunityDetail:
    """Everything the opportunity page shows; ``explain=False`` leaves out the main factors of the
    score (they need the model, see ``services.score_explanation``)."""
    from kampass.pipeline.services import score_explanation

    opportunity = opportunity_get(user=user, pk=pk)
    risks = list(opportunity.risks.select_related("owner"))
    explanation: list[Any] = []
    if explain and opportunity.is_open:
        try:
            explanation = score_explanation(opportunity)
        except ImportError:  # the modelling core is not installed
            explanation = []
    rows = qualification_rows(opportunity)
    cost = risk_cost((r for r in risks if r.status in ACTIVE_RISK_STATUSES), currency=fx.view_currency(user))
    return OpportunityDetail(
        opportunity=opportunity,
        stages=list(opportunity.stage_set.stages.order_by("order")),
        history=list(opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")),
        qualification=rows,
        flags=[r.element for r in rows if r.flagged],
        contacts=list(opportunity.contacts.select_related("contact")),
        risks=risks,
        expected_risk_cost=cost.by_currency,
        explanation=explanation,
        can_edit=user.has_perm("pipeline.change_opportunity", opportunity),
        risk_cost=cost,
    )


def opportunity_history(opportunity: Opportunity, *, limit: int = 200) -> list[Any]:
    """Field changes of the opportunity (django-simple-history records, newest first)."""
    return list(opportunity.history.select_related("history_user").order_by("-history_date")[:limit])
