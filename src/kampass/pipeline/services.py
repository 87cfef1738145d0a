"""Write operations of the pipeline context: opportunities, stage changes, qualification,
buying-centre links, risks, and training and scoring the win-probability model.

Every function is one transaction, takes keyword arguments only, checks the actor's
permission itself (so the UI, the API and the CLI enforce the same rules) and validates
before it writes: on any error nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts.models import Account, BuyingRole, Contact, Position
from kampass.common.permissions import authorize
from kampass.pipeline.models import (
    ForecastCategory,
    JobStatus,
    ModelVersion,
    Opportunity,
    OpportunityContact,
    OpportunityStageChange,
    Outcome,
    Qualification,
    QualificationElement,
    QualificationStatus,
    Risk,
    RiskCategory,
    RiskStatus,
    Stage,
    StageKind,
    StageSet,
    TrainingJob,
)
from kampass.users.actors import Actor
from kampass.users.models import User

log = logging.getLogger(__name__)

OPPORTUNITY_FIELDS = (
    "name",
    "description",
    "owner",
    "owner_name",
    "amount",
    "currency",
    "expected_close_date",
    "owner_probability",
    "forecast_category",
    "competitors",
    "products",
    "lead_source",
    "opportunity_type",
    "outcome_reason",
    "created_on",
    "source",
    "external_id",
)
RISK_FIELDS = (
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "cost",
    "currency",
    "mitigation",
    "owner",
    "due_date",
    "status",
)
#: Fewest closed opportunities (and of each outcome) a model is trained on.
MIN_TRAINING_ROWS = 30
MIN_PER_OUTCOME = 5

Progress = Callable[[float, str], None]


def _is_user(actor: Actor | None) -> TypeGuard[User]:
    """A stored user (not a command-line operator without an account) to record in histories."""
    return actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None


def _save(obj: models.Model, actor: Actor) -> None:
    """Validate and save ``obj``, recording ``actor`` in its change history."""
    obj.full_clean()
    if _is_user(actor):
        obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()


def _delete(obj: models.Model, actor: Actor) -> None:
    if _is_user(actor):
        obj._history_user = actor  # type: ignore[attr-defined]
    obj.delete()


def _text_list(value: Iterable[str] | str | None, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    items = [str(v).strip() for v in value]
    return list(dict.fromkeys(v for v in items if v))


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}}) from None


def default_stage_set() -> StageSet:
    """The default sales process (created by the migrations)."""
    stage_set = StageSet.objects.filter(is_default=True).first() or StageSet.objects.order_by("pk").first()
    if stage_set is None:
        raise ValidationError(_("No sales process is defined; create one first."))
    return stage_set


def _first_open_stage(stage_set: StageSet) -> Stage:
    stage = stage_set.stages.filter(kind=StageKind.OPEN).order_by("order").first()
    if stage is None:
        raise ValidationError({"stage": _("The sales process “%(name)s” has no open stage.") % {"name": stage_set}})
    return stage


def _apply_stage_outcome(opportunity: Opportunity, stage: Stage, *, day: dt.date, reason: str) -> None:
    """Set outcome, close date and forecast category to match ``stage``."""
    if stage.kind == StageKind.OPEN:
        if opportunity.outcome != Outcome.OPEN:
            opportunity.outcome, opportunity.closed_on, opportunity.outcome_reason = Outcome.OPEN, None, ""
            opportunity.forecast_category = ForecastCategory.PIPELINE
        return
    opportunity.outcome = Outcome.WON if stage.kind == StageKind.WON else Outcome.LOST
    opportunity.closed_on = day
    opportunity.forecast_category = ForecastCategory.CLOSED if stage.kind == StageKind.WON else ForecastCategory.OMITTED
    if reason:
        opportunity.outcome_reason = reason


# ---------------------------------------------------------------- sales processes


@transaction.atomic
def stage_set_create(
    *,
    actor: Actor,
    name: str,
    stages: Iterable[tuple[str, int, str]],
    description: str = "",
    late_probability: int = 50,
    is_default: bool = False,
) -> StageSet:
    """Create a sales process with its ``stages`` in order, each (name, default probability %, kind).

    A process needs at least one open, one won and one lost stage; ``is_default`` makes it the default.
    """
    authorize(actor, "pipeline.manage_stages")
    stages = list(stages)
    kinds = {kind for _n, _p, kind in stages}
    if not {StageKind.OPEN, StageKind.WON, StageKind.LOST} <= kinds:
        raise ValidationError({"stages": _("A sales process needs an open, a won and a lost stage.")})
    stage_set = StageSet(name=(name or "").strip(), description=description, late_probability=late_probability)
    stage_set.full_clean()
    if is_default:
        StageSet.objects.filter(is_default=True).update(is_default=False)
        stage_set.is_default = True
    stage_set.save()
    for order, (stage_name, probability, kind) in enumerate(stages, start=1):
        stage = Stage(stage_set=stage_set, name=stage_name.strip(), order=order, probability=probability, kind=kind)
        stage.full_clean()
        stage.save()
    return stage_set


@transaction.atomic
def stage_update(*, actor: Actor, stage: Stage, **changes: Any) -> Stage:
    """Rename a stage or change its default probability or late flag (its kind and order stay:
    opportunities and their history refer to them)."""
    authorize(actor, "pipeline.manage_stages")
    unknown = set(changes) - {"name", "probability", "late"}
    if unknown:
        raise TypeError(f"unknown stage fields: {sorted(unknown)}")
    for key, value in changes.items():
        setattr(stage, key, value.strip() if isinstance(value, str) else value)
    stage.full_clean()
    stage.save()
    return stage


# ---------------------------------------------------------------- opportunities


@transaction.atomic
def opportunity_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    amount: Decimal | int | str,
    currency: str | None = None,
    stage: Stage | None = None,
    stage_set: StageSet | None = None,
    reason: str = "",
    **fields: Any,
) -> Opportunity:
    """Create an opportunity on ``account``, in ``stage`` (default: the first open stage of
    ``stage_set`` or of the default sales process), and record where it started.

    ``fields`` are further fields of ``OPPORTUNITY_FIELDS``. Created in a lost stage it
    needs a ``reason``.
    """
    unknown = set(fields) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    authorize(actor, "pipeline.add_opportunity", account)
    if stage is None:
        stage = _first_open_stage(stage_set or default_stage_set())
    elif stage_set is not None and stage.stage_set_id != stage_set.pk:
        raise ValidationError({"stage": _("This stage belongs to another sales process.")})
    reason = (reason or fields.pop("outcome_reason", "") or "").strip()
    if stage.kind == StageKind.LOST and not reason:
        raise ValidationError({"reason": _("Say why the opportunity was lost.")})
    for key in ("competitors", "products"):
        if key in fields:
            fields[key] = _text_list(fields[key], key)
    today = timezone.localdate()
    opportunity = Opportunity(
        account=account,
        name=(name or "").strip(),
        amount=_decimal(amount, "amount"),  # type: ignore[misc]
        currency=currency or account.currency,
        stage_set=stage.stage_set,
        stage=stage,
        **fields,
    )
    if opportunity.created_on is None:
        opportunity.created_on = today
    if opportunity.owner is None and not opportunity.owner_name and _is_user(actor):
        opportunity.owner = actor
    if opportunity.owner_probability is None and stage.kind == StageKind.OPEN:
        opportunity.owner_probability = stage.probability
    _apply_stage_outcome(opportunity, stage, day=today, reason=reason)
    _save(opportunity, actor)
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=None,
        to_stage=stage,
        changed_at=timezone.now(),
        changed_by=actor if _is_user(actor) else None,
    )
    return opportunity


@transaction.atomic
def opportunity_update(*, actor: Actor, opportunity: Opportunity, **changes: Any) -> Opportunity:
    """Change fields of an opportunity (not its stage: see ``opportunity_change_stage``).

    ``account`` moves it to another account (needs the right to add opportunities there).
    """
    authorize(actor, "pipeline.change_opportunity", opportunity)
    opportunity = Opportunity.objects.select_for_update().select_related("account").get(pk=opportunity.pk)
    unknown = set(changes) - set(OPPORTUNITY_FIELDS) - {"account"}
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    if "account" in changes and changes["account"].pk != opportunity.account_id:
        authorize(actor, "pipeline.add_opportunity", changes["account"])
    for key, value in changes.items():
        if key in ("competitors", "products"):
            value = _text_list(value, key)
        elif key == "amount":
            value = _decimal(value, "amount")
        elif key == "name":
            value = (value or "").strip()
        setattr(opportunity, key, value)
    _save(opportunity, actor)
    return opportunity


@transaction.atomic
def opportunity_delete(*, actor: Actor, opportunity: Opportunity) -> None:
    """Delete an opportunity with its history of stages, qualification, links and risks."""
    authorize(actor, "pipeline.delete_opportunity", opportunity)
    _delete(opportunity, actor)


@transaction.atomic
def opportunity_change_stage(
    *,
    actor: Actor,
    opportunity: Opportunity,
    stage: Stage,
    reason: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> OpportunityStageChange:
    """Move an opportunity to ``stage`` and record the move in its stage history.

    Moving to a won or lost stage closes it (outcome, close date, forecast category);
    a lost stage needs a ``reason``. Moving back to an open stage reopens it.
    """
    authorize(actor, "pipeline.change_opportunity", opportunity)
    opportunity = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
    if stage.stage_set_id != opportunity.stage_set_id:
        raise ValidationError({"stage": _("This stage belongs to another sales process.")})
    if stage.pk == opportunity.stage_id:
        raise ValidationError({"stage": _("The opportunity is already in this stage.")})
    reason = (reason or "").strip()
    if stage.kind == StageKind.LOST and not reason:
        raise ValidationError({"reason": _("Say why the opportunity was lost.")})
    when = at or timezone.now()
    change = OpportunityStageChange(
        opportunity=opportunity,
        from_stage=opportunity.stage,
        to_stage=stage,
        changed_at=when,
        changed_by=actor if _is_user(actor) else None,
        note=(note or "").strip(),
    )
    change.full_clean()
    change.save()
    opportunity.stage = stage
    _apply_stage_outcome(opportunity, stage, day=timezone.localdate(when), reason=reason)
    _save(opportunity, actor)
    return change


# ---------------------------------------------------------------- qualification


@transaction.atomic
def qualification_set(
    *, actor: Actor, opportunity: Opportunity, element: str, status: str, evidence: str = ""
) -> Qualification:
    """Record how far one MEDDPICC element is known, with the evidence.

    A partly known or confirmed element needs evidence.
    """
    authorize(actor, "pipeline.change_opportunity", opportunity)
    errors: dict[str, list[str]] = {}
    if element not in QualificationElement.values:
        errors["element"] = [
            _("Unknown qualification element “%(value)s”. Known elements: %(known)s.")
            % {"value": element, "known": ", ".join(QualificationElement.values)}
        ]
    if status not in QualificationStatus.values:
        errors["status"] = [_("Unknown status “%(value)s”.") % {"value": status}]
    evidence = (evidence or "").strip()
    if status in (QualificationStatus.PARTIAL, QualificationStatus.CONFIRMED) and not evidence:
        errors["evidence"] = [_("Say what you know and how you know it.")]
    if errors:
        raise ValidationError(errors)
    item = Qualification.objects.filter(opportunity=opportunity, element=element).first() or Qualification(
        opportunity=opportunity, element=element
    )
    item.status, item.evidence = status, evidence
    item.updated_by = actor if _is_user(actor) else None
    _save(item, actor)
    return item


# ---------------------------------------------------------------- buying centre of the project


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    bad = [r for r in roles if r not in BuyingRole.values]
    if bad:
        raise ValidationError(
            {
                "roles": _("Unknown buying-centre role “%(role)s”. Known roles: %(known)s.")
                % {"role": bad[0], "known": ", ".join(BuyingRole.values)}
            }
        )
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    return roles


def _holds_position_in_tree(contact: Contact, account: Account) -> bool:
    """Whether ``contact`` holds a position at ``account``, an ancestor or a descendant of it."""
    from kampass.core.hierarchy import path_ids

    ancestors = path_ids(account.path) or [account.pk]
    positions = Position.objects.filter(contact=contact)
    return (
        positions.filter(account_id__in=ancestors).exists()
        or positions.filter(account__path__startswith=account.path).exists()
    )


@transaction.atomic
def opportunity_contact_set(
    *, actor: Actor, opportunity: Opportunity, contact: Contact, roles: Iterable[str], notes: str = ""
) -> OpportunityContact:
    """Record that ``contact`` takes part in deciding this project, in ``roles``
    (the buying-centre roles of the accounts context). The contact must hold a position
    at the opportunity's account, above it or below it."""
    authorize(actor, "pipeline.change_opportunity", opportunity)
    clean = _clean_roles(roles)
    if not _holds_position_in_tree(contact, opportunity.account):
        raise ValidationError(
            {
                "contact": _("%(person)s holds no position at %(account)s or in its hierarchy.")
                % {"person": contact, "account": opportunity.account.name}
            }
        )
    link = OpportunityContact.objects.filter(opportunity=opportunity, contact=contact).first() or OpportunityContact(
        opportunity=opportunity, contact=contact
    )
    link.roles, link.notes = clean, (notes or "").strip()
    _save(link, actor)
    return link


