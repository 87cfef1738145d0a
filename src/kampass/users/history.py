"""Writes that record the acting user in the change history (django-simple-history).

Every context's services save and delete through these, so the rule "who changed it" is
defined once: a stored user is recorded; the operator at the command line without a user
account (``kampass.common.cli.system_actor()``) is not.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeGuard

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext

from kampass.users.actors import Actor
from kampass.users.models import User


def is_user(actor: Actor | None) -> TypeGuard[User]:
    """A stored user (not a command-line operator without an account) to record in histories."""
    return actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None


def save_with_history(obj: models.Model, actor: Actor) -> None:
    """Validate and save ``obj``, recording ``actor`` in its change history."""
    obj.full_clean()
    if is_user(actor):
        obj._history_user = actor  # type: ignore[attr-defined]  # read by simple_history's post_save
    obj.save()


def delete_with_history(obj: models.Model, actor: Actor) -> None:
    """Delete ``obj``, recording ``actor`` in its change history."""
    if is_user(actor):
        obj._history_user = actor  # type: ignore[attr-defined]  # read by simple_history's post_delete
    obj.delete()


class FieldChange(NamedTuple):
    """One changed field of a history record in words: the field's label, the old and the new value as
    the reader sees them (a choice's label, the related object's name, a localised number or date).
    A tuple, so templates unpack it: ``{% for label, old, new in changes %}``."""

    label: str
    old: str
    new: str


def display_value(field: models.Field[Any, Any], value: Any) -> str:
    """``value`` of ``field`` (as simple_history stores it: a code, a primary key) in the reader's words."""
    if value is None or value == "" or value == []:
        return ""
    # a model names the labels of values its fields cannot know (codes in a JSON list): ``HISTORY_LABELS``
    labeller = getattr(field.model, "HISTORY_LABELS", {}).get(field.name)
    if labeller is not None:
        value = labeller(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        return str(labels.get(str(value), value))
    if field.is_relation and field.related_model is not None and not isinstance(value, models.Model):
        related = field.related_model._default_manager.filter(pk=value).first()
        # names of built-in objects (stages, roles) are translated in the catalogues, as in the templates
        return gettext(str(related)) if related is not None else f"#{value}"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return str(formats.localize(value))
    return str(value)


def field_changes(record: Any, previous: Any, *, hidden: frozenset[str] = frozenset()) -> list[FieldChange]:
    """What changed from ``previous`` to ``record`` (two django-simple-history records of one object), each
    field by its verbose name and each value by its label, never by its code (``key_account``) or id."""
    model = record.instance_type
    out = []
    for change in record.diff_against(previous).changes:
        if change.field in hidden:
            continue
        try:
            field = model._meta.get_field(change.field)
        except Exception:  # a field the model no longer has: its name is all there is
            out.append(FieldChange(change.field, str(change.old or ""), str(change.new or "")))
            continue
        label = capfirst(str(getattr(field, "verbose_name", change.field)))
        out.append(FieldChange(label, display_value(field, change.old), display_value(field, change.new)))
    return out
