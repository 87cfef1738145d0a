"""Writes that record the acting user in the change history (django-simple-history).

Every context's services save and delete through these, so the rule "who changed it" is
defined once: a stored user is recorded; the operator at the command line without a user
account (``kampass.common.cli.system_actor()``) is not.
"""

from __future__ import annotations

from typing import TypeGuard

from django.db import models

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
