"""Who acts on kampass: the type of the ``actor`` of a service and the ``user`` of a selector.

A service or selector is called by

- a signed-in user (the UI and the API: ``request.user`` / the API token's user),
- the operator at the command line (``system_actor()``): the user named by ``kampass --as USER``,
  otherwise the system user, an object that may do everything but is no user account (``Operator``),
- in principle an anonymous visitor: ``request.user`` is typed ``User | AnonymousUser``; the views
  require a login, and ``authorize`` refuses an anonymous actor anyway.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias

from django.contrib.auth.models import AnonymousUser

from kampass.users.models import User


class Operator(Protocol):
    """An actor that is no user account: the operator at the command line (may do everything)."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def role(self) -> str: ...

    @property
    def username(self) -> str: ...

    @property
    def pk(self) -> None: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


Actor: TypeAlias = User | AnonymousUser | Operator
"""The acting party of a service or the reader of a selector."""
