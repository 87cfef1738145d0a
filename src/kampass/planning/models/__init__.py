"""The planning context's models, one module per part of the account workspace.

``plans``: plan templates, account plans with their versions, sections, SWOT items and the
relationship stage history (comments on plans are ``common.Comment`` rows of the kind ``"plan"``).
Further parts (objectives, actions, reviews, scorecard) live in their own modules and are imported
here so that Django finds them.
"""

from kampass.planning.models.actions import OPEN_STATUSES_VALUES, ActionStatus, LinkKind, PlanAction
from kampass.planning.models.exports import PlanExportJob
from kampass.planning.models.health import HealthRun, HealthSnapshot, HealthWeights, Notice
from kampass.planning.models.kpi_targets import KpiTarget
from kampass.planning.models.objectives import KpiUnit, ManualKpiValue, Objective
from kampass.planning.models.plans import (
    AccountPlan,
    EvidenceKind,
    PlanSection,
    PlanStatus,
    PlanTemplate,
    RelationshipStage,
    RelationshipStageEntry,
    SwotItem,
    SwotKind,
)
from kampass.planning.models.reviews import (
    AccountReview,
    AccountReviewCadence,
    ReviewCadence,
    ReviewKind,
    ReviewStatus,
    ReviewTrigger,
)

__all__ = [
    "OPEN_STATUSES_VALUES",
    "AccountPlan",
    "AccountReview",
    "AccountReviewCadence",
    "ActionStatus",
    "EvidenceKind",
    "HealthRun",
    "HealthSnapshot",
    "HealthWeights",
    "KpiTarget",
    "KpiUnit",
    "LinkKind",
    "ManualKpiValue",
    "Notice",
    "Objective",
    "PlanAction",
    "PlanExportJob",
    "PlanSection",
    "PlanStatus",
    "PlanTemplate",
    "RelationshipStage",
    "RelationshipStageEntry",
    "ReviewCadence",
    "ReviewKind",
    "ReviewStatus",
    "ReviewTrigger",
    "SwotItem",
    "SwotKind",
]
