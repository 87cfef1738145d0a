"""Targets (quotas) per owner, team or account subtree and period: set by the head of KAM."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_saved_version, expect_version
from kampass.common.permissions import authorize
from kampass.pipeline.models import PERIODS_PER_YEAR, Target, TargetPeriod, TargetScope
from kampass.pipeline.services.saving import _decimal
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user

TARGET_FIELDS = ("scope", "owner", "org_unit", "account", "period", "year", "number", "amount", "currency", "note")
_SUBJECT = {TargetScope.OWNER: "owner", TargetScope.TEAM: "org_unit", TargetScope.ACCOUNT: "account"}


def _target_clean(target: Target) -> None:
    """Every bad field at once: scope and its one subject, a period that exists, a target not below zero,
    and no second target for the same subject and period."""
    errors: dict[str, list[str]] = {}
    if target.scope not in TargetScope.values:
        errors["scope"] = [_("Unknown scope “%(value)s”.") % {"value": target.scope}]
    else:
        wanted = _SUBJECT[TargetScope(target.scope)]
        if getattr(target, f"{wanted}_id") is None:
            errors[wanted] = [_("Choose for whom the target is.")]
        for other in set(_SUBJECT.values()) - {wanted}:
            setattr(target, other, None)  # a target is for one subject: the scope decides which
    if target.period not in TargetPeriod.values:
        errors["period"] = [_("Unknown period “%(value)s”.") % {"value": target.period}]
    else:
        if target.period == TargetPeriod.YEAR:
            target.number = 1
        most = PERIODS_PER_YEAR[TargetPeriod(target.period)]
        if not isinstance(target.number, int) or not 1 <= target.number <= most:
            errors["number"] = [_("Give a month from 1 to 12 or a quarter from 1 to 4.")]
    try:
        target.full_clean(exclude=[*errors, "version"], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if not errors:
        wanted = _SUBJECT[TargetScope(target.scope)]
        twin = Target.objects.filter(
            scope=target.scope,
            period=target.period,
            year=target.year,
            number=target.number,
            **{f"{wanted}_id": getattr(target, f"{wanted}_id")},
        ).exclude(pk=target.pk)
        if twin.exists():
            errors["period"] = [
                _("There is already a target for %(subject)s in %(period)s.")
                % {"subject": target.subject_label, "period": target.period_label}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_create(
    *,
    actor: Actor,
    scope: str,
    period: str,
    year: int,
    amount: Decimal | int | str,
    number: int = 1,
    currency: str = "EUR",
    **fields: Any,
) -> Target:
    """Set a target for an owner (``owner=``), a team (``org_unit=``) or an account subtree (``account=``)."""
    authorize(actor, "pipeline.add_target")
    reject_unknown_fields(fields, TARGET_FIELDS, what="target")
    target = Target(
        scope=scope, period=period, year=year, number=number, amount=_decimal(amount, "amount"),  # type: ignore[misc]
        currency=currency, **fields,
    )  # fmt: skip
    _target_clean(target)
    if _is_user(actor):
        target._history_user = actor  # type: ignore[attr-defined]
    target.save()
    return target


@transaction.atomic
def target_update(*, actor: Actor, target: Target, version: int | None = None, **changes: Any) -> Target:
    """Change a target; ``version``: the version the change is based on (``ConcurrentEdit`` when saved since)."""
    authorize(actor, "pipeline.change_target", target)
    reject_unknown_fields(changes, TARGET_FIELDS, what="target")
    target = Target.objects.select_for_update().get(pk=target.pk)
    expect_version(target, version)
    for key, value in changes.items():
        if key == "amount":
            value = _decimal(value, "amount")
        setattr(target, key, value)
    _target_clean(target)
    if _is_user(actor):
        target._history_user = actor  # type: ignore[attr-defined]
    target.save()
    return target


@transaction.atomic
def target_delete(*, actor: Actor, target: Target, version: int | None = None) -> None:
    authorize(actor, "pipeline.delete_target", target)
    expect_saved_version(target, version)
    _delete(target, actor)