@transaction.atomic
def opportunity_contact_remove(*, actor: Actor, link: OpportunityContact) -> None:
    authorize(actor, "pipeline.change_opportunity", link.opportunity)
    _delete(link, actor)


# ---------------------------------------------------------------- risks


def _risk_clean(risk: Risk) -> None:
    errors: dict[str, list[str]] = {}
    if risk.category not in RiskCategory.values:
        errors["category"] = [_("Unknown risk category “%(value)s”.") % {"value": risk.category}]
    if risk.status not in RiskStatus.values:
        errors["status"] = [_("Unknown status “%(value)s”.") % {"value": risk.status}]
    for field in ("likelihood", "impact"):
        value = getattr(risk, field)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[field] = [_("Rate from 1 (lowest) to 5 (highest).")]
    try:
        risk.full_clean(exclude=[f for f in ("category", "status", "likelihood", "impact") if f in errors])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:  # report every bad field at once
        raise ValidationError(errors)


@transaction.atomic
def risk_create(
    *,
    actor: Actor,
    opportunity: Opportunity,
    title: str,
    category: str,
    likelihood: int,
    impact: int,
    cost: Decimal | int | str | None = None,
    currency: str | None = None,
    **fields: Any,
) -> Risk:
    """Add a risk to the register of a customer project (currency defaults to the opportunity's)."""
    authorize(actor, "pipeline.change_opportunity", opportunity)
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"unknown risk fields: {sorted(unknown)}")
    risk = Risk(
        opportunity=opportunity,
        title=(title or "").strip(),
        category=category,
        likelihood=likelihood,
        impact=impact,
        cost=_decimal(cost, "cost"),
        currency=currency or opportunity.currency,
        **fields,
    )
    _risk_clean(risk)
    if _is_user(actor):
        risk._history_user = actor  # type: ignore[attr-defined]
    risk.save()
    return risk


