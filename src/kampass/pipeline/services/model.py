"""The win-probability model: train it on the closed opportunities, score the open ones, explain a score."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.permissions import authorize
from kampass.pipeline.models import ModelVersion, Opportunity, Outcome
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user

#: Fewest closed opportunities (and of each outcome) a model is trained on.
MIN_TRAINING_ROWS = 30


MIN_PER_OUTCOME = 5


Progress = Callable[[float, str], None]


def _closed_opportunities() -> list[Opportunity]:
    return list(
        Opportunity.objects.exclude(outcome=Outcome.OPEN).select_related("account", "stage", "owner").order_by("pk")
    )


def _threads() -> Any:
    """Limit the native thread pools (OpenMP of the gradient boosting) while training or scoring:
    on a busy machine with few cores, oversubscribed OpenMP threads slow training down many times
    over. ``KAMPASS_MODEL_THREADS`` overrides the default (half the cores, at least one)."""
    import os

    from threadpoolctl import threadpool_limits

    default = max(1, (os.cpu_count() or 2) // 2)
    return threadpool_limits(limits=int(os.environ.get("KAMPASS_MODEL_THREADS") or default))


def model_train(
    *,
    actor: Actor,
    progress: Progress | None = None,
    folds: int = 5,
    seed: int = 0,
    allow_features: Sequence[str] = (),
) -> ModelVersion:
    """Train the win-probability model on all closed opportunities and make it the active version.

    The training rows are snapshots of the closed opportunities at the points in time they passed,
    with only the features known then (see ``kampass.pipeline.features``). The same run evaluates
    the model family on cross-validation folds fixed by ``seed`` (with the base rate and the
    naive-Bayes scorer beside it), keeping the snapshots of one deal in one fold; the scores, reliability
    bins and the out-of-fold probability of every training opportunity (its last snapshot) are stored.

    The leakage guard (:func:`kampass.core.forecasting.detect_leakage`) runs on the training rows first:
    a feature that alone separates won from lost almost perfectly, or amounts of closed deals that look
    final (lost deals 0 while open deals are not), refuses the training with the evidence -- unless the
    user confirms the feature by naming it in ``allow_features``.
    """
    authorize(actor, "pipeline.train_model")
    from kampass.core.forecasting import evaluate, train_win_model
    from kampass.pipeline.features import CATEGORICAL, NUMERIC, constant_features, training_snapshots

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    report(0.05, _("Reading closed opportunities"))
    closed = _closed_opportunities()
    outcomes = [1 if o.outcome == Outcome.WON else 0 for o in closed]
    won = sum(outcomes)
    if len(closed) < MIN_TRAINING_ROWS or won < MIN_PER_OUTCOME or len(closed) - won < MIN_PER_OUTCOME:
        raise ValidationError(
            _(
                "Too few closed opportunities to train on: %(rows)s closed, %(won)s won, %(lost)s lost "
                "(at least %(min)s closed and %(per)s of each outcome are needed)."
            )
            % {
                "rows": len(closed),
                "won": won,
                "lost": len(closed) - won,
                "min": MIN_TRAINING_ROWS,
                "per": MIN_PER_OUTCOME,
            }
        )
    report(0.08, _("Building the snapshots of the closed opportunities"))
    snapshots, rows = training_snapshots(closed)
    groups = [snapshot.opportunity.pk for snapshot in snapshots]
    snapshot_outcomes = [1 if snapshot.opportunity.outcome == Outcome.WON else 0 for snapshot in snapshots]
    exclude = constant_features(rows)
    kinds = {
        "categorical": [c for c in CATEGORICAL if c not in exclude],
        "numeric": [c for c in NUMERIC if c not in exclude],
    }
    by_deal: dict[int, list[tuple[Any, ...]]] = {}
    for group, row in zip(groups, rows, strict=True):
        by_deal.setdefault(group, []).append(tuple(sorted((k, str(v)) for k, v in row.items() if k not in exclude)))
    alike = len({tuple(deal_rows) for deal_rows in by_deal.values()}) <= 1  # every deal seen alike at every point
    if alike or (not kinds["categorical"] and not kinds["numeric"]):
        raise ValidationError(
            _(
                "The %(rows)s closed opportunities do not differ in any feature the model learns from "
                "(amount, currency, industry, country, KAM status, lead source, type, owner, products, "
                "competitors, quarter opened, stage): there is nothing to learn."
            )
            % {"rows": len(closed)}
        )
    rows = [{k: v for k, v in r.items() if k not in exclude} for r in rows]
    _refuse_leakage(rows, snapshot_outcomes, kinds, allow_features)
    report(0.15, _("Evaluating on cross-validation folds"))
    folds = max(2, min(folds, won, len(closed) - won))
    try:
        with _threads():
            evaluation = evaluate(
                rows,
                snapshot_outcomes,
                folds=folds,
                seed=seed,
                categorical=kinds["categorical"],
                numeric=kinds["numeric"],
                groups=groups,
            )
            report(0.6, _("Training the model"))
            model = train_win_model(
                rows,
                snapshot_outcomes,
                seed=seed,
                categorical=kinds["categorical"],
                numeric=kinds["numeric"],
                groups=groups,
            )
    except ValueError as exc:  # the core refuses data it cannot learn from, saying why
        raise ValidationError(
            _("The model could not be trained on the %(rows)s closed opportunities: %(reason)s")
            % {"rows": len(closed), "reason": exc}
        ) from exc
    from kampass.pipeline.services.baselines import cv_baselines

    # the stage win rate and the owners' probabilities beside the model, on the same snapshot rows and folds
    baselines, baseline_bins = cv_baselines(
        [snapshot.opportunity.pk for snapshot in snapshots],
        rows,
        snapshot_outcomes,
        folds=folds,
        seed=seed,
        groups=groups,
    )
    report(0.9, _("Storing the model version"))
    # per closed opportunity the out-of-fold probability of its last snapshot (the latest point it was seen open)
    holdout = {
        str(snapshot.opportunity.pk): round(float(p), 6)
        for snapshot, p in zip(snapshots, evaluation.predictions["kampass"], strict=True)
    }
    with transaction.atomic():
        version = ModelVersion.objects.filter(version=model.version).first() or ModelVersion(version=model.version)
        version.trained_at = model.trained_at
        version.training_rows = model.training_rows
        version.base_rate = float(model.base_rate)
        version.features = list(model.features)
        version.metrics = (
            evaluation.to_json()
            | baselines
            | {"train_seconds": round(float(evaluation.train_seconds), 3), "deals": len(closed)}
        )
        version.reliability = {
            scorer: [
                {
                    "lower": b.lower,
                    "upper": b.upper,
                    "count": b.count,
                    "mean_predicted": b.mean_predicted,
                    "observed_rate": b.observed_rate,
                }
                for b in bins
            ]
            for scorer, bins in evaluation.reliability.items()
        } | baseline_bins
        version.holdout = holdout
        version.model = model.to_bytes()
        version.created_by = actor if _is_user(actor) else None
        version.active = True
        version.save()
        ModelVersion.objects.exclude(pk=version.pk).filter(active=True).update(active=False)
    report(1.0, _("Model trained"))
    return version


def _refuse_leakage(
    rows: list[dict[str, Any]], outcomes: list[int], kinds: dict[str, list[str]], allow_features: Sequence[str]
) -> None:
    """Raise a ``ValidationError`` naming each flagged feature not in ``allow_features`` with its evidence."""
    from kampass.core.forecasting import detect_leakage

    open_amounts = [float(a) for a in Opportunity.objects.filter(outcome=Outcome.OPEN).values_list("amount", flat=True)]
    findings = detect_leakage(
        rows,
        outcomes,
        categorical=kinds["categorical"],
        numeric=kinds["numeric"],
        amount_columns=[c for c in ("amount",) if c in kinds["numeric"]],
        open_amounts={"amount": open_amounts} if open_amounts else None,
    )
    refused = [f for f in findings if f.column not in set(allow_features)]
    if refused:
        raise ValidationError(
            _(
                "Training refused: %(findings)s. These features look known only after closing; "
                "to train with one anyway, confirm it (kampass forecast train --allow-feature NAME)."
            )
            % {"findings": "; ".join(f"{f.column}: {f.evidence}" for f in refused)}
        )


def active_model_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(active=True).order_by("-trained_at").first()


def opportunities_score(
    *, actor: Actor, version: ModelVersion | None = None, opportunities: Iterable[Opportunity] | None = None
) -> int:
    """Score open opportunities (default: all) with ``version`` (default: the active one) and
    store the calibrated probability, the model version and the time. Returns how many were scored."""
    authorize(actor, "pipeline.train_model")
    from kampass.core.forecasting import WinModel
    from kampass.pipeline.features import feature_rows

    version = version or active_model_version()
    if version is None:
        raise ValidationError(_("No model has been trained yet."))
    model = WinModel.from_bytes(bytes(version.model))
    if opportunities is None:
        targets = list(Opportunity.objects.filter(outcome=Outcome.OPEN).select_related("account", "stage", "owner"))
    else:
        targets = [o for o in opportunities if o.outcome == Outcome.OPEN]
    if not targets:
        return 0
    rows = [{k: v for k, v in r.items() if k in model.features} for r in feature_rows(targets)]
    with _threads():
        probabilities = model.predict(rows)
    now = timezone.now()
    for o, p in zip(targets, probabilities, strict=True):
        o.probability, o.model_version, o.scored_at = float(p), version, now
    with transaction.atomic():
        Opportunity.objects.bulk_update(targets, ["probability", "model_version", "scored_at"], batch_size=1000)
    return len(targets)


def opportunities_rescore(opportunity_ids: Iterable[int]) -> int:
    """Score the open ones of ``opportunity_ids`` with the active model (the background task run
    after an opportunity is saved); nothing without an active model. Returns how many were scored."""
    from kampass.common.cli import system_actor

    if active_model_version() is None:
        return 0
    targets = list(
        Opportunity.objects.filter(pk__in=list(opportunity_ids), outcome=Outcome.OPEN).select_related(
            "account", "stage", "owner"
        )
    )
    return opportunities_score(actor=system_actor(), opportunities=targets) if targets else 0


def schedule_scoring(opportunity_ids: Iterable[int]) -> None:
    """Score these opportunities in the background once the current transaction commits (no-op
    without ids). Called by every service that creates or changes an opportunity."""
    ids = sorted({int(i) for i in opportunity_ids})
    if not ids:
        return

    def enqueue() -> None:
        from kampass.pipeline.tasks import score_opportunities

        score_opportunities.enqueue(ids)

    transaction.on_commit(enqueue)


def _loaded_model(version_id: int) -> Any:
    """The ``WinModel`` of a stored version, deserialised once per process, or ``None`` if there is
    no such version. The cache key includes the version's name and training time, so a version
    stored again (retrained under the same name) is loaded afresh."""
    key = ModelVersion.objects.filter(pk=version_id).values_list("version", "trained_at").first()
    return None if key is None else _model_of(version_id, *key)


@functools.lru_cache(maxsize=4)
def _model_of(version_id: int, version: str, trained_at: Any) -> Any:
    blob = ModelVersion.objects.filter(pk=version_id).values_list("model", flat=True).first()
    if blob is None:
        return None
    # imported only when needed: scikit-learn takes seconds to import
    from kampass.core.forecasting import WinModel

    return WinModel.from_bytes(bytes(blob))


def score_explanation(opportunity: Opportunity, *, top: int = 3) -> list[Any]:
    """The main factors behind the opportunity's stored score (``Factor`` of the core), by the
    model version that produced it; empty when it has not been scored."""
    if opportunity.model_version_id is None:
        return []
    model = _loaded_model(opportunity.model_version_id)
    if model is None:
        return []
    from kampass.pipeline.features import feature_rows

    row = {k: v for k, v in feature_rows([opportunity])[0].items() if k in model.features}
    with _threads():
        return list(model.explain(row, top=top))
