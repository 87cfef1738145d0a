"""Plumbing of the management commands: the acting user at the command line and a progress bar."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TextIO

from kampass.users.models import Role

if TYPE_CHECKING:
    from kampass.users.models import User


class _SystemActor:
    """The operator at the command line: may do everything (like an administrator)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    role = Role.ADMIN
    pk = None
    username = "cli"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return "kampass CLI"


def system_actor() -> User | _SystemActor:
    """The actor for CLI commands: the user named by ``--as USER`` (``KAMPASS_AS_USER``; their
    permissions apply and the change history names them), else the system user (may do everything;
    the history names no person)."""
    import os

    from django.core.management.base import CommandError

    from kampass.users.models import User

    username = os.environ.get("KAMPASS_AS_USER", "").strip()
    if not username:
        return _SystemActor()
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as {username}: no active user has this username")
    return user


class ProgressBar:
    """A one-line text progress bar on a terminal stream."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream, self.width, self.start = stream, width, time.monotonic()
        self.last = ""

    def update(self, fraction: float, message: str) -> None:
        done = int(self.width * max(0.0, min(fraction, 1.0)))
        line = f"\r[{'#' * done}{'.' * (self.width - done)}] {fraction * 100:5.1f}%  {message[:50]:<50}"
        if line != self.last:
            self.stream.write(line)
            self.stream.flush()
            self.last = line

    def close(self) -> None:
        self.stream.write(f"\n{time.monotonic() - self.start:.1f}s\n")
        self.stream.flush()
