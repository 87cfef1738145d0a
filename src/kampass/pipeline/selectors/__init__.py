"""Read operations of the pipeline context: the board, opportunity lists and details, the risk
matrix, the forecast per period, the optimism analysis and the model report.

Visibility follows the commercial figures: a key account manager sees the opportunities of
the accounts whose team they are on and of everything below them; head of KAM, controllers,
viewers and administrators see all.

One module per part; this package gives them all under ``kampass.pipeline.selectors``.
"""

from __future__ import annotations

from kampass.pipeline.selectors.backtests import (
    QuarterRow,
    ScorerSwitch,
    backtest_run_active,
    forecast_scorer,
    last_finished_backtest,
    latest_backtest_run,
    win_rate_by_quarter,
)
from kampass.pipeline.selectors.board import Board, BoardColumn, pipeline_board
from kampass.pipeline.selectors.detail import (
    OpportunityDetail,
    QualificationRow,
    opportunity_detail,
    opportunity_get,
    opportunity_history,
    qualification_flags,
    qualification_rows,
    stage_needs_reason,
)
from kampass.pipeline.selectors.lists import (
    CENT,
    SORTS,
    OpportunityFilters,
    ensure_visible,
    may_add_opportunities,
    opportunity_list,
    opportunity_search,
    owner_options,
    visible_opportunities,
    visible_q,
)
from kampass.pipeline.selectors.model import (
    SCORERS,
    ModelReport,
    active_training_job,
    model_report,
    model_versions,
    training_job_active,
)
from kampass.pipeline.selectors.owner_optimism import OPTIMISM_THRESHOLD_POINTS, OptimismReport, bias_leaning, optimism
from kampass.pipeline.selectors.per_account import AccountPipeline, account_pipeline
from kampass.pipeline.selectors.revenue_forecast import (
    ForecastGroup,
    ForecastReport,
    ForecastRow,
    Item,
    forecast,
    period_label,
)
from kampass.pipeline.selectors.risks import (
    RISK_SEVERITY_BANDS,
    RiskCost,
    RiskMatrix,
    RiskRow,
    risk_cost,
    risk_list,
    risk_matrix,
    risk_severity,
)

__all__ = [
    "CENT",
    "OPTIMISM_THRESHOLD_POINTS",
    "RISK_SEVERITY_BANDS",
    "SCORERS",
    "SORTS",
    "AccountPipeline",
    "Board",
    "BoardColumn",
    "ForecastGroup",
    "ForecastReport",
    "ForecastRow",
    "Item",
    "ModelReport",
    "OpportunityDetail",
    "OpportunityFilters",
    "OptimismReport",
    "QualificationRow",
    "QuarterRow",
    "RiskCost",
    "RiskMatrix",
    "RiskRow",
    "ScorerSwitch",
    "account_pipeline",
    "active_training_job",
    "backtest_run_active",
    "bias_leaning",
    "ensure_visible",
    "forecast",
    "forecast_scorer",
    "last_finished_backtest",
    "latest_backtest_run",
    "may_add_opportunities",
    "model_report",
    "model_versions",
    "opportunity_detail",
    "opportunity_get",
    "opportunity_history",
    "opportunity_list",
    "opportunity_search",
    "optimism",
    "owner_options",
    "period_label",
    "pipeline_board",
    "qualification_flags",
    "qualification_rows",
    "risk_cost",
    "risk_list",
    "risk_matrix",
    "risk_severity",
    "stage_needs_reason",
    "training_job_active",
    "visible_opportunities",
    "visible_q",
    "win_rate_by_quarter",
]
