"""The model report (active version, scores beside the baselines, versions) and the retraining jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from kampass.common.models import ACTIVE_STATUSES
from kampass.common.permissions import authorize
from kampass.pipeline.models import ModelVersion, Outcome, TrainingJob
from kampass.pipeline.selectors.lists import visible_opportunities
from kampass.users.actors import Actor


@dataclass(frozen=True)
class ModelReport:
    """The active model version with its cross-validation scores (beside the base rate and the
    naive-Bayes scorer) and reliability bins, the earlier versions and the latest training job."""

    version: ModelVersion | None
    metrics: dict[str, Any]
    reliability: dict[str, list[dict[str, Any]]]
    versions: list[ModelVersion]
    latest_job: TrainingJob | None
    scored_open: int
    open_total: int
    can_train: bool = False
    features: list[str] = field(default_factory=list)

    @property
    def best_scorer(self) -> str | None:
        """The scorer (kampass model or a baseline) with the lowest cross-validated Brier score."""
        scored = [
            (values["brier"], key)
            for key in SCORERS
            if isinstance(values := self.metrics.get(key), dict) and values.get("brier") is not None
        ]
        return min(scored, key=lambda pair: pair[0])[1] if scored else None


#: The scorers of a model report in the order they are shown: the model and its baselines.
SCORERS = ("kampass", "naive_bayes", "base_rate", "stage_rate", "owner")


def training_job_active(job: TrainingJob | None) -> bool:
    """Whether ``job`` is queued or running."""
    return job is not None and job.active


def active_training_job() -> TrainingJob | None:
    """The retraining queued or running, if there is one."""
    return TrainingJob.objects.filter(status__in=ACTIVE_STATUSES).order_by("created_at").first()


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.defer("model", "holdout").order_by("-trained_at")


def model_report(*, user: Actor) -> ModelReport:
    authorize(user, "pipeline.view_model")
    versions = list(model_versions()[:20])
    active = next((v for v in versions if v.active), None)
    open_qs = visible_opportunities(user).filter(outcome=Outcome.OPEN)
    counts = open_qs.aggregate(total=Count("pk"), scored=Count("pk", filter=Q(probability__isnull=False)))
    return ModelReport(
        version=active,
        metrics=active.metrics if active else {},
        reliability=active.reliability if active else {},
        versions=versions,
        latest_job=TrainingJob.objects.select_related("model_version").first(),
        scored_open=counts["scored"],
        open_total=counts["total"],
        can_train=user.has_perm("pipeline.train_model"),
        features=list(active.features) if active else [],
    )
