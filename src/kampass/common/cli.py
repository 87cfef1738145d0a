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
    """The actor for CLI commands: the first administrator if there is one (for the change history)."""
    from kampass.users.models import User

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    return admin or _SystemActor()


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
