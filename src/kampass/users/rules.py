"""Role predicates (django-rules) shared by the permissions of every context: administrator, head
of KAM, key account manager, and the roles that read everything (controller and viewer). The
rules that involve an account (team membership) are the accounts context's
(:func:`kampass.accounts.facade.is_on_team`)."""

from __future__ import annotations

from typing import Any

import rules

from kampass.users.models import Role


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


@rules.predicate
def is_head(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.HEAD)


@rules.predicate
def is_kam(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.KAM)


@rules.predicate
def is_reader(user: Any) -> bool:
    """Roles that read everything: controller and viewer."""
    return bool(user.is_authenticated and user.role in (Role.CONTROLLER, Role.VIEWER))


@rules.predicate
def is_controller(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.CONTROLLER)


# teams are administered by administrators: users, roles, org units, managers (also by import)
rules.add_perm("users.manage_users", is_admin)
