"""One place to refuse an action the user may not take."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def authorize(user: Any, perm: str, obj: Any = None, *, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``user`` has ``perm`` (on ``obj``); ``message`` says why, if given."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message or _("You do not have permission to do this."))
