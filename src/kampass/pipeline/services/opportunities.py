"""Opportunities: create, change, delete, and move them through the stages of their sales process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts.models import Account
from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_saved_version, expect_version
from kampass.common.notifications import OPPORTUNITY_ASSIGNED, notify_assigned
from kampass.common.permissions import authorize
from kampass.pipeline import selectors
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Stage, StageSet
from kampass.pipeline.services.model import schedule_scoring
from kampass.pipeline.services.saving import _decimal, _text_list
from kampass.pipeline.services.stages import _apply_stage_outcome, _first_open_stage, default_stage_set
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save

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
    closed_on: dt.date | None = None,
    **fields: Any,
) -> Opportunity:
    """Create an opportunity on ``account``, in ``stage`` (default: the first open stage of
    ``stage_set`` or of the default sales process), and record where it started.

    ``fields`` are further fields of ``OPPORTUNITY_FIELDS``. Created in a lost stage it
    needs a ``reason``; created in a won or lost stage it closes today unless ``closed_on``
    (a known close date, e.g. of an imported deal) says otherwise.
    """
    reject_unknown_fields(fields, OPPORTUNITY_FIELDS, what="opportunity")
    authorize(actor, "pipeline.add_opportunity", account)
    if stage is None:
        stage = _first_open_stage(stage_set or default_stage_set())
    elif stage_set is not None and stage.stage_set_id != stage_set.pk:
        raise ValidationError({"stage": _("This stage belongs to another sales process.")})
    reason = (reason or fields.pop("outcome_reason", "") or "").strip()
    if selectors.stage_needs_reason(stage) and not reason:
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
    # no owner's probability stays none: copying the stage's default in here made the owners' forecast
    # and the optimism analysis count stage defaults as owners' numbers (issue 12)
    _apply_stage_outcome(opportunity, stage, day=closed_on or today, reason=reason)
    _save(opportunity, actor)
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=None,
        to_stage=stage,
        changed_at=timezone.now(),
        changed_by=actor if _is_user(actor) else None,
    )
    schedule_scoring([opportunity.pk])  # on commit: a background task scores it with the active model
    _tell_owner(actor, None, opportunity)
    return opportunity


def _tell_owner(actor: Actor, before_id: int | None, opportunity: Opportunity) -> None:
    """Notify the opportunity's new owner that it was handed to them (not when they took it themselves)."""
    notify_assigned(
        actor=actor,
        before_id=before_id,
        after=opportunity.owner,
        message=OPPORTUNITY_ASSIGNED,
        params={"name": opportunity.name, "account": opportunity.account.name},
        link=reverse("opportunity-detail", args=[opportunity.pk]),
    )


@transaction.atomic
def opportunity_update(
    *, actor: Actor, opportunity: Opportunity, version: int | None = None, **changes: Any
) -> Opportunity:
    """Change fields of an opportunity (not its stage: see ``opportunity_change_stage``).

    ``account`` moves it to another account (needs the right to add opportunities there).
    ``version``: the version the change is based on (``ConcurrentEdit`` when it was saved since).
    """
    authorize(actor, "pipeline.change_opportunity", opportunity)
    opportunity = Opportunity.objects.select_for_update().select_related("account").get(pk=opportunity.pk)
    expect_version(opportunity, version)
    reject_unknown_fields(changes, {*OPPORTUNITY_FIELDS, "account"}, what="opportunity")
    before_owner_id = opportunity.owner_id
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
    schedule_scoring([opportunity.pk])  # on commit: a background task scores it with the active model
    _tell_owner(actor, before_owner_id, opportunity)
    return opportunity


@transaction.atomic
def opportunity_delete(*, actor: Actor, opportunity: Opportunity, version: int | None = None) -> None:
    """Delete an opportunity with its history of stages, qualification, links and risks."""
    authorize(actor, "pipeline.delete_opportunity", opportunity)
    expect_saved_version(opportunity, version)
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
    version: int | None = None,
) -> OpportunityStageChange:
    """Move an opportunity to ``stage`` and record the move in its stage history.

    Moving to a won or lost stage closes it (outcome, close date, forecast category);
    a lost stage needs a ``reason``. Moving back to an open stage reopens it. ``version``: the version
    the move is based on (``ConcurrentEdit`` when the opportunity was saved since).
    """
    authorize(actor, "pipeline.change_opportunity", opportunity)
    opportunity = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
    expect_version(opportunity, version)
    if stage.stage_set_id != opportunity.stage_set_id:
        raise ValidationError({"stage": _("This stage belongs to another sales process.")})
    if stage.pk == opportunity.stage_id:
        raise ValidationError({"stage": _("The opportunity is already in this stage.")})
    reason = (reason or "").strip()
    if selectors.stage_needs_reason(stage) and not reason:
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
    schedule_scoring([change.opportunity_id])  # on commit: a background task scores it with the active model
    return change
