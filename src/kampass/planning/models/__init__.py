"""The planning context's models, one module per part of the account workspace.

``plans``: plan templates, account plans with their versions, sections, SWOT items, comments and the
relationship stage history. Further parts (objectives, actions, reviews, scorecard) live in their own
modules and are imported here so that Django finds them.
"""

from kampass.planning.models.actions import OPEN_STATUSES_VALUES, ActionStatus, LinkKind, PlanAction
from kampass.planning.models.health import HealthSnapshot, HealthWeights, Notice
from kampass.planning.models.plans import (
    AccountPlan,
    EvidenceKind,
    PlanComment,
    PlanSection,
    PlanStatus,
    PlanTemplate,
    RelationshipStage,
    RelationshipStageEntry,
    SwotItem,
    SwotKind,
)

__all__ = [
    "OPEN_STATUSES_VALUES",
    "AccountPlan",
    "ActionStatus",
    "EvidenceKind",
    "HealthSnapshot",
    "HealthWeights",
    "LinkKind",
    "Notice",
    "PlanAction",
    "PlanComment",
    "PlanSection",
    "PlanStatus",
    "PlanTemplate",
    "RelationshipStage",
    "RelationshipStageEntry",
    "SwotItem",
    "SwotKind",
]
