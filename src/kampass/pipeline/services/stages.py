"""Sales processes and their stages; the stage an opportunity starts in and what a stage means for its outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.common.changes import reject_unknown_fields
from kampass.common.permissions import authorize
from kampass.pipeline.models import ForecastCategory, Opportunity, Outcome, Stage, StageKind, StageSet
from kampass.users.actors import Actor


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
    reject_unknown_fields(changes, {"name", "probability", "late"}, what="stage")
    for key, value in changes.items():
        setattr(stage, key, value.strip() if isinstance(value, str) else value)
    stage.full_clean()
    stage.save()
    return stage