@transaction.atomic
def risk_update(*, actor: Actor, risk: Risk, **changes: Any) -> Risk:
    authorize(actor, "pipeline.change_opportunity", risk.opportunity)
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"unknown risk fields: {sorted(unknown)}")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    for key, value in changes.items():
        if key == "cost":
            value = _decimal(value, "cost")
        elif key == "title":
            value = (value or "").strip()
        setattr(risk, key, value)
    _risk_clean(risk)
    if _is_user(actor):
        risk._history_user = actor  # type: ignore[attr-defined]
    risk.save()
    return risk


@transaction.atomic
def risk_delete(*, actor: Actor, risk: Risk) -> None:
    authorize(actor, "pipeline.change_opportunity", risk.opportunity)
    _delete(risk, actor)


# ---------------------------------------------------------------- model: train and score


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


def model_train(*, actor: Actor, progress: Progress | None = None, folds: int = 5, seed: int = 0) -> ModelVersion:
    """Train the win-probability model on all closed opportunities and make it the active version.

    Only as-of features are used (see ``kampass.pipeline.features``). The same run evaluates
    the model family on cross-validation folds fixed by ``seed`` (with the base rate and the
    naive-Bayes scorer beside it); the scores, reliability bins and the out-of-fold probability
    of every training opportunity are stored with the version.
    """
    authorize(actor, "pipeline.train_model")
    from kampass.core.forecasting import evaluate, train_win_model
    from kampass.pipeline.features import CATEGORICAL, NUMERIC, constant_features, feature_rows

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
    rows = feature_rows(closed)
    exclude = constant_features(rows)
    kinds = {
        "categorical": [c for c in CATEGORICAL if c not in exclude],
        "numeric": [c for c in NUMERIC if c not in exclude],
    }
    rows = [{k: v for k, v in r.items() if k not in exclude} for r in rows]
    report(0.15, _("Evaluating on cross-validation folds"))
    folds = max(2, min(folds, won, len(closed) - won))
    with _threads():
        evaluation = evaluate(
            rows, outcomes, folds=folds, seed=seed, categorical=kinds["categorical"], numeric=kinds["numeric"]
        )
        report(0.6, _("Training the model"))
        model = train_win_model(rows, outcomes, seed=seed, categorical=kinds["categorical"], numeric=kinds["numeric"])
    report(0.9, _("Storing the model version"))
    holdout = {str(o.pk): round(float(p), 6) for o, p in zip(closed, evaluation.predictions["kampass"], strict=True)}
    with transaction.atomic():
        version = ModelVersion.objects.filter(version=model.version).first() or ModelVersion(version=model.version)
        version.trained_at = model.trained_at
        version.training_rows = model.training_rows
        version.base_rate = float(model.base_rate)
        version.features = list(model.features)
        version.metrics = evaluation.to_json() | {"train_seconds": round(float(evaluation.train_seconds), 3)}
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
        }
        version.holdout = holdout
        version.model = model.to_bytes()
        version.created_by = actor if _is_user(actor) else None
        version.active = True
        version.save()
        ModelVersion.objects.exclude(pk=version.pk).filter(active=True).update(active=False)
    report(1.0, _("Model trained"))
    return version


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


