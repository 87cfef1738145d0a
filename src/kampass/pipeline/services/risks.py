"""The risk register of a customer project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_saved_version, expect_version
from kampass.common.permissions import authorize
from kampass.pipeline.models import Opportunity, Risk, RiskCategory, RiskStatus
from kampass.pipeline.services.saving import _decimal
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user

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
    reject_unknown_fields(fields, RISK_FIELDS, what="risk")
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
def risk_update(*, actor: Actor, risk: Risk, version: int | None = None, **changes: Any) -> Risk:
    """Change a risk; ``version``: the version the change is based on (``ConcurrentEdit`` when saved since)."""
    authorize(actor, "pipeline.change_opportunity", risk.opportunity)
    reject_unknown_fields(changes, RISK_FIELDS, what="risk")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    expect_version(risk, version)
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
def risk_delete(*, actor: Actor, risk: Risk, version: int | None = None) -> None:
    authorize(actor, "pipeline.change_opportunity", risk.opportunity)
    expect_saved_version(risk, version)
    _delete(risk, actor)
