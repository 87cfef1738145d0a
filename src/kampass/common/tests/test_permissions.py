"""One place to refuse an action the user may not take."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kampass.common.permissions import authorize


class FakeUser:
    """A user that holds exactly the permissions given, and records what it was asked."""

    def __init__(self, *perms: str) -> None:
        self.perms = set(perms)
        self.asked: list[tuple[str, Any]] = []

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        self.asked.append((perm, obj))
        return perm in self.perms


def test_a_user_with_the_permission_passes():
    # given
    user = FakeUser("accounts.change_account")
    obj = object()

    # when: no exception
    authorize(user, "accounts.change_account", obj)

    # then
    assert user.asked == [("accounts.change_account", obj)]


def test_a_user_without_the_permission_is_refused():
    with pytest.raises(PermissionDenied, match=r"You do not have permission to do this\."):
        authorize(FakeUser(), "accounts.change_account")


def test_no_user_is_refused():
    with pytest.raises(PermissionDenied):
        authorize(None, "accounts.view_account")


def test_the_refusal_is_translated():
    with translation.override("de"), pytest.raises(PermissionDenied, match="Sie haben keine Berechtigung"):
        authorize(FakeUser(), "accounts.change_account")


def test_the_rules_of_the_contexts_decide_for_real_users(viewer, admin_user):
    # when / then: every logged-in user may read accounts; a viewer may not create one, an admin may
    authorize(viewer, "accounts.view_account")
    authorize(admin_user, "accounts.add_account")
    with pytest.raises(PermissionDenied):
        authorize(viewer, "accounts.add_account")