def score_explanation(opportunity: Opportunity, *, top: int = 3) -> list[Any]:
    """The main factors behind the opportunity's stored score (``Factor`` of the core), by the
    model version that produced it; empty when it has not been scored."""
    if opportunity.model_version_id is None:
        return []
    version = ModelVersion.objects.filter(pk=opportunity.model_version_id).first()
    if version is None:
        return []
    # imported only when needed: scikit-learn takes seconds to import
    from kampass.core.forecasting import WinModel
    from kampass.pipeline.features import feature_rows

    model = WinModel.from_bytes(bytes(version.model))
    row = {k: v for k, v in feature_rows([opportunity])[0].items() if k in model.features}
    with _threads():
        return list(model.explain(row, top=top))


# ---------------------------------------------------------------- training as a background task


@transaction.atomic
def training_job_create(*, actor: Actor, enqueue: bool = True) -> TrainingJob:
    """Queue a retraining (train on closed opportunities, then score all open ones) as a background task."""
    authorize(actor, "pipeline.train_model")
    job = TrainingJob.objects.create(created_by=actor if _is_user(actor) else None)
    if enqueue:
        from kampass.pipeline.tasks import run_training

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_training.enqueue(job_id))
    return job


def training_job_run(job_id: str, *, progress: Progress | None = None, actor: Actor | None = None) -> TrainingJob:
    """Run a queued training job and record progress and outcome on it."""
    from kampass.commercial.cli import system_actor

    job = TrainingJob.objects.get(pk=job_id)
    actor = actor or job.created_by or system_actor()
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=0.0)

    def report(fraction: float, message: str) -> None:
        TrainingJob.objects.filter(pk=job.pk).update(progress=max(0.0, min(fraction, 1.0)), message=message[:500])
        if progress is not None:
            progress(fraction, message)

    try:
        version = model_train(actor=actor, progress=lambda f, m: report(f * 0.9, m))
        report(0.92, _("Scoring open opportunities"))
        scored = opportunities_score(actor=actor, version=version)
    except Exception as exc:
        log.exception("training %s failed", job_id)
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
        TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())
        raise
    job.refresh_from_db()
    job.status, job.progress, job.model_version, job.scored = JobStatus.DONE, 1.0, version, scored
    job.message, job.finished_at = _("Done"), timezone.now()
    job.save()
    if progress is not None:
        progress(1.0, job.message)
    return job
