"""What the demo's test modules share: data loaded once per module, rolled back at its end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.db import transaction
from django.test import override_settings

T = TypeVar("T")

# the demo password is public; hashing it slowly would only slow the tests down
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def loaded_for_the_module(django_db_blocker: Any, load: Callable[[], T]) -> Iterator[T]:
    """Run ``load()`` inside a transaction that stays open for the module and is rolled back at its end
    (the body of a module-scoped fixture); each test's ``db`` runs in a savepoint inside it, so a test
    that reloads or resets sees a fresh copy and leaves nothing behind."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                loaded = load()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        yield loaded
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_loader(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """``module_loader(load)``: the generator of :func:`loaded_for_the_module` for this module's fixture."""
    return lambda load: loaded_for_the_module(django_db_blocker, load)
