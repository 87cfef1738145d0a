"""Saving with the acting user recorded in the change history, and cleaning of text lists and amounts."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from kampass.users.actors import Actor
from kampass.users.models import User


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
