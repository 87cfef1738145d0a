"""Write operations of the pipeline context: opportunities, stage changes, qualification,
buying-centre links, risks, and training and scoring the win-probability model.

Every function is one transaction, takes keyword arguments only, checks the actor's
permission itself (so the UI, the API and the CLI enforce the same rules) and validates
before it writes: on any error nothing is saved.

One module per part; this package gives them all under ``kampass.pipeline.services``.
"""

from __future__ import annotations

from kampass.pipeline.services.backtests import (
    BacktestRefused,
    backtest_recorded,
    backtest_run_create,
    backtest_run_execute,
)
from kampass.pipeline.services.buying_centre import opportunity_contact_remove, opportunity_contact_set
from kampass.pipeline.services.model import (
    MIN_PER_OUTCOME,
    MIN_TRAINING_ROWS,
    Progress,
    active_model_version,
    model_train,
    opportunities_rescore,
    opportunities_score,
    schedule_scoring,
    score_explanation,
)
from kampass.pipeline.services.opportunities import (
    OPPORTUNITY_FIELDS,
    opportunity_change_stage,
    opportunity_create,
    opportunity_delete,
    opportunity_update,
)
from kampass.pipeline.services.qualification import qualification_set
from kampass.pipeline.services.risks import RISK_FIELDS, risk_create, risk_delete, risk_update
from kampass.pipeline.services.stages import default_stage_set, stage_set_create, stage_update
from kampass.pipeline.services.targets import TARGET_FIELDS, target_create, target_delete, target_update
from kampass.pipeline.services.training import TrainingAlreadyQueued, training_job_create, training_job_run
from kampass.pipeline.services.unlinked import ConvertResult, convert_plan, unlinked_convert, unlinked_link

__all__ = [
    "MIN_PER_OUTCOME",
    "MIN_TRAINING_ROWS",
    "OPPORTUNITY_FIELDS",
    "RISK_FIELDS",
    "TARGET_FIELDS",
    "BacktestRefused",
    "ConvertResult",
    "Progress",
    "TrainingAlreadyQueued",
    "active_model_version",
    "backtest_recorded",
    "backtest_run_create",
    "backtest_run_execute",
    "convert_plan",
    "default_stage_set",
    "model_train",
    "opportunities_rescore",
    "opportunities_score",
    "opportunity_change_stage",
    "opportunity_contact_remove",
    "opportunity_contact_set",
    "opportunity_create",
    "opportunity_delete",
    "opportunity_update",
    "qualification_set",
    "risk_create",
    "risk_delete",
    "risk_update",
    "schedule_scoring",
    "score_explanation",
    "stage_set_create",
    "stage_update",
    "target_create",
    "target_delete",
    "target_update",
    "training_job_create",
    "training_job_run",
    "unlinked_convert",
    "unlinked_link",
]
